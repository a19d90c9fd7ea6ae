#include <parley/transport/address.hpp>

#include <parley/base/text.hpp>

#include <arpa/inet.h>

#include <cstring>

namespace parley {

std::string_view via_token(transport_protocol p) noexcept {
    switch (p) {
    case transport_protocol::udp: return "UDP";
    case transport_protocol::tcp: return "TCP";
    case transport_protocol::tls: return "TLS";
    }
    return "UDP";
}

std::optional<transport_protocol> protocol_from_token(std::string_view token) noexcept {
    if (text::iequals(token, "udp")) return transport_protocol::udp;
    if (text::iequals(token, "tcp")) return transport_protocol::tcp;
    if (text::iequals(token, "tls")) return transport_protocol::tls;
    return std::nullopt;
}

std::optional<socket_address> socket_address::from_numeric(std::string_view host,
                                                           std::uint16_t port) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty() || host.size() >= 64) return std::nullopt;
    char text_copy[64];
    std::memcpy(text_copy, host.data(), host.size());
    text_copy[host.size()] = '\0';
    socket_address out;
    out.port = port;
    if (inet_pton(AF_INET, text_copy, out.ip.data()) == 1) {
        out.family = family_type::ipv4;
        return out;
    }
    if (inet_pton(AF_INET6, text_copy, out.ip.data()) == 1) {
        out.family = family_type::ipv6;
        return out;
    }
    return std::nullopt;
}

bool socket_address::is_loopback() const noexcept {
    if (family == family_type::ipv4) return ip[0] == 127;
    if (family == family_type::ipv6) {
        for (std::size_t i = 0; i < 15; ++i)
            if (ip[i] != 0) return false;
        return ip[15] == 1;
    }
    return false;
}

std::string socket_address::host_text() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (family == family_type::ipv4) {
        // Dotted quad by hand: inet_ntop formats through sprintf (~1,800 instructions), and
        // every request with rport or a NATed sent-by has its source written into its Via.
        char* out = buffer;
        for (std::size_t i = 0; i < 4; ++i) {
            unsigned octet = ip[i];
            if (octet >= 100) *out++ = static_cast<char>('0' + octet / 100);
            if (octet >= 10) *out++ = static_cast<char>('0' + octet / 10 % 10);
            *out++ = static_cast<char>('0' + octet % 10);
            if (i < 3) *out++ = '.';
        }
        return std::string(buffer, static_cast<std::size_t>(out - buffer));
    }
    if (family == family_type::ipv6) inet_ntop(AF_INET6, ip.data(), buffer, sizeof buffer);
    return buffer;
}

std::string socket_address::to_string() const {
    std::string host = host_text();
    if (family == family_type::ipv6) host = "[" + host + "]";
    return host + ":" + std::to_string(port);
}

} // namespace parley
