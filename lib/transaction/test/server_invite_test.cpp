// RFC 3261 §17.2.1 and RFC 6026 §7.1: the INVITE server transaction on a manual clock.
#include "harness.hpp"

namespace parley::test {
namespace {

using server_invite_test = transaction_test;

TEST_F(server_invite_test, automatic_100_trying_after_200_ms) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    EXPECT_EQ(layer.state(id), transaction_state::proceeding);
    advance_to(199);
    EXPECT_TRUE(sender.sent.empty());
    advance_to(200); // RFC 3261 §17.2.1
    ASSERT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(sender.sent[0].bytes, "SIP/2.0 100 Trying\r\n"
                                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc1\r\n"
                                    "From: Alice <sip:alice@127.0.0.1>;tag=a1\r\n"
                                    "To: Bob <sip:bob@127.0.0.1>\r\n"
                                    "Call-ID: call-1@127.0.0.1\r\n"
                                    "CSeq: 1 INVITE\r\n"
                                    "Content-Length: 0\r\n\r\n");
    deliver(invite); // retransmission: the latest provisional again
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_EQ(sender.sent[1].bytes, sender.sent[0].bytes);
    EXPECT_EQ(tu.count(hook::request), 1u);
    respond(id, invite, 180);
    deliver(invite);
    EXPECT_EQ(sender.sent.back().first_line(), "SIP/2.0 180 Ringing");
    EXPECT_EQ(sender.sent.size(), 4u);
    respond(id, invite, 486);
    deliver(make_request("ACK"));
    advance_to(10000);
}

TEST_F(server_invite_test, no_100_when_the_tu_sends_a_provisional_first) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    advance_to(150);
    respond(id, invite, 180);
    advance_to(5000);
    ASSERT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(sender.sent[0].first_line(), "SIP/2.0 180 Ringing");
    respond(id, invite, 603);
    deliver(make_request("ACK"));
    advance_to(20000);
}

TEST_F(server_invite_test, retransmission_before_any_provisional_sends_100_at_once) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    advance_to(50);
    deliver(invite);
    ASSERT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(sender.sent[0].first_line(), "SIP/2.0 100 Trying");
    EXPECT_EQ(sender.sent[0].at_ms, 50);
    advance_to(1000); // the 200 ms timer was cancelled
    EXPECT_EQ(sender.sent.size(), 1u);
    layer.transport_error(udp_flow());
    EXPECT_EQ(tu.events[1].what, hook::server_failure);
    EXPECT_EQ(tu.events[1].why, failure_reason::transport_error);
    EXPECT_EQ(layer.state(id), transaction_state::proceeding); // RFC 6026 §7.1: it stays
    respond(id, invite, 486);
    advance_to(40000);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(server_invite_test, timer_g_capped_at_t2_and_timer_h_fails_without_ack) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    respond(id, invite, 180);
    advance_to(1000);
    respond(id, invite, 486);
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    advance_to(32999);
    // RFC 3261 §17.2.1: G = 500, 1000, 2000, 4000, then T2 = 4000: from 1000 on.
    EXPECT_EQ(sender.times("SIP/2.0 486"),
              (std::vector<long long>{1000, 1500, 2500, 4500, 8500, 12500, 16500, 20500, 24500,
                                      28500, 32500}));
    EXPECT_EQ(tu.count(hook::server_failure), 0u);
    advance_to(33000); // H = 64*T1 after 1000
    ASSERT_EQ(tu.events.size(), 3u);
    EXPECT_EQ(tu.events[1].what, hook::server_failure);
    EXPECT_EQ(tu.events[1].why, failure_reason::timeout);
    EXPECT_EQ(tu.events[2].what, hook::terminated);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(server_invite_test, ack_confirms_and_timer_i_absorbs_acks) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    respond(id, invite, 404);
    advance_to(700);
    deliver(invite); // Completed: resend the final
    EXPECT_EQ(sender.times("SIP/2.0 404"), (std::vector<long long>{0, 500, 700}));
    advance_to(1000);
    std::string ack = make_request("ACK");
    deliver(ack);
    EXPECT_EQ(layer.state(id), transaction_state::confirmed);
    advance_to(3000);
    deliver(ack);    // absorbed
    deliver(invite); // absorbed too
    EXPECT_EQ(sender.times("SIP/2.0 404"), (std::vector<long long>{0, 500, 700}));
    EXPECT_EQ(tu.count(hook::ack), 0u);
    advance_to(5999); // I = T4 after 1000
    EXPECT_EQ(layer.state(id), transaction_state::confirmed);
    advance_to(6000);
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(tu.count(hook::server_failure), 0u);
}

TEST_F(server_invite_test, reliable_transport_no_timer_g_and_timer_i_zero) {
    std::string invite = make_request("INVITE", "z9hG4bKc1", "", "TCP");
    deliver(invite, tcp_flow());
    transaction_id id = tu.last_server;
    respond(id, invite, 480);
    advance_to(20000);
    EXPECT_EQ(sender.times("SIP/2.0 480"), (std::vector<long long>{0}));
    deliver(make_request("ACK", "z9hG4bKc1", "", "TCP"), tcp_flow());
    EXPECT_EQ(layer.state(id), std::nullopt); // I = 0
}

