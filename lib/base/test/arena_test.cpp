#include <parley/base/arena.hpp>

#include <gtest/gtest.h>

#include <cstdint>

namespace parley {
namespace {

TEST(arena, serves_from_the_inline_block_first) {
    inline_arena<256> a;
    void* p = a.allocate(100, 8);
    void* q = a.allocate(100, 8);
    EXPECT_NE(p, q);
    EXPECT_EQ(a.heap_bytes(), 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(q) % 8, 0u);
}

TEST(arena, spills_to_heap_and_reset_returns_to_inline) {
    inline_arena<64> a;
    a.allocate(32, 1);
    a.allocate(5000, 16);
    EXPECT_GE(a.heap_bytes(), 5000u);
    a.reset();
    EXPECT_EQ(a.heap_bytes(), 0u);
    a.allocate(60, 1);
    EXPECT_EQ(a.heap_bytes(), 0u);
}

TEST(arena, works_without_an_inline_block) {
    arena a;
    auto s = a.copy("hello");
    EXPECT_EQ(s, "hello");
    EXPECT_GT(a.heap_bytes(), 0u);
}

TEST(arena_vector, grows_and_keeps_elements) {
    inline_arena<128> a;
    arena_vector<int> v;
    for (int i = 0; i < 1000; ++i) v.push_back(a, i);
    ASSERT_EQ(v.size(), 1000u);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(v[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(v.back(), 999);
    int& e = v.emplace_back(a);
    EXPECT_EQ(e, 0);
}

TEST(arena_vector, reserve_takes_one_block_and_keeps_elements) {
    inline_arena<1024> a;
    arena_vector<int> v;
    v.push_back(a, 7);
    v.reserve(a, 20);
    const int* data = v.begin();
    for (int i = 1; i < 20; ++i) v.push_back(a, i);
    EXPECT_EQ(v.begin(), data); // no growth up to the reserved size
    EXPECT_EQ(v[0], 7);
    EXPECT_EQ(v[19], 19);
    v.reserve(a, 5); // never shrinks
    EXPECT_EQ(v.begin(), data);
    v.push_back(a, 20);
    EXPECT_EQ(v.size(), 21u);
    EXPECT_EQ(v[20], 20);
}

} // namespace
} // namespace parley
