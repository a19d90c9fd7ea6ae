// RFC 3261 §17.2.2: the non-INVITE server transaction on a manual clock.
#include "harness.hpp"

namespace parley::test {
namespace {

using server_non_invite_test = transaction_test;

TEST_F(server_non_invite_test, new_request_reaches_the_tu_once_and_timer_j_is_64_t1) {
    std::string request = make_request("OPTIONS");
    deliver(request);
    ASSERT_EQ(tu.events.size(), 1u);
    EXPECT_EQ(tu.events[0].what, hook::request);
    EXPECT_EQ(tu.events[0].top_via, "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc1");
    transaction_id id = tu.last_server;
    EXPECT_EQ(layer.state(id), transaction_state::trying);
    deliver(request); // RFC 3261 §17.2.2: Trying absorbs retransmissions silently
    EXPECT_TRUE(sender.sent.empty());
    EXPECT_EQ(tu.events.size(), 1u);
    advance_to(1000);
    respond(id, request, 200);
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    ASSERT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(sender.sent[0].first_line(), "SIP/2.0 200 OK");
    EXPECT_EQ(sender.sent[0].destination.remote.to_string(), "127.0.0.1:5070");
    advance_to(20000);
    deliver(request); // Completed resends the final
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_EQ(sender.sent[1].bytes, sender.sent[0].bytes);
    EXPECT_EQ(sender.sent[1].at_ms, 20000);
    EXPECT_EQ(tu.count(hook::request), 1u);
    advance_to(32999); // J = 64*T1 after the final at 1000
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    advance_to(33000);
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(tu.events.back().what, hook::terminated);
    EXPECT_EQ(layer.stats().retransmissions_absorbed, 2u);
    // A second final on a stale id is a no-op error.
    auto late = layer.respond(id, 200, "x");
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error_value().status, 481);
}

TEST_F(server_non_invite_test, proceeding_resends_the_last_provisional) {
    std::string request = make_request("INFO");
    deliver(request);
    transaction_id id = tu.last_server;
    respond(id, request, 183);
    EXPECT_EQ(layer.state(id), transaction_state::proceeding);
    deliver(request);
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_EQ(sender.sent[1].first_line(), "SIP/2.0 183 Session Progress");
    respond(id, request, 486);
    auto second = layer.respond(id, 200, make_response(request, 200));
    ASSERT_FALSE(second); // one final only
    EXPECT_EQ(second.error_value().status, 500);
    advance_to(32000);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(server_non_invite_test, reliable_transport_timer_j_zero) {
    std::string request = make_request("OPTIONS", "z9hG4bKc1", "", "TCP");
    deliver(request, tcp_flow());
    transaction_id id = tu.last_server;
    respond(id, request, 200);
    EXPECT_EQ(layer.state(id), std::nullopt); // RFC 3261 §17.2.2: J = 0
    ASSERT_EQ(sender.sent.size(), 1u);
    EXPECT_EQ(sender.sent[0].destination, tcp_flow()); // §18.2.2: the same connection
}

TEST_F(server_non_invite_test, tu_may_answer_inside_the_hook) {
    std::string request = make_request("OPTIONS", "z9hG4bKc1", "", "TCP");
    tu.answer_requests = [&](const incoming_request& r) {
        auto bytes = response_to(r.request, 200, {.to_tag = "b1", .top_via = r.top_via}).finish();
        EXPECT_TRUE(layer.respond(r.server, 200, bytes));
    };
    deliver(request, tcp_flow());
    ASSERT_EQ(tu.events.size(), 2u);
    EXPECT_EQ(tu.events[1].what, hook::terminated);
    EXPECT_EQ(sender.sent.size(), 1u);
}

TEST_F(server_non_invite_test, responses_carry_the_stamped_top_via) {
    std::string request = make_request("OPTIONS", "z9hG4bKc1;rport");
    flow natted = udp_flow(40000);
    natted.remote = *socket_address::from_numeric("127.0.0.9", 40000);
    deliver(request, natted);
    ASSERT_EQ(tu.events.size(), 1u);
    EXPECT_EQ(tu.events[0].top_via,
              "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc1;rport=40000;received=127.0.0.9");
    transaction_id id = tu.last_server;
    message m;
    ASSERT_TRUE(parse_message(request, m));
    std::string bytes =
        response_to(m, 200, {.to_tag = "b1", .top_via = tu.events[0].top_via}).finish();
    ASSERT_TRUE(layer.respond(id, 200, bytes));
    ASSERT_EQ(sender.sent.size(), 1u);
    // RFC 3581: back to the source address and port.
    EXPECT_EQ(sender.sent[0].destination.remote.to_string(), "127.0.0.9:40000");
    EXPECT_NE(sender.sent[0].bytes.find("rport=40000;received=127.0.0.9"), std::string::npos);
    advance_to(32000);
}

TEST_F(server_non_invite_test, transport_error_reports_a_server_failure) {
    std::string request = make_request("OPTIONS");
    deliver(request);
    transaction_id id = tu.last_server;
    sender.fail_next_ = 1;
    ASSERT_TRUE(layer.respond(id, 200, make_response(request, 200)));
    ASSERT_EQ(tu.events.size(), 3u);
    EXPECT_EQ(tu.events[1].what, hook::server_failure);
    EXPECT_EQ(tu.events[1].why, failure_reason::transport_error);
    EXPECT_EQ(tu.events[2].what, hook::terminated);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(server_non_invite_test, respond_rejects_bad_status_and_stale_ids) {
    std::string request = make_request("OPTIONS");
    deliver(request);
    transaction_id id = tu.last_server;
    EXPECT_FALSE(layer.respond(id, 99, "x"));
    EXPECT_FALSE(layer.respond(id, 700, "x"));
    EXPECT_FALSE(layer.respond(transaction_id{12345}, 200, "x"));
    EXPECT_TRUE(sender.sent.empty());
    layer.transport_error(udp_flow());
    EXPECT_EQ(layer.state(id), std::nullopt);
}

} // namespace
} // namespace parley::test
