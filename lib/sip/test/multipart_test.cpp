#include <parley/sip/multipart.hpp>

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace parley {
namespace {

std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

media_type type_of(std::string_view value) {
    auto t = parse_media_type(value);
    EXPECT_TRUE(t) << value;
    return t ? *t : media_type{};
}

template <class T>
void expect_error(const result<T>& r, std::string_view reason, std::size_t offset) {
    ASSERT_FALSE(r) << "expected " << reason;
    EXPECT_EQ(r.error_value().status, 400);
    EXPECT_EQ(r.error_value().reason_phrase(), reason);
    EXPECT_EQ(r.error_value().offset, offset);
}

// RFC 3204 / RFC 5621 style: SDP and an ISUP part. The ISUP bytes include NUL, CR and LF.
const std::string isup_bytes = std::string("\x01\x00\x49\x00\x00\x03\x02\x00\x07\x04\x10\x00\x33"
                                           "\x63\x21\x43\x00\x00\x0d\x0a\x0d\x03",
                                           22);
const std::string sdp = crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n"
                             "m=audio 49170 RTP/AVP 0\n");
const std::string sdp_and_isup = crlf("--unique-boundary-1\n"
                                      "Content-Type: application/sdp\n"
                                      "\n") +
                                 sdp +
                                 crlf("\n--unique-boundary-1\n"
                                      "Content-Type: application/ISUP; version=nxv3;\n"
                                      " base=etsi121\n"
                                      "Content-Disposition: signal; handling=optional\n"
                                      "Content-ID: <isup@example.com>\n"
                                      "\n") +
                                 isup_bytes + crlf("\n--unique-boundary-1--\n");

TEST(multipart, sdp_and_isup) {
    auto type = type_of("multipart/mixed; boundary=unique-boundary-1");
    auto body = parse_multipart(type, sdp_and_isup, 1000);
    ASSERT_TRUE(body) << body.error_value().reason << " at " << body.error_value().offset;
    ASSERT_EQ(body->parts.size(), 2u);
    const body_part& first = body->parts[0];
    EXPECT_TRUE(first.is("application", "sdp"));
    EXPECT_EQ(first.body, sdp); // the CRLF before the delimiter belongs to the delimiter
    EXPECT_EQ(first.disposition_type(), "session");
    EXPECT_TRUE(first.required());
    EXPECT_EQ(first.depth, 1u);
    EXPECT_EQ(first.parent, body_part::no_parent);
    EXPECT_EQ(first.offset, 1000 + sdp_and_isup.find("v=0"));
    const body_part& second = body->parts[1];
    EXPECT_TRUE(second.is("application", "isup"));
    EXPECT_EQ(second.content_type.params.find("base"), "etsi121");
    EXPECT_EQ(second.body, isup_bytes);
    EXPECT_EQ(second.disposition_type(), "signal");
    EXPECT_FALSE(second.required());
    EXPECT_EQ(second.content_id, "<isup@example.com>");
    EXPECT_EQ(body->preamble, "");
    EXPECT_EQ(body->epilogue, "");

    auto found = find_sdp(type, sdp_and_isup);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->value(), sdp);

    const std::array<std::string_view, 1> only_sdp{"application/sdp"};
    EXPECT_TRUE(unsupported_required_parts(*body, only_sdp).empty()); // ISUP is optional
}

TEST(multipart, required_parts_not_understood) {
    std::string body = sdp_and_isup;
    body.replace(body.find("handling=optional"), 17, "handling=required");
    auto parsed = parse_multipart(type_of("multipart/mixed;boundary=unique-boundary-1"), body);
    ASSERT_TRUE(parsed);
    const std::array<std::string_view, 1> only_sdp{"application/sdp"};
    auto missing = unsupported_required_parts(*parsed, only_sdp);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0], 1u);
    const std::array<std::string_view, 2> both{"application/sdp", "Application/*"};
    EXPECT_TRUE(unsupported_required_parts(*parsed, both).empty());
    const std::array<std::string_view, 1> anything{"*/*"};
    EXPECT_TRUE(unsupported_required_parts(*parsed, anything).empty());
}

