// The byte scans the SIP parser runs over every message, 16 bytes per step with SSE2:
// - find_byte: the next ':', '@', '<', '>' or ',' (inline, so no memchr call for the short runs
//   a header value holds); find_byte_long: the same 32 bytes per step, for a line end;
//   find_either: the first of two bytes (a display name's closing quote or a backslash before
//   it);
// - skip_name_bytes: a run of letters, digits, '.', '-' and '_' ("name bytes"). Nearly every byte
//   of a host, user, token, tag, branch or Call-ID is one, and every SIP character class the
//   parser checks (token, host, unreserved, param, word) contains all of them, so a grammar scan
//   skips this run first and tests only the few bytes after it one by one.
//
// Each scan reads only bytes in [begin, end): near the end it loads the last 16 bytes of the text
// (overlapping what it already looked at) instead of reading past it, and a text shorter than 16
// bytes is scanned one byte at a time. The scalar versions are the reference, used where SSE2 is
// missing and by the tests that compare both on every byte value and alignment.
#pragma once

#include <parley/base/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parley::detail::scan {

constexpr bool is_name_byte(char c) noexcept {
    return text::is(c, text::host_char); // letters, digits, '.', '-', '_'
}

/// The bytes after p that form a host name or IPv4 address (letters, digits, '.', '-', '_'),
/// checked against RFC 3261 §25.1 hostname labels as they go by: `bad_label` when a label is
/// empty or starts or ends with '-'; `top_label` where the last label starts (the one before a
/// trailing dot).
struct host_run {
    const char* end;
    const char* top_label;
    bool bad_label;
};

namespace scalar {

/// The first `c` in [p, end), or end.
inline const char* find_byte(const char* p, const char* end, char c) noexcept {
    while (p < end && *p != c) ++p;
    return p;
}

/// The first `a` or `b` in [p, end), or end.
inline const char* find_either(const char* p, const char* end, char a, char b) noexcept {
    while (p < end && *p != a && *p != b) ++p;
    return p;
}

/// The first byte in [p, end) that is not a name byte, or end.
inline const char* skip_name_bytes(const char* p, const char* end) noexcept {
    while (p < end && is_name_byte(*p)) ++p;
    return p;
}

/// Reads the host name or IPv4 address bytes from p (see host_run).
inline host_run scan_host_run(const char* p, const char* end) noexcept {
    const char* const start = p;
    const char* label_start = p;
    const char* top_label = p;
    bool bad_label = false;
    for (; p < end && is_name_byte(*p); ++p) {
        if (*p == '-') {
            if (p == label_start) bad_label = true;
        } else if (*p == '.') {
            if (p == label_start || p[-1] == '-') bad_label = true;
            top_label = label_start;
            label_start = p + 1;
        }
    }
    if (p != start && label_start < p) {
        if (p[-1] == '-') bad_label = true;
        top_label = label_start; // no trailing dot: the last label is the top label
    }
    return {p, top_label, bad_label};
}

} // namespace scalar

#if defined(__SSE2__)
namespace sse2 {

/// 0xFF in the lanes holding a name byte. '-', '.' and the digits are 0x2D-0x39 but for '/';
/// letters are folded to lower case with OR 0x20 (which maps nothing else onto 'a'-'z'); '_' is
/// alone. Each range is one signed compare after moving its first byte to -128.
inline __m128i name_lanes(__m128i v) noexcept {
    const __m128i marks_digits = _mm_cmplt_epi8(
        _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - '-'))), _mm_set1_epi8(-128 + 13));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i letter =
        _mm_cmplt_epi8(_mm_add_epi8(folded, _mm_set1_epi8(static_cast<char>(0x80 - 'a'))),
                       _mm_set1_epi8(-128 + 26));
    const __m128i not_slash = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), marks_digits);
    return _mm_or_si128(_mm_or_si128(letter, not_slash), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
}

