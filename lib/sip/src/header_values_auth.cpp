// Authentication headers (header_values.hpp): WWW-Authenticate / Proxy-Authenticate challenges
// and Authorization / Proxy-Authorization credentials (RFC 3261 §22.4, §25.1; RFC 7616 §3.3-3.4;
// RFC 8760 for the SHA-2 algorithms in SIP). Any scheme other than Digest is kept as scheme +
// raw parameters (auth-params or a token68, RFC 7235 §2.1), so an unknown scheme parses
// (RFC 4475 §3.3.7, regaut01).
#include <parley/sip/header_values.hpp>

#include "scanner.hpp"

namespace parley {

using detail::scanner;

namespace {

std::size_t offset_of(std::string_view value, std::size_t base, std::string_view slice) noexcept {
    return base + static_cast<std::size_t>(slice.data() - value.data());
}

/// Characters of an unquoted auth-param value: token, plus the few that deployed stacks leave
/// unquoted (URIs, base64 padding).
bool is_unquoted_value_char(char c) noexcept {
    return text::is_token(c) || c == ':' || c == '/' || c == '@' || c == '?' || c == '[' ||
           c == ']' || c == '=';
}

/// auth-param *(COMMA auth-param), auth-param = name EQUAL ( token / quoted-string ), from the
/// scanner's position to the end. Empty list elements (", ,") are skipped (RFC 7230 §7).
result<void> check_auth_params(scanner& sc) noexcept {
    bool any = false;
    while (true) {
        while (sc.accept_separator(',')) {
        }
        sc.skip_lws();
        if (sc.at_end()) break;
        std::size_t name_at = sc.offset();
        if (sc.token().empty()) return fail(400, "Bad Auth Parameter", name_at);
        if (!sc.accept_separator('=')) return fail(400, "Bad Auth Parameter", sc.offset());
        if (sc.peek() == '"') {
            auto q = sc.quoted_string();
            PARLEY_TRY(q);
        } else {
            std::size_t start = sc.pos();
            while (!sc.at_end() && is_unquoted_value_char(sc.peek())) sc.advance();
            if (sc.pos() == start) return fail(400, "Bad Auth Parameter Value", sc.offset());
        }
        any = true;
        sc.skip_lws();
        if (sc.at_end()) break;
        if (sc.peek() != ',') return fail(400, "Bad Auth Parameter", sc.offset());
    }
    if (!any) return fail(400, "Missing Auth Parameters", sc.offset());
    return {};
}

/// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" (RFC 7235 §2.1)
bool is_token68(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() &&
           (text::is(s[i], text::alpha | text::digit) || s[i] == '-' || s[i] == '.' ||
            s[i] == '_' || s[i] == '~' || s[i] == '+' || s[i] == '/'))
        ++i;
    if (i == 0) return false;
    while (i < s.size() && s[i] == '=') ++i;
    return i == s.size();
}

struct scheme_and_params {
    std::string_view scheme;
    std::string_view raw_params;
    auth_param_list params;
};

/// scheme LWS params: Digest needs auth-params; another scheme may carry a token68 or nothing.
result<scheme_and_params> split_scheme(std::string_view value, std::size_t base,
                                       const char* reason) noexcept {
    scanner sc(value, base);
    sc.skip_lws();
    scheme_and_params out;
    out.scheme = sc.token();
    if (out.scheme.empty()) return fail(400, reason, sc.offset());
    std::size_t after_scheme = sc.pos();
    sc.skip_lws();
    out.raw_params = text::trim(sc.rest());
    bool digest = text::iequals(out.scheme, "Digest");
    if (sc.at_end()) {
        if (digest) return fail(400, "Missing Auth Parameters", sc.offset());
        return out;
    }
    if (sc.pos() == after_scheme) return fail(400, reason, sc.offset());
    auto checked = check_auth_params(sc);
    if (checked) {
        out.params = auth_param_list(out.raw_params);
        return out;
    }
    if (!digest && is_token68(out.raw_params)) return out;
    return fail(checked.error_value());
}

/// Remembers the known parameters it has seen, to reject a repeated one (RFC 7616 §3.3: each
/// parameter at most once).
class seen_params {
public:
    bool first_time(unsigned index) noexcept {
        bool first = !contains(index);
        bits_ |= 1u << index;
        return first;
    }
    bool contains(unsigned index) const noexcept { return (bits_ & (1u << index)) != 0; }

private:
    std::uint32_t bits_ = 0;
};

result<bool> boolean_param(std::string_view value, std::size_t base, const auth_param& p,
                           const char* reason) noexcept {
    if (text::iequals(p.value, "true")) return true;
    if (text::iequals(p.value, "false")) return false;
    return fail(400, reason, offset_of(value, base, p.name));
}

} // namespace

// ---- auth_param_list ----------------------------------------------------------------------------

