// A cursor over one header value or line, with the small moves every SIP grammar rule makes:
// skip LWS (folded CRLF included), read a token, expect a separator, read a quoted string.
// Offsets reported in errors are absolute (base_ + position in the text).
#pragma once

#include <parley/base/result.hpp>
#include <parley/base/text.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

namespace parley::detail {

/// text::parse_decimal, quicker for the short numbers of a message (ports, CSeq, lengths): up to
/// 19 digits cannot overflow 64 bits, and the value never shrinks digit by digit, so a single
/// comparison at the end gives the same verdict as checking after every digit.
constexpr std::optional<std::uint64_t> parse_decimal(std::string_view s,
                                                     std::uint64_t max = UINT32_MAX) noexcept {
    if (s.empty() || s.size() > 19) return text::parse_decimal(s, max);
    std::uint64_t v = 0;
    for (char c : s) {
        const unsigned digit = static_cast<unsigned char>(c) - unsigned{'0'};
        if (digit >= 10) return std::nullopt;
        v = v * 10 + digit;
    }
    if (v > max) return std::nullopt;
    return v;
}

/// s.substr(from, n) where the caller knows from <= s.size(): GCC keeps substr out of line for
/// its out_of_range throw, and the parser slices every value several times.
constexpr std::string_view slice(std::string_view s, std::size_t from,
                                 std::size_t n = std::string_view::npos) noexcept {
    const std::size_t left = s.size() - from;
    return {s.data() + from, n < left ? n : left};
}

/// The first n bytes at p (1 <= n <= 8) as a little-endian word, read by at most three loads
/// whose values are combined in registers. Copying n bytes into a zeroed word on the stack and
/// reading the word back costs a failed store-to-load forward (the load spans two or three
/// smaller stores): about 15 cycles per compare, a sixth of the Via parser's time.
inline std::uint64_t load_low_bytes(const char* p, std::size_t n) noexcept {
    static_assert(std::endian::native == std::endian::little);
    if (n >= 4) {
        std::uint32_t low = 0;
        std::uint32_t high = 0;
        std::memcpy(&low, p, 4);
        std::memcpy(&high, p + n - 4, 4); // overlaps low when n < 8: the same bytes, OR-ed
        return std::uint64_t{low} | (std::uint64_t{high} << (8 * (n - 4)));
    }
    const auto byte = [p](std::size_t i) {
        return std::uint64_t{static_cast<unsigned char>(p[i])};
    };
    return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}

/// Case-insensitive equality of a token with a lower-case letters-only literal: OR-ing 0x20 maps
/// only 'A'-'Z' onto 'a'-'z', so one OR per byte replaces to_lower's range test.
constexpr bool token_is(std::string_view token, std::string_view lower_letters) noexcept {
    if (token.size() != lower_letters.size()) return false;
    if (token.empty()) return true;
    if (!std::is_constant_evaluated() && token.size() <= 8) {
        // One 8-byte compare (the literal's size is a constant once this is inlined, so its
        // word and mask fold to constants): parameter names like "branch", "tag", "rport".
        const std::size_t n = token.size();
        const std::uint64_t lower =
            0x2020202020202020ull >> (8 * (8 - n)); // n bytes of 0x20 in the low end
        return (load_low_bytes(token.data(), n) | lower) == load_low_bytes(lower_letters.data(), n);
    }
    for (std::size_t i = 0; i < token.size(); ++i)
        if ((static_cast<unsigned char>(token[i]) | 0x20u) !=
            static_cast<unsigned char>(lower_letters[i]))
            return false;
    return true;
}

class scanner {
public:
    scanner(std::string_view text, std::size_t base) noexcept : text_(text), base_(base) {}

    bool at_end() const noexcept { return pos_ >= text_.size(); }
    char peek() const noexcept { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    std::size_t pos() const noexcept { return pos_; }
    void set_pos(std::size_t p) noexcept { pos_ = p; }
    std::size_t offset() const noexcept { return base_ + pos_; }
    std::string_view rest() const noexcept { return text_.substr(pos_); }
    std::string_view slice(std::size_t from, std::size_t to) const noexcept {
        return detail::slice(text_, from, to - from);
    }
    void advance(std::size_t n = 1) noexcept { pos_ += n; }

    /// Skips SP, HT and folded line ends (CR, LF inside a value only come from folding).
    void skip_lws() noexcept {
        while (pos_ < text_.size() && text::is_lws(text_[pos_])) ++pos_;
    }
    /// Consumes `c` (after optional LWS before and after it) and returns true, or returns false
    /// and leaves the position unchanged.
    bool accept_separator(char c) noexcept {
        std::size_t save = pos_;
        skip_lws();
        if (peek() == c) {
            ++pos_;
            skip_lws();
            return true;
        }
        pos_ = save;
        return false;
    }
    bool accept(char c) noexcept {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    /// Reads 1*token-char; empty when none.
    std::string_view token() noexcept {
        std::size_t start = pos_;
        while (pos_ < text_.size() && text::is_token(text_[pos_])) ++pos_;
        return detail::slice(text_, start, pos_ - start);
    }
    /// Reads a quoted-string starting at '"' and returns its content without the quotes, escapes
    /// left as written. Fails on a missing closing quote.
    result<std::string_view> quoted_string() noexcept {
        std::size_t start = pos_;
        if (peek() != '"') return fail(400, "Expected Quoted String", offset());
        ++pos_;
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return detail::slice(text_, start + 1, pos_ - start - 2);
            }
            if (c == '\\') {
                // RFC 3261 §25.1 quoted-pair: any octet but CR and LF may follow.
                if (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\r' || text_[pos_ + 1] == '\n')
                    return fail(400, "Bad Quoted Pair", offset());
                pos_ += 2;
                continue;
            }
            ++pos_;
        }
        return fail(400, "Unterminated Quoted String", base_ + start);
    }

private:
    std::string_view text_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

} // namespace parley::detail
