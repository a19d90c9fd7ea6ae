// The routing headers a message parses eagerly (RFC 3261 §20): Via, name-addr (From, To,
// Contact, Route, Record-Route), CSeq and the media type of Content-Type.
//
// Every field is a slice into the message's bytes, valid as long as the message; a layer that
// keeps data longer (a dialog, a transaction) copies what it needs. Pure; no allocation.
#pragma once

#include <parley/base/result.hpp>
#include <parley/sip/method.hpp>
#include <parley/sip/params.hpp>
#include <parley/sip/uri.hpp>

#include <cstdint>
#include <string_view>

namespace parley {

/// One Via value (RFC 3261 §20.42, §18.2.1; RFC 3581 rport).
struct via {
    std::string_view protocol_name = "SIP"; ///< "SIP"
    std::string_view protocol_version = "2.0";
    std::string_view transport; ///< "UDP", "TCP", "TLS", "SCTP", "WS", ... as written
    std::string_view host;      ///< sent-by host, IPv6 without brackets
    host_kind host_type = host_kind::none;
    std::uint16_t port = 0;    ///< 0 when absent
    std::string_view branch;   ///< "" when absent (RFC 2543 peers)
    std::string_view received; ///< "" when absent; IPv6 without brackets
    std::string_view maddr;
    std::int16_t ttl = -1;         ///< -1 when absent
    bool rport = false;            ///< the rport parameter is present
    std::uint16_t rport_value = 0; ///< its value, 0 when empty ("rport" without "=port")
    param_list params;             ///< all parameters, as written

    /// RFC 3261 §8.1.1.7: a branch starting with the magic cookie identifies an RFC 3261 peer.
    bool has_rfc3261_branch() const noexcept { return branch.starts_with("z9hG4bK"); }
};

/// A name-addr or addr-spec with its header parameters (From, To, Contact, Route, ...).
struct name_addr {
    std::string_view display_name; ///< as written; for a quoted name, without the quotes
    bool display_name_quoted = false;
    uri address;
    bool bracketed = false; ///< written as <uri>
    param_list params;      ///< header parameters after the address
    std::string_view tag;   ///< the tag parameter, "" when absent
    std::string_view text;  ///< the whole value as written
};

/// One Contact value: "*" or an address with expires and q.
struct contact {
    bool star = false;
    name_addr address;
    std::int64_t expires = -1; ///< -1 when absent; clamped to 2^32-1
    std::int16_t q = -1;       ///< q-value in thousandths, -1 when absent
};

struct cseq {
    std::uint32_t number = 0;
    parley::method method = method::unknown;
    std::string_view method_text;
};

/// Content-Type (RFC 3261 §20.15): type "/" subtype *( ";" parameter ).
struct media_type {
    std::string_view type;    ///< "application"
    std::string_view subtype; ///< "sdp"
    param_list params;
    bool is(std::string_view t, std::string_view s) const noexcept;
    bool empty() const noexcept { return type.empty(); }
};

/// Parsers for one header value each (one element of a list: split lists first). `base` is the
/// value's offset in the message, so errors point into the message. They validate the whole value.
result<via> parse_via(std::string_view value, std::size_t base = 0) noexcept;
result<contact> parse_contact(std::string_view value, std::size_t base = 0) noexcept;
result<name_addr> parse_name_addr(std::string_view value, std::size_t base = 0) noexcept;
result<cseq> parse_cseq(std::string_view value, std::size_t base = 0) noexcept;
result<media_type> parse_media_type(std::string_view value, std::size_t base = 0) noexcept;

/// Splits a comma-separated header value into its elements (commas inside quotes or <> do not
/// split) and calls fn(element, offset_in_value) for each; fn returns result<void>. Empty
/// elements are an error ("a,,b").
template <class Fn>
result<void> for_each_list_element(std::string_view value, std::size_t base, Fn&& fn);

} // namespace parley

#include <parley/sip/detail/list_split.hpp>
