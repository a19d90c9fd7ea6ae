#include <parley/base/arena.hpp>

#include <cstdint>
#include <cstdlib>

namespace parley {

void* arena::allocate_slow(std::size_t size, std::size_t align) {
    // Heap blocks double with use so a long message needs few of them.
    std::size_t want = size + align + sizeof(block_header);
    std::size_t block_size = first_size_ > 1024 ? first_size_ : 1024;
    while (block_size < want) block_size *= 2;
    auto* raw = static_cast<char*>(::operator new(block_size));
    auto* header = reinterpret_cast<block_header*>(raw);
    header->next = heap_;
    header->size = block_size;
    heap_ = header;
    heap_bytes_ += block_size;
    cur_ = raw + sizeof(block_header);
    end_ = raw + block_size;
    auto p = reinterpret_cast<std::uintptr_t>(cur_);
    auto aligned = (p + (align - 1)) & ~(std::uintptr_t{align} - 1);
    cur_ = reinterpret_cast<char*>(aligned + size);
    return reinterpret_cast<void*>(aligned);
}

void arena::release_heap() noexcept {
    while (heap_ != nullptr) {
        block_header* next = heap_->next;
        ::operator delete(static_cast<void*>(heap_));
        heap_ = next;
    }
    heap_bytes_ = 0;
}

} // namespace parley