inline __m128i load(const char* p) noexcept {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

inline unsigned lanes_mask(__m128i lanes) noexcept {
    return static_cast<unsigned>(_mm_movemask_epi8(lanes));
}

inline const char* find_byte(const char* p, const char* begin, const char* end, char c) noexcept {
    if (end - begin < 16) return scalar::find_byte(p, end, c);
    const __m128i wanted = _mm_set1_epi8(c);
    for (; end - p >= 16; p += 16)
        if (unsigned m = lanes_mask(_mm_cmpeq_epi8(load(p), wanted))) return p + __builtin_ctz(m);
    if (p == end) return end;
    // The last 16 bytes of the text, shifted so that bit 0 is p.
    unsigned m = lanes_mask(_mm_cmpeq_epi8(load(end - 16), wanted)) >> (16 - (end - p));
    return m != 0 ? p + __builtin_ctz(m) : end;
}

/// find_byte for a run that is often longer than 16 bytes (a header line): 32 bytes per step,
/// the two compares' masks joined into one test.
inline const char* find_byte_long(const char* p, const char* begin, const char* end,
                                  char c) noexcept {
    if (end - begin < 16) return scalar::find_byte(p, end, c);
    const __m128i wanted = _mm_set1_epi8(c);
    for (; end - p >= 32; p += 32) {
        const std::uint32_t m = lanes_mask(_mm_cmpeq_epi8(load(p), wanted)) |
                                lanes_mask(_mm_cmpeq_epi8(load(p + 16), wanted)) << 16;
        if (m != 0) return p + __builtin_ctz(m);
    }
    return find_byte(p, begin, end, c);
}

inline const char* find_either(const char* p, const char* begin, const char* end, char a,
                               char b) noexcept {
    if (end - begin < 16) return scalar::find_either(p, end, a, b);
    const __m128i first = _mm_set1_epi8(a);
    const __m128i second = _mm_set1_epi8(b);
    auto either = [&](__m128i v) {
        return lanes_mask(_mm_or_si128(_mm_cmpeq_epi8(v, first), _mm_cmpeq_epi8(v, second)));
    };
    for (; end - p >= 16; p += 16)
        if (unsigned m = either(load(p))) return p + __builtin_ctz(m);
    if (p == end) return end;
    // The last 16 bytes of the text, shifted so that bit 0 is p.
    unsigned m = either(load(end - 16)) >> (16 - (end - p));
    return m != 0 ? p + __builtin_ctz(m) : end;
}

/// The host run from p, given 32-bit masks of the name bytes, dots and hyphens from p (bit 0 is
/// p) that hold at least one byte that is not a name byte.
[[gnu::always_inline]] inline host_run host_run_in(const char* p, std::uint32_t names,
                                                   std::uint32_t dots,
                                                   std::uint32_t hyphens) noexcept {
    const auto length = static_cast<unsigned>(__builtin_ctz(~names));
    if (length == 0) return {p, p, false};
    const std::uint32_t inside = (std::uint32_t{1} << length) - 1; // length <= 31
    dots &= inside;
    hyphens &= inside;
    const std::uint32_t label_starts = 1 | (dots << 1);
    const std::uint32_t last = std::uint32_t{1} << (length - 1);
    const bool trailing_dot = (dots & last) != 0;
    const bool bad_label = ((hyphens | dots) & label_starts) != 0 || (dots & (hyphens << 1)) != 0 ||
                           (!trailing_dot && (hyphens & last) != 0);
    // The top label starts after the last dot, not counting a trailing one.
    const std::uint32_t inner_dots = trailing_dot ? dots & ~last : dots;
    const unsigned top =
        inner_dots != 0 ? 32 - static_cast<unsigned>(__builtin_clz(inner_dots)) : 0;
    return {p + length, p + top, bad_label};
}

/// scalar::scan_host_run for a host under 32 bytes (nearly all): masks of the name bytes, dots
/// and hyphens of 32 bytes in two loads, then the label rules as bit operations on them (a
/// label starts at the first byte and after each dot). A longer host, or a text under 32 bytes,
/// is left to the scalar scan.
[[gnu::always_inline]] inline host_run scan_host_run(const char* p, const char* begin,
                                                     const char* end) noexcept {
    if (p == end) return {p, p, false};
    const char* window = p;
    unsigned shift = 0;
    if (end - p < 32) {
        if (end - begin < 32) return scalar::scan_host_run(p, end);
        // The last 32 bytes of the text, shifted so that bit 0 is p (bits past the end clear).
        window = end - 32;
        shift = static_cast<unsigned>(32 - (end - p));
    }
    const __m128i low = load(window);
    const __m128i high = load(window + 16);
    auto both = [](unsigned low_mask, unsigned high_mask) {
        return static_cast<std::uint32_t>(low_mask | (high_mask << 16));
    };
    const std::uint32_t names =
        both(lanes_mask(name_lanes(low)), lanes_mask(name_lanes(high))) >> shift;
    const __m128i dot = _mm_set1_epi8('.');
    const __m128i hyphen = _mm_set1_epi8('-');
    std::uint32_t dots =
        both(lanes_mask(_mm_cmpeq_epi8(low, dot)), lanes_mask(_mm_cmpeq_epi8(high, dot))) >> shift;
    std::uint32_t hyphens =
        both(lanes_mask(_mm_cmpeq_epi8(low, hyphen)), lanes_mask(_mm_cmpeq_epi8(high, hyphen))) >>
        shift;
    if (names == 0xFFFFFFFFu) return scalar::scan_host_run(p, end); // 32 host bytes or more
    return host_run_in(p, names, dots, hyphens);
}

/// A SIP URI's "[userinfo "@"] host" from p, from one classification of the 32 bytes from p
/// (within [begin, end)): true when the first '@' of [p, end) is among them with only name
/// bytes before it (or there is no '@' in [p, end)) and a host run after it ends among them.
/// Then `at` is that '@' (nullptr when none) and `host` what scan_host_run finds after it,
/// which is what find_byte, the user scan and scan_host_run conclude one after the other.
/// False (a password, an escape, a long user or host, an empty user or host, an IPv6
/// reference) leaves it to them.
[[gnu::always_inline]] inline bool scan_user_host(const char* p, const char* begin, const char* end,
                                                  const char*& at, host_run& host) noexcept {
    if (end - begin < 32 || p == end) return false;
    const char* window = p;
    unsigned shift = 0;
    if (end - p < 32) {
        window = end - 32;
        shift = static_cast<unsigned>(32 - (end - p));
    }
    const __m128i low = load(window);
    const __m128i high = load(window + 16);
    auto both = [shift](__m128i low_lanes, __m128i high_lanes) {
        return static_cast<std::uint32_t>(lanes_mask(low_lanes) | (lanes_mask(high_lanes) << 16)) >>
               shift;
    };
    const std::uint32_t names = both(name_lanes(low), name_lanes(high));
    const __m128i at_sign = _mm_set1_epi8('@');
    const std::uint32_t ats = both(_mm_cmpeq_epi8(low, at_sign), _mm_cmpeq_epi8(high, at_sign));
    unsigned host_from = 0;
    if (ats != 0) {
        const auto user_size = static_cast<unsigned>(__builtin_ctz(ats));
        const std::uint32_t user = (std::uint32_t{1} << user_size) - 1;
        if (user_size == 0 || (names & user) != user) return false;
        at = p + user_size;
        host_from = user_size + 1;
    } else {
        if (end - p > 32) return false; // an '@' may come later
        at = nullptr;
    }
    // The host's bytes from bit 0; the bits past the window read as stops.
    const std::uint32_t host_names = host_from < 32 ? names >> host_from : 0;
    if ((host_names & 1) == 0) return false; // no host byte: the scans give the verdict
    // A run up to the last byte in hand may go on (or, from p, fill all 32 bytes).
    if (host_names == (0xFFFFFFFFu >> host_from) && (end - p > 32 || host_from == 0)) return false;
    const __m128i dot = _mm_set1_epi8('.');
    const __m128i hyphen = _mm_set1_epi8('-');
    const std::uint32_t dots = both(_mm_cmpeq_epi8(low, dot), _mm_cmpeq_epi8(high, dot));
    const std::uint32_t hyphens = both(_mm_cmpeq_epi8(low, hyphen), _mm_cmpeq_epi8(high, hyphen));
    host = host_run_in(p + host_from, host_names, dots >> host_from, hyphens >> host_from);
    return true;
}

inline const char* skip_name_bytes(const char* p, const char* begin, const char* end) noexcept {
    if (end - begin < 16) return scalar::skip_name_bytes(p, end);
    for (; end - p >= 16; p += 16)
        if (unsigned stop = ~lanes_mask(name_lanes(load(p))) & 0xFFFFu)
            return p + __builtin_ctz(stop);
    if (p == end) return end;
    // The last 16 bytes of the text, shifted so that bit 0 is p; the bits past the end read as
    // name bytes, so a stop there means none was found.
    unsigned stop = (~lanes_mask(name_lanes(load(end - 16))) & 0xFFFFu) >> (16 - (end - p));
    return stop != 0 ? p + __builtin_ctz(stop) : end;
}

} // namespace sse2
#endif

