#include <parley/sip/uri.hpp>

#include <parley/base/text.hpp>

#include <array>
#include <bit>
#include <cstring>

#include "byte_scan.hpp"
#include "host_scan.hpp"
#include "parse_into.hpp"
#include "scanner.hpp"
#include "uri_parse.hpp"

namespace parley {
namespace {

using detail::host_kind_of;
using detail::scan_name_or_ipv4;

using text::is;

// Validates a run of chars of class `allowed` or %HH escapes. Returns the index of the first bad
// byte, or npos.
std::size_t check_escaped(std::string_view s, std::uint16_t allowed) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size() || !text::is_hex(s[i + 1]) || !text::is_hex(s[i + 2])) return i;
            i += 2;
            continue;
        }
        if (!is(c, text::unreserved | allowed)) return i;
    }
    return std::string_view::npos;
}

bool valid_ipv4(std::string_view s) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t start = i;
        unsigned v = 0;
        while (i < s.size() && text::is_digit(s[i]) && i - start < 3)
            v = v * 10 + unsigned(s[i++] - '0');
        if (i == start || v > 255) return false;
        if (i < s.size() && text::is_digit(s[i])) return false;
        ++parts;
        if (i == s.size()) break;
        if (s[i] != '.' || parts == 4) return false;
        ++i;
    }
    return parts == 4;
}

bool valid_ipv6(std::string_view s) noexcept {
    if (s.size() < 2) return false;
    int groups = 0;
    bool compressed = false;
    std::size_t i = 0;
    if (s[0] == ':') {
        if (s[1] != ':') return false;
        compressed = true;
        i = 2;
        if (i == s.size()) return true;
    }
    while (i < s.size()) {
        std::size_t start = i;
        while (i < s.size() && text::is_hex(s[i])) ++i;
        if (i < s.size() && s[i] == '.') {
            // Embedded IPv4 ends the address (RFC 4291 §2.2 form 3).
            if (!valid_ipv4(s.substr(start))) return false;
            groups += 2;
            i = s.size();
            break;
        }
        std::size_t len = i - start;
        if (len == 0 || len > 4) return false;
        ++groups;
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        ++i;
        if (i == s.size()) return false;
        if (s[i] == ':') {
            if (compressed) return false;
            compressed = true;
            ++i;
            if (i == s.size()) break;
            // RFC 5118 §4.10: RFC 3261's ABNF allows ":::" before an embedded IPv4 address;
            // tolerate exactly that form.
            if (s[i] == ':') {
                if (!valid_ipv4(s.substr(i + 1))) return false;
                groups += 2;
                i = s.size();
                break;
            }
        }
    }
    if (groups > 8) return false;
    return compressed ? groups <= 7 : groups == 8;
}

// Validates one run of chars of class `allowed` or %HH escapes from s[i] up to a byte in
// `stop` (or the end). Returns false on a bad byte, leaving i on it. No stop byte is ever an
// allowed byte, so the common bytes take one table test each.
[[gnu::noinline]] bool scan_escaped_slow(std::string_view s, std::size_t& i,
                                         const char* readable_begin, std::uint16_t allowed,
                                         char stop1, char stop2, char stop3) noexcept {
    const std::uint16_t mask = text::unreserved | allowed;
    const char* const begin = s.data();
    const char* const end = begin + s.size();
    const char* p = begin + i;
    while (true) {
        // Name bytes are unreserved and never a stop byte: skip their run 16 at a time.
        p = detail::scan::skip_name_bytes(p, readable_begin, end);
        while (p < end && (text::table[static_cast<unsigned char>(*p)] & mask) != 0) ++p;
        if (p == end) break;
        char c = *p;
        if (c == stop1 || c == stop2 || (stop3 != '\0' && c == stop3)) break;
        if (c == '%' && end - p > 2 && text::is_hex(p[1]) && text::is_hex(p[2])) {
            p += 3;
            continue;
        }
        i = static_cast<std::size_t>(p - begin);
        return false;
    }
    i = static_cast<std::size_t>(p - begin);
    return true;
}