TEST(multipart, alternative_with_quoted_boundary_preamble_epilogue_and_lf) {
    // Bare LF line ends, a quoted boundary with a space, a preamble and an epilogue.
    const std::string body = "This is a preamble.\n"
                             "--=_alt boundary 1\n"
                             "Content-Type: text/plain\n"
                             "\n"
                             "plain\n"
                             "--=_alt boundary 1 \t\n"
                             "Content-Type: application/sdp\n"
                             "\n"
                             "v=0\n"
                             "--=_alt boundary 1--\n"
                             "epilogue\n";
    auto type = type_of("multipart/alternative; boundary=\"=_alt boundary 1\"");
    auto parsed = parse_multipart(type, body);
    ASSERT_TRUE(parsed) << parsed.error_value().reason;
    ASSERT_EQ(parsed->parts.size(), 2u);
    EXPECT_EQ(parsed->preamble, "This is a preamble.");
    EXPECT_EQ(parsed->epilogue, "epilogue\n");
    EXPECT_EQ(parsed->parts[0].body, "plain");
    EXPECT_EQ(parsed->parts[1].body, "v=0");
    auto found = find_sdp(type, body);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->value(), "v=0");
}

TEST(multipart, alternative_inside_mixed_and_the_415_rule) {
    const std::string body = crlf("--outer\n"
                                  "Content-Type: multipart/alternative; boundary=inner\n"
                                  "\n"
                                  "--inner\n"
                                  "Content-Type: application/vnd.a\n"
                                  "\n"
                                  "a\n"
                                  "--inner\n"
                                  "Content-Type: application/sdp\n"
                                  "\n"
                                  "v=0\n"
                                  "--inner--\n"
                                  "--outer\n"
                                  "Content-Type: application/resource-lists+xml\n"
                                  "Content-Disposition: recipient-list\n"
                                  "\n"
                                  "<list/>\n"
                                  "--outer--");
    auto parsed = parse_multipart(type_of("multipart/mixed;boundary=outer"), body);
    ASSERT_TRUE(parsed) << parsed.error_value().reason;
    ASSERT_EQ(parsed->parts.size(), 4u);
    EXPECT_TRUE(parsed->parts[0].is_multipart());
    EXPECT_EQ(parsed->parts[1].parent, 0u);
    EXPECT_EQ(parsed->parts[1].depth, 2u);
    EXPECT_EQ(parsed->parts[2].body, "v=0");
    EXPECT_EQ(parsed->parts[3].parent, body_part::no_parent);
    EXPECT_EQ(parsed->parts[3].body, "<list/>");

    const std::array<std::string_view, 2> sdp_and_lists{"application/sdp",
                                                        "application/resource-lists+xml"};
    EXPECT_TRUE(unsupported_required_parts(*parsed, sdp_and_lists).empty());
    const std::array<std::string_view, 1> lists{"application/resource-lists+xml"};
    auto missing = unsupported_required_parts(*parsed, lists);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0], 0u); // the alternative as a whole: none of its forms is understood
    const std::array<std::string_view, 1> vnd{"application/vnd.a"};
    missing = unsupported_required_parts(*parsed, vnd);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0], 3u);
}

TEST(multipart, empty_parts_are_parts) {
    // RFC 2046 §5.1.1: body-part := MIME-part-headers [CRLF *OCTET]; both may be empty.
    const std::string body = crlf("--b\n"
                                  "\n"
                                  "--b\n"
                                  "--b\n"
                                  "Content-Type: application/sdp\n"
                                  "--b--\n");
    auto parsed = parse_multipart(type_of("multipart/mixed;boundary=b"), body);
    ASSERT_TRUE(parsed) << parsed.error_value().reason;
    ASSERT_EQ(parsed->parts.size(), 3u);
    EXPECT_EQ(parsed->parts[0].body, "");
    EXPECT_TRUE(parsed->parts[0].is("text", "plain")); // RFC 2046 §5.1: the default type
    EXPECT_EQ(parsed->parts[1].headers, "");
    EXPECT_EQ(parsed->parts[1].body, "");
    EXPECT_TRUE(parsed->parts[2].is("application", "sdp"));
    EXPECT_EQ(parsed->parts[2].body, "");
}

