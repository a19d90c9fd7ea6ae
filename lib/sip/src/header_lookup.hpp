// Header-name lookup (header_id_from_name) as an inline function, so the message parser's
// header loop runs it without a call; header_id.cpp exports the same function.
#pragma once

#include <parley/sip/header_id.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parley::detail::header_lookup {

struct entry {
    std::string_view name;
    char compact;
};

inline constexpr std::array entries = {
    entry{"", '\0'},
#define PARLEY_HEADER(id, name, compact) entry{name, compact},
#include <parley/sip/header_table.def>
#undef PARLEY_HEADER
};

// Open-addressing table keyed by (length, first, last) with letters folded: one or two probes and
// one word-wise compare per lookup. Built at compile time.
inline constexpr std::size_t bucket_count = 256;

// OR-ing 0x20 folds case exactly here: table names hold only letters and '-', and no token char
// other than the letter itself maps onto a lower-case letter or '-' (only CR maps onto '-').
constexpr unsigned fold(char c) noexcept {
    return static_cast<unsigned char>(c) | 0x20u;
}

constexpr std::size_t hash(std::size_t size, char first, char last) noexcept {
    return (size * 37u + fold(first) * 11u + fold(last) * 3u) & (bucket_count - 1);
}

constexpr std::array<std::uint8_t, bucket_count> make_buckets() {
    std::array<std::uint8_t, bucket_count> b{};
    for (std::size_t i = 1; i < entries.size(); ++i) {
        std::string_view n = entries[i].name;
        std::size_t h = hash(n.size(), n.front(), n.back());
        while (b[h] != 0) h = (h + 1) & (bucket_count - 1);
        b[h] = static_cast<std::uint8_t>(i);
    }
    return b;
}

inline constexpr auto buckets = make_buckets();

constexpr std::array<std::uint8_t, 128> make_compact() {
    std::array<std::uint8_t, 128> c{};
    for (std::size_t i = 1; i < entries.size(); ++i) {
        char k = entries[i].compact;
        if (k == '\0') continue;
        c[static_cast<unsigned char>(k)] = static_cast<std::uint8_t>(i);
        c[static_cast<unsigned char>(k - 'a' + 'A')] = static_cast<std::uint8_t>(i);
    }
    return c;
}

inline constexpr auto compact = make_compact();

// Every name lower-cased and zero-padded, so a lookup compares 8 (or 4, or 2) bytes at a time.
inline constexpr std::size_t max_name = 24;
struct folded_name {
    char bytes[max_name];
};

constexpr std::array<folded_name, entries.size()> make_folded() {
    std::array<folded_name, entries.size()> f{};
    for (std::size_t i = 1; i < entries.size(); ++i)
        for (std::size_t j = 0; j < entries[i].name.size(); ++j)
            f[i].bytes[j] = static_cast<char>(fold(entries[i].name[j]));
    return f;
}

inline constexpr auto folded = make_folded();

static_assert([] {
    for (const entry& e : entries)
        if (e.name.size() > max_name) return false;
    return true;
}());

template <class Word>
inline Word load(const char* p) noexcept {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

template <class Word>
inline bool same_words(const char* name, const char* table_name) noexcept {
    constexpr Word lower = static_cast<Word>(0x2020202020202020ull);
    return (load<Word>(name) | lower) == load<Word>(table_name);
}

// Compares `name` (any case) with a folded table name of the same length, reading no byte outside
// either: the last word overlaps the previous one instead of running past the end.
inline bool same_name(const char* table_name, const char* name, std::size_t n) noexcept {
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (!same_words<std::uint64_t>(name + i, table_name + i)) return false;
        return same_words<std::uint64_t>(name + n - 8, table_name + n - 8);
    }
    if (n >= 4)
        return same_words<std::uint32_t>(name, table_name) &&
               same_words<std::uint32_t>(name + n - 4, table_name + n - 4);
    return same_words<std::uint16_t>(name, table_name) &&
           same_words<std::uint16_t>(name + n - 2, table_name + n - 2);
}

inline header_id find_header_id(std::string_view name) noexcept {
    if (name.empty()) return header_id::other;
    if (name.size() == 1) {
        auto c = static_cast<unsigned char>(name[0]);
        return c < 128 ? static_cast<header_id>(compact[c]) : header_id::other;
    }
    if (name.size() > max_name) return header_id::other;
    for (std::size_t h = hash(name.size(), name.front(), name.back());;
         h = (h + 1) & (bucket_count - 1)) {
        std::uint8_t i = buckets[h];
        if (i == 0) return header_id::other;
        if (entries[i].name.size() == name.size() &&
            same_name(folded[i].bytes, name.data(), name.size()))
            return static_cast<header_id>(i);
    }
}

// The line lookup's table: every name of at most 15 bytes and every compact form, folded with
// OR 0x20, followed by its ':' and zero-padded to 16 bytes (a line's first 16 bytes masked after
// its first ':' compare with one of these in one step), placed by line_hash.
inline constexpr std::size_t max_line_name = 15;
inline constexpr std::size_t line_bucket_count = 512;

