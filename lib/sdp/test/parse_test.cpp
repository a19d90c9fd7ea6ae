#include <gtest/gtest.h>

#include <string>

#include <parley/sdp/description.hpp>

namespace {

using parley::sdp::attribute_kind;
using parley::sdp::direction;
using parley::sdp::line_order;
using parley::sdp::parse_options;
using parley::sdp::session_description;

// Every RFC 8866 line type, session and media level, with the attributes we type.
constexpr std::string_view full_sdp = "v=0\r\n"
                                      "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
                                      "s=SDP Seminar\r\n"
                                      "i=A Seminar on the session description protocol\r\n"
                                      "u=http://www.example.com/seminars/sdp.pdf\r\n"
                                      "e=j.doe@example.com (Jane Doe)\r\n"
                                      "p=+1 617 555-6011\r\n"
                                      "c=IN IP4 224.2.17.12/127\r\n"
                                      "b=CT:128\r\n"
                                      "t=2873397496 2873404696\r\n"
                                      "r=7d 1h 0 25h\r\n"
                                      "z=2882844526 -1h 2898848070 0\r\n"
                                      "k=prompt\r\n"
                                      "a=recvonly\r\n"
                                      "a=group:BUNDLE a v\r\n"
                                      "m=audio 49170 RTP/AVP 0 8 101\r\n"
                                      "i=voice\r\n"
                                      "c=IN IP4 192.0.2.1\r\n"
                                      "c=IN IP4 192.0.2.2\r\n"
                                      "b=AS:64\r\n"
                                      "k=clear:secret\r\n"
                                      "a=rtpmap:101 telephone-event/8000\r\n"
                                      "a=fmtp:101 0-16\r\n"
                                      "a=ptime:20\r\n"
                                      "a=maxptime:40\r\n"
                                      "a=sendonly\r\n"
                                      "a=rtcp:53020 IN IP4 192.0.2.3\r\n"
                                      "a=rtcp-mux\r\n"
                                      "a=mid:a\r\n"
                                      "a=x-unknown:kept as is\r\n"
                                      "y=unknown line type\r\n"
                                      "m=video 51372/2 RTP/AVP 99\r\n"
                                      "a=rtpmap:99 h263-1998/90000\r\n"
                                      "a=mid:v\r\n";

session_description must_parse(std::string_view text, const parse_options& options = {}) {
    auto d = session_description::parse(text, options);
    EXPECT_TRUE(d) << (d ? "" : d.error_value().reason) << " at "
                   << (d ? 0 : d.error_value().offset);
    return d ? std::move(*d) : session_description{};
}

parley::error must_fail(std::string_view text, const parse_options& options = {}) {
    auto d = session_description::parse(text, options);
    EXPECT_FALSE(d);
    return d ? parley::error{} : d.error_value();
}

TEST(sdp_parse, every_line_type_session_level) {
    session_description d = must_parse(full_sdp);
    EXPECT_EQ(d.origin().username, "jdoe");
    EXPECT_EQ(d.origin().session_id, "2890844526");
    EXPECT_EQ(d.origin().session_version, 2890842807u);
    EXPECT_EQ(d.origin().network_type, "IN");
    EXPECT_EQ(d.origin().address_type, "IP4");
    EXPECT_EQ(d.origin().address, "10.47.16.5");
    EXPECT_EQ(d.session_name(), "SDP Seminar");
    EXPECT_EQ(d.information(), "A Seminar on the session description protocol");
    EXPECT_EQ(d.uri(), "http://www.example.com/seminars/sdp.pdf");
    ASSERT_EQ(d.emails().size(), 1u);
    EXPECT_EQ(d.emails()[0], "j.doe@example.com (Jane Doe)");
    ASSERT_EQ(d.phones().size(), 1u);
    EXPECT_EQ(d.phones()[0], "+1 617 555-6011");
    ASSERT_TRUE(d.connection());
    EXPECT_EQ(d.connection()->address, "224.2.17.12");
    EXPECT_EQ(d.connection()->ttl, 127);
    EXPECT_FALSE(d.connection()->address_count);
    ASSERT_EQ(d.bandwidths().size(), 1u);
    EXPECT_EQ(d.bandwidths()[0].type, "CT");
    EXPECT_EQ(d.bandwidths()[0].value, 128u);
    ASSERT_EQ(d.timings().size(), 1u);
    EXPECT_EQ(d.timings()[0].start, 2873397496u);
    EXPECT_EQ(d.timings()[0].stop, 2873404696u);
    ASSERT_EQ(d.timings()[0].repeats.size(), 1u);
    EXPECT_EQ(d.timings()[0].repeats[0], "7d 1h 0 25h");
    EXPECT_EQ(d.time_zones(), "2882844526 -1h 2898848070 0");
    EXPECT_EQ(d.key(), "prompt");
    ASSERT_EQ(d.attributes().size(), 2u);
    EXPECT_EQ(d.declared_direction(), direction::recvonly);
    EXPECT_EQ(d.attributes()[1].kind, attribute_kind::group);
    EXPECT_EQ(d.attributes()[1].value, "BUNDLE a v");
    ASSERT_EQ(d.media().size(), 2u);
}

TEST(sdp_parse, every_line_type_media_level) {
    session_description d = must_parse(full_sdp);
    const auto& audio = d.media()[0];
    EXPECT_EQ(audio.media, "audio");
    EXPECT_EQ(audio.port, 49170);
    EXPECT_FALSE(audio.port_count);
    EXPECT_EQ(audio.proto, "RTP/AVP");
    ASSERT_EQ(audio.formats.size(), 3u);
    EXPECT_EQ(audio.formats[2], "101");
    EXPECT_EQ(audio.payload_type(1), 8);
    EXPECT_EQ(audio.information, "voice");
    ASSERT_EQ(audio.connections.size(), 2u);
    EXPECT_EQ(audio.connections[1].address, "192.0.2.2");
    ASSERT_EQ(audio.bandwidths.size(), 1u);
    EXPECT_EQ(audio.bandwidths[0].value, 64u);
    EXPECT_EQ(audio.key, "clear:secret");
    EXPECT_EQ(audio.ptime(), 20u);
    EXPECT_EQ(audio.maxptime(), 40u);
    EXPECT_EQ(audio.declared_direction(), direction::sendonly);
    EXPECT_EQ(d.effective_direction(0), direction::sendonly); // media overrides session
    EXPECT_EQ(d.effective_direction(1), direction::recvonly); // session level applies
    auto rtcp = audio.rtcp();
    ASSERT_TRUE(rtcp);
    EXPECT_EQ(rtcp->port, 53020);
    EXPECT_EQ(rtcp->address, "192.0.2.3");
    EXPECT_TRUE(audio.has_rtcp_mux());
    EXPECT_EQ(audio.mid(), "a");
    auto te = audio.find_rtpmap(101);
    ASSERT_TRUE(te);
    EXPECT_EQ(te->encoding_name, "telephone-event");
    EXPECT_EQ(te->clock_rate, 8000u);
    EXPECT_EQ(audio.find_fmtp("101"), "0-16");
    auto pcma = audio.find_rtpmap(8); // static, no rtpmap line
    ASSERT_TRUE(pcma);
    EXPECT_EQ(pcma->encoding_name, "PCMA");
    ASSERT_EQ(audio.attributes.size(), 9u);
    EXPECT_EQ(audio.attributes[8].name, "x-unknown");
    EXPECT_EQ(audio.attributes[8].value, "kept as is");
    EXPECT_EQ(audio.attributes[8].kind, attribute_kind::other);
    ASSERT_EQ(audio.extensions.size(), 1u);
    EXPECT_EQ(audio.extensions[0].type, 'y');
    EXPECT_EQ(audio.extensions[0].value, "unknown line type");
    const auto& video = d.media()[1];
    EXPECT_EQ(video.port, 51372);
    EXPECT_EQ(video.port_count, 2);
    EXPECT_EQ(video.find_rtpmap(99)->encoding_name, "h263-1998");
    EXPECT_EQ(d.effective_connection(1)->address, "224.2.17.12");
}

TEST(sdp_parse, find_rtpmap_picks_its_payload_type_among_many) {
    auto d = session_description::parse(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 0 96 97 9 101 111\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:96 opus/48000/2\r\n"
        "a=rtpmap:097 iLBC/8000\r\n" // a leading zero: still payload type 97
        "a=rtpmap:9 G722/8000\r\n"
        "a=rtpmap:101  telephone-event/8000\r\n"
        "a=rtpmap:111 bad\r\n"         // unusable: the static table answers for nothing
        "a=rtpmap:111 L16/16000\r\n"); // the first usable line of a payload type wins
    ASSERT_TRUE(d) << d.error_value().reason;
    const auto& m = d->media()[0];
    EXPECT_EQ(m.find_rtpmap(0)->encoding_name, "PCMU");
    EXPECT_EQ(m.find_rtpmap(96)->encoding_name, "opus");
    EXPECT_EQ(m.find_rtpmap(96)->channels, 2);
    EXPECT_EQ(m.find_rtpmap(97)->encoding_name, "iLBC");
    EXPECT_EQ(m.find_rtpmap(9)->encoding_name, "G722");
    EXPECT_EQ(m.find_rtpmap(101)->encoding_name, "telephone-event");
    EXPECT_EQ(m.find_rtpmap(111)->encoding_name, "L16");
    EXPECT_EQ(m.find_rtpmap(8)->encoding_name, "PCMA"); // static, no line
    EXPECT_FALSE(m.find_rtpmap(98));
}

TEST(sdp_parse, lf_only_line_ends_and_no_final_newline) {
    session_description d =
        must_parse("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n"
                   "m=audio 4000 RTP/AVP 0\na=sendrecv");
    ASSERT_EQ(d.media().size(), 1u);
    EXPECT_EQ(d.media()[0].attributes[0].name, "sendrecv");
    EXPECT_EQ(d.session_name(), "-");
}

TEST(sdp_parse, ipv6_unbracketed) {
    session_description d = must_parse("v=0\r\no=assistant 971731711378798081 0 IN IP6 "
                                       "2001:db8::20\r\ns=-\r\nc=IN IP6 2001:db8::20\r\nt=0 0\r\n"
                                       "m=audio 6000 RTP/AVP 2\r\nc=IN IP6 ::ffff:192.0.2.2\r\n");
    EXPECT_TRUE(d.connection()->is_ip6());
    EXPECT_EQ(d.connection()->address, "2001:db8::20");
    EXPECT_EQ(d.media()[0].connections[0].address, "::ffff:192.0.2.2");
    EXPECT_EQ(d.origin().session_id, "971731711378798081");
    auto e = must_fail("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 [2001:db8::1]\r\nt=0 0\r\n");
    EXPECT_STREQ(e.reason, "SDP: bad c= address");
    EXPECT_EQ(e.offset, 30u); // the c= line
}

TEST(sdp_parse, multicast_ip6_count_and_ip4_count) {
    session_description d = must_parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
                                       "c=IN IP4 224.2.1.1/127/3\r\nt=0 0\r\n"
                                       "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 ff15::101/3\r\n");
    EXPECT_EQ(d.connection()->ttl, 127);
    EXPECT_EQ(d.connection()->address_count, 3u);
    EXPECT_FALSE(d.media()[0].connections[0].ttl);
    EXPECT_EQ(d.media()[0].connections[0].address_count, 3u);
}