TEST(multipart, binary_part_keeps_every_byte) {
    std::string binary("\r\n\0--b\r--b-x\n\0\r", 15);
    const std::string body =
        crlf("--b\nContent-Type: application/octet-stream\n\n") + binary + crlf("\n--b--\n");
    auto parsed = parse_multipart(type_of("multipart/mixed;boundary=b"), body);
    ASSERT_TRUE(parsed) << parsed.error_value().reason;
    ASSERT_EQ(parsed->parts.size(), 1u);
    EXPECT_EQ(parsed->parts[0].body, binary);
}

TEST(multipart, a_longer_boundary_is_not_a_delimiter) {
    const std::string body = crlf("--abc\n\nx\n--abcd\ny\n--abc--");
    auto parsed = parse_multipart(type_of("multipart/mixed;boundary=abc"), body);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->parts.size(), 1u);
    EXPECT_EQ(parsed->parts[0].body, crlf("x\n--abcd\ny"));
}

TEST(multipart, errors) {
    auto mixed = type_of("multipart/mixed;boundary=b");
    expect_error(parse_multipart(mixed, "no delimiter here", 50), "Multipart Boundary Not Found",
                 50);
    const std::string open = crlf("--b\n\nx\n--b\n\ny\n");
    expect_error(parse_multipart(mixed, open, 50), "Missing Multipart Close Delimiter",
                 50 + open.size());
    expect_error(parse_multipart(mixed, crlf("--b--\n"), 50), "Multipart Body Without Parts", 57);
    expect_error(parse_multipart(type_of("multipart/mixed"), "--b\r\n\r\n--b--", 50),
                 "Missing Multipart Boundary", 50);
    expect_error(parse_multipart(type_of("multipart/mixed;boundary=\"a \""), "x", 50),
                 "Bad Multipart Boundary", 50);
    expect_error(parse_multipart(type_of("multipart/mixed;boundary=" + std::string(71, 'a')), "x"),
                 "Bad Multipart Boundary", 0);
    EXPECT_TRUE(parse_multipart(type_of("multipart/mixed;boundary=" + std::string(70, 'a')),
                                "--" + std::string(70, 'a') + "\r\n\r\nx\r\n--" +
                                    std::string(70, 'a') + "--"));
    expect_error(parse_multipart(type_of("application/sdp"), "v=0", 50), "Not A Multipart Body",
                 50);

    const std::string no_colon = crlf("--b\nv=0\n--b--");
    expect_error(parse_multipart(mixed, no_colon, 50), "Bad Body Part Header", 55);
    const std::string bad_type = crlf("--b\nContent-Type: application\n\nx\n--b--");
    expect_error(parse_multipart(mixed, bad_type, 50), "Bad Content-Type",
                 50 + bad_type.find("application") + 11);
    const std::string twice = crlf("--b\nContent-Type: a/b\ncontent-type: c/d\n\nx\n--b--");
    expect_error(parse_multipart(mixed, twice, 50), "Duplicate Body Part Content-Type",
                 50 + twice.find("content-type"));
    const std::string bad_disposition = crlf("--b\nContent-Disposition: ;x\n\nx\n--b--");
    expect_error(parse_multipart(mixed, bad_disposition, 50), "Bad Content-Disposition",
                 50 + bad_disposition.find(";x"));
    const std::string nested_open =
        crlf("--b\nContent-Type: multipart/mixed;boundary=c\n\n--c\n\nx\n--b--");
    expect_error(parse_multipart(mixed, nested_open, 50), "Missing Multipart Close Delimiter",
                 50 + nested_open.find("\r\n--b--"));
    const std::string nested_no_boundary = crlf("--b\nContent-Type: multipart/mixed\n\nx\n--b--");
    expect_error(parse_multipart(mixed, nested_no_boundary, 50), "Missing Multipart Boundary",
                 50 + nested_no_boundary.find("multipart/mixed"));
}

