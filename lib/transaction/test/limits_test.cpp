// The transaction limit (at, below, above), timer settings, and the size of a transaction.
#include "harness.hpp"

#include "client_invite.hpp"
#include "client_non_invite.hpp"
#include "server_invite.hpp"
#include "server_non_invite.hpp"

#include <cstdio>
#include <malloc.h>

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

// What a lingering transaction costs in heap bytes, tables included (the figure behind
// docs/performance.md's "bytes per lingering transaction"): 2,000 INVITEs answered 200 (RFC 6026
// Accepted) and 2,000 BYEs answered 200 (Completed, keeping the response), measured with glibc's
// allocator statistics. Skipped where those are not available (sanitizers).
class answering_tu final : public transaction_user {
public:
    transaction_layer* layer = nullptr;
    std::string invite_ok;
    std::string bye_ok;
    void on_request(const incoming_request& r) noexcept override {
        bool invite = r.request.method() == method::invite;
        (void)layer->respond(r.server, 200, invite ? invite_ok : bye_ok);
    }
};

class null_sender final : public message_sender {
public:
    send_result send(const flow&, std::string_view) noexcept override { return send_result::sent; }
};

TEST(transaction_size, heap_bytes_per_lingering_transaction) {
    null_sender sender;
    answering_tu tu;
    timer_wheel wheel(time_point{});
    transaction_layer layer(sender, tu, wheel, {.limits = {.max_transactions = 100'000}});
    tu.layer = &layer;
    tu.invite_ok = make_response(make_request("INVITE"), 200);
    tu.bye_ok = make_response(make_request("BYE"), 200);
    constexpr int count = 2000;
    // Branches as long as real ones (SIPp, parley-load): the key is part of the cost.
    auto branch = [](const char* kind, int i) {
        return "z9hG4bK-" + std::string(kind) + "-000000000000-" + std::to_string(100000 + i);
    };
    message m;
    auto deliver_all = [&](const char* method, const char* kind) {
        long before = static_cast<long>(mallinfo2().uordblks);
        for (int i = 0; i < count; ++i) {
            std::string text = make_request(method, branch(kind, i));
            EXPECT_TRUE(parse_message(text, m));
            layer.receive(m, udp_flow());
        }
        return (static_cast<long>(mallinfo2().uordblks) - before) / count;
    };
    deliver_all("OPTIONS", "warm"); // table growth to this size, the layer's first allocations
    long invite = deliver_all("INVITE", "invite");
    long bye = deliver_all("BYE", "bye");
    if (invite <= 0) GTEST_SKIP() << "no allocator statistics";
    std::printf("heap bytes per lingering transaction: INVITE server (Accepted) %ld, BYE server "
                "(Completed, %zu response bytes kept) %ld\n",
                invite, tu.bye_ok.size(), bye);
    EXPECT_EQ(layer.size(), 3u * count);
    EXPECT_LE(invite, 400);
    EXPECT_LE(bye, 400 + static_cast<long>(tu.bye_ok.size()));
    wheel.advance(time_point{} + seconds(33)); // Timer L and J
    EXPECT_EQ(layer.size(), 0u);
    EXPECT_EQ(wheel.size(), 0u);
}

} // namespace
} // namespace parley::test
