// Character classes and small text helpers shared by the SIP and SDP grammars.
//
// One 256-entry table answers "is this byte a token char / unreserved / hex / LWS ..." with a
// single load; case-insensitive comparison and overflow-checked number parsing round it off.
// Pure functions over std::string_view; no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::text {

/// Bit flags of the character table (RFC 3261 §25.1 names).
enum char_class : std::uint16_t {
    alpha = 1 << 0,
    digit = 1 << 1,
    hex = 1 << 2,
    token = 1 << 3,          ///< token chars: alphanum - . ! % * _ + ` ' ~
    unreserved = 1 << 4,     ///< alphanum and mark: - _ . ! ~ * ' ( )
    user_extra = 1 << 5,     ///< user-unreserved: & = + $ , ; ? /
    param_extra = 1 << 6,    ///< param-unreserved: [ ] / : & + $
    header_extra = 1 << 7,   ///< hnv-unreserved: [ ] / ? : + $
    password_extra = 1 << 8, ///< & = + $ ,
    lws = 1 << 9,            ///< SP HT CR LF
    word_extra = 1 << 10,    ///< word chars beyond token: ( ) < > : \ " / [ ] ? { }
    ctl = 1 << 11,           ///< 0x00-0x1F and 0x7F
    host_char = 1 << 12,     ///< hostname and IPv4 chars: alphanum . - _
};

namespace detail {
constexpr std::array<std::uint16_t, 256> make_table() {
    std::array<std::uint16_t, 256> t{};
    auto add = [&t](std::string_view chars, std::uint16_t bits) {
        for (char c : chars) t[static_cast<unsigned char>(c)] |= bits;
    };
    for (int c = 'a'; c <= 'z'; ++c) t[c] |= alpha | token | unreserved;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] |= alpha | token | unreserved;
    for (int c = '0'; c <= '9'; ++c) t[c] |= digit | hex | token | unreserved;
    for (int c = 'a'; c <= 'f'; ++c) t[c] |= hex;
    for (int c = 'A'; c <= 'F'; ++c) t[c] |= hex;
    add("-.!%*_+`'~", token);
    add("-_.!~*'()", unreserved);
    add("&=+$,;?/", user_extra);
    add("[]/:&+$", param_extra);
    add("[]/?:+$", header_extra);
    add("&=+$,", password_extra);
    add(" \t\r\n", lws);
    add("()<>:\\\"/[]?{}", word_extra);
    add("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", host_char);
    for (int c = 0; c < 0x20; ++c) t[c] |= ctl;
    t[0x7f] |= ctl;
    return t;
}
} // namespace detail

inline constexpr std::array<std::uint16_t, 256> table = detail::make_table();

constexpr bool is(char c, std::uint16_t classes) noexcept {
    return (table[static_cast<unsigned char>(c)] & classes) != 0;
}
constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) noexcept {
    return is(c, alpha);
}
constexpr bool is_hex(char c) noexcept {
    return is(c, hex);
}
constexpr bool is_token(char c) noexcept {
    return is(c, token);
}
constexpr bool is_lws(char c) noexcept {
    return is(c, lws);
}
constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t';
}

constexpr char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

/// True when every byte is a token char and the text is not empty.
constexpr bool is_token_text(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_token(c)) return false;
    return true;
}

/// Removes leading and trailing LWS (SP, HT, CR, LF).
constexpr std::string_view trim(std::string_view s) noexcept {
    std::size_t b = 0, e = s.size();
    while (b < e && is_lws(s[b])) ++b;
    while (e > b && is_lws(s[e - 1])) --e;
    return s.substr(b, e - b);
}

/// Parses a non-empty run of decimal digits no larger than `max`; leading zeros allowed.
constexpr std::optional<std::uint64_t> parse_decimal(std::string_view s,
                                                     std::uint64_t max = UINT32_MAX) noexcept {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (v > (max - digit) / 10) return std::nullopt; // v * 10 + digit would pass max
        v = v * 10 + digit;
    }
    return v;
}

} // namespace parley::text
