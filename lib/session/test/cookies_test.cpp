#include <parley/session/cookies.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley {
namespace {

struct tracked : cookie {
    std::vector<std::string>* log;
    std::string name;
    tracked(std::vector<std::string>* l, std::string n) : log(l), name(std::move(n)) {}
    ~tracked() override { log->push_back(name); }
};

TEST(cookies, add_get_remove_follow_the_seed) {
    std::vector<std::string> destroyed;
    cookie_jar jar;
    EXPECT_TRUE(jar.add("a", std::make_unique<tracked>(&destroyed, "a")));
    EXPECT_FALSE(jar.add("a", std::make_unique<tracked>(&destroyed, "duplicate")));
    EXPECT_EQ(destroyed, std::vector<std::string>{"duplicate"}); // refused cookies are destroyed
    EXPECT_NE(jar.get("a"), nullptr);
    EXPECT_EQ(jar.get("missing"), nullptr);
    EXPECT_TRUE(jar.remove("a"));
    EXPECT_EQ(destroyed.back(), "a"); // remove destroys: the seed's destroy callback
    EXPECT_FALSE(jar.remove("a"));
    EXPECT_EQ(jar.size(), 0u);
}

TEST(cookies, all_destroyed_newest_first_when_the_jar_goes) {
    std::vector<std::string> destroyed;
    {
        cookie_jar jar;
        ASSERT_TRUE(jar.add("first", std::make_unique<tracked>(&destroyed, "first")));
        ASSERT_TRUE(jar.add("second", std::make_unique<tracked>(&destroyed, "second")));
    }
    EXPECT_EQ(destroyed, (std::vector<std::string>{"second", "first"}));
}

TEST(cookies, typed_values) {
    cookie_jar jar;
    ASSERT_TRUE(jar.add_value<int>("count", 41));
    ++*jar.get_value<int>("count");
    EXPECT_EQ(*jar.get_value<int>("count"), 42);
    EXPECT_EQ(jar.get_value<std::string>("count"), nullptr); // wrong type: null, not a crash
}

} // namespace
} // namespace parley
