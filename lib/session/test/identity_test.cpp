#include <parley/session/identity.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

std::unique_ptr<message>
invite_with(const std::string& extra,
            const std::string& from = "\"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1") {
    std::string text = "INVITE sip:bob@example.com SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: " +
                       from +
                       "\r\n"
                       "To: <sip:bob@example.com>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
                       "Contact: <sip:a@h>\r\n" +
                       extra + "Content-Length: 0\r\n\r\n";
    auto m = std::make_unique<message>();
    auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason;
    return m;
}

TEST(identity, from_when_untrusted_even_with_pai) {
    auto m = invite_with("P-Asserted-Identity: \"Boss\" <sip:1000@pbx.example.com>\r\n");
    auto id = identity_from_request(*m, identity_trust::untrusted);
    ASSERT_TRUE(id);
    EXPECT_EQ(id->source, identity_source::from);
    EXPECT_EQ(id->display_name, "Alice Liddell");
    EXPECT_EQ(id->number, "alice");
    EXPECT_EQ(id->presented, presentation::allowed);
}

TEST(identity, pai_then_rpid_when_trusted_with_privacy) {
    auto m =
        invite_with("P-Asserted-Identity: \"Boss\" <sip:1000@pbx.example.com>, <tel:+15551000>\r\n"
                    "Privacy: id\r\n");
    auto id = identity_from_request(*m, identity_trust::trusted);
    ASSERT_TRUE(id);
    EXPECT_EQ(id->source, identity_source::p_asserted_identity);
    EXPECT_EQ(id->display_name, "Boss");
    EXPECT_EQ(id->number, "1000");
    EXPECT_EQ(id->presented, presentation::restricted);

    auto rpid = invite_with("Remote-Party-ID: \"Desk\" <sip:2000;phone-context=x@pbx.example.com>;"
                            "party=calling;privacy=full;screen=yes\r\n");
    id = identity_from_request(*rpid, identity_trust::trusted);
    ASSERT_TRUE(id);
    EXPECT_EQ(id->source, identity_source::remote_party_id);
    EXPECT_EQ(id->number, "2000");
    EXPECT_EQ(id->presented, presentation::restricted);
    EXPECT_EQ(id->screened, screening::passed);

    auto none = invite_with("P-Asserted-Identity: <sip:3000@pbx.example.com>\r\nPrivacy: none\r\n");
    id = identity_from_request(*none, identity_trust::trusted);
    EXPECT_EQ(id->presented, presentation::allowed);
}

TEST(identity, anonymous_from_is_restricted) {
    auto m = invite_with("", "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9");
    auto id = identity_from_request(*m, identity_trust::untrusted);
    ASSERT_TRUE(id);
    EXPECT_TRUE(id->anonymous);
    EXPECT_EQ(id->presented, presentation::restricted);
}

TEST(identity, unusable_pai_falls_back_to_from) {
    auto m = invite_with("P-Asserted-Identity: <mailto:boss@example.com>\r\n");
    auto id = identity_from_request(*m, identity_trust::trusted);
    ASSERT_TRUE(id);
    EXPECT_EQ(id->source, identity_source::from);
}

} // namespace
} // namespace parley