struct line_key {
    alignas(16) char bytes[16];
    std::uint8_t id;
};

constexpr std::uint64_t line_hash_factor = 0x0da1920569eb8cb5ull; // no collision for today's table

// The bucket of a key given as its first 8 bytes (a little-endian word) and its name's size
// (names that share 8 bytes, "Content-Type" and "Content-Length", differ in size).
constexpr std::size_t line_hash(std::uint64_t low, std::size_t size) noexcept {
    return static_cast<std::size_t>((low * line_hash_factor) >> 55) ^ size;
}

constexpr line_key make_line_key(std::string_view name, std::size_t i) {
    line_key k{};
    for (std::size_t j = 0; j < name.size(); ++j) k.bytes[j] = static_cast<char>(fold(name[j]));
    k.bytes[name.size()] = ':';
    k.id = static_cast<std::uint8_t>(i);
    return k;
}

inline constexpr auto line_keys = [] {
    std::array<line_key, 2 * entries.size()> keys{};
    std::size_t n = 1; // key 0: the empty bucket
    for (std::size_t i = 1; i < entries.size(); ++i) {
        if (entries[i].name.size() <= max_line_name) keys[n++] = make_line_key(entries[i].name, i);
        if (entries[i].compact != '\0')
            keys[n++] = make_line_key(std::string_view(&entries[i].compact, 1), i);
    }
    return keys;
}();

constexpr std::uint64_t key_word(const line_key& k, std::size_t from) {
    std::uint64_t w = 0;
    for (std::size_t j = 0; j < 8; ++j)
        w |= std::uint64_t{static_cast<unsigned char>(k.bytes[from + j])} << (8 * j);
    return w;
}

inline constexpr auto line_buckets = [] {
    std::array<std::uint8_t, line_bucket_count> b{};
    for (std::size_t i = 1; i < line_keys.size(); ++i) {
        if (line_keys[i].id == 0) continue;
        std::size_t size = 0;
        while (line_keys[i].bytes[size] != ':') ++size;
        std::size_t h = line_hash(key_word(line_keys[i], 0), size);
        while (b[h] != 0) h = (h + 1) & (line_bucket_count - 1);
        b[h] = static_cast<std::uint8_t>(i);
    }
    return b;
}();

static_assert(line_keys.size() < 256);

/// A header line's name when it is a known one: `start` is a line start in a text ending at
/// `end`. When the first ':' or CR among the 16 bytes from `start` is a ':' right after a name in
/// the table (long or compact form, any case), returns that colon with `id` and `name_size`;
/// otherwise nullptr, and the byte-by-byte path reads the line (a name followed by SP/HT, one
/// over 15 bytes, an unknown one, the empty line). With SSE2, one load gives the colon and
/// the folded name, which is masked after the colon and compared with its table key in one step.
/// OR 0x20 folds no byte but a letter onto a letter, only CR and '-' onto '-' (and a CR cannot
/// come before the first ':' or CR), only 0x1A and ':' onto ':' (and the byte at the stop is
/// ':' or CR), and LF onto '*', which no name holds.
inline const char* find_known_header_name(const char* start, const char* end, header_id& id,
                                          std::size_t& name_size) noexcept {
    if (end - start < 16) return nullptr;
#if defined(__SSE2__)
    const __m128i line = _mm_loadu_si128(reinterpret_cast<const __m128i*>(start));
    const auto stops = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        _mm_cmpeq_epi8(line, _mm_set1_epi8(':')), _mm_cmpeq_epi8(line, _mm_set1_epi8('\r')))));
    if (stops == 0) return nullptr;
    const auto size = static_cast<unsigned>(__builtin_ctz(stops));
    // 0xFF in the lanes up to and including the stop: the name and its colon.
    alignas(16) static constexpr signed char ones_then_zeros[32] = {
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};
    const __m128i keep =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(ones_then_zeros + 15 - size));
    const __m128i key = _mm_and_si128(_mm_or_si128(line, _mm_set1_epi8(0x20)), keep);
    const auto low = static_cast<std::uint64_t>(_mm_cvtsi128_si64(key));
    for (std::size_t h = line_hash(low, size);; h = (h + 1) & (line_bucket_count - 1)) {
        const std::uint8_t k = line_buckets[h];
        if (k == 0) return nullptr;
        const __m128i table_key =
            _mm_load_si128(reinterpret_cast<const __m128i*>(line_keys[k].bytes));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(key, table_key)) == 0xFFFF) {
            id = static_cast<header_id>(line_keys[k].id);
            name_size = size;
            return start + size;
        }
    }
#else
    const char* colon = nullptr;
    for (const char* q = start; q < start + 16; ++q) {
        if (*q == '\r' || *q == '\n') return nullptr;
        if (*q == ':') {
            colon = q;
            break;
        }
    }
    if (colon == nullptr || colon == start || colon[-1] == ' ' || colon[-1] == '\t') return nullptr;
    const auto size = static_cast<std::size_t>(colon - start);
    id = find_header_id(std::string_view(start, size));
    name_size = size;
    return id != header_id::other ? colon : nullptr;
#endif
}

} // namespace parley::detail::header_lookup