TEST_F(server_invite_test,
       a_tcp_answer_names_the_sent_by_port_and_the_connection_close_still_arrives) {
    // The client's connection comes from port 40000; its Via names 5070 (RFC 3261 §18.2.2: the
    // port a new connection would go to). The close of that connection reaches the transaction
    // although the two flows name different ports.
    flow from_client = tcp_flow();
    from_client.remote.port = 40000;
    std::string invite = make_request("INVITE", "z9hG4bKc1", "", "TCP");
    deliver(invite, from_client);
    transaction_id id = tu.last_server;
    respond(id, invite, 180);
    ASSERT_FALSE(sender.sent.empty());
    EXPECT_EQ(sender.sent.back().destination.connection, from_client.connection);
    EXPECT_EQ(sender.sent.back().destination.remote.port, 5070);
    layer.transport_error(from_client);
    EXPECT_EQ(tu.count(hook::server_failure), 1u);
    // Another connection's failure, to the same address, is not this transaction's.
    flow other = from_client;
    other.connection = 8;
    other.remote.port = 5070;
    layer.transport_error(other);
    EXPECT_EQ(tu.count(hook::server_failure), 1u);
    advance_to(40000); // RFC 6026 §7.1: it stays until 64*T1 ends it
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(server_invite_test, reliable_transport_timer_h_still_runs) {
    std::string invite = make_request("INVITE", "z9hG4bKc1", "", "TCP");
    deliver(invite, tcp_flow());
    transaction_id id = tu.last_server;
    respond(id, invite, 480);
    advance_to(31999);
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    advance_to(32000);
    EXPECT_EQ(tu.count(hook::server_failure), 1u);
}

TEST_F(server_invite_test, rfc6026_accepted_absorbs_invites_passes_acks_until_timer_l) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    advance_to(100); // the 100 goes out at 200? no: the 2xx comes first
    respond(id, invite, 200);
    EXPECT_EQ(layer.state(id), transaction_state::accepted);
    advance_to(600);
    EXPECT_EQ(sender.sent.size(), 1u); // the transaction does not retransmit a 2xx
    deliver(invite);                   // absorbed, not passed up, nothing resent
    EXPECT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(tu.count(hook::request), 1u);
    respond(id, invite, 200); // the TU's own retransmission goes out
    EXPECT_EQ(sender.times("SIP/2.0 200"), (std::vector<long long>{100, 600}));
    auto wrong = layer.respond(id, 486, make_response(invite, 486));
    EXPECT_FALSE(wrong);
    // An ACK reusing the INVITE's branch matches the transaction and is passed to the TU
    // (RFC 6026 §7.1); the usual 2xx ACK has its own branch and matches nothing.
    deliver(make_request("ACK"));
    deliver(make_request("ACK", "z9hG4bKack2"));
    EXPECT_EQ(tu.count(hook::ack), 2u);
    EXPECT_EQ(layer.stats().acks_unmatched, 1u);
    advance_to(32099);
    EXPECT_EQ(layer.state(id), transaction_state::accepted);
    advance_to(32100); // L = 64*T1 after the 2xx at 100
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(tu.count(hook::server_failure), 0u);
}

TEST_F(server_invite_test, second_final_is_refused) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    respond(id, invite, 486);
    EXPECT_FALSE(layer.respond(id, 200, make_response(invite, 200)));
    EXPECT_FALSE(layer.respond(id, 180, make_response(invite, 180)));
    deliver(make_request("ACK"));
    advance_to(5000);
}

TEST_F(server_invite_test, transport_error_in_completed_and_accepted_informs_the_tu_and_stays) {
    // RFC 6026 §7.1: the INVITE server transaction "MUST remain in its current state"; its
    // timers (H in Completed, L in Accepted) end it.
    std::string one = make_request("INVITE", "z9hG4bKs1");
    std::string two = make_request("INVITE", "z9hG4bKs2");
    deliver(one);
    transaction_id first = tu.last_server;
    deliver(two);
    transaction_id second = tu.last_server;
    respond(first, one, 500);
    respond(second, two, 200);
    layer.transport_error(udp_flow());
    EXPECT_EQ(tu.count(hook::server_failure), 2u);
    EXPECT_EQ(layer.state(first), transaction_state::completed);
    EXPECT_EQ(layer.state(second), transaction_state::accepted);
    // A retransmitted INVITE is still absorbed, not a new request for the TU.
    std::size_t requests = tu.count(hook::request);
    deliver(two);
    EXPECT_EQ(tu.count(hook::request), requests);
    advance_to(now_ms() + 33000);
    EXPECT_EQ(layer.state(first), std::nullopt);
    EXPECT_EQ(layer.state(second), std::nullopt);
}

} // namespace
} // namespace parley::test
