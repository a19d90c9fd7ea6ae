// REFER headers (header_values.hpp): Refer-To (RFC 3515 §2.1), Referred-By (RFC 3892 §3),
// Refer-Sub (RFC 4488 §7.2) and Replaces (RFC 3891 §6.1), including a Replaces carried as an
// escaped header of the Refer-To URI (RFC 3891 §7 examples).
#include <parley/sip/header_values.hpp>

#include "header_params.hpp"
#include "scanner.hpp"

namespace parley {

using detail::scanner;

namespace {

std::size_t offset_of(std::string_view value, std::size_t base, std::string_view slice) noexcept {
    return base + static_cast<std::size_t>(slice.data() - value.data());
}

/// word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" /
///        "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}") (RFC 3261 §25.1)
std::string_view read_word(scanner& sc) noexcept {
    std::size_t start = sc.pos();
    while (!sc.at_end() && text::is(sc.peek(), text::token | text::word_extra)) sc.advance();
    return sc.slice(start, sc.pos());
}

/// Exactly one element: "<a>, <b>" is two values where the RFC allows one.
result<void> single_element(std::string_view value, std::size_t base, const char* reason) {
    std::size_t count = 0;
    std::size_t second = 0;
    PARLEY_TRY(for_each_list_element(value, base, [&](std::string_view, std::size_t lead) {
        if (++count == 2) second = lead;
        return result<void>{};
    }));
    if (count > 1) return fail(400, reason, base + second);
    return {};
}

} // namespace

// ---- Replaces -----------------------------------------------------------------------------------

result<replaces> parse_replaces(std::string_view value, std::size_t base) noexcept {
    // Replaces = callid *(SEMI replaces-param); callid = word [ "@" word ]
    // replaces-param = to-tag / from-tag / early-flag / generic-param
    scanner sc(value, base);
    sc.skip_lws();
    replaces out;
    std::size_t start = sc.pos();
    if (read_word(sc).empty()) return fail(400, "Bad Replaces Call-ID", sc.offset());
    if (sc.accept('@') && read_word(sc).empty())
        return fail(400, "Bad Replaces Call-ID", sc.offset());
    out.call_id = sc.slice(start, sc.pos());
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (text::iequals(p.name, "to-tag")) {
            if (!text::is_token_text(p.value))
                return fail(400, "Bad Replaces To-Tag", offset_of(value, base, p.name));
            out.to_tag = p.value;
        } else if (text::iequals(p.name, "from-tag")) {
            if (!text::is_token_text(p.value))
                return fail(400, "Bad Replaces From-Tag", offset_of(value, base, p.name));
            out.from_tag = p.value;
        } else if (text::iequals(p.name, "early-only")) {
            out.early_only = true;
        }
    }
    // RFC 3891 §3: exactly one to-tag and one from-tag, needed to match the dialog.
    if (out.to_tag.empty()) return fail(400, "Missing Replaces To-Tag", base + value.size());
    if (out.from_tag.empty()) return fail(400, "Missing Replaces From-Tag", base + value.size());
    return out;
}

result<std::optional<replaces>> find_replaces(const message& m) noexcept {
    return find_single_value(m, header_id::replaces, parse_replaces);
}

std::optional<std::string> uri_header(const uri& u, std::string_view name) {
    // headers = "?" header *( "&" header ); header = hname "=" hvalue (RFC 3261 §25.1)
    std::string_view rest = u.headers;
    while (!rest.empty()) {
        std::size_t amp = rest.find('&');
        std::string_view header = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        std::size_t eq = header.find('=');
        std::string_view hname = header.substr(0, eq);
        if (!text::iequals(unescape(hname), name)) continue;
        return unescape(eq == std::string_view::npos ? std::string_view{} : header.substr(eq + 1));
    }
    return std::nullopt;
}

// ---- Refer-To, Referred-By, Refer-Sub -----------------------------------------------------------

result<refer_to> parse_refer_to(std::string_view value, std::size_t base) {
    // Refer-To = ("Refer-To" / "r") HCOLON ( name-addr / addr-spec ) *(SEMI generic-param)
    // RFC 3515 §2.4.1: exactly one value.
    PARLEY_TRY(single_element(value, base, "Multiple Refer-To Values"));
    auto target = parse_name_addr(value, base);
    PARLEY_TRY(target);
    refer_to out;
    out.target = *target;
    if (out.target.address.is_sip()) {
        if (auto embedded = uri_header(out.target.address, "Replaces")) {
            // The decoded text has no place in the message: errors point at the URI headers.
            std::size_t headers_at = offset_of(value, base, out.target.address.headers);
            auto check = parse_replaces(*embedded, 0);
            if (!check) return fail(400, check.error_value().reason, headers_at);
            out.embedded_replaces = std::move(embedded);
        }
    }
    return out;
}

result<std::optional<refer_to>> find_refer_to(const message& m) {
    return find_single_value(m, header_id::refer_to, parse_refer_to);
}

result<referred_by> parse_referred_by(std::string_view value, std::size_t base) noexcept {
    // Referred-By = referrer-uri *( SEMI (referredby-id-param / generic-param) )
    // referredby-id-param = "cid" EQUAL sip-clean-msg-id (a quoted msg-id)
    auto referrer = parse_name_addr(value, base);
    PARLEY_TRY(referrer);
    referred_by out;
    out.referrer = *referrer;
    std::size_t pos = 0;
    param p;
    while (out.referrer.params.next(pos, p)) {
        if (!text::iequals(p.name, "cid")) continue;
        std::string_view v = p.value;
        if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
        if (v.empty() || v.find('@') == std::string_view::npos)
            return fail(400, "Bad Referred-By cid", offset_of(value, base, p.name));
        out.cid = v;
    }
    return out;
}

result<std::optional<referred_by>> find_referred_by(const message& m) noexcept {
    return find_single_value(m, header_id::referred_by, parse_referred_by);
}

result<refer_sub> parse_refer_sub(std::string_view value, std::size_t base) noexcept {
    // Refer-Sub = refer-sub-value *(SEMI exten); refer-sub-value = "true" / "false"
    scanner sc(value, base);
    sc.skip_lws();
    std::size_t at = sc.offset();
    std::string_view token = sc.token();
    refer_sub out;
    if (text::iequals(token, "true"))
        out = refer_sub::subscription;
    else if (text::iequals(token, "false"))
        out = refer_sub::no_subscription;
    else
        return fail(400, "Bad Refer-Sub", at);
    PARLEY_TRY(detail::parse_header_params(sc, value));
    return out;
}

result<std::optional<refer_sub>> find_refer_sub(const message& m) noexcept {
    return find_single_value(m, header_id::refer_sub, parse_refer_sub);
}

} // namespace parley
