// RFC 3261 §17.1.2: the non-INVITE client transaction on a manual clock.
#include "harness.hpp"

namespace parley::test {
namespace {

using client_non_invite_test = transaction_test;

TEST_F(client_non_invite_test, timer_e_doubles_to_t2_then_timer_f_times_out_at_64_t1) {
    transaction_id id = send("OPTIONS");
    EXPECT_EQ(layer.state(id), transaction_state::trying);
    advance_to(31999);
    // RFC 3261 §17.1.2.2: E = 500, 1000, 2000, then T2 = 4000 every time.
    EXPECT_EQ(sender.times("OPTIONS"), (std::vector<long long>{0, 500, 1500, 3500, 7500, 11500,
                                                               15500, 19500, 23500, 27500, 31500}));
    EXPECT_EQ(tu.count(hook::client_failure), 0u);
    advance_to(32000); // Timer F = 64*T1
    ASSERT_EQ(tu.events.size(), 2u);
    EXPECT_EQ(tu.events[0].what, hook::client_failure);
    EXPECT_EQ(tu.events[0].id, id);
    EXPECT_EQ(tu.events[0].why, failure_reason::timeout);
    EXPECT_EQ(tu.events[1].what, hook::terminated);
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(layer.stats().timeouts, 1u);
    EXPECT_EQ(sender.sent.back().destination, udp_flow());
}

TEST_F(client_non_invite_test, proceeding_resets_timer_e_to_t2) {
    std::string request = make_request("OPTIONS");
    transaction_id id = send("OPTIONS");
    advance_to(600); // one retransmission at 500; next would be at 1500
    deliver(make_response(request, 180));
    EXPECT_EQ(layer.state(id), transaction_state::proceeding);
    advance_to(20000);
    // RFC 3261 §17.1.2.2: in Proceeding, E fires and is reset to T2: 1500, then every 4 s.
    EXPECT_EQ(sender.times("OPTIONS"),
              (std::vector<long long>{0, 500, 1500, 5500, 9500, 13500, 17500}));
    deliver(make_response(request, 200));
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    advance_to(25000); // Timer K = T4 = 5 s
    EXPECT_EQ(layer.state(id), std::nullopt);
    ASSERT_EQ(tu.events.size(), 3u);
    EXPECT_EQ(tu.events[0].status, 180);
    EXPECT_EQ(tu.events[1].status, 200);
    EXPECT_EQ(tu.events[2].what, hook::terminated);
}

TEST_F(client_non_invite_test, completed_absorbs_retransmitted_finals_until_timer_k) {
    std::string request = make_request("OPTIONS");
    transaction_id id = send("OPTIONS");
    advance_to(100);
    deliver(make_response(request, 404));
    advance_to(5099);
    deliver(make_response(request, 404)); // absorbed
    EXPECT_EQ(tu.count(hook::response), 1u);
    EXPECT_EQ(layer.stats().retransmissions_absorbed, 1u);
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    EXPECT_EQ(sender.sent.size(), 1u); // no retransmission after the final
    advance_to(5100);                  // K = T4 after the final at 100
    EXPECT_EQ(layer.state(id), std::nullopt);
    // After K the response matches nothing and is dropped.
    deliver(make_response(request, 404));
    EXPECT_EQ(layer.stats().responses_unmatched, 1u);
}

TEST_F(client_non_invite_test, reliable_transport_no_retransmission_and_timer_k_zero) {
    std::string request = make_request("OPTIONS");
    transaction_id id = send("OPTIONS", "z9hG4bKc1", tcp_flow());
    advance_to(20000);
    EXPECT_EQ(sender.times("OPTIONS"), (std::vector<long long>{0}));
    deliver(make_response(request, 200), tcp_flow());
    // RFC 3261 §17.1.2.2: K = 0 for reliable transports: terminated at once.
    EXPECT_EQ(layer.state(id), std::nullopt);
    ASSERT_EQ(tu.events.size(), 2u);
    EXPECT_EQ(tu.events[0].status, 200);
    EXPECT_EQ(tu.events[1].what, hook::terminated);
}

TEST_F(client_non_invite_test, reliable_transport_timer_f_still_runs) {
    transaction_id id = send("OPTIONS", "z9hG4bKc1", tcp_flow());
    advance_to(31999);
    EXPECT_EQ(layer.state(id), transaction_state::trying);
    advance_to(32000);
    EXPECT_EQ(tu.count(hook::client_failure), 1u);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(client_non_invite_test, responses_match_by_branch_and_cseq_method) {
    std::string request = make_request("OPTIONS");
    transaction_id id = send("OPTIONS");
    // Same branch, other CSeq method: RFC 3261 §17.1.3 says no match.
    std::string other = make_request("INFO");
    std::string other_response = make_response(other, 200);
    deliver(other_response);
    // Same method, other branch: no match either.
    deliver(make_response(make_request("OPTIONS", "z9hG4bKother"), 200));
    EXPECT_EQ(layer.stats().responses_unmatched, 2u);
    EXPECT_EQ(layer.state(id), transaction_state::trying);
    deliver(make_response(request, 200));
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    advance_to(6000);
}

TEST_F(client_non_invite_test, transport_error_fails_the_transaction) {
    transaction_id id = send("OPTIONS");
    flow other = udp_flow(5999);
    layer.transport_error(other); // not ours
    EXPECT_EQ(layer.state(id), transaction_state::trying);
    layer.transport_error(udp_flow());
    ASSERT_EQ(tu.events.size(), 2u);
    EXPECT_EQ(tu.events[0].what, hook::client_failure);
    EXPECT_EQ(tu.events[0].why, failure_reason::transport_error);
    EXPECT_EQ(layer.state(id), std::nullopt);
}

TEST_F(client_non_invite_test, failed_retransmission_fails_the_transaction) {
    transaction_id id = send("OPTIONS");
    sender.fail_next_ = 1;
    advance_to(500);
    EXPECT_EQ(layer.state(id), std::nullopt);
    EXPECT_EQ(tu.events[0].what, hook::client_failure);
    EXPECT_EQ(tu.events[0].why, failure_reason::transport_error);
    EXPECT_EQ(layer.stats().send_failures, 1u);
}

TEST_F(client_non_invite_test, failed_first_send_creates_nothing) {
    sender.fail_next_ = 1;
    auto id = layer.send_request({.bytes = make_request("OPTIONS"),
                                  .branch = "z9hG4bKc1",
                                  .method = "OPTIONS",
                                  .destination = udp_flow()});
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error_value().status, 503);
    EXPECT_TRUE(tu.events.empty());
}

TEST_F(client_non_invite_test, send_request_refuses_ack_empty_branch_and_a_taken_branch) {
    auto ack = layer.send_request({.bytes = make_request("ACK"),
                                   .branch = "z9hG4bKa",
                                   .method = "ACK",
                                   .destination = udp_flow()});
    EXPECT_FALSE(ack);
    auto empty = layer.send_request(
        {.bytes = make_request("OPTIONS"), .method = "OPTIONS", .destination = udp_flow()});
    EXPECT_FALSE(empty);
    transaction_id id = send("OPTIONS");
    auto again = layer.send_request({.bytes = make_request("OPTIONS"),
                                     .branch = "z9hG4bKc1",
                                     .method = "OPTIONS",
                                     .destination = udp_flow()});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error_value().status, 482);
    layer.transport_error(udp_flow());
    EXPECT_EQ(layer.state(id), std::nullopt);
}

} // namespace
} // namespace parley::test
