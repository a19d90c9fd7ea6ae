// Transport vocabulary shared by every layer above: socket addresses, protocols, and the `flow`
// a message arrived on or leaves by. Pure values (no sockets, no Asio), so the transaction and
// dialog layers and their tests use them without any I/O.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

enum class transport_protocol : std::uint8_t { udp, tcp, tls };

/// TCP and TLS deliver in order without loss: RFC 3261 §17 zeroes the retransmit timers.
constexpr bool is_reliable(transport_protocol p) noexcept {
    return p != transport_protocol::udp;
}
/// "UDP", "TCP", "TLS" as written in a Via.
std::string_view via_token(transport_protocol p) noexcept;
/// The protocol named in a Via or a transport= URI parameter (case-insensitive).
std::optional<transport_protocol> protocol_from_token(std::string_view token) noexcept;
/// RFC 3261 §19.1.2: 5060 for sip over UDP/TCP, 5061 for TLS.
constexpr std::uint16_t default_port(transport_protocol p) noexcept {
    return p == transport_protocol::tls ? 5061 : 5060;
}

/// An IPv4 or IPv6 address and a port. IPv4 is kept as 4 bytes, not IPv4-mapped.
struct socket_address {
    enum class family_type : std::uint8_t { none, ipv4, ipv6 };
    family_type family = family_type::none;
    std::uint16_t port = 0;
    std::array<std::uint8_t, 16> ip{};

    /// Parses a numeric address ("192.0.2.1", "2001:db8::1", "[2001:db8::1]"); nullopt otherwise.
    static std::optional<socket_address> from_numeric(std::string_view host,
                                                      std::uint16_t port) noexcept;

    bool empty() const noexcept { return family == family_type::none; }
    bool is_loopback() const noexcept;
    /// "192.0.2.1" or "2001:db8::1" (no brackets, no port).
    std::string host_text() const;
    /// "192.0.2.1:5060" or "[2001:db8::1]:5060".
    std::string to_string() const;

    friend auto operator<=>(const socket_address&, const socket_address&) = default;
};

/// Where a message came from or goes: protocol, the peer, our local address, and for a
/// connection-oriented protocol the connection it rides on (0 = open or pick one).
struct flow {
    transport_protocol protocol = transport_protocol::udp;
    socket_address remote;
    socket_address local;
    std::uint64_t connection = 0;

    friend bool operator==(const flow&, const flow&) = default;
};

} // namespace parley
