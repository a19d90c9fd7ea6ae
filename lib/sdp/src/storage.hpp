// The heap block a session_description owns: an arena whose first block follows it in the same
// allocation, so a parsed description costs one operator new.
#pragma once

#include <parley/base/arena.hpp>
#include <parley/sdp/description.hpp>

namespace parley::sdp {

struct session_description::storage {
    storage(char* first_block, std::size_t size) noexcept : memory(first_block, size) {}
    /// Allocates the header plus a `first_block`-byte first block.
    static storage* create(std::size_t first_block);

    arena memory;
};

} // namespace parley::sdp
