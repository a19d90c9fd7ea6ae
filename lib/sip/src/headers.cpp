// Parsers for the eagerly parsed header values: name-addr, CSeq, media type.
// Via and Contact live in via_contact.cpp.
#include <parley/sip/headers.hpp>

#include "byte_scan.hpp"
#include "header_params.hpp"
#include "parse_into.hpp"
#include "scanner.hpp"
#include "uri_parse.hpp"

#include <cstdint>
#include <cstring>
#include <optional>

namespace parley {

using detail::scanner;

namespace {

bool valid_display_tokens(std::string_view s) noexcept {
    // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string
    for (char c : s)
        if (!text::is_token(c) && !text::is_lws(c)) return false;
    return true;
}

// The extent of a bare addr-spec at the start of `s`: the URI ends at the first ';', '?', ',' or
// LWS after its userinfo (RFC 3261 §20: parameters after a bare addr-spec are header
// parameters), and userinfo (which may contain ';' and '?') ends at the first '@' found before
// any LWS.
std::size_t bare_uri_end(std::string_view s) noexcept {
    std::size_t host_from = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (text::is_lws(c) || c == ',' || c == '<' || c == '>') break;
        if (c == '@') {
            host_from = i + 1;
            break;
        }
    }
    std::size_t i = host_from;
    while (i < s.size() && s[i] != ';' && s[i] != '?' && s[i] != ',' && !text::is_lws(s[i])) ++i;
    return i;
}

} // namespace

namespace detail {

result<void> parse_name_addr_into(name_addr& out, std::string_view value, std::size_t base,
                                  contact_param_values* contact_params,
                                  const char* readable_begin) noexcept {
    // name-addr = [ display-name ] LAQUOT addr-spec RAQUOT, or a bare addr-spec, then
    // *( SEMI generic-param ) (RFC 3261 §20.10, §25.1).
    out.text = value;
    const char* const begin = value.data();
    const char* const end = begin + value.size();
    const char* const readable = readable_begin != nullptr ? readable_begin : begin;
    auto at = [&](const char* q) { return base + static_cast<std::size_t>(q - begin); };
    const char* p = begin;
    while (p < end && text::is_lws(*p)) ++p;
    if (p < end && *p == '"') {
        // The closing quote is the next '"' unless a backslash comes first (a quoted-pair, or
        // an error): then the scanner reads it byte by byte.
        const char* const close = scan::find_either(p + 1, readable, end, '"', '\\');
        if (close != end && *close == '"') {
            out.display_name = std::string_view(p + 1, static_cast<std::size_t>(close - p - 1));
            p = close + 1;
        } else {
            scanner sc(value, base);
            sc.set_pos(static_cast<std::size_t>(p - begin));
            auto quoted = sc.quoted_string();
            PARLEY_TRY(quoted);
            out.display_name = *quoted;
            p = begin + sc.pos();
        }
        out.display_name_quoted = true;
        while (p < end && text::is_lws(*p)) ++p;
        if (p == end || *p != '<') return fail(400, "Expected '<' After Display Name", at(p));
    } else if (p < end && *p != '<') {
        if (const char* lt_at = scan::find_byte(p, readable, end, '<'); lt_at != end) {
            std::string_view display =
                text::trim(std::string_view(p, static_cast<std::size_t>(lt_at - p)));
            if (!valid_display_tokens(display)) return fail(400, "Bad Display Name", at(p));
            out.display_name = display;
            p = lt_at;
        }
    }
    const char* uri_start;
    const char* uri_end;
    if (p < end && *p == '<') {
        out.bracketed = true;
        uri_start = p + 1;
        uri_end = scan::find_byte_long(uri_start, readable, end, '>');
        if (uri_end == end) return fail(400, "Missing '>'", at(p));
        p = uri_end + 1;
        // RFC 4475 §3.1.2.14 lets a liberal parser ignore LWS just inside the brackets.
        while (uri_start < uri_end && text::is_lws(*uri_start)) ++uri_start;
        while (uri_end > uri_start && text::is_lws(uri_end[-1])) --uri_end;
    } else {
        uri_start = p;
        uri_end = p + bare_uri_end(std::string_view(p, static_cast<std::size_t>(end - p)));
        p = uri_end;
    }
    PARLEY_TRY(uri_parse::parse_uri(
        out.address, std::string_view(uri_start, static_cast<std::size_t>(uri_end - uri_start)),
        at(uri_start), readable));
    return scan_header_params_in(
        value, static_cast<std::size_t>(p - begin), base, out.params, readable,
        [&](std::string_view name, std::string_view v, bool,
            param_value_bytes value_bytes) -> result<void> {
            if (name.size() == 3 && token_is(name, "tag") && out.tag.empty()) {
                if (value_bytes != param_value_bytes::name_bytes &&
                    !scan::is_token_text(v, readable))
                    return fail(400, "Bad Tag", base);
                out.tag = v;
            }
            if (contact_params != nullptr) {
                // Contact's expires and q (RFC 3261 §20.10): the first of each, checked by
                // the caller once the whole value is known to be well formed.
                if (name.size() == 7 && !contact_params->expires && token_is(name, "expires"))
                    contact_params->expires = v;
                else if (name.size() == 1 && !contact_params->q && (name[0] | 0x20) == 'q')
                    contact_params->q = v;
            }
            return {};
        });
}

} // namespace detail

