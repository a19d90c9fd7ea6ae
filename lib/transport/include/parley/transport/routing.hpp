// RFC 3261 §18 routing rules as pure functions: where a response goes (§18.2.2 with RFC 3581
// rport), the received/rport stamp a server puts on the top Via (§18.2.1), and the UDP size rule
// for requests (§18.1.1). No I/O: the transport and transaction layers call these.
#pragma once

#include <parley/sip/headers.hpp>
#include <parley/transport/address.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

/// RFC 3261 §18.2.2 (+ RFC 3581 §4): the destination of a response to a request whose top Via
/// is `top_via` and which arrived on `source`. Reliable: back on the same connection. Otherwise:
/// maddr when present; else the source address, at the source port when rport was asked for,
/// or the sent-by port (default 5060). nullopt when there is nowhere numeric to send (an maddr
/// that is a host name needs DNS, which the caller resolves).
std::optional<flow> response_destination(const via& top_via, const flow& source) noexcept;

/// RFC 3261 §18.2.1 + RFC 3581 §4: the top Via value as the response must carry it, with
/// received= when the sent-by host differs from the source address, and rport=<port> filled
/// in when the client asked for it. `raw_value` is the top Via value as received.
std::string stamp_top_via(std::string_view raw_value, const via& top_via, const flow& source);

/// RFC 3261 §18.1.1: a request within 200 bytes of the path MTU (1500 when unknown) must not
/// go over UDP; the caller switches to TCP when this says so.
constexpr bool too_large_for_udp(std::size_t message_size, std::size_t path_mtu = 1500) noexcept {
    return message_size > path_mtu - 200;
}

} // namespace parley
