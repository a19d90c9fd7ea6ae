#include <parley/sip/stream_framer.hpp>

#include <gtest/gtest.h>

#include <string>

namespace parley {
namespace {

const std::string msg = "OPTIONS sip:a@example.com SIP/2.0\r\n"
                        "Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
                        "From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\n"
                        "Call-ID: x\r\nCSeq: 1 OPTIONS\r\nl: 5\r\n\r\nhello";

TEST(stream_framer, frames_a_message_only_when_complete) {
    for (std::size_t cut = 0; cut < msg.size(); ++cut) {
        auto f = next_frame(std::string_view(msg).substr(0, cut));
        EXPECT_EQ(f.kind, cut == 0 ? frame_kind::need_more : frame_kind::need_more) << cut;
    }
    auto f = next_frame(msg + "INVITE");
    ASSERT_EQ(f.kind, frame_kind::message);
    EXPECT_EQ(f.length, msg.size());
    message m;
    EXPECT_TRUE(parse_message(std::string_view(msg).substr(0, f.length), m,
                              {.framing = transport_framing::stream}));
}

TEST(stream_framer, keepalives_rfc5626) {
    EXPECT_EQ(next_frame("\r\n\r\n").kind, frame_kind::keepalive_ping);
    EXPECT_EQ(next_frame("\r\n\r\n").length, 4u);
    EXPECT_EQ(next_frame("\r\n").kind, frame_kind::keepalive_pong);
    EXPECT_EQ(next_frame("\r\nOPTIONS").kind, frame_kind::keepalive_pong);
    EXPECT_EQ(next_frame("\r\nOPTIONS").length, 2u);
    EXPECT_EQ(next_frame("\r").kind, frame_kind::need_more);
    EXPECT_EQ(next_frame("\r\n\r").kind, frame_kind::need_more);
    EXPECT_EQ(next_frame("\rX").kind, frame_kind::error);
}

TEST(stream_framer, content_length_is_required_and_checked) {
    std::string no_length = "OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n";
    EXPECT_EQ(next_frame(no_length).kind, frame_kind::error);
    EXPECT_EQ(next_frame(no_length).failure.status, 400);
    std::string negative = "OPTIONS sip:a SIP/2.0\r\nContent-Length: -999\r\n\r\n";
    EXPECT_EQ(next_frame(negative).kind, frame_kind::error);
    std::string conflict = "OPTIONS sip:a SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab";
    EXPECT_EQ(next_frame(conflict).kind, frame_kind::error);
    std::string waiting = "OPTIONS sip:a SIP/2.0\r\nContent-Length: 9999\r\n\r\nab";
    EXPECT_EQ(next_frame(waiting).kind, frame_kind::need_more); // RFC 4475 §3.1.2.2 over TCP
}

TEST(stream_framer, limits_at_below_and_above) {
    parse_limits limits;
    limits.max_message_size = msg.size();
    EXPECT_EQ(next_frame(msg, limits).kind, frame_kind::message);
    limits.max_message_size = msg.size() - 1;
    EXPECT_EQ(next_frame(msg, limits).kind, frame_kind::error);
    EXPECT_EQ(next_frame(msg, limits).failure.status, 513);
    limits = {};
    limits.max_body_size = 5;
    EXPECT_EQ(next_frame(msg, limits).kind, frame_kind::message);
    limits.max_body_size = 4;
    EXPECT_EQ(next_frame(msg, limits).failure.status, 413);
    // A header section that never ends is cut off at the message limit.
    limits = {};
    limits.max_message_size = 100;
    std::string endless(101, 'a');
    EXPECT_EQ(next_frame(endless, limits).kind, frame_kind::error);
    EXPECT_EQ(next_frame(endless.substr(0, 100), limits).kind, frame_kind::need_more);
}

} // namespace
} // namespace parley
