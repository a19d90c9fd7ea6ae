// The SIP URI parser's common path, inline, so that the name-addr parser (From, To, Contact,
// Route, Record-Route) runs it without a call: "sip:" in any case, "[user@]host" from one
// classification of 32 bytes (byte_scan.hpp scan_user_host), then the port, parameters and
// headers. Every other URI (another scheme, a password, an escape, IPv6, a long user or host)
// goes to the out-of-line functions of uri.cpp, which read it whole; both paths give the same
// result for every text (uri.cpp's parse_uri_into is this function).
#pragma once

#include <parley/sip/uri.hpp>

#include <parley/base/result.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "byte_scan.hpp"
#include "host_scan.hpp"
#include "scanner.hpp"

namespace parley::detail::uri_parse {

/// Index of the first bad byte of a URI's headers ("?" excluded), or npos.
std::size_t check_uri_headers(std::string_view s) noexcept;
/// uri-parameters = *( ";" pname [ "=" pvalue ] ), from rest[i] when it is ';'.
result<void> scan_params(std::string_view rest, std::size_t& i, std::size_t base, param_list& out,
                         const char* readable_begin) noexcept;
/// Everything after "sip:" or "sips:" (the whole grammar).
result<void> parse_sip(uri& u, std::string_view rest, std::size_t base,
                       const char* readable_begin) noexcept;
/// A URI that does not start with "sip:" in any case.
result<void> parse_other_scheme(uri& u, std::string_view s, std::size_t base,
                                const char* readable_begin) noexcept;

// The rest of a SIP URI after its host (rest[i] on): [ ":" port ] *( ";" uri-parameter )
// [ "?" headers ].
[[gnu::always_inline]] inline result<void>
parse_sip_after_host(uri& u, std::string_view rest, std::size_t i, std::size_t base,
                     const char* readable_begin) noexcept {
    if (i < rest.size() && rest[i] == ':') {
        std::size_t port_start = ++i;
        // At most six digits (a longer run fails as a port, whatever follows it).
        const char* const digits = rest.data() + port_start;
        const char* const stop =
            digits + (rest.size() - port_start < 6 ? rest.size() - port_start : 6);
        const char* q = digits;
        std::uint32_t port = 0;
        for (unsigned d; q < stop && (d = static_cast<unsigned char>(*q) - unsigned{'0'}) < 10; ++q)
            port = port * 10 + d;
        i = static_cast<std::size_t>(q - rest.data());
        if (i == port_start || port == 0 || port > 65535)
            return fail(400, "Bad URI Port", base + port_start);
        u.port = static_cast<std::uint16_t>(port);
    }
    if (i < rest.size() && rest[i] == ';')
        PARLEY_TRY(scan_params(rest, i, base, u.params, readable_begin));
    if (i < rest.size() && rest[i] == '?') {
        u.headers = detail::slice(rest, i + 1);
        if (auto bad = check_uri_headers(u.headers); bad != std::string_view::npos)
            return fail(400, "Bad URI Header", base + i + 1 + bad);
        i = rest.size();
    }
    if (i != rest.size()) return fail(400, "Bad Character in URI", base + i);
    return {};
}

// Four bytes as the word memcpy reads from them, in either byte order.
constexpr std::uint32_t word_of(char a, char b, char c, char d) noexcept {
    const auto byte = [](char x) { return std::uint32_t{static_cast<unsigned char>(x)}; };
    if constexpr (std::endian::native == std::endian::little)
        return byte(a) | byte(b) << 8 | byte(c) << 16 | byte(d) << 24;
    else
        return byte(d) | byte(c) << 8 | byte(b) << 16 | byte(a) << 24;
}

// "sip:" in any case is one OR (folding the three letters: no other byte folds onto them) and
// one compare of the first four bytes.
inline constexpr std::uint32_t sip_colon = word_of('s', 'i', 'p', ':');
inline constexpr std::uint32_t fold_three = word_of(0x20, 0x20, 0x20, 0);

/// parse_uri_into (parse_into.hpp).
[[gnu::always_inline]] inline result<void> parse_uri(uri& u, std::string_view s, std::size_t base,
                                                     const char* readable_begin) noexcept {
    u.text = s;
    if (readable_begin == nullptr) readable_begin = s.data();
    std::uint32_t head = 0;
    if (s.size() > 4) std::memcpy(&head, s.data(), 4);
    if ((head | fold_three) != sip_colon) return parse_other_scheme(u, s, base, readable_begin);
    // "sip:" in any case, the common scheme: what parse_other_scheme concludes.
    u.scheme_text = slice(s, 0, 3);
    u.scheme = uri_scheme::sip;
    const std::string_view rest = slice(s, 4);
    base += 4;
    // rest = [userinfo "@"] hostport *( ";" uri-parameter ) [ "?" headers ]. The common
    // "user@host" or "host": both from one classification of 32 bytes (parse_sip does the
    // same first, then reads every other form).
    const char* at = nullptr;
    scan::host_run run;
    if (!scan::scan_user_host(rest.data(), readable_begin, rest.data() + rest.size(), at, run))
        return parse_sip(u, rest, base, readable_begin);
    std::size_t host_start = 0;
    if (at != nullptr) {
        host_start = static_cast<std::size_t>(at - rest.data());
        u.user = slice(rest, 0, host_start++);
    }
    u.host_type = host_kind_of(rest.data() + host_start, run);
    const auto i = static_cast<std::size_t>(run.end - rest.data());
    u.host = slice(rest, host_start, i - host_start);
    if (u.host_type == host_kind::none) return fail(400, "Bad URI Host", base + host_start);
    return parse_sip_after_host(u, rest, i, base, readable_begin);
}

} // namespace parley::detail::uri_parse
