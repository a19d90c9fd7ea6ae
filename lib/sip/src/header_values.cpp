// Typed header accessors (header_values.hpp): shared helpers, delta-seconds headers, RSeq/RAck,
// session timers, events, Retry-After and Content-Disposition. Option tags, Allow and Accept
// live in header_values_options.cpp; REFER and Replaces in header_values_refer.cpp.
#include <parley/sip/header_values.hpp>

#include "header_params.hpp"
#include "scanner.hpp"

namespace parley {

using detail::scanner;

namespace {

/// Offset in the message of `slice`, a part of `value` (which starts at `base`).
std::size_t offset_of(std::string_view value, std::size_t base, std::string_view slice) noexcept {
    return base + static_cast<std::size_t>(slice.data() - value.data());
}

/// Where a parameter's problem is: its value, or its name when it has none.
std::size_t param_offset(std::string_view value, std::size_t base, const param& p) noexcept {
    return offset_of(value, base, p.has_value ? p.value : p.name);
}

/// delta-seconds = 1*DIGIT (RFC 3261 §25.1), clamped to 2^32-1.
std::optional<std::uint32_t> delta_seconds_of(std::string_view digits) noexcept {
    if (digits.empty()) return std::nullopt;
    for (char c : digits)
        if (!text::is_digit(c)) return std::nullopt;
    auto v = text::parse_decimal(digits);
    return v ? static_cast<std::uint32_t>(*v) : std::uint32_t{UINT32_MAX};
}

/// Reads delta-seconds at the scanner (after LWS).
result<std::uint32_t> read_delta_seconds(scanner& sc, const char* reason) noexcept {
    sc.skip_lws();
    std::size_t start = sc.pos();
    while (text::is_digit(sc.peek())) sc.advance();
    auto v = delta_seconds_of(sc.slice(start, sc.pos()));
    if (!v) return fail(400, reason, sc.offset());
    return *v;
}

/// A whole value that is delta-seconds and nothing else.
result<std::uint32_t> whole_delta_seconds(std::string_view value, std::size_t base,
                                          const char* reason) noexcept {
    scanner sc(value, base);
    auto v = read_delta_seconds(sc, reason);
    PARLEY_TRY(v);
    sc.skip_lws();
    if (!sc.at_end()) return fail(400, reason, sc.offset());
    return *v;
}

/// A parameter value that is delta-seconds.
result<std::uint32_t> param_delta_seconds(std::string_view value, std::size_t base, const param& p,
                                          const char* reason) noexcept {
    auto v = p.has_value ? delta_seconds_of(p.value) : std::nullopt;
    if (!v) return fail(400, reason, param_offset(value, base, p));
    return *v;
}

const char* duplicate_reason(header_id id) noexcept {
    switch (id) {
#define PARLEY_HEADER(identifier, name, compact)                                                   \
    case header_id::identifier:                                                                    \
        return "Duplicate " name " Header";
#include <parley/sip/header_table.def>
#undef PARLEY_HEADER
    case header_id::other: break;
    }
    return "Duplicate Header";
}

} // namespace

// ---- Shared -------------------------------------------------------------------------------------

bool token_list::contains(std::string_view token) const noexcept {
    for (std::string_view t : *this)
        if (text::iequals(t, token)) return true;
    return false;
}

result<const header_field*> find_single_header(const message& m, header_id id) noexcept {
    const header_field* found = nullptr;
    for (const header_field& h : m.headers()) {
        if (h.id != id) continue;
        // RFC 3261 §7.3.1: only comma-list headers may appear on several lines.
        if (found != nullptr) return fail(400, duplicate_reason(id), h.value_offset);
        found = &h;
    }
    return found;
}

std::string unquote(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        // RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out.push_back(s[i]);
    }
    return out;
}

// ---- delta-seconds headers ----------------------------------------------------------------------

result<std::uint32_t> parse_delta_seconds(std::string_view value, std::size_t base) noexcept {
    return whole_delta_seconds(value, base, "Bad Delta-Seconds");
}

result<std::optional<std::uint32_t>> find_expires(const message& m) noexcept {
    // RFC 3261 §20.19: Expires = delta-seconds.
    return find_single_value(m, header_id::expires, [](std::string_view v, std::size_t base) {
        return whole_delta_seconds(v, base, "Bad Expires");
    });
}

result<std::optional<std::uint32_t>> find_min_expires(const message& m) noexcept {
    return find_single_value(m, header_id::min_expires, [](std::string_view v, std::size_t base) {
        return whole_delta_seconds(v, base, "Bad Min-Expires");
    });
}

// ---- RSeq, RAck (RFC 3262 §7) -------------------------------------------------------------------

