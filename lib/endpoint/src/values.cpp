// Value syntax of the configuration: booleans, numbers, lists, addresses, networks, caller id.
#include "values.hpp"

#include <parley/base/text.hpp>

#include <algorithm>

namespace parley {

namespace config_values {

std::optional<bool> parse_bool(std::string_view text) noexcept {
    for (std::string_view yes : {"yes", "true", "on", "1"})
        if (text::iequals(text, yes)) return true;
    for (std::string_view no : {"no", "false", "off", "0"})
        if (text::iequals(text, no)) return false;
    return std::nullopt;
}

std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t min,
                                          std::uint32_t max) noexcept {
    auto value = text::parse_decimal(text, max);
    if (!value || *value < min) return std::nullopt;
    return static_cast<std::uint32_t>(*value);
}

std::vector<std::string_view> split_list(std::string_view text) {
    std::vector<std::string_view> items;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view item = text::trim(text.substr(pos, comma - pos));
        if (!item.empty()) items.push_back(item);
        pos = comma + 1;
    }
    return items;
}

std::optional<host_port> parse_bind(std::string_view text) noexcept {
    std::string_view host = text;
    std::optional<std::uint16_t> port;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port_text = rest.substr(1);
            if (port_text.empty()) return std::nullopt;
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        std::size_t colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (port_text.empty()) return std::nullopt;
    }
    if (!port_text.empty()) {
        auto number = text::parse_decimal(port_text, 65535);
        if (!number) return std::nullopt;
        port = static_cast<std::uint16_t>(*number);
    }
    auto address = socket_address::from_numeric(host, 0);
    if (!address) return std::nullopt;
    return host_port{*address, port};
}

bool is_host_name(std::string_view text) noexcept {
    if (text.empty() || text.front() == '.' || text.front() == '-') return false;
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return text::is(c, text::host_char); });
}

std::optional<caller_id> parse_caller_id(std::string_view text) {
    caller_id id;
    std::size_t open = text.find('<');
    std::string_view name = text;
    if (open != std::string_view::npos) {
        std::size_t close = text.find('>', open);
        if (close == std::string_view::npos || !text::trim(text.substr(close + 1)).empty())
            return std::nullopt;
        id.number = std::string(text::trim(text.substr(open + 1, close - open - 1)));
        name = text::trim(text.substr(0, open));
    } else if (text.empty() || text.front() != '"') {
        id.number = std::string(text);
        return id;
    }
    if (!name.empty() && name.front() == '"') {
        if (name.size() < 2 || name.back() != '"') return std::nullopt;
        name = name.substr(1, name.size() - 2);
    }
    id.name = std::string(name);
    return id;
}

std::optional<header_match> parse_header_match(std::string_view text) {
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view name = text::trim(text.substr(0, colon));
    std::string_view value = text::trim(text.substr(colon + 1));
    if (!text::is_token_text(name) || value.empty()) return std::nullopt;
    return header_match{std::string(name), std::string(value)};
}

} // namespace config_values

std::optional<ip_network> ip_network::parse(std::string_view text) noexcept {
    std::string_view host = text;
    std::string_view prefix_text;
    std::size_t slash = text.find('/');
    if (slash != std::string_view::npos) {
        host = text.substr(0, slash);
        prefix_text = text.substr(slash + 1);
        if (prefix_text.empty()) return std::nullopt;
    }
    auto address = socket_address::from_numeric(host, 0);
    if (!address) return std::nullopt;
    std::uint32_t bits = address->family == socket_address::family_type::ipv4 ? 32 : 128;
    ip_network network{*address, static_cast<std::uint8_t>(bits)};
    if (!prefix_text.empty()) {
        if (auto number = text::parse_decimal(prefix_text, bits)) {
            network.prefix_length = static_cast<std::uint8_t>(*number);
        } else {
            // A dotted netmask ("255.255.0.0"), as Asterisk accepts: contiguous ones only.
            auto mask = socket_address::from_numeric(prefix_text, 0);
            if (!mask || mask->family != address->family) return std::nullopt;
            std::uint32_t ones = 0;
            bool zero_seen = false;
            for (std::uint32_t i = 0; i < bits; ++i) {
                bool bit = (mask->ip[i / 8] >> (7 - i % 8)) & 1;
                if (bit && zero_seen) return std::nullopt;
                if (bit) ++ones;
                zero_seen = zero_seen || !bit;
            }
            network.prefix_length = static_cast<std::uint8_t>(ones);
        }
    }
    // Keep only the network bits, so "10.1.2.3/8" and "10.0.0.0/8" are the same network.
    for (std::uint32_t i = network.prefix_length; i < bits; ++i)
        network.address.ip[i / 8] &= static_cast<std::uint8_t>(~(1u << (7 - i % 8)));
    return network;
}

bool ip_network::contains(const socket_address& a) const noexcept {
    if (a.family != address.family) return false;
    for (std::uint32_t i = 0; i < prefix_length; ++i) {
        std::uint32_t shift = 7 - i % 8;
        if (((a.ip[i / 8] >> shift) & 1) != ((address.ip[i / 8] >> shift) & 1)) return false;
    }
    return true;
}

std::string ip_network::to_string() const {
    return address.host_text() + "/" + std::to_string(prefix_length);
}

} // namespace parley