TEST(sdp_parse, hold_connection_address) {
    session_description d = must_parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
                                       "c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
                                       "m=audio 4002 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n");
    EXPECT_TRUE(d.connection()->is_hold());
    EXPECT_TRUE(d.is_connection_hold(0));
    EXPECT_FALSE(d.is_connection_hold(1));
}

TEST(sdp_parse, declined_stream_without_connection_is_tolerated) {
    session_description d = must_parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
                                       "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n"
                                       "m=video 0 RTP/AVP 31\r\n");
    EXPECT_TRUE(d.media()[1].is_declined());
}

TEST(sdp_parse, rfc4475_sdp01_lpc_rtpmap_without_rate_is_kept) {
    session_description d = must_parse("v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\n"
                                       "c=IN IP4 192.0.2.5\r\nt=0 0\r\n"
                                       "m=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\n"
                                       "a=rtpmap:31 LPC\r\n");
    // The malformed rtpmap stays as text; typed access falls back to the static table.
    EXPECT_EQ(d.media()[1].attributes[0].value, "31 LPC");
    EXPECT_EQ(d.media()[1].find_rtpmap(31)->encoding_name, "H261");
}

TEST(sdp_parse, empty_session_name_tolerated) {
    session_description d =
        must_parse("v=0\r\no=bob 280744730 28977631 IN IP4 host.example.com\r\ns=\r\nt=0 0\r\n"
                   "m=audio 22334 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n");
    EXPECT_EQ(d.session_name(), "");
    EXPECT_EQ(d.origin().address, "host.example.com");
}