// scan_escaped_slow, with the common case inline: a user, parameter name or value made of name
// bytes alone, ended by a stop byte or the end.
[[gnu::always_inline]] inline bool scan_escaped(std::string_view s, std::size_t& i,
                                                const char* readable_begin, std::uint16_t allowed,
                                                char stop1, char stop2,
                                                char stop3 = '\0') noexcept {
    const char* const end = s.data() + s.size();
    const char* p = detail::scan::skip_name_bytes(s.data() + i, readable_begin, end);
    if (p == end || *p == stop1 || *p == stop2 || (stop3 != '\0' && *p == stop3)) {
        i = static_cast<std::size_t>(p - s.data());
        return true;
    }
    return scan_escaped_slow(s, i, readable_begin, allowed, stop1, stop2, stop3);
}

} // namespace

namespace detail::uri_parse {

std::size_t check_uri_headers(std::string_view s) noexcept {
    std::size_t i = 0;
    while (true) {
        std::size_t end = s.find('&', i);
        if (end == std::string_view::npos) end = s.size();
        std::string_view one = s.substr(i, end - i);
        std::size_t eq = one.find('=');
        if (eq == 0 || eq == std::string_view::npos) return i;
        if (auto bad = check_escaped(one.substr(0, eq), text::header_extra);
            bad != std::string_view::npos)
            return i + bad;
        if (auto bad = check_escaped(one.substr(eq + 1), text::header_extra);
            bad != std::string_view::npos)
            return i + eq + 1 + bad;
        if (end == s.size()) return std::string_view::npos;
        i = end + 1;
    }
}

// uri-parameters = *( ";" pname [ "=" pvalue ] ), from s[i] when it is ';'.
result<void> scan_params(std::string_view rest, std::size_t& i, std::size_t base, param_list& out,
                         const char* readable_begin) noexcept {
    if (i >= rest.size() || rest[i] != ';') return {};
    std::size_t params_start = i + 1;
    while (i < rest.size() && rest[i] == ';') {
        std::size_t name_start = ++i;
        if (!scan_escaped(rest, i, readable_begin, text::param_extra, ';', '?', '=') ||
            i == name_start)
            return fail(400, "Bad URI Parameter", base + i);
        if (i < rest.size() && rest[i] == '=') {
            std::size_t value_start = ++i;
            if (!scan_escaped(rest, i, readable_begin, text::param_extra, ';', '?') ||
                i == value_start)
                return fail(400, "Bad URI Parameter", base + i);
        }
    }
    out = param_list(detail::slice(rest, params_start, i - params_start));
    return {};
}

result<void> parse_sip(uri& u, std::string_view rest, std::size_t base,
                       const char* readable_begin) noexcept {
    // rest = [userinfo "@"] hostport *( ";" uri-parameter ) [ "?" headers ], in one pass.
    // Neither parameters nor headers may hold an unescaped '@', so the first '@' ends userinfo.
    std::size_t i = 0;
    const char* const rest_end = rest.data() + rest.size();
    const char* at = nullptr;
    detail::scan::host_run run;
    if (detail::scan::scan_user_host(rest.data(), readable_begin, rest_end, at, run)) {
        // The common "user@host" or "host": both from one classification of 32 bytes.
        std::size_t host_start = 0;
        if (at != nullptr) {
            host_start = static_cast<std::size_t>(at - rest.data());
            u.user = detail::slice(rest, 0, host_start++);
        }
        u.host_type = host_kind_of(rest.data() + host_start, run);
        i = static_cast<std::size_t>(run.end - rest.data());
        u.host = detail::slice(rest, host_start, i - host_start);
        if (u.host_type == host_kind::none) return fail(400, "Bad URI Host", base + host_start);
        return parse_sip_after_host(u, rest, i, base, readable_begin);
    }
    if (at = detail::scan::find_byte(rest.data(), readable_begin, rest_end, '@'); at != rest_end) {
        std::size_t at_index = static_cast<std::size_t>(at - rest.data());
        if (!scan_escaped(rest, i, readable_begin, text::user_extra, ':', '@'))
            return fail(400, "Bad Character in URI User", base + i);
        u.user = detail::slice(rest, 0, i);
        if (u.user.empty()) return fail(400, "Empty URI User", base);
        if (rest[i] == ':') {
            std::size_t password_start = ++i;
            if (!scan_escaped(rest, i, readable_begin, text::password_extra, '@', '@') ||
                i != at_index)
                return fail(400, "Bad Character in URI Password", base + i);
            u.password = detail::slice(rest, password_start, i - password_start);
        }
        i = at_index + 1;
    }
    const std::size_t host_start = i;
    if (i < rest.size() && rest[i] == '[') {
        const void* close = std::memchr(rest.data() + i, ']', rest.size() - i);
        if (close == nullptr) return fail(400, "Unterminated IPv6 Reference", base + i);
        std::size_t end = static_cast<std::size_t>(static_cast<const char*>(close) - rest.data());
        u.host = rest.substr(i + 1, end - i - 1);
        if (!valid_ipv6(u.host)) return fail(400, "Bad URI Host", base + i);
        u.host_type = host_kind::ipv6;
        i = end + 1;
    } else {
        u.host_type = scan_name_or_ipv4(rest, i, readable_begin);
        u.host = detail::slice(rest, host_start, i - host_start);
        if (u.host_type == host_kind::none) return fail(400, "Bad URI Host", base + host_start);
    }
    return parse_sip_after_host(u, rest, i, base, readable_begin);
}

} // namespace detail::uri_parse

