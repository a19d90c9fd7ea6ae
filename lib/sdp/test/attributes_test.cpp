#include <gtest/gtest.h>

#include <parley/sdp/attributes.hpp>

namespace {

using namespace parley::sdp;

TEST(sdp_attributes, rtpmap_fields) {
    auto m = parse_rtpmap("96 opus/48000/2");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload_type, 96);
    EXPECT_EQ(m->encoding_name, "opus");
    EXPECT_EQ(m->clock_rate, 48000u);
    EXPECT_EQ(m->channels, 2);
    auto pcmu = parse_rtpmap("0 PCMU/8000");
    ASSERT_TRUE(pcmu);
    EXPECT_EQ(pcmu->channels, 0);
    EXPECT_EQ(pcmu->channel_count(), 1);
}

TEST(sdp_attributes, rtpmap_rejects_malformed_values) {
    EXPECT_FALSE(parse_rtpmap("128 X/8000"));
    EXPECT_FALSE(parse_rtpmap("31 LPC"));
    EXPECT_FALSE(parse_rtpmap("0 PCMU/0"));
    EXPECT_FALSE(parse_rtpmap("0 /8000"));
    EXPECT_FALSE(parse_rtpmap("0 PCMU/8000/0"));
    EXPECT_FALSE(parse_rtpmap("0 PCMU/8000 extra"));
    EXPECT_FALSE(parse_rtpmap(""));
}

TEST(sdp_attributes, fmtp_rtcp_group_ptime) {
    auto f = parse_fmtp("101 0-15");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->format, "101");
    EXPECT_EQ(f->parameters, "0-15");
    EXPECT_FALSE(parse_fmtp(""));

    auto r = parse_rtcp("53020");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->port, 53020);
    EXPECT_TRUE(r->address.empty());
    auto r6 = parse_rtcp("53020 IN IP6 2001:db8::1");
    ASSERT_TRUE(r6);
    EXPECT_EQ(r6->address_type, "IP6");
    EXPECT_EQ(r6->address, "2001:db8::1");
    EXPECT_FALSE(parse_rtcp("70000"));
    EXPECT_FALSE(parse_rtcp("5 IN IP4"));

    auto g = parse_group("BUNDLE audio video");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->semantics, "BUNDLE");
    std::string_view tags = g->tags;
    EXPECT_EQ(next_token(tags), "audio");
    EXPECT_EQ(next_token(tags), "video");
    EXPECT_EQ(next_token(tags), "");

    EXPECT_EQ(parse_milliseconds("20"), 20u);
    EXPECT_EQ(parse_milliseconds("22.5"), 22u);
    EXPECT_FALSE(parse_milliseconds("x"));
    EXPECT_FALSE(parse_milliseconds("20.x"));
}

TEST(sdp_attributes, classification_and_directions) {
    EXPECT_EQ(classify_attribute("rtpmap"), attribute_kind::rtpmap);
    EXPECT_EQ(classify_attribute("rtcp-mux"), attribute_kind::rtcp_mux);
    EXPECT_EQ(classify_attribute("maxptime"), attribute_kind::maxptime);
    EXPECT_EQ(classify_attribute("RTPMAP"), attribute_kind::other);
    EXPECT_EQ(classify_attribute("x"), attribute_kind::other);
    EXPECT_EQ(direction_of(attribute_kind::recvonly), direction::recvonly);
    EXPECT_FALSE(direction_of(attribute_kind::mid));
    EXPECT_EQ(to_string(direction::inactive), "inactive");
}

TEST(sdp_attributes, static_payload_types) {
    EXPECT_EQ(static_payload_type(0)->encoding_name, "PCMU");
    EXPECT_EQ(static_payload_type(8)->encoding_name, "PCMA");
    EXPECT_EQ(static_payload_type(9)->clock_rate, 8000u); // RFC 3551: G722 says 8000
    EXPECT_EQ(static_payload_type(10)->channels, 2);
    EXPECT_EQ(static_payload_type(34)->clock_rate, 90000u);
    EXPECT_FALSE(static_payload_type(96));
    EXPECT_FALSE(static_payload_type(1));
}

} // namespace
