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

inline constexpr auto name_sizes = [] {
    std::array<std::uint8_t, entries.size()> sizes{};
    for (std::size_t i = 0; i < entries.size(); ++i)
        sizes[i] = static_cast<std::uint8_t>(entries[i].name.size());
    return sizes;
}();

/// A header line's name when it is a known one: `start` is a line start in a text ending at
/// `end`. Finds the first ':' among the 16 bytes from `start` with no CR or LF before it, and
/// looks up the name before it (without trailing SP/HT); nullptr when there is no such colon or
/// the name is not in the table (header_id::other), else the colon, with `id` and `name_size`.
/// With SSE2, one load gives the colon, the line ends and the folded name, compared with its
/// folded table name in one step. No CR can be in the name, where OR 0x20 would fold it onto '-'.
inline const char* find_known_header_name(const char* start, const char* end, header_id& id,
                                          std::size_t& name_size) noexcept {
    if (end - start < 16) return nullptr;
    const char* colon = nullptr;
#if defined(__SSE2__)
    const __m128i line = _mm_loadu_si128(reinterpret_cast<const __m128i*>(start));
    const auto colons =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(line, _mm_set1_epi8(':'))));
    if (colons == 0) return nullptr;
    const auto breaks = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        _mm_cmpeq_epi8(line, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(line, _mm_set1_epi8('\n')))));
    if ((breaks & ((colons & (0u - colons)) - 1)) != 0) return nullptr;
    colon = start + __builtin_ctz(colons);
#else
    for (const char* q = start; q < start + 16; ++q) {
        if (*q == '\r' || *q == '\n') return nullptr;
        if (*q == ':') {
            colon = q;
            break;
        }
    }
    if (colon == nullptr) return nullptr;
#endif
    const char* name_end = colon;
    while (name_end > start && (name_end[-1] == ' ' || name_end[-1] == '\t')) --name_end;
    const auto size = static_cast<std::size_t>(name_end - start);
    name_size = size;
#if defined(__SSE2__)
    if (size >= 2) {
        const __m128i folded_name = _mm_or_si128(line, _mm_set1_epi8(0x20));
        const unsigned wanted = (1u << size) - 1;
        for (std::size_t h = hash(size, start[0], start[size - 1]);;
             h = (h + 1) & (bucket_count - 1)) {
            std::uint8_t i = buckets[h];
            if (i == 0) return nullptr;
            if (name_sizes[i] != size) continue;
            const __m128i table_name =
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(folded[i].bytes));
            const auto same =
                static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(folded_name, table_name)));
            if ((same & wanted) == wanted) {
                id = static_cast<header_id>(i);
                return colon;
            }
        }
    }
#endif
    id = find_header_id(std::string_view(start, size));
    return id != header_id::other ? colon : nullptr;
}

} // namespace parley::detail::header_lookup