namespace {

result<void> parse_tel(uri& u, std::string_view rest, std::size_t base) noexcept {
    // RFC 3966: telephone-subscriber = number *( ";" par ). Visual separators allowed.
    std::size_t semi = rest.find(';');
    u.user = rest.substr(0, semi);
    if (u.user.empty()) return fail(400, "Empty Telephone Number", base);
    for (std::size_t i = 0; i < u.user.size(); ++i) {
        char c = u.user[i];
        if (!(text::is_hex(c) || c == '*' || c == '#' || c == '-' || c == '.' || c == '(' ||
              c == ')' || (c == '+' && i == 0)))
            return fail(400, "Bad Telephone Number", base + i);
    }
    if (semi != std::string_view::npos) {
        std::size_t i = semi;
        PARLEY_TRY(detail::uri_parse::scan_params(rest, i, base, u.params, rest.data()));
        if (i != rest.size()) return fail(400, "Bad URI Parameter", base + i);
    }
    return {};
}

} // namespace

host_kind classify_host(std::string_view host, std::string_view* address) noexcept {
    if (address != nullptr) *address = host;
    if (host.empty()) return host_kind::none;
    if (host.front() == '[') {
        if (host.size() < 4 || host.back() != ']') return host_kind::none;
        std::string_view inner = host.substr(1, host.size() - 2);
        if (!valid_ipv6(inner)) return host_kind::none;
        if (address != nullptr) *address = inner;
        return host_kind::ipv6;
    }
    std::size_t i = 0;
    host_kind kind = scan_name_or_ipv4(host, i, host.data());
    if (i == host.size()) return kind;
    // Unbracketed IPv6 (a Via received parameter, RFC 3261 grammar; RFC 5118 §4.5).
    return valid_ipv6(host) ? host_kind::ipv6 : host_kind::none;
}

