// The transaction limit (at, below, above), timer settings, and the size of a transaction.
#include "harness.hpp"

#include "client_invite.hpp"
#include "client_non_invite.hpp"
#include "server_invite.hpp"
#include "server_non_invite.hpp"

#include <cstdio>

namespace parley::test {
namespace {

class limits_test : public transaction_test {
protected:
    limits_test()
        : transaction_test({.limits = {.max_transactions = 2, .retry_after_seconds = 7}}) {}
};

TEST_F(limits_test, below_at_and_above_the_limit) {
    std::string one = make_request("OPTIONS", "z9hG4bKs1");
    deliver(one); // below: 0 -> 1
    transaction_id server = tu.last_server;
    transaction_id client = send("OPTIONS", "z9hG4bKc1"); // at: 1 -> 2
    EXPECT_EQ(layer.size(), 2u);
    // Above: a new request is answered 503 with Retry-After and no state; the TU never sees it.
    std::string three = make_request("INVITE", "z9hG4bKs3");
    deliver(three);
    EXPECT_EQ(layer.size(), 2u);
    EXPECT_EQ(tu.count(hook::request), 1u);
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_EQ(sender.sent[1].bytes, "SIP/2.0 503 Service Unavailable\r\n"
                                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKs3\r\n"
                                    "From: Alice <sip:alice@127.0.0.1>;tag=a1\r\n"
                                    "To: Bob <sip:bob@127.0.0.1>\r\n"
                                    "Call-ID: call-1@127.0.0.1\r\n"
                                    "CSeq: 1 INVITE\r\n"
                                    "Retry-After: 7\r\n"
                                    "Content-Length: 0\r\n\r\n");
    // ... and a new client request is refused.
    auto refused = layer.send_request({.bytes = make_request("OPTIONS", "z9hG4bKc2"),
                                       .branch = "z9hG4bKc2",
                                       .method = "OPTIONS",
                                       .destination = udp_flow()});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error_value().status, 503);
    EXPECT_EQ(layer.stats().rejected_at_limit, 2u);
    // Retransmissions of existing transactions and ACKs still work at the limit.
    deliver(one);
    EXPECT_EQ(layer.stats().retransmissions_absorbed, 1u);
    deliver(make_request("ACK", "z9hG4bKx"));
    EXPECT_EQ(tu.count(hook::ack), 1u);
    // Once one is gone, there is room again.
    layer.transport_error(udp_flow());
    EXPECT_EQ(layer.size(), 0u);
    EXPECT_TRUE(layer.send_request({.bytes = make_request("OPTIONS", "z9hG4bKc3"),
                                    .branch = "z9hG4bKc3",
                                    .method = "OPTIONS",
                                    .destination = udp_flow()}));
    layer.transport_error(udp_flow());
    (void)server;
    (void)client;
}

TEST_F(limits_test, cancel_is_answered_at_the_limit) {
    std::string invite = make_request("INVITE");
    deliver(invite);
    transaction_id id = tu.last_server;
    send("OPTIONS", "z9hG4bKc9");
    deliver(make_request("CANCEL"));
    EXPECT_EQ(sender.sent.back().first_line(), "SIP/2.0 200 OK");
    EXPECT_EQ(tu.count(hook::cancel), 1u);
    respond(id, invite, 487);
    deliver(make_request("ACK"));
    layer.transport_error(udp_flow());
    advance_to(40000);
}

class short_t1_test : public transaction_test {
protected:
    short_t1_test()
        : transaction_test({.timers = {.t1 = milliseconds(100),
                                       .t2 = milliseconds(1000),
                                       .t4 = milliseconds(2000)}}) {}
};

TEST_F(short_t1_test, timers_follow_the_settings) {
    std::string request = make_request("OPTIONS");
    transaction_id id = send("OPTIONS");
    advance_to(6399);
    EXPECT_EQ(sender.times("OPTIONS"),
              (std::vector<long long>{0, 100, 300, 700, 1500, 2500, 3500, 4500, 5500}));
    EXPECT_EQ(layer.state(id), transaction_state::trying);
    advance_to(6400); // F = 64 * 100 ms
    EXPECT_EQ(layer.state(id), std::nullopt);
    deliver(request);
    respond(tu.last_server, request, 200);
    advance_to(12800); // J = 64*T1 after 6400
    EXPECT_EQ(layer.size(), 0u);
}

// A transaction lingers 32 s (64*T1) after its final response; at R calls/s about R*64 of
// them are alive. Keep the machine objects small: these bounds fail the build's tests when a
// member makes them grow (x86-64, libstdc++).
TEST(transaction_size, completed_transaction_is_a_few_hundred_bytes) {
    std::printf("sizeof: client_invite %zu, client_non_invite %zu, server_invite %zu, "
                "server_non_invite %zu\n",
                sizeof(client_invite), sizeof(client_non_invite), sizeof(server_invite),
                sizeof(server_non_invite));
    EXPECT_LE(sizeof(client_invite), 256u);
    EXPECT_LE(sizeof(client_non_invite), 256u);
    EXPECT_LE(sizeof(server_invite), 256u);
    EXPECT_LE(sizeof(server_non_invite), 256u);
}

} // namespace
} // namespace parley::test