/// The first `c` in [p, end), or end. May read any byte of [begin, end) (begin <= p <= end).
inline const char* find_byte(const char* p, const char* begin, const char* end, char c) noexcept {
#if defined(__SSE2__)
    return sse2::find_byte(p, begin, end, c);
#else
    (void)begin;
    return scalar::find_byte(p, end, c);
#endif
}

/// find_byte, 32 bytes per step: for a header line's end.
inline const char* find_byte_long(const char* p, const char* begin, const char* end,
                                  char c) noexcept {
#if defined(__SSE2__)
    return sse2::find_byte_long(p, begin, end, c);
#else
    (void)begin;
    return scalar::find_byte(p, end, c);
#endif
}

/// The first `a` or `b` in [p, end), or end. May read any byte of [begin, end).
inline const char* find_either(const char* p, const char* begin, const char* end, char a,
                               char b) noexcept {
#if defined(__SSE2__)
    return sse2::find_either(p, begin, end, a, b);
#else
    (void)begin;
    return scalar::find_either(p, end, a, b);
#endif
}

/// The first byte in [p, end) that is not a letter, digit, '.', '-' or '_', or end. May read any
/// byte of [begin, end).
inline const char* skip_name_bytes(const char* p, const char* begin, const char* end) noexcept {
#if defined(__SSE2__)
    return sse2::skip_name_bytes(p, begin, end);
#else
    (void)begin;
    return scalar::skip_name_bytes(p, end);
#endif
}

