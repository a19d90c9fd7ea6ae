// RFC 3261 §9: CANCEL, on both sides.
#include "harness.hpp"

namespace parley::test {
namespace {

using cancel_test = transaction_test;

TEST_F(cancel_test, server_answers_200_and_tells_the_tu_which_answers_487) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    respond(id, invite, 180);
    std::string cancel = make_request("CANCEL");
    deliver(cancel);
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_EQ(sender.sent[1].bytes, "SIP/2.0 200 OK\r\n"
                                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc1\r\n"
                                    "From: Alice <sip:alice@127.0.0.1>;tag=a1\r\n"
                                    "To: Bob <sip:bob@127.0.0.1>\r\n"
                                    "Call-ID: call-1@127.0.0.1\r\n"
                                    "CSeq: 1 CANCEL\r\n"
                                    "Content-Length: 0\r\n\r\n");
    ASSERT_EQ(tu.events.size(), 2u);
    EXPECT_EQ(tu.events[1].what, hook::cancel);
    EXPECT_EQ(tu.events[1].id, id);
    deliver(cancel); // retransmitted CANCEL: its transaction resends the 200, TU not told
    ASSERT_EQ(sender.sent.size(), 3u);
    EXPECT_EQ(sender.sent[2].bytes, sender.sent[1].bytes);
    EXPECT_EQ(tu.count(hook::cancel), 1u);
    respond(id, invite, 487);
    deliver(make_request("ACK"));
    EXPECT_EQ(layer.state(id), transaction_state::confirmed);
    advance_to(32000); // J of the CANCEL's transaction; I of the INVITE's
    // The CANCEL's own transaction is the layer's: the TU only hears of the INVITE's.
    EXPECT_EQ(tu.count(hook::terminated), 1u);
}

TEST_F(cancel_test, server_answers_481_to_a_cancel_matching_nothing) {
    deliver(make_request("CANCEL", "z9hG4bKnothing"));
    ASSERT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(sender.sent[0].first_line(), "SIP/2.0 481 Call/Transaction Does Not Exist");
    EXPECT_TRUE(tu.events.empty());
    EXPECT_EQ(layer.stats().cancels_unmatched, 1u);
    advance_to(32000);
}

TEST_F(cancel_test, server_cancel_after_the_final_response_is_200_without_effect) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    respond(id, invite, 486);
    deliver(make_request("CANCEL"));
    EXPECT_EQ(sender.sent.back().first_line(), "SIP/2.0 200 OK");
    EXPECT_EQ(tu.count(hook::cancel), 0u);
    deliver(make_request("ACK"));
    advance_to(32000);
}

TEST_F(cancel_test, server_cancel_must_match_sent_by_too) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    std::string cancel = make_request("CANCEL");
    cancel.replace(cancel.find("127.0.0.1:5070"), 14, "127.0.0.1:5071");
    deliver(cancel);
    EXPECT_EQ(sender.sent.back().first_line(), "SIP/2.0 481 Call/Transaction Does Not Exist");
    respond(id, invite, 500);
    deliver(make_request("ACK"));
    advance_to(32000);
}

