// arena: monotonic storage for per-message data.
//
// A parsed message keeps its header records, Via list and name-addr lists in one arena so a
// typical message costs at most one heap allocation: the first block lives inside the object
// that owns the arena (inline_arena<N>), and only an unusually large message spills into heap
// blocks. Memory is released all at once by reset() or the destructor; objects placed here must
// be trivially destructible (they are slices and small PODs). Single-threaded; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

namespace parley {

class arena {
public:
    arena() noexcept = default;
    /// Uses [storage, storage + size) as the first block (not owned).
    arena(void* storage, std::size_t size) noexcept
        : first_(static_cast<char*>(storage)), first_size_(size), cur_(first_),
          end_(first_ + size) {}
    arena(const arena&) = delete;
    arena& operator=(const arena&) = delete;
    ~arena() { release_heap(); }

    /// Returns `size` bytes aligned to `align` (a power of two). Never returns null
    /// (std::bad_alloc is fatal by policy).
    void* allocate(std::size_t size, std::size_t align = alignof(std::max_align_t)) {
        auto p = reinterpret_cast<std::uintptr_t>(cur_);
        auto aligned = (p + (align - 1)) & ~(std::uintptr_t{align} - 1);
        if (cur_ != nullptr && aligned + size <= reinterpret_cast<std::uintptr_t>(end_)) {
            cur_ = reinterpret_cast<char*>(aligned + size);
            return reinterpret_cast<void*>(aligned);
        }
        return allocate_slow(size, align);
    }

    template <class T>
    T* allocate_array(std::size_t count) {
        static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
        return static_cast<T*>(allocate(sizeof(T) * count, alignof(T)));
    }

    /// Copies `text` into the arena.
    std::string_view copy(std::string_view text) {
        if (text.empty()) return {};
        auto* p = static_cast<char*>(allocate(text.size(), 1));
        std::memcpy(p, text.data(), text.size());
        return {p, text.size()};
    }

    /// Forgets every allocation; keeps the inline block, frees heap blocks.
    void reset() noexcept {
        if (heap_ != nullptr) release_heap(); // a typical message never left the inline block
        cur_ = first_;
        end_ = first_ + first_size_;
    }

    /// Bytes taken from the heap beyond the inline block (0 for a typical message).
    std::size_t heap_bytes() const noexcept { return heap_bytes_; }

private:
    struct block_header {
        block_header* next;
        std::size_t size;
    };
    void* allocate_slow(std::size_t size, std::size_t align);
    void release_heap() noexcept;

    char* first_ = nullptr;
    std::size_t first_size_ = 0;
    char* cur_ = nullptr;
    char* end_ = nullptr;
    block_header* heap_ = nullptr;
    std::size_t heap_bytes_ = 0;
};

/// An arena whose first block of N bytes lives inside the object.
template <std::size_t N>
class inline_arena : public arena {
public:
    inline_arena() noexcept : arena(storage_, N) {}

private:
    alignas(std::max_align_t) char storage_[N];
};

/// A growable array in an arena, for trivially copyable elements (slices, small records).
/// Growing copies into a fresh arena chunk; the old chunk is simply abandoned.
template <class T>
class arena_vector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    arena_vector() noexcept = default;

    void push_back(arena& a, const T& v) {
        if (size_ == capacity_) grow(a);
        data_[size_++] = v;
    }
    /// Appends a value-initialised element and returns it.
    T& emplace_back(arena& a) {
        if (size_ == capacity_) grow(a);
        // A copy of one value-initialised T: assigning T{} builds a temporary and copies it,
        // and constructing in place zeroes the element with `rep stos`.
        static const T initial{};
        T* slot = data_ + size_++;
        std::memcpy(static_cast<void*>(slot), &initial, sizeof(T));
        return *slot;
    }
    /// Makes room for `n` elements now, so a list whose size is known roughly up front is not
    /// copied at 4, 8, 16, ... elements.
    void reserve(arena& a, std::size_t n) {
        if (n > capacity_) grow_to(a, n);
    }
    void clear() noexcept {
        data_ = nullptr;
        size_ = capacity_ = 0;
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    bool empty() const noexcept { return size_ == 0; }
    /// For a writer that fills the reserved elements through data() and keeps its count in a
    /// local: sets the size to `n` (at most capacity()).
    void set_size(std::size_t n) noexcept { size_ = n; }
    /// Drops the last element (its storage stays in the arena; trivially destructible T).
    void pop_back() noexcept { --size_; }
    T* data() noexcept { return data_; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T& front() noexcept { return data_[0]; }
    const T& front() const noexcept { return data_[0]; }
    T& back() noexcept { return data_[size_ - 1]; }
    const T& back() const noexcept { return data_[size_ - 1]; }
    T* begin() noexcept { return data_; }
    T* end() noexcept { return data_ + size_; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }

private:
    void grow(arena& a) { grow_to(a, capacity_ == 0 ? 4 : capacity_ * 2); }
    void grow_to(arena& a, std::size_t cap) {
        T* fresh = a.allocate_array<T>(cap);
        if (size_ != 0) std::memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
        data_ = fresh;
        capacity_ = cap;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

} // namespace parley