/// A host name or IPv4 address run from p (see scalar::scan_host_run). May read any byte of
/// [begin, end).
[[gnu::always_inline]] inline host_run scan_host_run(const char* p, const char* begin,
                                                     const char* end) noexcept {
#if defined(__SSE2__)
    return sse2::scan_host_run(p, begin, end);
#else
    (void)begin;
    return scalar::scan_host_run(p, end);
#endif
}

/// [userinfo "@"] host from p in one step, or false (see sse2::scan_user_host). May read any byte
/// of [begin, end).
[[gnu::always_inline]] inline bool scan_user_host(const char* p, const char* begin, const char* end,
                                                  const char*& at, host_run& host) noexcept {
#if defined(__SSE2__)
    return sse2::scan_user_host(p, begin, end, at, host);
#else
    (void)p, (void)begin, (void)end, (void)at, (void)host;
    return false;
#endif
}

/// text::is_token_text(s), skipping the name bytes 16 at a time; s lies in [begin, s.end()).
inline bool is_token_text(std::string_view s, const char* begin) noexcept {
    if (s.empty()) return false;
    const char* const end = s.data() + s.size();
    for (const char* p = skip_name_bytes(s.data(), begin, end); p < end; ++p)
        if (!text::is_token(*p)) return false;
    return true;
}

} // namespace parley::detail::scan
