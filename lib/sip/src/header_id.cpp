#include <parley/sip/header_id.hpp>

#include <parley/base/text.hpp>

#include <array>

namespace parley {
namespace {

struct entry {
    std::string_view name;
    char compact;
};

constexpr std::array entries = {
    entry{"", '\0'},
#define PARLEY_HEADER(id, name, compact) entry{name, compact},
#include <parley/sip/header_table.def>
#undef PARLEY_HEADER
};

// Open-addressing table keyed by (length, first, last) lower-cased: one or two probes and one
// case-insensitive compare per lookup. Built at compile time.
constexpr std::size_t bucket_count = 256;

constexpr std::size_t hash(std::string_view n) noexcept {
    auto first = static_cast<unsigned char>(text::to_lower(n.front()));
    auto last = static_cast<unsigned char>(text::to_lower(n.back()));
    return (n.size() * 37u + first * 11u + last * 3u) & (bucket_count - 1);
}

constexpr std::array<std::uint8_t, bucket_count> make_buckets() {
    std::array<std::uint8_t, bucket_count> b{};
    for (std::size_t i = 1; i < entries.size(); ++i) {
        std::size_t h = hash(entries[i].name);
        while (b[h] != 0) h = (h + 1) & (bucket_count - 1);
        b[h] = static_cast<std::uint8_t>(i);
    }
    return b;
}

constexpr auto buckets = make_buckets();

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

constexpr auto compact = make_compact();

// Table names hold only letters and '-', and `name` only token chars, so OR-ing 0x20 folds case
// exactly: no token char other than the letter itself maps onto a lower-case letter or '-'.
bool same_name(std::string_view table_name, std::string_view name) noexcept {
    if (table_name.size() != name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if ((static_cast<unsigned char>(name[i]) | 0x20u) !=
            (static_cast<unsigned char>(table_name[i]) | 0x20u))
            return false;
    return true;
}

} // namespace

header_id header_id_from_name(std::string_view name) noexcept {
    if (name.empty()) return header_id::other;
    if (name.size() == 1) {
        auto c = static_cast<unsigned char>(name[0]);
        return c < 128 ? static_cast<header_id>(compact[c]) : header_id::other;
    }
    for (std::size_t h = hash(name);; h = (h + 1) & (bucket_count - 1)) {
        std::uint8_t i = buckets[h];
        if (i == 0) return header_id::other;
        if (same_name(entries[i].name, name)) return static_cast<header_id>(i);
    }
}

std::string_view header_name(header_id id) noexcept {
    auto i = static_cast<std::size_t>(id);
    return i < entries.size() ? entries[i].name : std::string_view{};
}

} // namespace parley
