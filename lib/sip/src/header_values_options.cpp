// Token-list headers (header_values.hpp): option tags (RFC 3261 §19.2: Require, Supported,
// Unsupported, Proxy-Require), Allow (§20.5), Accept (§20.1), Allow-Events (RFC 6665) and
// Recv-Info (RFC 6086).
#include <parley/sip/header_values.hpp>

#include "header_params.hpp"
#include "scanner.hpp"

namespace parley {

using detail::scanner;

namespace {

enum class element_params : std::uint8_t { forbidden, allowed };

/// Appends the tokens of one comma-list value. Every header here allows an empty value
/// ("Supported:" means none), so only elements are checked.
result<void> append_tokens(std::string_view value, std::size_t base, token_list& out,
                           const char* reason, element_params params) {
    out.mark_present();
    if (text::trim(value).empty()) return {};
    return for_each_list_element(value, base,
                                 [&](std::string_view element, std::size_t lead) -> result<void> {
                                     scanner sc(element, base + lead);
                                     std::string_view token = sc.token();
                                     if (token.empty()) return fail(400, reason, sc.offset());
                                     if (params == element_params::allowed) {
                                         PARLEY_TRY(detail::parse_header_params(sc, element));
                                     } else {
                                         sc.skip_lws();
                                         if (!sc.at_end()) return fail(400, reason, sc.offset());
                                     }
                                     out.push_back(token);
                                     return {};
                                 });
}

result<token_list> tokens_of(const message& m, header_id id, const char* reason,
                             element_params params) {
    token_list out;
    PARLEY_TRY(for_each_header_value(m, id, [&](std::string_view value, std::size_t base) {
        return append_tokens(value, base, out, reason, params);
    }));
    return out;
}

/// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; -1 if bad.
int qvalue_of(std::string_view s) noexcept {
    if (s.empty() || (s[0] != '0' && s[0] != '1') || s.size() > 5 || (s.size() > 1 && s[1] != '.'))
        return -1;
    int thousandths = (s[0] - '0') * 1000;
    int scale = 100;
    for (std::size_t i = 2; i < s.size(); ++i, scale /= 10) {
        if (!text::is_digit(s[i])) return -1;
        thousandths += (s[i] - '0') * scale;
    }
    return thousandths > 1000 ? -1 : thousandths;
}

} // namespace

result<void> parse_token_list(std::string_view value, std::size_t base, token_list& out) {
    return append_tokens(value, base, out, "Bad Token", element_params::forbidden);
}

result<token_list> find_require(const message& m) {
    return tokens_of(m, header_id::require, "Bad Require Option Tag", element_params::forbidden);
}

result<token_list> find_supported(const message& m) {
    return tokens_of(m, header_id::supported, "Bad Supported Option Tag",
                     element_params::forbidden);
}

result<token_list> find_unsupported(const message& m) {
    return tokens_of(m, header_id::unsupported, "Bad Unsupported Option Tag",
                     element_params::forbidden);
}

result<token_list> find_proxy_require(const message& m) {
    return tokens_of(m, header_id::proxy_require, "Bad Proxy-Require Option Tag",
                     element_params::forbidden);
}

result<token_list> find_allow_events(const message& m) {
    // Allow-Events = 1#event-type; an event type is a token (its '.' is a token char).
    return tokens_of(m, header_id::allow_events, "Bad Allow-Events", element_params::forbidden);
}

result<token_list> find_recv_info(const message& m) {
    // Recv-Info = [ info-package-list ]; each element may carry generic parameters.
    return tokens_of(m, header_id::recv_info, "Bad Recv-Info", element_params::allowed);
}

// ---- Allow --------------------------------------------------------------------------------------

bool allowed_methods::contains(std::string_view method_token) const noexcept {
    for (std::string_view t : tokens)
        if (t == method_token) return true;
    return false;
}

result<allowed_methods> find_allow(const message& m) {
    allowed_methods out;
    auto tokens = tokens_of(m, header_id::allow, "Bad Allow Method", element_params::forbidden);
    PARLEY_TRY(tokens);
    out.tokens = std::move(*tokens);
    for (std::string_view t : out.tokens) {
        method known = method_from_token(t);
        if (known != method::unknown) out.known.add(known);
    }
    return out;
}

// ---- Accept -------------------------------------------------------------------------------------

bool media_range::matches(std::string_view t, std::string_view s) const noexcept {
    if (type == "*") return true;
    if (!text::iequals(type, t)) return false;
    return subtype == "*" || text::iequals(subtype, s);
}

bool media_range_list::accepts(std::string_view type, std::string_view subtype) const noexcept {
    if (!present()) return text::iequals(type, "application") && text::iequals(subtype, "sdp");
    // The most specific matching range decides (RFC 7231 §5.3.2, which RFC 3261 §20.1 follows).
    int best_rank = -1;
    int best_q = 0;
    for (const media_range& r : *this) {
        if (!r.matches(type, subtype)) continue;
        int rank = r.type == "*" ? 0 : (r.subtype == "*" ? 1 : 2);
        if (rank > best_rank) {
            best_rank = rank;
            best_q = r.q < 0 ? 1000 : r.q;
        }
    }
    return best_rank >= 0 && best_q > 0;
}

result<media_range> parse_media_range(std::string_view value, std::size_t base) noexcept {
    // media-range = ( "*/*" / ( m-type SLASH "*" ) / ( m-type SLASH m-subtype ) )
    //               *( SEMI m-parameter ), then *( SEMI accept-param )
    scanner sc(value, base);
    sc.skip_lws();
    media_range out;
    out.type = sc.token();
    if (out.type.empty() || !sc.accept_separator('/')) return fail(400, "Bad Accept", sc.offset());
    std::size_t subtype_at = sc.offset();
    out.subtype = sc.token();
    if (out.subtype.empty()) return fail(400, "Bad Accept", sc.offset());
    if (out.type == "*" && out.subtype != "*") return fail(400, "Bad Accept", subtype_at);
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (!text::iequals(p.name, "q")) continue;
        int v = qvalue_of(p.value);
        // The offset of the value, or of the name when there is no value (an empty slice has
        // no position).
        std::string_view at = p.value.empty() ? p.name : p.value;
        if (v < 0)
            return fail(400, "Bad Accept q-value",
                        base + static_cast<std::size_t>(at.data() - value.data()));
        out.q = static_cast<std::int16_t>(v);
    }
    return out;
}

result<media_range_list> find_accept(const message& m) {
    // Accept = [ accept-range *(COMMA accept-range) ]: an empty Accept accepts nothing.
    media_range_list out;
    auto append = [&](std::string_view element, std::size_t base) -> result<void> {
        auto range = parse_media_range(element, base);
        PARLEY_TRY(range);
        out.push_back(*range);
        return {};
    };
    auto each_line = [&](std::string_view value, std::size_t base) -> result<void> {
        out.mark_present();
        if (text::trim(value).empty()) return {};
        return for_each_list_element(value, base, [&](std::string_view element, std::size_t lead) {
            return append(element, base + lead);
        });
    };
    auto done = for_each_header_value(m, header_id::accept, each_line);
    PARLEY_TRY(done);
    return out;
}

} // namespace parley
