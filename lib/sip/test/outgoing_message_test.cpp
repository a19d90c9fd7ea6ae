#include <parley/sip/message.hpp>
#include <parley/sip/outgoing_message.hpp>

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(outgoing_message, edits_headers_idempotently_and_serializes_a_parsable_message) {
    auto m = outgoing_message::request("INVITE", "sip:bob@example.com");
    m.add_header("Via", "SIP/2.0/UDP h;branch=z9hG4bK1");
    m.add_header("f", "<sip:a@example.com>;tag=1");
    m.add_header("To", "<sip:bob@example.com>");
    m.add_header("Call-ID", "c1");
    m.add_header("CSeq", "1 INVITE");
    m.add_header("X-Trace", "one");
    // A supplement running twice must not duplicate what it sets.
    m.set_header("P-Asserted-Identity", "<sip:1000@example.com>");
    m.set_header("P-Asserted-Identity", "<sip:2000@example.com>");
    EXPECT_EQ(m.count("P-Asserted-Identity"), 1u);
    EXPECT_EQ(m.header("p-asserted-identity"), "<sip:2000@example.com>");
    EXPECT_EQ(m.header("From"), "<sip:a@example.com>;tag=1"); // compact name resolved
    m.add_header("X-Trace", "two");
    EXPECT_EQ(m.count("x-trace"), 2u);
    EXPECT_EQ(m.remove_header("X-Trace"), 2u);
    EXPECT_FALSE(m.header("X-Trace"));
    m.set_header("Subject", "a\r\nVia: injected");
    m.set_body("application/sdp", "v=0\r\n");
    std::string bytes = m.serialize();
    message parsed;
    auto r = parse_message(bytes, parsed);
    ASSERT_TRUE(r) << r.error_value().reason << "\n" << bytes;
    EXPECT_EQ(parsed.vias().size(), 1u);
    EXPECT_EQ(parsed.body(), "v=0\r\n");
    EXPECT_EQ(parsed.find("P-Asserted-Identity")->value, "<sip:2000@example.com>");
    EXPECT_EQ(parsed.find(header_id::subject)->value, "a  Via: injected");
}

TEST(outgoing_message, responses_take_the_default_reason) {
    auto m = outgoing_message::response(486);
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.status(), 486);
    EXPECT_TRUE(m.serialize().starts_with("SIP/2.0 486 Busy Here\r\n"));
}

TEST(outgoing_message, known_headers_from_parts_are_one_clean_line) {
    auto m = outgoing_message::response(200, {}, "INVITE");
    m.add_header(header_id::to, {"<sip:bob@example.com>", ";tag=", "abc"});
    m.add_header(header_id::cseq, {"7", " ", "INVITE"});
    m.add_header(header_id::subject, {"a\r\n", "Via: x", ""}); // CR/LF in any part become SP
    m.add_header("X-Odd\r\nName", "v");                        // an unknown name is cleaned too
    EXPECT_EQ(m.header("t"), "<sip:bob@example.com>;tag=abc");
    EXPECT_EQ(m.header("CSeq"), "7 INVITE");
    EXPECT_EQ(m.header("Subject"), "a  Via: x");
    std::string bytes = m.serialize();
    EXPECT_NE(bytes.find("\r\nTo: <sip:bob@example.com>;tag=abc\r\n"), std::string::npos) << bytes;
    EXPECT_NE(bytes.find("\r\nX-Odd  Name: v\r\n"), std::string::npos) << bytes;
    EXPECT_EQ(bytes.find("\r\nVia"), std::string::npos) << bytes;
    // Editing afterwards still finds and replaces those lines.
    m.set_header("To", "<sip:carol@example.com>;tag=abc");
    EXPECT_EQ(m.count("To"), 1u);
    EXPECT_EQ(m.header("To"), "<sip:carol@example.com>;tag=abc");
}

TEST(outgoing_message, a_new_start_line_keeps_every_header_reachable) {
    auto m = outgoing_message::response(100, {}, "INVITE");
    m.add_header("Via", "SIP/2.0/UDP h;branch=z9hG4bK1");
    m.add_header("X-Trace", "one");
    m.set_status(183, "Session Progress Now"); // longer: the headers move along
    EXPECT_EQ(m.header("X-Trace"), "one");
    m.set_status(200); // shorter
    EXPECT_EQ(m.header("Via"), "SIP/2.0/UDP h;branch=z9hG4bK1");
    EXPECT_EQ(m.remove_header("X-Trace"), 1u);
    m.set_header("Subject", "s");
    EXPECT_EQ(m.serialize(), "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                             "Subject: s\r\nContent-Length: 0\r\n\r\n");

    auto r = outgoing_message::request("OPTIONS", "sip:a@example.com");
    r.add_header("Max-Forwards", "70");
    r.set_request_uri("sip:somebody-else@example.com\r\nX: y"); // CR/LF become SP
    EXPECT_EQ(r.header("Max-Forwards"), "70");
    EXPECT_TRUE(r.serialize().starts_with(
        "OPTIONS sip:somebody-else@example.com  X: y SIP/2.0\r\nMax-Forwards: 70\r\n"));
}

TEST(outgoing_message, lines_added_before_the_first_lookup_are_found) {
    // The index is built on the first lookup: every way of adding a line must be found again.
    auto m = outgoing_message::response(200, {}, "INVITE");
    m.add_header(header_id::via, {"SIP/2.0/UDP h;branch=z9hG4bK1"});
    m.add_header(header_id::call_id, {"c1"});
    m.add_header(header_id::cseq, {"1", " ", "INVITE"});
    m.add_header("i", "compact");      // Call-ID by its compact name
    m.add_header("X-Odd:Name", "odd"); // not a token: indexed as written
    m.add_header("X-Plain", "plain");
    m.set_status(180); // moves every line
    EXPECT_EQ(m.count("Call-ID"), 2u);
    EXPECT_EQ(m.header("v"), "SIP/2.0/UDP h;branch=z9hG4bK1");
    EXPECT_EQ(m.header("CSeq"), "1 INVITE");
    EXPECT_EQ(m.header("X-Odd:Name"), "odd");
    EXPECT_EQ(m.header("x-plain"), "plain");
    m.add_header("X-Plain", "again"); // after the index exists: kept in it
    EXPECT_EQ(m.count("X-Plain"), 2u);
    EXPECT_EQ(m.remove_header("Call-ID"), 2u);
    EXPECT_EQ(m.serialize(), "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                             "CSeq: 1 INVITE\r\nX-Odd:Name: odd\r\nX-Plain: plain\r\n"
                             "X-Plain: again\r\nContent-Length: 0\r\n\r\n");
}

TEST(outgoing_message, serialized_as_it_dies_it_gives_the_same_bytes) {
    auto m = outgoing_message::response(200, {}, "INVITE");
    m.add_header(header_id::call_id, {"c1"});
    m.set_body("application/sdp", "v=0\r\n");
    std::string copied = m.serialize();
    EXPECT_EQ(std::move(m).serialize(), copied);
    auto empty = outgoing_message::response(487);
    std::string expected = empty.serialize();
    EXPECT_EQ(std::move(empty).serialize(), expected);
}

} // namespace
} // namespace parley
