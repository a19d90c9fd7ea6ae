#include <parley/sip/uri.hpp>

#include <parley/base/text.hpp>

namespace parley {
namespace {

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

bool valid_hostname(std::string_view s) noexcept {
    if (s.empty()) return false;
    std::string_view labels = s.back() == '.' ? s.substr(0, s.size() - 1) : s;
    if (labels.empty()) return false;
    std::size_t label_start = 0;
    std::size_t top_label = 0;
    for (std::size_t i = 0; i <= labels.size(); ++i) {
        if (i == labels.size() || labels[i] == '.') {
            if (i == label_start) return false; // empty label
            if (labels[label_start] == '-' || labels[i - 1] == '-') return false;
            top_label = label_start;
            label_start = i + 1;
            continue;
        }
        char c = labels[i];
        if (!(text::is(c, text::alpha | text::digit) || c == '-' || c == '_')) return false;
    }
    // RFC 3261 §25.1: toplabel starts with ALPHA (so "1.2.3.999" is not a hostname).
    return text::is_alpha(labels[top_label]);
}

bool valid_scheme(std::string_view s) noexcept {
    if (s.empty() || !text::is_alpha(s[0])) return false;
    for (char c : s)
        if (!(text::is(c, text::alpha | text::digit) || c == '+' || c == '-' || c == '.'))
            return false;
    return true;
}

// Validates ";name[=value]..." with paramchar on both sides; returns the bad index or npos.
std::size_t check_uri_params(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t end = s.find(';', i);
        if (end == std::string_view::npos) end = s.size();
        std::string_view one = s.substr(i, end - i);
        std::size_t eq = one.find('=');
        std::string_view name = one.substr(0, eq);
        if (name.empty()) return i;
        if (auto bad = check_escaped(name, text::param_extra); bad != std::string_view::npos)
            return i + bad;
        if (eq != std::string_view::npos) {
            std::string_view value = one.substr(eq + 1);
            if (value.empty()) return i + eq;
            if (auto bad = check_escaped(value, text::param_extra); bad != std::string_view::npos)
                return i + eq + 1 + bad;
        }
        if (end == s.size()) break;
        i = end + 1;
    }
    return std::string_view::npos;
}

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

result<uri> parse_sip(uri u, std::string_view rest, std::size_t base) noexcept {
    // rest = [userinfo "@"] hostport [";" params] ["?" headers]
    // Neither params nor headers may hold an unescaped '@', so the first '@' ends userinfo.
    std::size_t at = rest.find('@');
    std::size_t host_start = 0;
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        std::size_t colon = userinfo.find(':');
        u.user = userinfo.substr(0, colon);
        if (u.user.empty()) return fail(400, "Empty URI User", base);
        if (auto bad = check_escaped(u.user, text::user_extra); bad != std::string_view::npos)
            return fail(400, "Bad Character in URI User", base + bad);
        if (colon != std::string_view::npos) {
            u.password = userinfo.substr(colon + 1);
            if (auto bad = check_escaped(u.password, text::password_extra);
                bad != std::string_view::npos)
                return fail(400, "Bad Character in URI Password", base + colon + 1 + bad);
        }
        host_start = at + 1;
    }
    // hostport ends at ';' or '?' (an IPv6 reference contains ':' but never these).
    std::size_t host_end = rest.find_first_of(";?", host_start);
    if (host_end == std::string_view::npos) host_end = rest.size();
    std::string_view hostport = rest.substr(host_start, host_end - host_start);
    std::string_view host = hostport;
    std::string_view port_text;
    if (!hostport.empty() && hostport[0] == '[') {
        std::size_t close = hostport.find(']');
        if (close == std::string_view::npos)
            return fail(400, "Unterminated IPv6 Reference", base + host_start);
        host = hostport.substr(0, close + 1);
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return fail(400, "Bad URI Host", base + host_start + close + 1);
            port_text = after.substr(1);
            if (port_text.empty()) return fail(400, "Bad URI Port", base + host_start + close + 1);
        }
    } else if (std::size_t colon = hostport.find(':'); colon != std::string_view::npos) {
        host = hostport.substr(0, colon);
        port_text = hostport.substr(colon + 1);
        if (port_text.empty()) return fail(400, "Bad URI Port", base + host_start + colon);
    }
    std::string_view address;
    u.host_type = classify_host(host, &address);
    if (u.host_type == host_kind::none) return fail(400, "Bad URI Host", base + host_start);
    u.host = address;
    if (!port_text.empty()) {
        auto port = text::parse_decimal(port_text, 65535);
        if (!port || *port == 0)
            return fail(400, "Bad URI Port", base + host_start + host.size() + 1);
        u.port = static_cast<std::uint16_t>(*port);
    }
    std::size_t q = rest.find('?', host_end);
    if (host_end < rest.size() && rest[host_end] == ';') {
        std::size_t params_end = q == std::string_view::npos ? rest.size() : q;
        std::string_view params = rest.substr(host_end + 1, params_end - host_end - 1);
        if (auto bad = check_uri_params(params); bad != std::string_view::npos)
            return fail(400, "Bad URI Parameter", base + host_end + 1 + bad);
        u.params = param_list(params);
    }
    if (q != std::string_view::npos) {
        u.headers = rest.substr(q + 1);
        if (auto bad = check_uri_headers(u.headers); bad != std::string_view::npos)
            return fail(400, "Bad URI Header", base + q + 1 + bad);
    }
    return u;
}