struct error_case {
    std::string_view text;
    const char* reason;
    /// The expected offset is where this text first occurs (empty: the end of the input).
    std::string_view at;
};

class sdp_parse_errors : public ::testing::TestWithParam<error_case> {};

TEST_P(sdp_parse_errors, reports_reason_status_and_offset) {
    const error_case& c = GetParam();
    auto e = must_fail(c.text);
    EXPECT_EQ(e.status, 400);
    EXPECT_STREQ(e.reason, c.reason);
    std::size_t expected = c.at.empty() ? c.text.size() : c.text.find(c.at);
    ASSERT_NE(expected, std::string_view::npos);
    EXPECT_EQ(e.offset, expected) << c.reason;
}

constexpr std::string_view head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";

INSTANTIATE_TEST_SUITE_P(
    cases, sdp_parse_errors,
    ::testing::Values(
        error_case{"", "SDP: missing v= line", ""},
        error_case{"o=- 1 1 IN IP4 192.0.2.1\r\n", "SDP: missing v= line", "o="},
        error_case{"v=1\r\n", "SDP: bad v= version", "1"},
        error_case{"v=0\r\ns=-\r\n", "SDP: missing o= line", "s="},
        error_case{"v=0\r\n", "SDP: missing o= line", ""},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", "SDP: missing s= line", "t="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", "SDP: missing t= line", ""},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n",
                   "SDP: missing t= line", "m="},
        error_case{"v=0\r\no=- 1 IN IP4 192.0.2.1\r\n", "SDP: bad o= line", "o="},
        error_case{"v=0\r\no=- x1 1 IN IP4 192.0.2.1\r\n", "SDP: bad o= session id", "o="},
        error_case{"v=0\r\no=- 1 99999999999999999999 IN IP4 h\r\n", "SDP: bad o= session version",
                   "o="},
        error_case{"v=0\r\nxyz\r\n", "SDP: malformed line", "xyz"},
        error_case{"v=0\r\n=x\r\n", "SDP: malformed line", "=x"},
        error_case{"v=0\r\nv=1\r\n", "SDP: missing o= line", "v=1"},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\ns=x\r\n", "SDP: duplicate s= line",
                   "s=x"},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0\r\n", "SDP: bad t= line", "t="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nr=1 2 3\r\n",
                   "SDP: r= line without t=", "r="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nr=7d 1h\r\n",
                   "SDP: bad r= line", "r="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nz=1 2 3\r\n",
                   "SDP: bad z= line", "z="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nb=AS\r\n", "SDP: bad b= line", "b="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4\r\n", "SDP: bad c= line",
                   "c="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 300.1.1.1\r\n",
                   "SDP: bad c= address", "c="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 1.1.1\r\n",
                   "SDP: bad c= address", "c="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 1.1.1.1/256\r\n",
                   "SDP: bad c= TTL", "c="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\n"
                   "c=IN IP4 1.1.1.2\r\n",
                   "SDP: duplicate c= line", "c=IN IP4 1.1.1.2"},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\na=:x\r\n",
                   "SDP: bad a= attribute name", ":x"},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n",
                   "SDP: bad m= port", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n",
                   "SDP: bad m= port", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 1/0 RTP/AVP 0\r\n",
                   "SDP: bad m= port count", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP\r\n",
                   "SDP: m= line without formats", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 128\r\n",
                   "SDP: bad RTP payload type", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 1 R@P 0\r\n",
                   "SDP: bad m= proto", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=au:dio 1 RTP/AVP 0\r\n",
                   "SDP: bad m= media type", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n",
                   "SDP: missing c= line", "m="},
        error_case{"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n"
                   "c=IN IP4 1.1.1.1\r\nt=0 1\r\n",
                   "SDP: session-level line inside a media section", "t=0 1"},
        error_case{std::string_view("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=\0\r\n", 34),
                   "SDP: NUL byte", std::string_view("\0", 1)}));