namespace {

/// response-num = 1*DIGIT in 1..2^31-1 (RFC 3262 §3, §7.1).
result<std::uint32_t> read_response_number(scanner& sc, const char* reason) noexcept {
    sc.skip_lws();
    std::size_t start = sc.pos();
    while (text::is_digit(sc.peek())) sc.advance();
    auto v = text::parse_decimal(sc.slice(start, sc.pos()), 0x7fffffff);
    if (!v || *v == 0) return fail(400, reason, sc.offset() - (sc.pos() - start));
    return static_cast<std::uint32_t>(*v);
}

} // namespace

result<std::uint32_t> parse_rseq(std::string_view value, std::size_t base) noexcept {
    scanner sc(value, base);
    auto n = read_response_number(sc, "Bad RSeq");
    PARLEY_TRY(n);
    sc.skip_lws();
    if (!sc.at_end()) return fail(400, "Bad RSeq", sc.offset());
    return *n;
}

result<std::optional<std::uint32_t>> find_rseq(const message& m) noexcept {
    return find_single_value(m, header_id::rseq, parse_rseq);
}

result<rack> parse_rack(std::string_view value, std::size_t base) noexcept {
    // RAck = "RAck" HCOLON response-num LWS CSeq-num LWS Method
    scanner sc(value, base);
    rack out;
    auto response = read_response_number(sc, "Bad RAck Response Number");
    PARLEY_TRY(response);
    out.response_number = *response;
    std::size_t before = sc.pos();
    sc.skip_lws();
    if (sc.pos() == before) return fail(400, "Bad RAck", sc.offset());
    std::size_t start = sc.pos();
    while (text::is_digit(sc.peek())) sc.advance();
    auto number = text::parse_decimal(sc.slice(start, sc.pos()));
    if (!number) return fail(400, "Bad RAck CSeq Number", base + start);
    out.cseq_number = static_cast<std::uint32_t>(*number);
    before = sc.pos();
    sc.skip_lws();
    if (sc.pos() == before) return fail(400, "Bad RAck", sc.offset());
    out.method_text = sc.token();
    if (out.method_text.empty()) return fail(400, "Bad RAck Method", sc.offset());
    out.method = method_from_token(out.method_text);
    sc.skip_lws();
    if (!sc.at_end()) return fail(400, "Bad RAck", sc.offset());
    return out;
}

result<std::optional<rack>> find_rack(const message& m) noexcept {
    return find_single_value(m, header_id::rack, parse_rack);
}

// ---- Session timers (RFC 4028 §4) ---------------------------------------------------------------

result<session_expires> parse_session_expires(std::string_view value, std::size_t base) noexcept {
    // Session-Expires = delta-seconds *(SEMI se-params); se-params = refresher-param /
    // generic-param; refresher-param = "refresher" EQUAL ("uas" / "uac")
    scanner sc(value, base);
    session_expires out;
    auto delta = read_delta_seconds(sc, "Bad Session-Expires");
    PARLEY_TRY(delta);
    out.delta_seconds = *delta;
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (!text::iequals(p.name, "refresher")) continue;
        if (text::iequals(p.value, "uac"))
            out.refresher = refresher_role::uac;
        else if (text::iequals(p.value, "uas"))
            out.refresher = refresher_role::uas;
        else
            return fail(400, "Bad Session-Expires Refresher", param_offset(value, base, p));
    }
    return out;
}

result<std::optional<session_expires>> find_session_expires(const message& m) noexcept {
    return find_single_value(m, header_id::session_expires, parse_session_expires);
}

result<std::uint32_t> parse_min_se(std::string_view value, std::size_t base) noexcept {
    // Min-SE = delta-seconds *(SEMI generic-param)
    scanner sc(value, base);
    auto delta = read_delta_seconds(sc, "Bad Min-SE");
    PARLEY_TRY(delta);
    PARLEY_TRY(detail::parse_header_params(sc, value));
    return *delta;
}

result<std::optional<std::uint32_t>> find_min_se(const message& m) noexcept {
    return find_single_value(m, header_id::min_se, parse_min_se);
}

// ---- Events (RFC 6665 §8.4, RFC 6086 §8.2) ------------------------------------------------------

result<event> parse_event(std::string_view value, std::size_t base) noexcept {
    // event-type = event-package *( "." event-template ), both token-nodot.
    scanner sc(value, base);
    sc.skip_lws();
    event out;
    std::size_t start = sc.pos();
    out.type = sc.token();
    if (out.type.empty()) return fail(400, "Bad Event Type", sc.offset());
    if (out.type.front() == '.' || out.type.back() == '.' ||
        out.type.find("..") != std::string_view::npos)
        return fail(400, "Bad Event Type", base + start);
    out.package = out.type.substr(0, out.type.find('.'));
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (!text::iequals(p.name, "id")) continue;
        if (!text::is_token_text(p.value))
            return fail(400, "Bad Event Id", param_offset(value, base, p));
        out.id = p.value;
    }
    return out;
}