TEST_F(cancel_test, client_cancel_in_proceeding_sends_the_rfc3261_9_1_cancel) {
    std::string invite =
        make_request("INVITE", "z9hG4bKc1",
                     "Route: <sip:p1.example.com;lr>\r\nContent-Type: application/sdp\r\n");
    auto id = layer.send_request(
        {.bytes = invite, .branch = "z9hG4bKc1", .method = "INVITE", .destination = udp_flow()});
    ASSERT_TRUE(id);
    deliver(make_response(invite, 180));
    advance_to(1000);
    ASSERT_TRUE(layer.cancel(*id));
    ASSERT_EQ(sender.sent.size(), 2u);
    // Same Request-URI, Call-ID, From, To (no tag), CSeq number, top Via (same branch), Route.
    EXPECT_EQ(sender.sent[1].bytes, "CANCEL sip:bob@127.0.0.1 SIP/2.0\r\n"
                                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc1\r\n"
                                    "Route: <sip:p1.example.com;lr>\r\n"
                                    "Max-Forwards: 70\r\n"
                                    "From: Alice <sip:alice@127.0.0.1>;tag=a1\r\n"
                                    "To: Bob <sip:bob@127.0.0.1>\r\n"
                                    "Call-ID: call-1@127.0.0.1\r\n"
                                    "CSeq: 1 CANCEL\r\n"
                                    "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(sender.sent[1].destination, udp_flow());
    advance_to(1500); // the CANCEL is retransmitted by its own transaction (Timer E)
    EXPECT_EQ(sender.times("CANCEL"), (std::vector<long long>{1000, 1500}));
    auto again = layer.cancel(*id);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error_value().status, 500);
    std::string cancel_text = sender.sent[1].bytes;
    deliver(make_response(cancel_text, 200));
    deliver(make_response(invite, 487));
    // The TU sees 180 and 487 for the INVITE, nothing of the CANCEL.
    ASSERT_EQ(tu.count(hook::response), 2u);
    EXPECT_EQ(tu.events[1].status, 487);
    EXPECT_EQ(tu.events[1].id, *id);
    EXPECT_TRUE(sender.sent.back().bytes.starts_with("ACK "));
    auto late = layer.cancel(*id);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error_value().status, 481);
    advance_to(40000);
}

TEST_F(cancel_test, client_cancel_in_calling_waits_for_a_provisional) {
    std::string invite = make_request("INVITE");
    transaction_id id = send("INVITE");
    ASSERT_TRUE(layer.cancel(id));
    EXPECT_EQ(sender.times("CANCEL"), std::vector<long long>{}); // RFC 3261 §9.1
    advance_to(700);
    deliver(make_response(invite, 100));
    EXPECT_EQ(sender.times("CANCEL"), (std::vector<long long>{700}));
    deliver(make_response(sender.sent.back().bytes, 200));
    deliver(make_response(invite, 487));
    advance_to(40000);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(cancel_test, client_gives_up_64_t1_after_cancel_without_a_final) {
    std::string invite = make_request("INVITE");
    transaction_id id = send("INVITE");
    deliver(make_response(invite, 180));
    advance_to(5000);
    ASSERT_TRUE(layer.cancel(id));
    deliver(make_response(sender.sent.back().bytes, 200));
    advance_to(36999);
    EXPECT_EQ(layer.state(id), transaction_state::proceeding);
    advance_to(37000); // RFC 3261 §9.1: 64*T1 after the CANCEL
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(tu.events[1].what, hook::client_failure);
    EXPECT_EQ(tu.events[1].why, failure_reason::timeout);
}

TEST_F(cancel_test, timer_c_cancels_a_transaction_left_ringing) {
    std::string invite = make_request("INVITE");
    transaction_id id = send("INVITE");
    deliver(make_response(invite, 180));
    advance_to(60000);
    deliver(make_response(invite, 183)); // restarts Timer C (181 s by default)
    advance_to(240999);
    EXPECT_EQ(sender.times("CANCEL"), std::vector<long long>{});
    advance_to(241000);
    EXPECT_EQ(sender.times("CANCEL"), (std::vector<long long>{241000}));
    EXPECT_EQ(layer.state(id), transaction_state::proceeding);
    deliver(make_response(sender.sent.back().bytes, 200));
    advance_to(273000); // 64*T1 after the CANCEL, no 487: the TU hears of a timeout
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(tu.count(hook::client_failure), 1u);
}

TEST_F(cancel_test, cancel_refuses_non_invite_and_unknown_ids) {
    transaction_id options = send("OPTIONS");
    EXPECT_FALSE(layer.cancel(options));
    EXPECT_FALSE(layer.cancel(transaction_id{999}));
    layer.transport_error(udp_flow());
}

} // namespace
} // namespace parley::test