TEST(sdp_parse, strict_line_order_option) {
    std::string text(head);
    text += "t=0 0\r\nc=IN IP4 192.0.2.1\r\nm=audio 1 RTP/AVP 0\r\na=sendrecv\r\nb=AS:1\r\n";
    // Tolerant (default): c= after t= and b= after a= are accepted.
    session_description d = must_parse(text);
    EXPECT_EQ(d.media()[0].bandwidths[0].value, 1u);
    auto e = must_fail(text, {.order = line_order::strict});
    EXPECT_STREQ(e.reason, "SDP: line out of order");
    EXPECT_EQ(e.offset, text.find("c="));
}

// ---- limits: at, below and above each ---------------------------------------------------------

std::string sdp_with(std::size_t media, std::size_t attributes_per_media) {
    std::string text(head);
    text += "c=IN IP4 192.0.2.1\r\nt=0 0\r\n";
    for (std::size_t m = 0; m < media; ++m) {
        text += "m=audio " + std::to_string(4000 + 2 * m) + " RTP/AVP 0\r\n";
        for (std::size_t a = 0; a < attributes_per_media; ++a) text += "a=x\r\n";
    }
    return text;
}

TEST(sdp_parse_limits, max_bytes) {
    std::string text = sdp_with(1, 0);
    EXPECT_TRUE(session_description::parse(text, {.max_bytes = text.size() + 1}));
    EXPECT_TRUE(session_description::parse(text, {.max_bytes = text.size()}));
    auto e = must_fail(text, {.max_bytes = text.size() - 1});
    EXPECT_STREQ(e.reason, "SDP: too large");
    EXPECT_EQ(e.offset, text.size() - 1);
}