TEST(multipart, every_prefix_and_every_deletion_fails_cleanly) {
    auto type = type_of("multipart/mixed;boundary=unique-boundary-1");
    for (std::size_t n = 0; n <= sdp_and_isup.size(); ++n) {
        const std::string prefix = sdp_and_isup.substr(0, n);
        auto r = parse_multipart(type, prefix, 7);
        if (!r) {
            EXPECT_LE(r.error_value().offset, 7 + prefix.size());
        }
        const std::string deleted =
            sdp_and_isup.substr(0, n) + sdp_and_isup.substr(n + (n < sdp_and_isup.size()));
        auto d = parse_multipart(type, deleted, 7);
        if (!d) {
            EXPECT_LE(d.error_value().offset, 7 + deleted.size());
        }
    }
}

// Nested bodies: "mixed" containing `levels` - 1 nested multiparts, each with one text part.
std::string nested_body(std::size_t levels) {
    std::string body = "leaf";
    for (std::size_t level = levels; level >= 1; --level) {
        std::string boundary = "b" + std::to_string(level);
        std::string inner_type = level == levels
                                     ? "text/plain"
                                     : "multipart/mixed;boundary=b" + std::to_string(level + 1);
        body = "--" + boundary + "\r\nContent-Type: " + inner_type + "\r\n\r\n" + body + "\r\n--" +
               boundary + "--";
    }
    return body;
}

TEST(multipart_limits, depth_at_below_and_above) {
    multipart_options options{.max_parts = 16, .max_depth = 3};
    auto type = type_of("multipart/mixed;boundary=b1");
    // The parts are slices: keep each body alive while its parts are read.
    const std::string two = nested_body(2);
    const std::string three = nested_body(3);
    auto below = parse_multipart(type, two, 0, options);
    ASSERT_TRUE(below) << below.error_value().reason;
    EXPECT_EQ(below->parts.size(), 2u);
    auto at = parse_multipart(type, three, 0, options);
    ASSERT_TRUE(at) << at.error_value().reason;
    ASSERT_EQ(at->parts.size(), 3u);
    EXPECT_EQ(at->parts[2].depth, 3u);
    EXPECT_EQ(at->parts[2].body, "leaf");
    EXPECT_EQ(at->parts[2].parent, 1u);
    const std::string deep = nested_body(4);
    auto above = parse_multipart(type, deep, 0, options);
    expect_error(above, "Multipart Nesting Too Deep", deep.find("--b4"));
}

TEST(multipart_limits, parts_at_below_and_above) {
    auto body_with = [](std::size_t parts) {
        std::string body;
        for (std::size_t i = 0; i < parts; ++i) body += "--b\r\n\r\npart\r\n";
        return body + "--b--";
    };
    multipart_options options{.max_parts = 4, .max_depth = 3};
    auto type = type_of("multipart/mixed;boundary=b");
    const std::string three = body_with(3);
    const std::string four = body_with(4);
    auto below = parse_multipart(type, three, 0, options);
    ASSERT_TRUE(below);
    EXPECT_EQ(below->parts.size(), 3u);
    auto at = parse_multipart(type, four, 0, options);
    ASSERT_TRUE(at);
    EXPECT_EQ(at->parts.size(), 4u);
    const std::string five = body_with(5);
    expect_error(parse_multipart(type, five, 0, options), "Too Many Body Parts", 4 * 13 + 5);
    // Nested parts count too: the container and its part make two.
    options.max_parts = 2;
    EXPECT_TRUE(
        parse_multipart(type_of("multipart/mixed;boundary=b1"), nested_body(2), 0, options));
    options.max_parts = 1;
    EXPECT_FALSE(
        parse_multipart(type_of("multipart/mixed;boundary=b1"), nested_body(2), 0, options));
}

// ---- Through a message --------------------------------------------------------------------------

struct parsed {
    std::string text;
    std::unique_ptr<message> m = std::make_unique<message>();
};

