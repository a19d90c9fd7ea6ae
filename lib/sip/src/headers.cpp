// Parsers for the eagerly parsed header values: name-addr, CSeq, media type.
// Via and Contact live in via_contact.cpp.
#include <parley/sip/headers.hpp>

#include "header_params.hpp"
#include "scanner.hpp"

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

result<name_addr> parse_name_addr(std::string_view value, std::size_t base) noexcept {
    name_addr out;
    out.text = value;
    scanner sc(value, base);
    sc.skip_lws();
    std::size_t uri_start = 0;
    std::size_t uri_end = 0;
    if (sc.peek() == '"') {
        auto quoted = sc.quoted_string();
        PARLEY_TRY(quoted);
        out.display_name = *quoted;
        out.display_name_quoted = true;
        sc.skip_lws();
        if (sc.peek() != '<') return fail(400, "Expected '<' After Display Name", sc.offset());
    } else {
        std::size_t lt = value.find('<', sc.pos());
        if (lt != std::string_view::npos) {
            std::string_view display = text::trim(sc.slice(sc.pos(), lt));
            if (!valid_display_tokens(display)) return fail(400, "Bad Display Name", sc.offset());
            out.display_name = display;
            sc.set_pos(lt);
        }
    }
    if (sc.peek() == '<') {
        out.bracketed = true;
        uri_start = sc.pos() + 1;
        std::size_t gt = value.find('>', uri_start);
        if (gt == std::string_view::npos) return fail(400, "Missing '>'", base + sc.pos());
        uri_end = gt;
        sc.set_pos(gt + 1);
    } else {
        uri_start = sc.pos();
        uri_end = uri_start + bare_uri_end(sc.rest());
        sc.set_pos(uri_end);
    }
    std::string_view uri_text = value.substr(uri_start, uri_end - uri_start);
    if (out.bracketed) {
        // RFC 4475 §3.1.2.14 lets a liberal parser ignore LWS just inside the brackets.
        std::string_view trimmed = text::trim(uri_text);
        uri_start += static_cast<std::size_t>(trimmed.data() - uri_text.data());
        uri_text = trimmed;
    }
    auto address = parse_uri(uri_text, base + uri_start);
    PARLEY_TRY(address);
    out.address = *address;

    auto params = detail::parse_header_params(
        sc, value, [&](std::string_view name, std::string_view v, bool) -> result<void> {
            if (name.size() == 3 && text::iequals(name, "tag") && out.tag.empty()) {
                if (!text::is_token_text(v)) return fail(400, "Bad Tag", base);
                out.tag = v;
            }
            return {};
        });
    PARLEY_TRY(params);
    out.params = *params;
    return out;
}

result<cseq> parse_cseq(std::string_view value, std::size_t base) noexcept {
    // RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method; the number is below 2^31 by §8.1.1.5 but
    // parsers accept up to 2^32-1 (RFC 4475 §3.1.2.4 tests the overflow).
    scanner sc(value, base);
    sc.skip_lws();
    std::size_t start = sc.pos();
    while (text::is_digit(sc.peek())) sc.advance();
    auto number = text::parse_decimal(sc.slice(start, sc.pos()));
    if (!number) return fail(400, "Bad CSeq Number", base + start);
    std::size_t after_number = sc.pos();
    sc.skip_lws();
    if (sc.pos() == after_number) return fail(400, "Bad CSeq", sc.offset());
    std::string_view method_text = sc.token();
    if (method_text.empty()) return fail(400, "Bad CSeq Method", sc.offset());
    sc.skip_lws();
    if (!sc.at_end()) return fail(400, "Bad CSeq", sc.offset());
    cseq out;
    out.number = static_cast<std::uint32_t>(*number);
    out.method_text = method_text;
    out.method = method_from_token(method_text);
    return out;
}

result<media_type> parse_media_type(std::string_view value, std::size_t base) noexcept {
    scanner sc(value, base);
    sc.skip_lws();
    media_type out;
    out.type = sc.token();
    if (out.type.empty() || !sc.accept_separator('/'))
        return fail(400, "Bad Content-Type", sc.offset());
    out.subtype = sc.token();
    if (out.subtype.empty()) return fail(400, "Bad Content-Type", sc.offset());
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    return out;
}

bool media_type::is(std::string_view t, std::string_view s) const noexcept {
    return text::iequals(type, t) && text::iequals(subtype, s);
}

} // namespace parley
