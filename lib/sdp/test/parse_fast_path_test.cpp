// The parser's fast paths (parse.cpp) must accept exactly what the general grammar (fields.cpp)
// accepts, with the same fields. These inputs sit on the edges where a fast path hands over to
// the general parser: extra spaces, longer digit runs, slashes, other profiles, CR inside a line.
#include <gtest/gtest.h>

#include <string>

#include <parley/sdp/description.hpp>

namespace {

using parley::sdp::attribute_kind;
using parley::sdp::classify_attribute;
using parley::sdp::session_description;

std::string with_session(std::string_view origin, std::string_view connection,
                         std::string_view rest) {
    std::string text = "v=0\r\n";
    text += origin;
    text += "\r\ns=-\r\n";
    text += connection;
    text += "\r\nt=0 0\r\n";
    text += rest;
    return text;
}

constexpr std::string_view origin = "o=- 1 1 IN IP4 192.0.2.1";
constexpr std::string_view connection = "c=IN IP4 192.0.2.1";
constexpr std::string_view media = "m=audio 49170 RTP/AVP 0\r\n";

session_description must_parse(const std::string& text) {
    auto d = session_description::parse(text);
    EXPECT_TRUE(d) << text << (d ? "" : d.error_value().reason);
    return d ? std::move(*d) : session_description{};
}

parley::error must_fail(const std::string& text) {
    auto d = session_description::parse(text);
    EXPECT_FALSE(d) << text;
    return d ? parley::error{} : d.error_value();
}

TEST(sdp_parse_fast_path, origin_shapes_the_general_parser_accepts) {
    auto d = must_parse(with_session("o=alice  42   0000000000000000007 IN  IP4  host.example ",
                                     connection, media));
    EXPECT_EQ(d.origin().username, "alice");
    EXPECT_EQ(d.origin().session_id, "42");
    EXPECT_EQ(d.origin().session_version, 7u); // 19 digits, value within bounds
    EXPECT_EQ(d.origin().address, "host.example");
    d = must_parse(with_session("o=- 1 999999999999999999 IN IP6 ::1", connection, media));
    EXPECT_EQ(d.origin().session_version, 999'999'999'999'999'999u);
    EXPECT_EQ(d.origin().address_type, "IP6");
}

// The o= session id and address are scanned 16 bytes per step: runs that end just before, at
// and after a step, and a stop byte (HT, NUL-free non-digit) in the second step.
TEST(sdp_parse_fast_path, origin_runs_across_the_16_byte_steps) {
    for (std::size_t n : {1u, 15u, 16u, 17u, 31u, 32u, 33u, 40u}) {
        const std::string id(n, '7');
        const std::string address = std::string(n, 'h') + ".example";
        auto d = must_parse(with_session("o=- " + id + " 2 IN IP4 " + address, connection, media));
        EXPECT_EQ(d.origin().session_id, id) << n;
        EXPECT_EQ(d.origin().session_version, 2u) << n;
        EXPECT_EQ(d.origin().address, address) << n;
    }
    EXPECT_STREQ(
        must_fail(with_session("o=- " + std::string(17, '1') + "x 1 IN IP4 a", connection, media))
            .reason,
        "SDP: bad o= session id");
    EXPECT_STREQ(
        must_fail(with_session("o=- 1 1 IN IP4 " + std::string(17, 'a') + "\tb", connection, media))
            .reason,
        "SDP: bad o= line");
}

TEST(sdp_parse_fast_path, origin_errors_come_from_the_general_parser) {
    EXPECT_STREQ(must_fail(with_session("o=- 1 1 IN IP4 a\tb", connection, media)).reason,
                 "SDP: bad o= line");
    EXPECT_STREQ(must_fail(with_session("o=- 1x 1 IN IP4 a", connection, media)).reason,
                 "SDP: bad o= session id");
    EXPECT_STREQ(
        must_fail(with_session("o=- 1 1000000000000000000 IN IP4 a", connection, media)).reason,
        "SDP: bad o= session version");
    EXPECT_STREQ(must_fail(with_session("o=- 1 1 IN IP4 a\rb", connection, media)).reason,
                 "SDP: bad o= line");
}

TEST(sdp_parse_fast_path, connection_shapes) {
    auto d = must_parse(with_session(origin, "c=IN IP4 001.002.003.004", media));
    EXPECT_EQ(d.connection()->address, "001.002.003.004");
    d = must_parse(with_session(origin, "c=IN IP4 192.0.2.1  ", media));
    EXPECT_EQ(d.connection()->address, "192.0.2.1");
    d = must_parse(with_session(origin, "c=IN IP4 224.2.1.1/127/3", media));
    EXPECT_EQ(d.connection()->address, "224.2.1.1");
    EXPECT_EQ(d.connection()->ttl, 127);
    EXPECT_EQ(d.connection()->address_count, 3u);
    d = must_parse(with_session(origin, "c=IN IP4 media.example", media));
    EXPECT_EQ(d.connection()->address, "media.example");
    EXPECT_STREQ(must_fail(with_session(origin, "c=IN IP4 256.1.1.1", media)).reason,
                 "SDP: bad c= address");
    EXPECT_STREQ(must_fail(with_session(origin, "c=IN IP4 1.2.3.4.5", media)).reason,
                 "SDP: bad c= address");
    EXPECT_STREQ(must_fail(with_session(origin, "c=IN IP4 1234.1.1.1", media)).reason,
                 "SDP: bad c= address");
    EXPECT_STREQ(must_fail(with_session(origin, "c=IN IP4 1.2.3.", media)).reason,
                 "SDP: bad c= address");
    EXPECT_STREQ(must_fail(with_session(origin, "c=IN IP4 1.2.3.4 x", media)).reason,
                 "SDP: bad c= line");
}

TEST(sdp_parse_fast_path, media_shapes) {
    auto d = must_parse(with_session(origin, connection,
                                     "m=audio  049170  RTP/AVP  0127 8 \r\n"
                                     "m=video 9/2 RTP/AVPF 96\r\n"
                                     "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
                                     "m=application 9 TCP/MSRP *\r\n"));
    ASSERT_EQ(d.media().size(), 4u);
    EXPECT_EQ(d.media()[0].port, 49170);
    ASSERT_EQ(d.media()[0].formats.size(), 2u);
    EXPECT_EQ(d.media()[0].formats[0], "0127");
    EXPECT_EQ(d.media()[1].port_count, 2);
    EXPECT_EQ(d.media()[2].proto, "UDP/TLS/RTP/SAVPF");
    EXPECT_EQ(d.media()[2].formats.size(), 2u);
    EXPECT_EQ(d.media()[3].formats[0], "*");
    EXPECT_STREQ(must_fail(with_session(origin, connection, "m=audio 65536 RTP/AVP 0\r\n")).reason,
                 "SDP: bad m= port");
    EXPECT_STREQ(must_fail(with_session(origin, connection, "m=audio 9 RTP/AVP 128\r\n")).reason,
                 "SDP: bad RTP payload type");
    EXPECT_STREQ(must_fail(with_session(origin, connection, "m=audio 9 RTP/AVP \r\n")).reason,
                 "SDP: m= line without formats");
    EXPECT_STREQ(must_fail(with_session(origin, connection, "m=audio 9 RTP/AVP 0\r8\r\n")).reason,
                 "SDP: bad RTP payload type");
}

TEST(sdp_parse_fast_path, known_attribute_names_agree_with_classify_attribute) {
    for (std::string_view name : {"rtpmap", "fmtp", "ptime", "maxptime", "sendrecv", "sendonly",
                                  "recvonly", "inactive", "rtcp", "rtcp-mux", "mid", "group",
                                  "rtcp-fb", "rtpmapx", "sendrecvx", "midi", "f", "x-rtpmap"}) {
        for (std::string_view value : {"", ":", ":v a"}) {
            std::string line = "a=" + std::string(name) + std::string(value) + "\r\n";
            auto d = must_parse(with_session(origin, connection, std::string(media) + line));
            ASSERT_EQ(d.media()[0].attributes.size(), 1u) << line;
            const auto& a = d.media()[0].attributes[0];
            EXPECT_EQ(a.name, name) << line;
            EXPECT_EQ(a.kind, classify_attribute(name)) << line;
            EXPECT_EQ(a.value.has_value(), !value.empty()) << line;
            if (!value.empty()) {
                EXPECT_EQ(*a.value, value.substr(1)) << line;
            }
        }
    }
    EXPECT_EQ(classify_attribute("rtcp-mux"), attribute_kind::rtcp_mux);
}

TEST(sdp_parse_fast_path, attribute_name_ends_only_at_colon_or_line_end) {
    for (std::string_view line :
         {"a=sendrecv\tx\r\n", "a=sendrecv\rx\r\n", "a=rtpmap 0\r\n", "a=:x\r\n", "a=\r\n"}) {
        auto e =
            must_fail(with_session(origin, connection, std::string(media) + std::string(line)));
        EXPECT_STREQ(e.reason, "SDP: bad a= attribute name") << line;
    }
}

TEST(sdp_parse_fast_path, last_line_without_newline_or_with_lone_cr) {
    auto d = must_parse(with_session(origin, connection, "m=audio 9 RTP/AVP 0\r\na=sendrecv"));
    EXPECT_EQ(d.media()[0].attributes[0].kind, attribute_kind::sendrecv);
    d = must_parse(with_session(origin, connection, "m=audio 9 RTP/AVP 0\r\na=ptime:20\r"));
    EXPECT_EQ(*d.media()[0].attributes[0].value, "20");
    d = must_parse(with_session(origin, connection, "m=audio 9 RTP/AVP 0 8"));
    EXPECT_EQ(d.media()[0].formats.size(), 2u);
}

TEST(sdp_parse_fast_path, nul_byte_wins_over_an_earlier_error) {
    std::string text = with_session(origin, connection, "m=audio x RTP/AVP 0\r\na=x");
    text.push_back('\0');
    auto e = must_fail(text);
    EXPECT_STREQ(e.reason, "SDP: NUL byte");
    EXPECT_EQ(e.offset, text.size() - 1);
}

} // namespace