parsed request_with_body(std::string_view content_type, std::string_view body) {
    parsed p;
    p.text = crlf("MESSAGE sip:kumiko@example.org SIP/2.0\n"
                  "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-1\n"
                  "Max-Forwards: 70\n"
                  "To: <sip:kumiko@example.org>\n"
                  "From: <sip:fluffy@example.com>;tag=2fb0dcc9\n"
                  "Call-ID: 3d9485ad0c49859b\n"
                  "CSeq: 1 MESSAGE\n");
    if (!content_type.empty()) p.text += "Content-Type: " + std::string(content_type) + "\r\n";
    p.text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    p.text += body;
    auto r = parse_message(p.text, *p.m);
    EXPECT_TRUE(r) << r.error_value().reason << " at " << r.error_value().offset;
    return p;
}

TEST(multipart_message, find_sdp_in_each_kind_of_body) {
    auto plain = request_with_body("application/sdp", sdp);
    auto found = find_sdp(*plain.m);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->value(), sdp);

    auto mixed = request_with_body("multipart/mixed;boundary=unique-boundary-1", sdp_and_isup);
    found = find_sdp(*mixed.m);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->value(), sdp);
    auto parts = parse_multipart(*mixed.m);
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->parts[0].offset, mixed.text.find("v=0"));

    auto text = request_with_body("text/plain", "hello");
    found = find_sdp(*text.m);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());
    auto none = request_with_body("", "");
    found = find_sdp(*none.m);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());

    // An SDP part that is not the session description (e.g. an early-session) is not picked.
    const std::string early = crlf("--b\nContent-Type: application/sdp\n"
                                   "Content-Disposition: early-session\n\nv=0\n--b--");
    auto other = request_with_body("multipart/mixed;boundary=b", early);
    found = find_sdp(*other.m);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());
}

TEST(multipart_message, boundary_errors_point_at_content_type) {
    auto p = request_with_body("multipart/mixed", "--b\r\n\r\nx\r\n--b--");
    expect_error(find_sdp(*p.m), "Missing Multipart Boundary", p.text.find("multipart/mixed"));
    auto q = request_with_body("multipart/mixed;boundary=zz", "--b\r\n\r\nx\r\n--b--");
    expect_error(parse_multipart(*q.m), "Multipart Boundary Not Found", q.text.find("--b\r\n"));
}

TEST(multipart_message, rfc4475_mpart01) {
    // RFC 4475 §3.1.1.11: the body is framed by Content-Length; its second part is binary.
    const auto path = std::filesystem::path(__FILE__).parent_path() /
                      "../../../../shared/conformance/rfc4475/mpart01.dat";
    std::ifstream file(path, std::ios::binary);
    if (!file) GTEST_SKIP() << "conformance corpus not found at " << path;
    std::stringstream bytes;
    bytes << file.rdbuf();
    const std::string text = bytes.str();
    message m;
    ASSERT_TRUE(parse_message(text, m));
    auto parts = parse_multipart(m);
    ASSERT_TRUE(parts) << parts.error_value().reason << " at " << parts.error_value().offset;
    ASSERT_EQ(parts->parts.size(), 2u);
    EXPECT_TRUE(parts->parts[0].is("text", "plain"));
    EXPECT_EQ(parts->parts[0].body, "Hello");
    EXPECT_TRUE(parts->parts[1].is("application", "octet-stream"));
    EXPECT_NE(parts->parts[1].body.find('\0'), std::string_view::npos);
    EXPECT_NE(parts->parts[1].body.find('\r'), std::string_view::npos);
    const std::size_t binary_start = m.body().find("0\x82\x01R");
    const std::size_t binary_end = m.body().rfind("\r\n--7a9cbec02ceef655--");
    EXPECT_EQ(parts->parts[1].body, m.body().substr(binary_start, binary_end - binary_start));
    auto found = find_sdp(m);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());
    const std::array<std::string_view, 1> text_only{"text/plain"};
    auto missing = unsupported_required_parts(*parts, text_only);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0], 1u);
}

} // namespace
} // namespace parley