bool auth_param_list::next(std::size_t& pos, auth_param& out) const noexcept {
    const std::string_view s = text_;
    while (pos < s.size() && (text::is_lws(s[pos]) || s[pos] == ',')) ++pos;
    if (pos >= s.size()) return false;
    std::size_t name_start = pos;
    while (pos < s.size() && text::is_token(s[pos])) ++pos;
    out.name = s.substr(name_start, pos - name_start);
    while (pos < s.size() && (text::is_lws(s[pos]) || s[pos] == '=')) ++pos;
    out.quoted = pos < s.size() && s[pos] == '"';
    if (out.quoted) {
        std::size_t start = ++pos;
        while (pos < s.size() && s[pos] != '"') pos += s[pos] == '\\' ? 2 : 1;
        if (pos > s.size()) pos = s.size();
        out.value = s.substr(start, pos - start);
        if (pos < s.size()) ++pos;
    } else {
        std::size_t start = pos;
        while (pos < s.size() && s[pos] != ',' && !text::is_lws(s[pos])) ++pos;
        out.value = s.substr(start, pos - start);
    }
    return true;
}

std::optional<auth_param> auth_param_list::find(std::string_view name) const noexcept {
    std::size_t pos = 0;
    auth_param p;
    while (next(pos, p))
        if (text::iequals(p.name, name)) return p;
    return std::nullopt;
}

digest_algorithm digest_algorithm_from_token(std::string_view t) noexcept {
    // RFC 7616 §3.3 and the IANA "HTTP Digest Hash Algorithms" registry; case-insensitive.
    if (text::iequals(t, "MD5")) return digest_algorithm::md5;
    if (text::iequals(t, "MD5-sess")) return digest_algorithm::md5_sess;
    if (text::iequals(t, "SHA-256")) return digest_algorithm::sha_256;
    if (text::iequals(t, "SHA-256-sess")) return digest_algorithm::sha_256_sess;
    if (text::iequals(t, "SHA-512-256")) return digest_algorithm::sha_512_256;
    if (text::iequals(t, "SHA-512-256-sess")) return digest_algorithm::sha_512_256_sess;
    return digest_algorithm::other;
}

bool challenge::is_digest() const noexcept {
    return text::iequals(scheme, "Digest");
}

bool credentials::is_digest() const noexcept {
    return text::iequals(scheme, "Digest");
}

