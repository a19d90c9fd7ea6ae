#include <parley/base/result.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

result<int> half(int v) {
    if (v % 2 != 0) return fail(400, "Odd Number", 3);
    return v / 2;
}

result<int> quarter(int v) {
    auto h = half(v);
    PARLEY_TRY(h);
    return half(*h);
}

TEST(result, carries_value_or_error_with_status_and_offset) {
    auto ok = half(8);
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 4);
    auto bad = half(7);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error_value().status, 400);
    EXPECT_EQ(bad.error_value().reason_phrase(), "Odd Number");
    EXPECT_EQ(bad.error_value().offset, 3u);
}

TEST(result, try_propagates_the_first_error) {
    EXPECT_EQ(*quarter(8), 2);
    EXPECT_FALSE(quarter(6)); // 6/2 = 3 is odd
    EXPECT_FALSE(quarter(5));
}

TEST(result, holds_move_only_and_non_trivial_values) {
    result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    ASSERT_TRUE(r);
    auto p = std::move(*r);
    EXPECT_EQ(*p, 5);
    result<std::string> s = std::string(100, 'x');
    result<std::string> copy = s;
    EXPECT_EQ(copy->size(), 100u);
    copy = fail(500, "Server Internal Error");
    EXPECT_FALSE(copy);
}

TEST(result, void_result) {
    result<void> ok;
    EXPECT_TRUE(ok);
    result<void> bad = fail(481, "Call/Transaction Does Not Exist");
    EXPECT_EQ(bad.error_value().status, 481);
}

} // namespace
} // namespace parley
