// slice_vector: the growable array inside a session description.
//
// A parsed description keeps its media, attributes and formats in arrays carved from the arena
// the description owns, so parsing costs one heap allocation. slice_vector is the handle to one
// such array: a pointer, a size and a capacity, trivially copyable, never owning. Only the
// description that owns the arena grows or shrinks it (the mutating members take that arena);
// everybody else reads it through a const reference. Single-threaded, like its owner.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

#include <parley/base/arena.hpp>

namespace parley::sdp {

template <class T>
class slice_vector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    slice_vector() noexcept = default;

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    const T& front() const noexcept { return data_[0]; }
    const T& back() const noexcept { return data_[size_ - 1]; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }
    const T* data() const noexcept { return data_; }

    friend bool operator==(const slice_vector& a, const slice_vector& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

    // Mutation: for the owner of `storage` only.
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    T* begin() noexcept { return data_; }
    T* end() noexcept { return data_ + size_; }
    T& back() noexcept { return data_[size_ - 1]; }

    void reserve(arena& storage, std::size_t capacity) {
        if (capacity <= capacity_) return;
        T* fresh = storage.allocate_array<T>(capacity);
        if (size_ != 0) std::memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
        data_ = fresh;
        capacity_ = static_cast<std::uint32_t>(capacity);
    }
    void push_back(arena& storage, const T& v) {
        if (size_ == capacity_)
            reserve(storage, capacity_ == 0 ? first_capacity : std::size_t{capacity_} * 2);
        data_[size_++] = v;
    }
    /// Appends a value-initialised element and returns it, so a record is built in place.
    T& emplace_back(arena& storage) {
        if (size_ == capacity_)
            reserve(storage, capacity_ == 0 ? first_capacity : std::size_t{capacity_} * 2);
        return *::new (static_cast<void*>(data_ + size_++)) T{};
    }
    /// Removes element `i`, keeping the order of the rest.
    void erase(std::size_t i) noexcept {
        if (i >= size_) return;
        if (i + 1 < size_)
            std::memmove(static_cast<void*>(data_ + i), data_ + i + 1, (size_ - i - 1) * sizeof(T));
        --size_;
    }
    void clear() noexcept { size_ = 0; }

private:
    /// The first growth: a few small elements, or one large one (a media description is 168
    /// bytes, and most descriptions have one or two), so an answer fits its first block.
    static constexpr std::size_t first_capacity = sizeof(T) >= 128 ? 1 : 256 / sizeof(T);
    T* data_ = nullptr;
    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = 0;
};

} // namespace parley::sdp
