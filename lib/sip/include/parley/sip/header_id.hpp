// Known SIP header names as a small enum, from the one table in header_table.def.
// Lookup is case-insensitive and understands the RFC compact forms ("v" is Via).
// Pure; no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace parley {

enum class header_id : std::uint8_t {
    other, ///< not in the table; the message keeps the name as written
#define PARLEY_HEADER(id, name, compact) id,
#include <parley/sip/header_table.def>
#undef PARLEY_HEADER
};

/// The header named `name` (long or compact form, any case), or header_id::other.
header_id header_id_from_name(std::string_view name) noexcept;

/// The canonical long name ("Call-ID"); "" for header_id::other.
std::string_view header_name(header_id id) noexcept;

} // namespace parley
