// Via (RFC 3261 §20.42, RFC 3581) and Contact (§20.10) values.
#include <parley/sip/headers.hpp>

#include "byte_scan.hpp"
#include "header_params.hpp"
#include "host_scan.hpp"
#include "parse_into.hpp"
#include "scanner.hpp"

namespace parley {

namespace detail {

namespace {

// A Via received value: what classify_host accepts, IPv6 without brackets. A host name or IPv4
// address (nearly always) from the 32-byte host scan over the message's bytes; anything else
// (IPv6, an error) as classify_host reads it. Out of line: the parameter loop stays small.
[[gnu::noinline]] bool received_address(std::string_view v, const char* readable,
                                        std::string_view& address) noexcept {
    std::size_t host_end = 0;
    if (!v.empty() && v[0] != '[' && scan_name_or_ipv4(v, host_end, readable) != host_kind::none &&
        host_end == v.size()) {
        address = v;
        return true;
    }
    return classify_host(v, &address) != host_kind::none;
}

} // namespace

result<void> parse_via_into(via& out, std::string_view value, std::size_t base,
                            const char* readable_begin) noexcept {
    const char* const readable = readable_begin != nullptr ? readable_begin : value.data();
    // via-parm = sent-protocol LWS sent-by *( SEMI via-params )
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport
    scanner sc(value, base);
    if (value.starts_with("SIP/2.0/")) {
        // What every RFC 3261 peer writes; the general path below gives the same slices.
        out.protocol_name = slice(value, 0, 3);
        out.protocol_version = slice(value, 4, 3);
        sc.set_pos(8);
        sc.skip_lws();
    } else {
        sc.skip_lws();
        out.protocol_name = sc.token();
        if (out.protocol_name.empty() || !sc.accept_separator('/'))
            return fail(400, "Bad Via Protocol", sc.offset());
        out.protocol_version = sc.token();
        if (out.protocol_version.empty() || !sc.accept_separator('/'))
            return fail(400, "Bad Via Protocol", sc.offset());
    }
    // transport LWS sent-by, sent-by = host [ COLON port ]: a pointer walk (the scanner's
    // moves, without its position kept in memory between them).
    const char* const begin = value.data();
    const char* const end = begin + value.size();
    auto at = [&](const char* q) { return base + static_cast<std::size_t>(q - begin); };
    auto skip_lws = [end](const char* q) {
        while (q < end && text::is_lws(*q)) ++q;
        return q;
    };
    const char* p = begin + sc.pos();
    const char* const transport_start = p;
    while (p < end && text::is_token(*p)) ++p;
    out.transport =
        std::string_view(transport_start, static_cast<std::size_t>(p - transport_start));
    if (p == transport_start) return fail(400, "Bad Via Transport", at(p));
    const char* const host_start = skip_lws(p);
    if (host_start == p) return fail(400, "Bad Via", at(p));
    p = host_start;
    if (p < end && *p == '[') {
        while (p < end && *p != ']') ++p;
        if (p == end) return fail(400, "Bad Via Host", at(host_start));
        ++p;
        out.host_type = classify_host(
            std::string_view(host_start, static_cast<std::size_t>(p - host_start)), &out.host);
    } else {
        // Same verdict as classify_host on the run of host bytes, in one pass.
        const scan::host_run run = scan::scan_host_run(p, readable, end);
        out.host_type = host_kind_of(p, run);
        out.host = std::string_view(p, static_cast<std::size_t>(run.end - p));
        p = run.end;
    }
    if (out.host_type == host_kind::none) return fail(400, "Bad Via Host", at(host_start));
    if (const char* colon = skip_lws(p); colon < end && *colon == ':') {
        // The digits and their value in one pass (what parse_decimal(..., 65535) concludes): a
        // value past 65535 stops growing, so it cannot wrap.
        const char* const port_start = skip_lws(colon + 1);
        p = port_start;
        std::uint32_t port = 0;
        for (; p < end && text::is_digit(*p); ++p)
            if (port <= 65535) port = port * 10 + static_cast<std::uint32_t>(*p - '0');
        if (p == port_start || port == 0 || port > 65535)
            return fail(400, "Bad Via Port", at(port_start));
        out.port = static_cast<std::uint16_t>(port);
    }

    return scan_header_params_in(
        value, static_cast<std::size_t>(p - begin), base, out.params, readable,
        [&](std::string_view name, std::string_view v, bool has_value,
            param_value_bytes value_bytes) -> result<void> {
            if (token_is(name, "branch")) {
                if (value_bytes != param_value_bytes::name_bytes &&
                    !scan::is_token_text(v, readable))
                    return fail(400, "Bad Via Branch", base);
                out.branch = v;
            } else if (token_is(name, "received")) {
                // RFC 5118 §4.5: accept an IPv6 received value with or
                // without brackets.
                if (!has_value || !received_address(v, readable, out.received))
                    return fail(400, "Bad Via Received", base);
            } else if (token_is(name, "rport")) {
                out.rport = true;
                if (has_value) {
                    auto port = parse_decimal(v, 65535);
                    if (!port) return fail(400, "Bad Via Rport", base);
                    out.rport_value = static_cast<std::uint16_t>(*port);
                }
            } else if (token_is(name, "maddr")) {
                if (classify_host(v, nullptr) == host_kind::none)
                    return fail(400, "Bad Via Maddr", base);
                out.maddr = v;
            } else if (token_is(name, "ttl")) {
                auto ttl = parse_decimal(v, 255);
                if (!ttl) return fail(400, "Bad Via TTL", base);
                out.ttl = static_cast<std::int16_t>(*ttl);
            }
            return {};
        });
}

result<void> parse_contact_into(contact& out, std::string_view value, std::size_t base,
                                const char* readable_begin) noexcept {
    // "*" alone, with LWS around it at most: only a value starting with '*' or LWS can be.
    if (!value.empty() && (value[0] == '*' || text::is_lws(value[0])) && text::trim(value) == "*") {
        out.star = true;
        return {};
    }
    contact_param_values found;
    PARLEY_TRY(parse_name_addr_into(out.address, value, base, &found, readable_begin));
    if (auto& expires = found.expires) {
        // Out-of-range delta-seconds are clamped rather than rejected (RFC 3261 §20.19 spirit).
        if (expires->empty()) return fail(400, "Bad Contact Expires", base);
        for (char c : *expires)
            if (!text::is_digit(c)) return fail(400, "Bad Contact Expires", base);
        auto v = parse_decimal(*expires);
        out.expires = v ? static_cast<std::int64_t>(*v) : std::int64_t{UINT32_MAX};
    }
    if (auto& q = found.q) {
        // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
        std::string_view s = *q;
        if (s.empty() || (s[0] != '0' && s[0] != '1') || s.size() > 5 ||
            (s.size() > 1 && s[1] != '.'))
            return fail(400, "Bad Contact q-value", base);
        int thousandths = (s[0] - '0') * 1000;
        int scale = 100;
        for (std::size_t i = 2; i < s.size(); ++i, scale /= 10) {
            if (!text::is_digit(s[i])) return fail(400, "Bad Contact q-value", base);
            thousandths += (s[i] - '0') * scale;
        }
        if (thousandths > 1000) return fail(400, "Bad Contact q-value", base);
        out.q = static_cast<std::int16_t>(thousandths);
    }
    return {};
}

} // namespace detail

result<via> parse_via(std::string_view value, std::size_t base) noexcept {
    return detail::parse_value<via, detail::parse_via_into>(value, base);
}

result<contact> parse_contact(std::string_view value, std::size_t base) noexcept {
    return detail::parse_value<contact, detail::parse_contact_into>(value, base);
}

} // namespace parley
