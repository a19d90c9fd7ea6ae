#include <parley/ext/reason.hpp>

#include <parley/session/session.hpp>

#include <gtest/gtest.h>

namespace parley::ext {
namespace {

std::unique_ptr<message> bye_with(std::string_view reason) {
    std::string text =
        "BYE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 2 BYE\r\n";
    if (!reason.empty()) text += "Reason: " + std::string(reason) + "\r\n";
    text += "Content-Length: 0\r\n\r\n";
    auto m = std::make_unique<message>();
    EXPECT_TRUE(parse_message(text, *m, {.buffer = buffer_use::copy}));
    return m;
}

struct fixture : ::testing::Test {
    extension_registry registry;
    registration r =
        registry.add_supplement(std::make_shared<reason_supplement>(),
                                {.methods = {method::invite, method::bye, method::cancel}});
    session s{registry.snapshot(), {.id = 1}};
};

TEST_F(fixture, our_bye_says_normal_clearing_once_or_the_cause_the_session_set) {
    auto bye = outgoing_message::request("BYE", "sip:b@h");
    s.outgoing_request(bye);
    s.outgoing_request(bye); // a reused message: still one Reason
    EXPECT_EQ(bye.count("Reason"), 1u);
    EXPECT_EQ(bye.header("Reason"), "Q.850;cause=16;text=\"Normal call clearing\"");
    ASSERT_TRUE(s.cookies().add_value<int>(reason_cause_cookie, 17));
    s.outgoing_request(bye);
    EXPECT_EQ(bye.header("Reason"), "Q.850;cause=17;text=\"User busy\"");
}

TEST_F(fixture, error_responses_to_invite_carry_a_cause_and_487_does_not) {
    auto busy = outgoing_message::response(486, {}, "INVITE");
    s.outgoing_response(busy);
    EXPECT_EQ(busy.header("Reason"), "Q.850;cause=17;text=\"User busy\"");
    auto terminated = outgoing_message::response(487, {}, "INVITE");
    s.outgoing_response(terminated);
    EXPECT_FALSE(terminated.header("Reason"));
    auto ok = outgoing_message::response(200, {}, "INVITE");
    s.outgoing_response(ok);
    EXPECT_FALSE(ok.header("Reason"));
}

TEST_F(fixture, the_peers_reason_is_kept_for_the_application) {
    EXPECT_TRUE(s.incoming_request(*bye_with("Q.850;cause=16")).proceeds());
    ASSERT_NE(s.cookies().get_value<std::string>(reason_received_cookie), nullptr);
    EXPECT_EQ(*s.cookies().get_value<std::string>(reason_received_cookie), "Q.850;cause=16");
    EXPECT_TRUE(s.incoming_request(*bye_with("SIP;cause=200;text=\"Call completed elsewhere\""))
                    .proceeds());
    EXPECT_EQ(*s.cookies().get_value<std::string>(reason_received_cookie),
              "SIP;cause=200;text=\"Call completed elsewhere\"");
}

} // namespace
} // namespace parley::ext

namespace parley::ext {
namespace {

TEST(reason_response, an_error_to_our_invite_keeps_its_reason) {
    extension_registry registry;
    registration r = registry.add_supplement(
        std::make_shared<reason_supplement>(),
        {.methods = {method::invite}, .phases = {response_phase::before_media}});
    session s{registry.snapshot(), {.id = 1}};
    auto response = [](std::string_view status, std::string_view extra) {
        std::string text = "SIP/2.0 " + std::string(status) +
                           "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\n"
                           "To: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n" +
                           std::string(extra) + "Content-Length: 0\r\n\r\n";
        auto m = std::make_unique<message>();
        EXPECT_TRUE(parse_message(text, *m, {.buffer = buffer_use::copy}));
        return m;
    };
    s.incoming_response(*response("180 Ringing", "Reason: Q.850;cause=1\r\n"),
                        response_phase::before_media);
    EXPECT_EQ(s.cookies().get_value<std::string>(reason_received_cookie), nullptr) << "only errors";
    s.incoming_response(*response("486 Busy Here", "Reason: Q.850;cause=17\r\n"),
                        response_phase::before_media);
    ASSERT_NE(s.cookies().get_value<std::string>(reason_received_cookie), nullptr);
    EXPECT_EQ(*s.cookies().get_value<std::string>(reason_received_cookie), "Q.850;cause=17");
}

} // namespace
} // namespace parley::ext