bool challenge::offers_qop(std::string_view qop_value) const noexcept {
    std::string_view rest = qop;
    while (!rest.empty()) {
        std::size_t comma = rest.find(',');
        if (text::iequals(text::trim(rest.substr(0, comma)), qop_value)) return true;
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return false;
}

// ---- Challenges ---------------------------------------------------------------------------------

result<challenge> parse_challenge(std::string_view value, std::size_t base) noexcept {
    // challenge = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
    // digest-cln = realm / domain / nonce / opaque / stale / algorithm / qop-options / auth-param
    auto split = split_scheme(value, base, "Bad Challenge");
    PARLEY_TRY(split);
    challenge out;
    out.scheme = split->scheme;
    out.raw_params = split->raw_params;
    out.params = split->params;
    if (!out.is_digest()) return out;

    enum : unsigned { realm, domain, nonce, opaque, stale, algorithm, qop, userhash, charset };
    static constexpr std::string_view names[] = {
        "realm", "domain", "nonce", "opaque", "stale", "algorithm", "qop", "userhash", "charset"};
    seen_params seen;
    std::size_t pos = 0;
    auth_param p;
    while (out.params.next(pos, p)) {
        unsigned index = 0;
        while (index < std::size(names) && !text::iequals(p.name, names[index])) ++index;
        if (index == std::size(names)) continue;
        if (!seen.first_time(index))
            return fail(400, "Duplicate Auth Parameter", offset_of(value, base, p.name));
        switch (index) {
        case realm: out.realm = p.value; break;
        case domain: out.domain = p.value; break;
        case nonce: out.nonce = p.value; break;
        case opaque: out.opaque = p.value; break;
        case stale: {
            auto v = boolean_param(value, base, p, "Bad Digest Stale");
            PARLEY_TRY(v);
            out.stale = *v;
            break;
        }
        case algorithm:
            out.algorithm_text = p.value;
            out.algorithm = digest_algorithm_from_token(p.value);
            break;
        case qop: out.qop = p.value; break;
        case userhash: {
            auto v = boolean_param(value, base, p, "Bad Digest Userhash");
            PARLEY_TRY(v);
            out.userhash = *v;
            break;
        }
        case charset: out.charset = p.value; break;
        default: break;
        }
    }
    std::size_t end = base + value.size();
    // RFC 3261 §25.1 / RFC 7616 §3.3: realm and nonce are required.
    if (!seen.contains(realm)) return fail(400, "Missing Digest Realm", end);
    if (!seen.contains(nonce)) return fail(400, "Missing Digest Nonce", end);
    return out;
}

// ---- Credentials --------------------------------------------------------------------------------

result<credentials> parse_credentials(std::string_view value, std::size_t base) noexcept {
    // credentials = ("Digest" LWS digest-response) / other-response
    // dig-resp = username / realm / nonce / digest-uri / dresponse / algorithm / cnonce / opaque
    //            / message-qop / nonce-count / auth-param
    auto split = split_scheme(value, base, "Bad Credentials");
    PARLEY_TRY(split);
    credentials out;
    out.scheme = split->scheme;
    out.raw_params = split->raw_params;
    out.params = split->params;
    if (!out.is_digest()) return out;

    enum : unsigned {
        username,
        realm,
        nonce,
        uri_,
        response,
        algorithm,
        cnonce,
        opaque,
        qop,
        nc,
        userhash
    };
    static constexpr std::string_view names[] = {"username", "realm",     "nonce",   "uri",
                                                 "response", "algorithm", "cnonce",  "opaque",
                                                 "qop",      "nc",        "userhash"};
    seen_params seen;
    std::size_t pos = 0;
    auth_param p;
    while (out.params.next(pos, p)) {
        unsigned index = 0;
        while (index < std::size(names) && !text::iequals(p.name, names[index])) ++index;
        if (index == std::size(names)) continue;
        if (!seen.first_time(index))
            return fail(400, "Duplicate Auth Parameter", offset_of(value, base, p.name));
        switch (index) {
        case username: out.username = p.value; break;
        case realm: out.realm = p.value; break;
        case nonce: out.nonce = p.value; break;
        case uri_: out.uri = p.value; break;
        case response: out.response = p.value; break;
        case algorithm:
            out.algorithm_text = p.value;
            out.algorithm = digest_algorithm_from_token(p.value);
            break;
        case cnonce: out.cnonce = p.value; break;
        case opaque: out.opaque = p.value; break;
        case qop: out.qop = p.value; break;
        case nc: {
            // nonce-count = "nc" EQUAL nc-value; nc-value = 8LHEX
            bool ok = p.value.size() == 8;
            std::uint32_t count = 0;
            for (char c : p.value) {
                ok = ok && text::is_hex(c);
                count = count * 16 + static_cast<std::uint32_t>(ok ? text::hex_value(c) : 0);
            }
            if (!ok) return fail(400, "Bad Digest Nonce Count", offset_of(value, base, p.name));
            out.nc = p.value;
            out.nonce_count = count;
            break;
        }
        case userhash: {
            auto v = boolean_param(value, base, p, "Bad Digest Userhash");
            PARLEY_TRY(v);
            out.userhash = *v;
            break;
        }
        default: break;
        }
    }
    // RFC 7616 §3.4: username (or username*), realm, nonce, uri and response are required; with
    // qop, cnonce and nc are too.
    std::size_t end = base + value.size();
    bool extended_username = out.params.find("username*").has_value();
    if (!seen.contains(username) && !extended_username)
        return fail(400, "Missing Digest Username", end);
    if (!seen.contains(realm)) return fail(400, "Missing Digest Realm", end);
    if (!seen.contains(nonce)) return fail(400, "Missing Digest Nonce", end);
    if (!seen.contains(uri_)) return fail(400, "Missing Digest URI", end);
    if (!seen.contains(response)) return fail(400, "Missing Digest Response", end);
    if (!out.qop.empty()) {
        if (out.cnonce.empty()) return fail(400, "Missing Digest Cnonce", end);
        if (out.nc.empty()) return fail(400, "Missing Digest Nonce Count", end);
    }
    return out;
}

// ---- Message accessors --------------------------------------------------------------------------

namespace {

template <class T, class Parse>
result<value_list<T>> each_line_of(const message& m, header_id id, Parse parse) {
    // RFC 3261 §7.3.1: these headers never combine with commas, so each line is one value.
    value_list<T> out;
    auto append = [&](std::string_view value, std::size_t base) -> result<void> {
        out.mark_present();
        auto v = parse(value, base);
        PARLEY_TRY(v);
        out.push_back(*v);
        return {};
    };
    auto done = for_each_header_value(m, id, append);
    PARLEY_TRY(done);
    return out;
}

} // namespace

result<value_list<challenge>> find_www_authenticate(const message& m) {
    return each_line_of<challenge>(m, header_id::www_authenticate, parse_challenge);
}

result<value_list<challenge>> find_proxy_authenticate(const message& m) {
    return each_line_of<challenge>(m, header_id::proxy_authenticate, parse_challenge);
}

result<value_list<credentials>> find_authorization(const message& m) {
    return each_line_of<credentials>(m, header_id::authorization, parse_credentials);
}

result<value_list<credentials>> find_proxy_authorization(const message& m) {
    return each_line_of<credentials>(m, header_id::proxy_authorization, parse_credentials);
}

} // namespace parley
