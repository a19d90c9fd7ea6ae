#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <parley/sdp/description.hpp>

namespace {

using parley::sdp::attribute_kind;
using parley::sdp::connection_field;
using parley::sdp::direction;
using parley::sdp::origin_field;
using parley::sdp::session_description;

constexpr std::string_view audio_offer = "v=0\r\n"
                                         "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
                                         "s=-\r\n"
                                         "c=IN IP4 192.0.2.10\r\n"
                                         "t=0 0\r\n"
                                         "m=audio 49170 RTP/AVP 0 8 9 101\r\n"
                                         "a=rtpmap:0 PCMU/8000\r\n"
                                         "a=rtpmap:8 PCMA/8000\r\n"
                                         "a=rtpmap:9 G722/8000\r\n"
                                         "a=rtpmap:101 telephone-event/8000\r\n"
                                         "a=fmtp:101 0-16\r\n"
                                         "a=ptime:20\r\n"
                                         "a=sendrecv\r\n";

session_description parsed(std::string_view text) {
    auto d = session_description::parse(text);
    EXPECT_TRUE(d) << (d ? "" : d.error_value().reason);
    return d ? std::move(*d) : session_description{};
}

TEST(sdp_serialize, canonical_crlf_text_is_reproduced_byte_for_byte) {
    EXPECT_EQ(parsed(audio_offer).serialize(), audio_offer);
}

TEST(sdp_serialize, lf_input_is_written_with_crlf) {
    std::string lf(audio_offer);
    for (std::size_t i; (i = lf.find("\r\n")) != std::string::npos;) lf.erase(i, 1);
    EXPECT_EQ(parsed(lf).serialize(), audio_offer);
}

TEST(sdp_serialize, round_trip_of_every_line_type_equals_the_model) {
    constexpr std::string_view text = "v=0\r\n"
                                      "o=jdoe 1 2 IN IP6 2001:db8::1\r\n"
                                      "s=x\r\n"
                                      "i=info\r\n"
                                      "u=http://x\r\n"
                                      "e=a@b\r\n"
                                      "e=c@d\r\n"
                                      "p=+1\r\n"
                                      "c=IN IP4 224.2.1.1/127/3\r\n"
                                      "b=CT:1\r\n"
                                      "t=1 2\r\n"
                                      "r=7d 1h 0 25h\r\n"
                                      "t=3 4\r\n"
                                      "z=1 -1h 2 0\r\n"
                                      "k=prompt\r\n"
                                      "a=group:BUNDLE 0\r\n"
                                      "a=tool:\r\n"
                                      "q=extension\r\n"
                                      "m=audio 1/2 RTP/AVP 0\r\n"
                                      "i=m\r\n"
                                      "c=IN IP6 ff15::1/3\r\n"
                                      "c=IN IP4 192.0.2.1\r\n"
                                      "b=AS:2\r\n"
                                      "k=clear:x\r\n"
                                      "a=mid:0\r\n"
                                      "a=empty:\r\n"
                                      "a=flag\r\n"
                                      "w=media extension\r\n"
                                      "m=application 9 UDP/BFCP *\r\n"
                                      "c=IN XYZ whatever/1\r\n";
    session_description first = parsed(text);
    EXPECT_EQ(first.serialize(), text);
    session_description second = parsed(first.serialize());
    EXPECT_EQ(first, second);
    // "a=tool:" (empty value) and "a=flag" (no value) stay distinct.
    EXPECT_EQ(first.attributes()[1].value, "");
    EXPECT_FALSE(first.media()[0].attributes[2].value);
}

TEST(sdp_serialize, out_of_order_input_is_written_in_rfc_order_and_still_equal) {
    session_description d = parsed("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
                                   "a=sendonly\r\nc=IN IP4 192.0.2.1\r\n"
                                   "m=audio 1 RTP/AVP 0\r\na=ptime:20\r\nb=AS:1\r\n");
    EXPECT_EQ(d.serialize(), "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                             "t=0 0\r\na=sendonly\r\nm=audio 1 RTP/AVP 0\r\nb=AS:1\r\n"
                             "a=ptime:20\r\n");
    EXPECT_EQ(parsed(d.serialize()), d);
}

TEST(sdp_serialize, equality_sees_every_difference) {
    session_description a = parsed(audio_offer);
    session_description b = a;
    EXPECT_EQ(a, b);
    b.edit_media(0).set_port(5000);
    EXPECT_NE(a, b);
    b = a;
    b.set_session_version(a.origin().session_version + 1);
    EXPECT_NE(a, b);
    EXPECT_TRUE(a.same_content_as(b));
    b.edit_media(0).set_direction(direction::sendonly);
    EXPECT_FALSE(a.same_content_as(b));
}

TEST(sdp_serialize, copy_is_deep_and_survives_the_original) {
    auto original = std::make_unique<session_description>(parsed(audio_offer));
    session_description copy = *original;
    session_description assigned;
    assigned = *original;
    original.reset();
    EXPECT_EQ(copy.serialize(), audio_offer);
    EXPECT_EQ(assigned, copy);
    session_description moved = std::move(copy);
    EXPECT_EQ(moved.serialize(), audio_offer);
}

TEST(sdp_serialize, build_from_scratch_with_setters) {
    session_description d;
    std::string username = "parley"; // a temporary: the description must copy it
    d.set_origin({.username = username,
                  .session_id = "42",
                  .session_version = 7,
                  .network_type = "IN",
                  .address_type = "IP4",
                  .address = "192.0.2.5"});
    username.assign("XXXXXX");
    d.set_session_name("-");
    d.set_connection(
        connection_field{.network_type = "IN", .address_type = "IP4", .address = "192.0.2.5"});
    d.add_timing({});
    std::vector<std::string_view> formats{"0", "101"};
    d.add_media("audio", 4000, "RTP/AVP", formats)
        .add_attribute("rtpmap", "101 telephone-event/8000")
        .add_attribute("fmtp", "101 0-16")
        .set_direction(direction::recvonly)
        .add_attribute("rtcp-mux");
    EXPECT_EQ(d.serialize(), "v=0\r\no=parley 42 7 IN IP4 192.0.2.5\r\ns=-\r\n"
                             "c=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\n"
                             "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
                             "a=recvonly\r\na=rtcp-mux\r\n");
    EXPECT_EQ(d.media()[0].attributes[3].kind, attribute_kind::rtcp_mux);
    EXPECT_EQ(parsed(d.serialize()), d);
}

TEST(sdp_serialize, editing_a_parsed_description) {
    session_description d = parsed(audio_offer);
    d.edit_media(0)
        .remove_attributes(attribute_kind::rtpmap)
        .remove_attributes("fmtp")
        .set_direction(direction::inactive)
        .set_connection(connection_field{
            .network_type = "IN", .address_type = "IP6", .address = "2001:db8::2"});
    std::vector<std::string_view> formats{"0"};
    d.edit_media(0).set_formats(formats);
    d.set_direction(direction::sendonly);
    d.add_media_copy(d.media()[0]).set_port(0);
    EXPECT_EQ(d.serialize(), "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n"
                             "c=IN IP4 192.0.2.10\r\nt=0 0\r\na=sendonly\r\n"
                             "m=audio 49170 RTP/AVP 0\r\nc=IN IP6 2001:db8::2\r\n"
                             "a=ptime:20\r\na=inactive\r\n"
                             "m=audio 0 RTP/AVP 0\r\nc=IN IP6 2001:db8::2\r\n"
                             "a=ptime:20\r\na=inactive\r\n");
    EXPECT_EQ(d.effective_direction(0), direction::inactive);
    d.set_direction(std::nullopt);
    EXPECT_FALSE(d.declared_direction());
}

TEST(sdp_serialize, serialize_to_appends) {
    std::string out = "prefix|";
    parsed(audio_offer).serialize_to(out);
    EXPECT_EQ(out, "prefix|" + std::string(audio_offer));
}

} // namespace
