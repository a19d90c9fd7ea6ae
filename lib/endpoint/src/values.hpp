// Private: parsers for option values shared by the section readers (model.cpp). Each returns
// nullopt when the text is not of the expected form; the caller names what was expected.
#pragma once

#include <parley/endpoint/configuration.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config_values {

/// yes/no/true/false/on/off/1/0, any case.
std::optional<bool> parse_bool(std::string_view text) noexcept;
/// Decimal in [min, max].
std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t min,
                                          std::uint32_t max) noexcept;
/// Comma-separated items, blanks trimmed, empty items dropped.
std::vector<std::string_view> split_list(std::string_view text);
/// "1.2.3.4", "1.2.3.4:5060", "[::1]:5060", "::1": the address and the port if written.
struct host_port {
    socket_address address;
    std::optional<std::uint16_t> port;
};
std::optional<host_port> parse_bind(std::string_view text) noexcept;
/// A DNS name or IP literal (host chars only).
bool is_host_name(std::string_view text) noexcept;
/// `"Name" <1234>`, `Name <1234>`, `<1234>`, `1234`, `"Name"`.
std::optional<caller_id> parse_caller_id(std::string_view text);
/// `Name: value`.
std::optional<header_match> parse_header_match(std::string_view text);

} // namespace parley::config_values
