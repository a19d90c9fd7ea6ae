#include <parley/sip/message_writer.hpp>

#include <gtest/gtest.h>

namespace parley {
namespace {

const std::string request_text =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bK1\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\n"
    "l: 0\r\n"
    "\r\n";

TEST(message_writer, builds_a_request_that_parses_back) {
    std::string bytes = message_writer::request("OPTIONS", "sip:carol@chicago.example.com")
                            .header(header_id::via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx")
                            .header(header_id::from, "<sip:a@example.com>;tag=1")
                            .header(header_id::to, "<sip:carol@chicago.example.com>")
                            .header(header_id::call_id, "abc")
                            .header(header_id::cseq, "1 OPTIONS")
                            .header(header_id::content_length, "999") // ignored
                            .header("X-Custom", "value")
                            .body("text/plain", "hello")
                            .finish();
    message m;
    auto r = parse_message(bytes, m);
    ASSERT_TRUE(r) << r.error_value().reason;
    EXPECT_EQ(m.method(), method::options);
    EXPECT_EQ(m.body(), "hello");
    EXPECT_TRUE(m.content_type().is("text", "plain"));
    EXPECT_EQ(m.find("x-custom")->value, "value");
    EXPECT_EQ(m.count(header_id::content_length), 1u);
}

TEST(message_writer, values_cannot_inject_headers) {
    std::string bytes =
        message_writer::response(200).header("Subject", "hi\r\nVia: SIP/2.0/UDP evil").finish();
    EXPECT_EQ(bytes, "SIP/2.0 200 OK\r\nSubject: hi  Via: SIP/2.0/UDP evil\r\nContent-Length: "
                     "0\r\n\r\n");
}

TEST(message_writer, response_to_copies_rfc3261_8_2_6_2_headers_and_adds_a_tag) {
    message request;
    ASSERT_TRUE(parse_message(request_text, request));
    std::string bytes = response_to(request, 486, {}, "xyz").finish();
    message response;
    auto r = parse_message(bytes, response);
    ASSERT_TRUE(r) << r.error_value().reason;
    EXPECT_EQ(response.status(), 486);
    EXPECT_EQ(response.reason(), "Busy Here");
    ASSERT_EQ(response.vias().size(), 2u);
    EXPECT_EQ(response.vias()[1].host, "proxy.example.com");
    EXPECT_EQ(response.to().tag, "xyz");
    EXPECT_EQ(response.from().tag, "1928301774");
    EXPECT_EQ(response.cseq().number, 314159u);
    EXPECT_EQ(response.call_id(), "a84b4c76e66710");

    std::string trying = response_to(request, 100, {}, "xyz").finish();
    ASSERT_TRUE(parse_message(trying, response));
    EXPECT_EQ(response.to().tag, ""); // RFC 3261 §8.2.6.1: no tag on 100
}

TEST(message_writer, response_to_puts_the_stamped_top_via_first) {
    message request;
    ASSERT_TRUE(parse_message(request_text, request));
    std::string stamped = "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;"
                          "received=127.0.0.1";
    std::string bytes = response_to(request, 200, {.to_tag = "t", .top_via = stamped}).finish();
    message response;
    ASSERT_TRUE(parse_message(bytes, response));
    ASSERT_EQ(response.vias().size(), 2u);
    EXPECT_EQ(response.top_via().received, "127.0.0.1");
    EXPECT_EQ(response.vias()[1].host, "proxy.example.com");
}

TEST(message_writer, serialize_adds_the_content_length_a_datagram_lacked) {
    // Fuzz finding: a datagram at the header limit without Content-Length serializes to one
    // line more than the limit, so a round trip must allow for it.
    std::string no_length = request_text;
    no_length.erase(no_length.find("l: 0\r\n"), 6);
    message first;
    parse_options at_limit;
    at_limit.limits.max_headers = 7;
    ASSERT_TRUE(parse_message(no_length, first, at_limit));
    std::string again = serialize(first);
    message second;
    EXPECT_FALSE(parse_message(again, second, at_limit));
    at_limit.limits.max_headers = 8;
    ASSERT_TRUE(parse_message(again, second, at_limit));
    EXPECT_EQ(second.find(header_id::content_length)->value, "0");
}

TEST(message_writer, serialize_round_trips) {
    message first;
    ASSERT_TRUE(parse_message(request_text, first));
    std::string again = serialize(first);
    message second;
    ASSERT_TRUE(parse_message(again, second));
    EXPECT_EQ(serialize(second), again);
    EXPECT_EQ(second.headers().size(), first.headers().size());
    EXPECT_EQ(second.top_via().branch, first.top_via().branch);
}

} // namespace
} // namespace parley
