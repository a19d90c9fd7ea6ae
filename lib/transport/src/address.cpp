#include <parley/transport/address.hpp>

#include <parley/base/text.hpp>

#include <arpa/inet.h>

#include <charconv>
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
    if (family == family_type::ipv4) {
        // By hand: glibc's inet_ntop formats IPv4 with sprintf, and every request carrying
        // rport has its source address formatted (RFC 3581 received).
        char text[16];
        char* at = text;
        for (std::size_t i = 0; i < 4; ++i) {
            if (i > 0) *at++ = '.';
            at = std::to_chars(at, text + sizeof text, static_cast<unsigned>(ip[i])).ptr;
        }
        return std::string(text, at);
    }
    char buffer[INET6_ADDRSTRLEN] = {};
    if (family == family_type::ipv6) inet_ntop(AF_INET6, ip.data(), buffer, sizeof buffer);
    return buffer;
}

std::string socket_address::to_string() const {
    std::string host = host_text();
    if (family == family_type::ipv6) host = "[" + host + "]";
    return host + ":" + std::to_string(port);
}

} // namespace parley