namespace detail {

result<void> parse_uri_into(uri& u, std::string_view s, std::size_t base,
                            const char* readable_begin) noexcept {
    return uri_parse::parse_uri(u, s, base, readable_begin);
}

result<void> uri_parse::parse_other_scheme(uri& u, std::string_view s, std::size_t base,
                                           const char* readable_begin) noexcept {
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), read up to the first ':'.
    const char* const begin = s.data();
    const char* const end = begin + s.size();
    const char* p = begin;
    while (p < end &&
           (text::is(*p, text::alpha | text::digit) || *p == '+' || *p == '-' || *p == '.'))
        ++p;
    if (p == end || *p != ':' || p == begin || !text::is_alpha(*begin))
        return fail(400, "Bad URI Scheme", base);
    const auto colon = static_cast<std::size_t>(p - begin);
    u.scheme_text = detail::slice(s, 0, colon);
    std::string_view rest = detail::slice(s, colon + 1);
    if (rest.empty()) return fail(400, "Empty URI", base + colon + 1);
    // Case-insensitive "sip" / "sips" (OR 0x20 folds letters; a scheme holds no byte that
    // folds onto one of these letters).
    if ((colon == 3 || colon == 4) && (begin[0] | 0x20) == 's' && (begin[1] | 0x20) == 'i' &&
        (begin[2] | 0x20) == 'p' && (colon == 3 || (begin[3] | 0x20) == 's')) {
        u.scheme = colon == 3 ? uri_scheme::sip : uri_scheme::sips;
        return uri_parse::parse_sip(u, rest, base + colon + 1, readable_begin);
    }
    for (std::size_t i = 0; i < rest.size(); ++i)
        if (text::is(rest[i], text::lws | text::ctl) || rest[i] == '<' || rest[i] == '>' ||
            rest[i] == '"')
            return fail(400, "Bad Character in URI", base + colon + 1 + i);
    if (text::iequals(u.scheme_text, "tel")) {
        u.scheme = uri_scheme::tel;
        return parse_tel(u, rest, base + colon + 1);
    }
    u.scheme = uri_scheme::other;
    u.opaque = rest;
    return {};
}

} // namespace detail

result<uri> parse_uri(std::string_view s, std::size_t base) noexcept {
    return detail::parse_value<uri, detail::parse_uri_into>(s, base);
}

std::string uri::host_reference() const {
    if (host_type == host_kind::ipv6) return "[" + std::string(host) + "]";
    return std::string(host);
}

std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && text::is_hex(s[i + 1]) && text::is_hex(s[i + 2])) {
            out.push_back(
                static_cast<char>(text::hex_value(s[i + 1]) * 16 + text::hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

namespace {
bool param_values_equal(const std::optional<std::string_view>& a,
                        const std::optional<std::string_view>& b) {
    return text::iequals(unescape(*a), unescape(*b));
}
} // namespace

bool uri_equivalent(const uri& a, const uri& b) {
    if (a.scheme != b.scheme) return false;
    if (!a.is_sip()) {
        if (a.scheme == uri_scheme::tel)
            return unescape(a.user) == unescape(b.user) &&
                   text::iequals(a.params.text(), b.params.text());
        return text::iequals(a.scheme_text, b.scheme_text) && text::iequals(a.opaque, b.opaque);
    }
    // RFC 3261 §19.1.4.
    if (unescape(a.user) != unescape(b.user) || unescape(a.password) != unescape(b.password))
        return false;
    if (!text::iequals(a.host, b.host) || a.port != b.port) return false;
    for (std::string_view name : {"user", "ttl", "method", "maddr", "transport"}) {
        auto pa = a.params.find(name);
        auto pb = b.params.find(name);
        if (pa.has_value() != pb.has_value()) return false;
        if (pa && !param_values_equal(pa, pb)) return false;
    }
    bool same = true;
    a.params.for_each([&](const param& p) {
        // A repeated parameter is compared by its first occurrence only, on both sides.
        if (a.params.find(p.name)->data() != p.value.data()) return true;
        auto other = b.params.find(p.name);
        if (other && !text::iequals(unescape(p.value), unescape(*other))) same = false;
        return same;
    });
    return same;
}

} // namespace parley
