// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), plus any other absolute URI kept
// opaque (the application answers 416 for schemes it does not serve).
//
// A uri is a set of slices into the text it was parsed from; escapes (%HH) are left as written
// and decoded only on request (unescape), never recursively. Parsing validates the whole text
// and reports the first error with its offset and a 400 status hint. Pure; no allocation.
#pragma once

#include <parley/base/result.hpp>
#include <parley/sip/params.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace parley {

enum class uri_scheme : std::uint8_t { sip, sips, tel, other };
enum class host_kind : std::uint8_t { none, name, ipv4, ipv6 };

struct uri {
    uri_scheme scheme = uri_scheme::other;
    std::string_view scheme_text; ///< as written ("sip", "SIP", "soap.beep", ...)
    std::string_view user;        ///< escaped as written; for tel: the number
    std::string_view password;
    std::string_view host; ///< without brackets for IPv6
    host_kind host_type = host_kind::none;
    std::uint16_t port = 0;   ///< 0 when absent
    param_list params;        ///< uri-parameters (for tel: the parameters after the number)
    std::string_view headers; ///< text after '?', without it ("" when none)
    std::string_view opaque;  ///< for uri_scheme::other: everything after "scheme:"
    std::string_view text;    ///< the whole URI as written

    bool has_port() const noexcept { return port != 0; }
    bool is_sip() const noexcept { return scheme == uri_scheme::sip || scheme == uri_scheme::sips; }
    /// The host as it appears in a URI ("[::1]" for IPv6).
    std::string host_reference() const;
};

/// Parses exactly `text` as a URI. Offsets in errors are relative to `text` plus `base_offset`.
result<uri> parse_uri(std::string_view text, std::size_t base_offset = 0) noexcept;

/// Validates a host ("example.com", "192.0.2.1", "[2001:db8::1]"); returns its kind and, for
/// IPv6, the address without brackets through `address`. host_kind::none when invalid.
host_kind classify_host(std::string_view host, std::string_view* address = nullptr) noexcept;

/// Decodes %HH escapes once (so "%2541" becomes "%41", never "A").
std::string unescape(std::string_view text);

/// RFC 3261 §19.1.4 URI comparison for sip/sips (user and password case-sensitive after
/// unescaping, host case-insensitive, the parameters the RFC names compared when present on
/// either side, headers ignored here); other schemes compare their text case-insensitively.
bool uri_equivalent(const uri& a, const uri& b);

} // namespace parley