TEST(sdp_parse_limits, max_media) {
    std::string text = sdp_with(3, 0);
    EXPECT_TRUE(session_description::parse(text, {.max_media = 4}));
    EXPECT_TRUE(session_description::parse(text, {.max_media = 3}));
    auto e = must_fail(text, {.max_media = 2});
    EXPECT_STREQ(e.reason, "SDP: too many m= lines");
    EXPECT_EQ(e.offset, text.rfind("m=audio"));
}

TEST(sdp_parse_limits, max_attributes) {
    std::string text = sdp_with(2, 3);
    EXPECT_TRUE(session_description::parse(text, {.max_attributes = 7}));
    EXPECT_TRUE(session_description::parse(text, {.max_attributes = 6}));
    auto e = must_fail(text, {.max_attributes = 5});
    EXPECT_STREQ(e.reason, "SDP: too many attributes");
    EXPECT_EQ(e.offset, text.rfind("a=x"));
}

TEST(sdp_parse_limits, defaults_accept_many_attributes_spilling_the_first_block) {
    session_description d = must_parse(sdp_with(32, 15));
    EXPECT_EQ(d.media().size(), 32u);
    EXPECT_EQ(d.media()[31].attributes.size(), 15u);
    EXPECT_EQ(d.media()[31].port, 4062);
}

} // namespace