result<uri> parse_tel(uri u, std::string_view rest, std::size_t base) noexcept {
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
        std::string_view params = rest.substr(semi + 1);
        if (auto bad = check_uri_params(params); bad != std::string_view::npos)
            return fail(400, "Bad URI Parameter", base + semi + 1 + bad);
        u.params = param_list(params);
    }
    return u;
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
    bool dotted_digits = true;
    for (char c : host)
        if (!(text::is_digit(c) || c == '.')) dotted_digits = false;
    if (dotted_digits) return valid_ipv4(host) ? host_kind::ipv4 : host_kind::none;
    if (host.find(':') != std::string_view::npos)
        return valid_ipv6(host) ? host_kind::ipv6 : host_kind::none; // unbracketed (Via received)
    return valid_hostname(host) ? host_kind::name : host_kind::none;
}

result<uri> parse_uri(std::string_view s, std::size_t base) noexcept {
    uri u;
    u.text = s;
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "Bad URI Scheme", base);
    u.scheme_text = s.substr(0, colon);
    if (!valid_scheme(u.scheme_text)) return fail(400, "Bad URI Scheme", base);
    std::string_view rest = s.substr(colon + 1);
    for (std::size_t i = 0; i < rest.size(); ++i)
        if (text::is(rest[i], text::lws | text::ctl) || rest[i] == '<' || rest[i] == '>' ||
            rest[i] == '"')
            return fail(400, "Bad Character in URI", base + colon + 1 + i);
    if (rest.empty()) return fail(400, "Empty URI", base + colon + 1);
    if (text::iequals(u.scheme_text, "sip")) {
        u.scheme = uri_scheme::sip;
        return parse_sip(u, rest, base + colon + 1);
    }
    if (text::iequals(u.scheme_text, "sips")) {
        u.scheme = uri_scheme::sips;
        return parse_sip(u, rest, base + colon + 1);
    }
    if (text::iequals(u.scheme_text, "tel")) {
        u.scheme = uri_scheme::tel;
        return parse_tel(u, rest, base + colon + 1);
    }
    u.scheme = uri_scheme::other;
    u.opaque = rest;
    return u;
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
        auto other = b.params.find(p.name);
        if (other && !text::iequals(unescape(p.value), unescape(*other))) same = false;
        return same;
    });
    return same;
}

} // namespace parley
