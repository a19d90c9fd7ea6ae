// RFC 3261 §17.2.3 request matching, including the RFC 2543 fallback, and robustness against
// input that cannot be matched.
#include "harness.hpp"

namespace parley::test {
namespace {

using matching_test = transaction_test;

std::string rfc2543_request(std::string_view method, std::string_view call_id = "old-1") {
    std::string r = make_request(method, "");
    r.replace(r.find("call-1@127.0.0.1"), 16, call_id);
    return r;
}

TEST_F(matching_test, rfc2543_fallback_matches_retransmission_ack_and_cancel) {
    std::string invite = rfc2543_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    deliver(invite); // same Request-URI, From tag, Call-ID, CSeq, top Via: a retransmission
    EXPECT_EQ(tu.count(hook::request), 1u);
    deliver(rfc2543_request("INVITE", "old-2")); // another Call-ID: a new transaction
    EXPECT_EQ(tu.count(hook::request), 2u);
    transaction_id other = tu.last_server;
    deliver(rfc2543_request("CANCEL"));
    EXPECT_EQ(sender.sent.back().first_line(), "SIP/2.0 200 OK");
    ASSERT_EQ(tu.count(hook::cancel), 1u);
    EXPECT_EQ(tu.events.back().id, id);
    respond(id, invite, 487);
    respond(other, rfc2543_request("INVITE", "old-2"), 486);
    std::string ack = rfc2543_request("ACK");
    ack.replace(ack.find("To: Bob <sip:bob@127.0.0.1>"), 27, "To: Bob <sip:bob@127.0.0.1>;tag=b1");
    deliver(ack); // §17.2.3: matches the INVITE (the To tag is the response's)
    EXPECT_EQ(layer.state(id), transaction_state::confirmed);
    EXPECT_EQ(layer.state(other), transaction_state::completed);
    EXPECT_EQ(tu.count(hook::ack), 0u);
    deliver(rfc2543_request("ACK", "old-2"));
    EXPECT_EQ(layer.state(other), transaction_state::confirmed);
    advance_to(40000);
}

TEST_F(matching_test, rfc2543_fallback_differs_on_cseq_and_request_uri) {
    std::string request = rfc2543_request("OPTIONS");
    deliver(request);
    transaction_id first = tu.last_server;
    std::string next_cseq = request;
    next_cseq.replace(next_cseq.find("CSeq: 1"), 7, "CSeq: 2");
    deliver(next_cseq);
    std::string other_uri = request;
    other_uri.replace(0, 25, "OPTIONS sip:carol@127.0.0.1");
    deliver(other_uri);
    EXPECT_EQ(tu.count(hook::request), 3u);
    respond(first, request, 200);
    layer.transport_error(udp_flow());
    EXPECT_EQ(layer.size(), 0u);
}

TEST_F(matching_test, rfc3261_matching_uses_branch_sent_by_and_method) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id first = tu.last_server;
    std::string other_port = invite;
    other_port.replace(other_port.find("127.0.0.1:5070"), 14, "127.0.0.1:5071");
    deliver(other_port); // same branch, other sent-by: another transaction
    transaction_id second = tu.last_server;
    EXPECT_EQ(tu.count(hook::request), 2u);
    deliver(make_request("OPTIONS")); // same branch, other method: another transaction
    EXPECT_EQ(tu.count(hook::request), 3u);
    // A transport error ends the non-INVITE one (RFC 3261 §17.2.4); INVITE server
    // transactions stay (RFC 6026 §7.1) until their final response and timers end them.
    layer.transport_error(udp_flow());
    EXPECT_EQ(layer.size(), 2u);
    EXPECT_EQ(tu.count(hook::server_failure), 2u); // the OPTIONS and the INVITE to 5070
    respond(first, invite, 500);
    respond(second, other_port, 500);
    advance_to(40000);
    EXPECT_EQ(layer.size(), 0u);
}

TEST_F(matching_test, sent_by_host_compares_case_insensitively) {
    std::string request = make_request("OPTIONS");
    request.replace(request.find("127.0.0.1:5070"), 14, "Host.Example:5070");
    deliver(request);
    std::string lower = request;
    lower.replace(lower.find("Host.Example"), 12, "host.example");
    deliver(lower);
    EXPECT_EQ(tu.count(hook::request), 1u);
    EXPECT_EQ(layer.stats().retransmissions_absorbed, 1u);
    respond(tu.last_server, request, 200);
    advance_to(32000);
}

TEST_F(matching_test, unusable_input_is_counted_and_dropped) {
    // (A CSeq method that disagrees with the request line is rejected by the parser already.)
    std::string no_branch_response = make_response(make_request("INVITE", ""), 200);
    deliver(no_branch_response);
    deliver(make_request("ACK", "z9hG4bKlonely")); // the 2xx ACK: to the TU
    EXPECT_EQ(layer.stats().dropped_invalid, 1u);
    EXPECT_EQ(layer.stats().acks_unmatched, 1u);
    ASSERT_EQ(tu.events.size(), 1u);
    EXPECT_EQ(tu.events[0].what, hook::ack);
    EXPECT_TRUE(sender.sent.empty());
    // An ACK for a transaction still proceeding (no final yet) is dropped.
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    deliver(make_request("ACK"));
    EXPECT_EQ(layer.stats().dropped_invalid, 2u);
    respond(id, invite, 500);
    advance_to(40000);
}

TEST_F(matching_test, stale_ids_are_no_ops) {
    std::string request = make_request("OPTIONS", "z9hG4bKc1", "", "TCP");
    deliver(request, tcp_flow());
    transaction_id id = tu.last_server;
    respond(id, request, 200);    // J = 0: gone
    deliver(request, tcp_flow()); // a new transaction with a new id
    EXPECT_NE(tu.last_server, id);
    EXPECT_EQ(tu.last_server.value, id.value + 1);
    EXPECT_FALSE(layer.respond(id, 200, "x"));
    EXPECT_FALSE(layer.cancel(id));
    EXPECT_EQ(layer.state(id), std::nullopt);
    respond(tu.last_server, request, 200);
}

} // namespace
} // namespace parley::test