result<std::optional<event>> find_event(const message& m) noexcept {
    return find_single_value(m, header_id::event, parse_event);
}

result<subscription_state> parse_subscription_state(std::string_view value,
                                                    std::size_t base) noexcept {
    // Subscription-State = substate-value *( SEMI subexp-params )
    scanner sc(value, base);
    sc.skip_lws();
    subscription_state out;
    out.state_text = sc.token();
    if (out.state_text.empty()) return fail(400, "Bad Subscription-State", sc.offset());
    if (text::iequals(out.state_text, "active"))
        out.state = substate::active;
    else if (text::iequals(out.state_text, "pending"))
        out.state = substate::pending;
    else if (text::iequals(out.state_text, "terminated"))
        out.state = substate::terminated;
    else
        out.state = substate::extension;
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (text::iequals(p.name, "reason")) {
            if (!text::is_token_text(p.value))
                return fail(400, "Bad Subscription-State Reason", param_offset(value, base, p));
            out.reason = p.value;
        } else if (text::iequals(p.name, "expires")) {
            auto v = param_delta_seconds(value, base, p, "Bad Subscription-State Expires");
            PARLEY_TRY(v);
            out.expires = *v;
        } else if (text::iequals(p.name, "retry-after")) {
            auto v = param_delta_seconds(value, base, p, "Bad Subscription-State Retry-After");
            PARLEY_TRY(v);
            out.retry_after = *v;
        }
    }
    return out;
}

result<std::optional<subscription_state>> find_subscription_state(const message& m) noexcept {
    return find_single_value(m, header_id::subscription_state, parse_subscription_state);
}

result<info_package> parse_info_package(std::string_view value, std::size_t base) noexcept {
    // info-package-type = info-package-name *( SEMI info-package-param )
    scanner sc(value, base);
    sc.skip_lws();
    info_package out;
    out.name = sc.token();
    if (out.name.empty()) return fail(400, "Bad Info Package", sc.offset());
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    return out;
}

result<std::optional<info_package>> find_info_package(const message& m) noexcept {
    return find_single_value(m, header_id::info_package, parse_info_package);
}

// ---- Retry-After, Content-Disposition (RFC 3261 §20.33, §20.11) ---------------------------------

result<retry_after> parse_retry_after(std::string_view value, std::size_t base) noexcept {
    // Retry-After = delta-seconds [ comment ] *( SEMI retry-param )
    scanner sc(value, base);
    retry_after out;
    auto delta = read_delta_seconds(sc, "Bad Retry-After");
    PARLEY_TRY(delta);
    out.delta_seconds = *delta;
    sc.skip_lws();
    if (sc.peek() == '(') {
        // comment = LPAREN *(ctext / quoted-pair / comment) RPAREN
        std::size_t open = sc.pos();
        int depth = 0;
        do {
            char c = sc.peek();
            if (sc.at_end()) return fail(400, "Unterminated Retry-After Comment", base + open);
            if (c == '\\')
                sc.advance();
            else if (c == '(')
                ++depth;
            else if (c == ')')
                --depth;
            sc.advance();
        } while (depth > 0);
        out.comment = sc.slice(open + 1, sc.pos() - 1);
    }
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (!text::iequals(p.name, "duration")) continue;
        auto v = param_delta_seconds(value, base, p, "Bad Retry-After Duration");
        PARLEY_TRY(v);
        out.duration = *v;
    }
    return out;
}

result<std::optional<retry_after>> find_retry_after(const message& m) noexcept {
    return find_single_value(m, header_id::retry_after, parse_retry_after);
}

result<content_disposition> parse_content_disposition(std::string_view value,
                                                      std::size_t base) noexcept {
    // Content-Disposition = disp-type *( SEMI disp-param ); handling-param = "handling" EQUAL
    // ( "optional" / "required" / other-handling )
    scanner sc(value, base);
    sc.skip_lws();
    content_disposition out;
    out.type = sc.token();
    if (out.type.empty()) return fail(400, "Bad Content-Disposition", sc.offset());
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (!text::iequals(p.name, "handling")) continue;
        if (!text::is_token_text(p.value))
            return fail(400, "Bad Content-Disposition Handling", param_offset(value, base, p));
        out.handling_text = p.value;
        if (text::iequals(p.value, "required"))
            out.handling = disposition_handling::required;
        else if (text::iequals(p.value, "optional"))
            out.handling = disposition_handling::optional;
        else
            out.handling = disposition_handling::other;
    }
    return out;
}

result<std::optional<content_disposition>> find_content_disposition(const message& m) noexcept {
    return find_single_value(m, header_id::content_disposition, parse_content_disposition);
}

} // namespace parley
