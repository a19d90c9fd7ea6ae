// RFC 3261 §17.1.1 and RFC 6026 §7.2: the INVITE client transaction on a manual clock.
#include "harness.hpp"

namespace parley::test {
namespace {

using client_invite_test = transaction_test;

const std::string routes = "Route: <sip:p1.example.com;lr>\r\nRoute: <sip:p2.example.com;lr>\r\n";

TEST_F(client_invite_test, timer_a_doubles_without_cap_and_timer_b_times_out_at_64_t1) {
    transaction_id id = send("INVITE");
    EXPECT_EQ(layer.state(id), transaction_state::calling);
    advance_to(31999);
    // RFC 3261 §17.1.1.2: A = 500, 1000, 2000, 4000, 8000, 16000 (no T2 cap for INVITE).
    EXPECT_EQ(sender.times("INVITE"),
              (std::vector<long long>{0, 500, 1500, 3500, 7500, 15500, 31500}));
    EXPECT_TRUE(tu.events.empty());
    advance_to(32000); // Timer B
    ASSERT_EQ(tu.events.size(), 2u);
    EXPECT_EQ(tu.events[0].what, hook::client_failure);
    EXPECT_EQ(tu.events[0].why, failure_reason::timeout);
    EXPECT_EQ(tu.events[1].what, hook::terminated);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(client_invite_test, non_2xx_final_sends_the_ack_and_timer_d_absorbs_retransmissions) {
    std::string invite = make_request("INVITE", "z9hG4bKc1", routes);
    auto id = layer.send_request(
        {.bytes = invite, .branch = "z9hG4bKc1", .method = "INVITE", .destination = udp_flow()});
    ASSERT_TRUE(id);
    advance_to(700); // one retransmission at 500
    deliver(make_response(invite, 180));
    EXPECT_EQ(layer.state(*id), transaction_state::proceeding);
    advance_to(40000); // RFC 3261 §17.1.1.2: no retransmission and no Timer B in Proceeding
    EXPECT_EQ(sender.times("INVITE"), (std::vector<long long>{0, 500}));
    EXPECT_EQ(layer.state(*id), transaction_state::proceeding);
    deliver(make_response(invite, 486));
    EXPECT_EQ(layer.state(*id), transaction_state::completed);
    ASSERT_EQ(sender.sent.size(), 3u);
    // RFC 3261 §17.1.1.3: Request-URI, Call-ID, From and top Via of the INVITE, the To of the
    // response, the Route headers, CSeq number with ACK.
    EXPECT_EQ(sender.sent[2].bytes, "ACK sip:bob@127.0.0.1 SIP/2.0\r\n"
                                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc1\r\n"
                                    "Route: <sip:p1.example.com;lr>\r\n"
                                    "Route: <sip:p2.example.com;lr>\r\n"
                                    "Max-Forwards: 70\r\n"
                                    "From: Alice <sip:alice@127.0.0.1>;tag=a1\r\n"
                                    "To: Bob <sip:bob@127.0.0.1>;tag=b1\r\n"
                                    "Call-ID: call-1@127.0.0.1\r\n"
                                    "CSeq: 1 ACK\r\n"
                                    "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(sender.sent[2].destination, udp_flow());
    advance_to(50000);
    deliver(make_response(invite, 486)); // retransmitted final: ACK again, TU not told
    ASSERT_EQ(sender.sent.size(), 4u);
    EXPECT_EQ(sender.sent[3].bytes, sender.sent[2].bytes);
    EXPECT_EQ(tu.count(hook::response), 2u); // 180 and 486, once each
    advance_to(71999);                       // Timer D = 32 s after 40000
    EXPECT_EQ(layer.state(*id), transaction_state::completed);
    advance_to(72000);
    EXPECT_EQ(layer.state(*id), std::nullopt);
    EXPECT_EQ(tu.events.back().what, hook::terminated);
}

TEST_F(client_invite_test, final_in_calling_builds_the_ack_from_the_full_invite) {
    std::string invite = make_request("INVITE");
    transaction_id id = send("INVITE");
    deliver(make_response(invite, 603));
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_TRUE(sender.sent[1].bytes.starts_with("ACK sip:bob@127.0.0.1 SIP/2.0\r\n"));
    EXPECT_NE(sender.sent[1].bytes.find("CSeq: 1 ACK\r\n"), std::string::npos);
    advance_to(32000);
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(sender.times("INVITE"), (std::vector<long long>{0})); // A stopped
}

TEST_F(client_invite_test, reliable_transport_no_timer_a_and_timer_d_zero) {
    std::string invite = make_request("INVITE");
    transaction_id id = send("INVITE", "z9hG4bKc1", tcp_flow());
    advance_to(10000);
    EXPECT_EQ(sender.times("INVITE"), (std::vector<long long>{0}));
    deliver(make_response(invite, 404), tcp_flow());
    EXPECT_EQ(layer.state(id), std::nullopt); // D = 0
    EXPECT_EQ(sender.times("ACK"), (std::vector<long long>{10000}));
}

TEST_F(client_invite_test, reliable_transport_timer_b_still_runs) {
    transaction_id id = send("INVITE", "z9hG4bKc1", tcp_flow());
    advance_to(32000);
    EXPECT_EQ(tu.count(hook::client_failure), 1u);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(client_invite_test, rfc6026_accepted_passes_every_2xx_until_timer_m) {
    std::string invite = make_request("INVITE");
    transaction_id id = send("INVITE");
    advance_to(100);
    deliver(make_response(invite, 200));
    EXPECT_EQ(layer.state(id), transaction_state::accepted);
    EXPECT_EQ(sender.sent.size(), 1u); // no ACK: the TU ACKs a 2xx
    advance_to(1000);
    deliver(make_response(invite, 200));       // retransmission
    deliver(make_response(invite, 200, "b2")); // another fork
    deliver(make_response(invite, 486));       // absorbed in Accepted
    EXPECT_EQ(tu.count(hook::response), 3u);
    EXPECT_EQ(sender.times("INVITE"), (std::vector<long long>{0}));
    advance_to(32099);
    EXPECT_EQ(layer.state(id), transaction_state::accepted);
    advance_to(32100); // Timer M = 64*T1 after the 2xx at 100
    EXPECT_EQ(layer.state(id), std::nullopt);
    // After M a 2xx matches nothing: a stray for the TU to ACK.
    deliver(make_response(invite, 200));
    EXPECT_EQ(tu.events.back().what, hook::stray);
    EXPECT_EQ(layer.stats().stray_2xx, 1u);
}

TEST_F(client_invite_test, stray_2xx_and_unmatched_non_2xx) {
    deliver(make_response(make_request("INVITE", "z9hG4bKnobody"), 200));
    deliver(make_response(make_request("INVITE", "z9hG4bKnobody"), 404));
    deliver(make_response(make_request("OPTIONS", "z9hG4bKnobody"), 200));
    ASSERT_EQ(tu.events.size(), 1u);
    EXPECT_EQ(tu.events[0].what, hook::stray);
    EXPECT_EQ(layer.stats().responses_unmatched, 2u);
}

TEST_F(client_invite_test, transport_error_in_calling_and_proceeding) {
    std::string invite = make_request("INVITE");
    transaction_id calling = send("INVITE", "z9hG4bKc1");
    transaction_id proceeding = send("INVITE", "z9hG4bKc2");
    deliver(make_response(make_request("INVITE", "z9hG4bKc2"), 180));
    layer.transport_error(udp_flow());
    EXPECT_EQ(layer.state(calling), std::nullopt);
    EXPECT_EQ(layer.state(proceeding), std::nullopt);
    EXPECT_EQ(tu.count(hook::client_failure), 2u);
    EXPECT_EQ(layer.stats().transport_errors, 2u);
}

TEST_F(client_invite_test, invite_bytes_must_parse) {
    auto id = layer.send_request({.bytes = "INVITE garbage",
                                  .branch = "z9hG4bKc1",
                                  .method = "INVITE",
                                  .destination = udp_flow()});
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error_value().status, 400);
    EXPECT_TRUE(sender.sent.empty());
}

} // namespace
} // namespace parley::test
