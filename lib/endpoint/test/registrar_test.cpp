// The registration store's rules (RFC 3261 §10.3 with max_contacts); the REGISTER handling
// itself runs against SIPp (tests/integration/sipp/register_*.xml).
#include <parley/endpoint/registrar.hpp>

#include <gtest/gtest.h>

namespace parley {
namespace {

using clock = registration_store::clock;

TEST(registration_store, adds_refreshes_and_removes_bindings) {
    registration_store store;
    auto now = clock::now();
    EXPECT_EQ(store.apply("6001", false, {{"sip:a@192.0.2.1", 60}}, 2, now),
              registration_store::outcome::applied);
    EXPECT_EQ(store.apply("6001", false, {{"sip:b@192.0.2.2", 120}}, 2, now),
              registration_store::outcome::applied);
    auto both = store.bindings("6001", now);
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[0].contact, "sip:b@192.0.2.2") << "most recent first";
    // A refresh keeps one binding per contact.
    store.apply("6001", false, {{"sip:a@192.0.2.1", 300}}, 2, now);
    EXPECT_EQ(store.bindings("6001", now).size(), 2u);
    EXPECT_EQ(store.bindings("6001", now)[0].contact, "sip:a@192.0.2.1");
    // Expires 0 removes one; "*" removes all.
    store.apply("6001", false, {{"sip:a@192.0.2.1", 0}}, 2, now);
    EXPECT_EQ(store.bindings("6001", now).size(), 1u);
    store.apply("6001", true, {}, 2, now);
    EXPECT_TRUE(store.bindings("6001", now).empty());
}

TEST(registration_store, max_contacts_refuses_the_whole_request) {
    registration_store store;
    auto now = clock::now();
    store.apply("6001", false, {{"sip:a@192.0.2.1", 60}}, 1, now);
    EXPECT_EQ(store.apply("6001", false, {{"sip:b@192.0.2.2", 60}}, 1, now),
              registration_store::outcome::too_many);
    auto kept = store.bindings("6001", now);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].contact, "sip:a@192.0.2.1") << "nothing changed";
    // Replacing in one request (remove one, add one) fits.
    EXPECT_EQ(store.apply("6001", false, {{"sip:a@192.0.2.1", 0}, {"sip:b@192.0.2.2", 60}}, 1, now),
              registration_store::outcome::applied);
}

TEST(registration_store, bindings_expire) {
    registration_store store;
    auto now = clock::now();
    store.apply("6001", false, {{"sip:a@192.0.2.1", 60}}, 1, now);
    EXPECT_EQ(store.bindings("6001", now + std::chrono::seconds(59)).size(), 1u);
    EXPECT_TRUE(store.bindings("6001", now + std::chrono::seconds(60)).empty());
    // An expired binding no longer counts against max_contacts.
    EXPECT_EQ(
        store.apply("6001", false, {{"sip:b@192.0.2.2", 60}}, 1, now + std::chrono::seconds(61)),
        registration_store::outcome::applied);
}

} // namespace
} // namespace parley
