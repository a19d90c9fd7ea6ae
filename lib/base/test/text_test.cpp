#include <parley/base/text.hpp>

#include <gtest/gtest.h>

namespace parley::text {
namespace {

TEST(text, classes_follow_rfc3261) {
    EXPECT_TRUE(is_token('!'));
    EXPECT_TRUE(is_token('~'));
    EXPECT_FALSE(is_token('('));
    EXPECT_FALSE(is_token(' '));
    EXPECT_TRUE(is(';', user_extra));
    EXPECT_TRUE(is(':', param_extra));
    EXPECT_FALSE(is(';', param_extra));
    EXPECT_TRUE(is('\0', ctl));
    EXPECT_TRUE(is(static_cast<char>(0x7f), ctl));
}

TEST(text, iequals_and_trim) {
    EXPECT_TRUE(iequals("Call-ID", "call-id"));
    EXPECT_FALSE(iequals("Call-ID", "call-i"));
    EXPECT_EQ(trim(" \t a b \r\n"), "a b");
    EXPECT_EQ(trim("   "), "");
}

TEST(text, parse_decimal_checks_range) {
    EXPECT_EQ(parse_decimal("0070"), 70u);
    EXPECT_EQ(parse_decimal("4294967295"), 4294967295u);
    EXPECT_FALSE(parse_decimal("4294967296"));
    EXPECT_FALSE(parse_decimal("256", 255));
    EXPECT_FALSE(parse_decimal(""));
    EXPECT_FALSE(parse_decimal("12a"));
    EXPECT_FALSE(parse_decimal("-1"));
    EXPECT_EQ(parse_decimal("00000000000000000000000001"), 1u);
    // No wrap-around near the top of the range.
    EXPECT_EQ(parse_decimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
    EXPECT_FALSE(parse_decimal("18446744073709551616", UINT64_MAX));
    EXPECT_FALSE(parse_decimal("99999999999999999999", UINT64_MAX));
}

} // namespace
} // namespace parley::text