result<name_addr> parse_name_addr(std::string_view value, std::size_t base) noexcept {
    name_addr out;
    PARLEY_TRY(detail::parse_name_addr_into(out, value, base));
    return out;
}

namespace detail {

result<void> parse_cseq_into(cseq& out, std::string_view value, std::size_t base,
                             const char* readable_begin) noexcept {
    // RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method; the number is below 2^31 by §8.1.1.5 but
    // parsers accept up to 2^32-1 (RFC 4475 §3.1.2.4 tests the overflow).
    const char* const begin = value.data();
    const char* const end = begin + value.size();
    const char* const readable = readable_begin != nullptr ? readable_begin : begin;
    auto at = [&](const char* q) { return base + static_cast<std::size_t>(q - begin); };
    auto skip_lws = [end](const char* q) {
        while (q < end && text::is_lws(*q)) ++q;
        return q;
    };
    const char* const start = skip_lws(begin);
    // The value as the digits go by; parse_decimal gives the verdict for no digit and for a
    // run too long for that (20 digits or more).
    const char* p = start;
    std::uint64_t value_so_far = 0;
    for (unsigned digit; p < end && (digit = static_cast<unsigned char>(*p) - unsigned{'0'}) < 10;
         ++p)
        value_so_far = value_so_far * 10 + digit;
    std::optional<std::uint64_t> number;
    if (p == start || p - start > 19)
        number = parse_decimal(std::string_view(start, static_cast<std::size_t>(p - start)));
    else if (value_so_far <= UINT32_MAX)
        number = value_so_far;
    if (!number) return fail(400, "Bad CSeq Number", at(start));
    const char* const after_number = p;
    p = skip_lws(p);
    if (p == after_number) return fail(400, "Bad CSeq", at(p));
    const char* const method_start = p;
    p = scan::skip_name_bytes(p, readable, end); // name bytes are token bytes
    while (p < end && text::is_token(*p)) ++p;
    std::string_view method_text(method_start, static_cast<std::size_t>(p - method_start));
    if (method_text.empty()) return fail(400, "Bad CSeq Method", at(p));
    p = skip_lws(p);
    if (p != end) return fail(400, "Bad CSeq", at(p));
    out.number = static_cast<std::uint32_t>(*number);
    out.method_text = method_text;
    out.method = method_from_token(method_text);
    return {};
}

result<void> parse_media_type_into(media_type& out, std::string_view value, std::size_t base,
                                   const char* readable_begin) noexcept {
    // type "/" subtype, with LWS allowed around the slash, then header parameters.
    const char* const begin = value.data();
    const char* const end = begin + value.size();
    const char* const readable = readable_begin != nullptr ? readable_begin : begin;
    auto at = [&](const char* q) { return base + static_cast<std::size_t>(q - begin); };
    auto skip_lws = [end](const char* q) {
        while (q < end && text::is_lws(*q)) ++q;
        return q;
    };
    auto skip_token = [end, readable](const char* q) {
        q = scan::skip_name_bytes(q, readable, end); // name bytes are token bytes
        while (q < end && text::is_token(*q)) ++q;
        return q;
    };
    const char* const type_start = skip_lws(begin);
    const char* p = skip_token(type_start);
    out.type = std::string_view(type_start, static_cast<std::size_t>(p - type_start));
    const char* const slash = skip_lws(p);
    if (out.type.empty() || slash == end || *slash != '/')
        return fail(400, "Bad Content-Type", at(p));
    const char* const subtype_start = skip_lws(slash + 1);
    p = skip_token(subtype_start);
    out.subtype = std::string_view(subtype_start, static_cast<std::size_t>(p - subtype_start));
    if (out.subtype.empty()) return fail(400, "Bad Content-Type", at(p));
    return scan_header_params_in(value, static_cast<std::size_t>(p - begin), base, out.params,
                                 readable,
                                 [](std::string_view, std::string_view, bool,
                                    param_value_bytes) -> result<void> { return {}; });
}

} // namespace detail

result<cseq> parse_cseq(std::string_view value, std::size_t base) noexcept {
    return detail::parse_value<cseq, detail::parse_cseq_into>(value, base);
}

result<media_type> parse_media_type(std::string_view value, std::size_t base) noexcept {
    return detail::parse_value<media_type, detail::parse_media_type_into>(value, base);
}

bool media_type::is(std::string_view t, std::string_view s) const noexcept {
    return text::iequals(type, t) && text::iequals(subtype, s);
}

} // namespace parley
