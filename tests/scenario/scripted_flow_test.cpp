// Scripted call flows on a perfect network (no loss, 10 ms each way): the exact message
// sequence of each flow, then the clean end. The default timers apply (T1 = 500 ms).
#include "scenario.hpp"

#include <string>
#include <vector>

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

network_options perfect() {
    return network_options{.min_delay = milliseconds(10), .max_delay = milliseconds(10)};
}

/// Send times (ms) of the traced messages whose text is `text`.
std::vector<long long> times_of(const sim_network& network, const std::string& text) {
    std::vector<long long> out;
    for (const trace_entry& e : network.trace())
        if (e.text() == text) out.push_back(e.at_ms);
    return out;
}

TEST(scripted_flow, basic_call) {
    world w(perfect());
    std::size_t call = w.uac.start_call({.hold = milliseconds(2000)});
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 200 INVITE", "alice>bob ACK", "alice>bob BYE",
                     "bob>alice 200 BYE"}));
    const call_record& r = w.uac.records()[call];
    EXPECT_EQ(r.outcome, call_outcome::completed);
    EXPECT_EQ(r.final_status, 200);
    EXPECT_EQ(r.bye_status, 200);
    EXPECT_EQ(r.answered_ms, 20);
    EXPECT_EQ(r.ended_ms, 2040); // BYE 2 s after the 200 arrived, its 200 20 ms later
    EXPECT_EQ(w.uas.counters().acks, 1u);
    EXPECT_EQ(w.uas.counters().ok_retransmissions, 0u);
    expect_idle(w);
}

TEST(scripted_flow, call_with_180_ringing) {
    world w(perfect());
    w.uas.default_plan = {.ring = true, .answer_after = milliseconds(1000)};
    std::size_t call = w.uac.start_call();
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 180 INVITE", "bob>alice 200 INVITE",
                     "alice>bob ACK", "alice>bob BYE", "bob>alice 200 BYE"}));
    const call_record& r = w.uac.records()[call];
    EXPECT_EQ(r.outcome, call_outcome::completed);
    EXPECT_EQ(r.provisionals, 1u);
    EXPECT_EQ(r.early_dialogs, 1u);
    EXPECT_EQ(r.answers, 1u);
    EXPECT_EQ(r.answered_ms, 1020);
    expect_idle(w);
}

TEST(scripted_flow, answer_after_the_100_trying_of_the_layer) {
    world w(perfect());
    w.uas.default_plan = {.answer_after = milliseconds(1000)};
    w.uac.start_call();
    ASSERT_TRUE(w.network.run_until_idle());
    // RFC 3261 §17.2.1: the server transaction sends 100 Trying after 200 ms of silence.
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 100 INVITE", "bob>alice 200 INVITE",
                     "alice>bob ACK", "alice>bob BYE", "bob>alice 200 BYE"}));
    EXPECT_EQ(times_of(w.network, "bob>alice 100 INVITE"), (std::vector<long long>{210}));
    EXPECT_EQ(w.uac.records()[0].outcome, call_outcome::completed);
    expect_idle(w);
}

TEST(scripted_flow, reject_486_acked_by_the_transaction_layer) {
    world w(perfect());
    w.uas.default_plan = {.status = 486};
    std::size_t call = w.uac.start_call();
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 486 INVITE", "alice>bob ACK"}));
    const call_record& r = w.uac.records()[call];
    EXPECT_EQ(r.outcome, call_outcome::rejected);
    EXPECT_EQ(r.final_status, 486);
    EXPECT_EQ(r.acks_sent, 0u); // RFC 3261 §17.1.1.3: the ACK is the transaction's
    // The ACK matched the server transaction (same branch): it never reached the TU.
    EXPECT_EQ(w.uas.transactions().stats().acks_unmatched, 0u);
    EXPECT_EQ(w.uas.counters().acks + w.uas.counters().other_acks, 0u);
    expect_idle(w);
}

TEST(scripted_flow, cancel_before_answer_gets_487_and_200_to_cancel) {
    world w(perfect());
    w.uas.default_plan = {.ring = true, .answer_after = milliseconds(5000)};
    std::size_t call = w.uac.start_call({.cancel_after = milliseconds(1000)});
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 180 INVITE", "alice>bob CANCEL",
                     "bob>alice 200 CANCEL", "bob>alice 487 INVITE", "alice>bob ACK"}));
    const call_record& r = w.uac.records()[call];
    EXPECT_EQ(r.outcome, call_outcome::cancelled);
    EXPECT_EQ(r.final_status, 487);
    EXPECT_TRUE(r.cancel_sent);
    EXPECT_EQ(w.uas.counters().cancelled, 1u);
    EXPECT_EQ(w.uas.counters().answered, 0u);
    expect_idle(w);
}

TEST(scripted_flow, cancel_before_any_provisional_waits_for_one) {
    world w(perfect());
    w.uas.default_plan = {.answer_after = milliseconds(5000)};
    w.uac.start_call({.cancel_after = milliseconds(100)});
    ASSERT_TRUE(w.network.run_until_idle());
    // RFC 3261 §9.1: no CANCEL before a provisional: it leaves when the 100 Trying arrives.
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 100 INVITE", "alice>bob CANCEL",
                     "bob>alice 200 CANCEL", "bob>alice 487 INVITE", "alice>bob ACK"}));
    EXPECT_EQ(times_of(w.network, "alice>bob CANCEL"), (std::vector<long long>{220}));
    EXPECT_EQ(w.uac.records()[0].outcome, call_outcome::cancelled);
    expect_idle(w);
}

TEST(scripted_flow, bye_for_an_unknown_dialog_gets_481) {
    world w(perfect());
    std::string branch = "z9hG4bKstray-bye";
    std::string bye = message_writer::request("BYE", "sip:bob@10.0.0.2:5060")
                          .header(header_id::via, "SIP/2.0/UDP 10.0.0.1:5060;branch=" + branch)
                          .header(header_id::max_forwards, "70")
                          .header(header_id::from, "<sip:alice@10.0.0.1:5060>;tag=gone-1")
                          .header(header_id::to, "<sip:bob@10.0.0.2:5060>;tag=gone-2")
                          .header(header_id::call_id, "no-such-call@alice")
                          .header(header_id::cseq, "2 BYE")
                          .finish();
    flow to_bob{.protocol = transport_protocol::udp, .remote = test_address(2)};
    ASSERT_TRUE(w.uac.transactions().send_request(
        {.bytes = bye, .branch = branch, .method = "BYE", .destination = to_bob}));
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_EQ(w.network.trace_lines(), (lines{"alice>bob BYE", "bob>alice 481 BYE"}));
    EXPECT_EQ(w.uas.counters().unknown_dialog, 1u);
    expect_idle(w);
}

TEST(scripted_flow, uas_without_ack_stops_2xx_at_64_t1_and_ends_the_call) {
    world w(perfect());
    w.uac.start_call({.hold = milliseconds(60000), .send_ack = false});
    ASSERT_TRUE(w.network.run_until_idle());
    // RFC 3261 §13.3.1.4: from the first 200 (at 10 ms), T1 doubling up to T2, for 64*T1.
    EXPECT_EQ(times_of(w.network, "bob>alice 200 INVITE"),
              (std::vector<long long>{10, 510, 1510, 3510, 7510, 11510, 15510, 19510, 23510, 27510,
                                      31510}));
    EXPECT_EQ(times_of(w.network, "bob>alice BYE"), (std::vector<long long>{32010}));
    EXPECT_EQ(times_of(w.network, "alice>bob 200 BYE"), (std::vector<long long>{32020}));
    EXPECT_TRUE(times_of(w.network, "alice>bob ACK").empty());
    const call_record& r = w.uac.records()[0];
    EXPECT_EQ(r.outcome, call_outcome::ended_by_peer);
    EXPECT_EQ(r.ended_ms, 32020);
    EXPECT_EQ(w.uas.counters().gave_up, 1u);
    expect_idle(w);
}

TEST(scripted_flow, uac_times_out_when_the_uas_never_answers) {
    world w(perfect());
    w.uas.endpoint().set_offline(true);
    w.uac.start_call();
    ASSERT_TRUE(w.network.run_until_idle());
    // RFC 3261 §17.1.1.2: Timer A from T1 doubling, Timer B at 64*T1.
    EXPECT_EQ(times_of(w.network, "alice>bob INVITE"),
              (std::vector<long long>{0, 500, 1500, 3500, 7500, 15500, 31500}));
    const call_record& r = w.uac.records()[0];
    EXPECT_EQ(r.outcome, call_outcome::timed_out);
    EXPECT_EQ(r.final_status, 408);
    EXPECT_EQ(r.ended_ms, 32000);
    EXPECT_EQ(w.network.counters().unroutable, 7u);
    expect_idle(w);
}

TEST(scripted_flow, forked_invite_two_early_dialogs_two_2xx_extra_one_acked_and_byed) {
    timer_wheel wheel{time_point{}};
    sim_network network(wheel, perfect());
    socket_address fork = test_address(9);
    test_uac uac(network, test_address(1), fork);
    test_uas bob(network, test_address(2));
    test_uas carol(network, test_address(3), {}, "carol");
    network.add_fork("fork", fork, {&bob.endpoint(), &carol.endpoint()});
    bob.default_plan = {.ring = true, .answer_after = milliseconds(1000)};
    carol.default_plan = {.ring = true, .answer_after = milliseconds(1500)};
    std::size_t call = uac.start_call({.hold = milliseconds(2000)});
    ASSERT_TRUE(network.run_until_idle());
    EXPECT_EQ(
        network.trace_lines(),
        (lines{"alice>fork INVITE", "bob>alice 180 INVITE", "carol>alice 180 INVITE",
               "bob>alice 200 INVITE", "alice>bob ACK", "carol>alice 200 INVITE", "alice>carol ACK",
               "alice>carol BYE", "carol>alice 200 BYE", "alice>bob BYE", "bob>alice 200 BYE"}));
    const call_record& r = uac.records()[call];
    EXPECT_EQ(r.outcome, call_outcome::completed);
    EXPECT_EQ(r.early_dialogs, 2u);
    EXPECT_EQ(r.answers, 2u);
    EXPECT_EQ(r.acks_sent, 2u);
    EXPECT_EQ(r.byes_sent, 2u);
    EXPECT_EQ(bob.counters().acks, 1u);
    EXPECT_EQ(carol.counters().acks, 1u);
    expect_idle(wheel, network, {&uac, &bob, &carol});
}

TEST(scripted_flow, basic_call_over_the_reliable_mode) {
    network_options reliable = perfect();
    reliable.kind = network_kind::stream;
    world w(reliable);
    w.uas.default_plan = {.ring = true, .answer_after = milliseconds(300)};
    w.uac.start_call();
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_EQ(w.network.trace_lines(),
              (lines{"alice>bob INVITE", "bob>alice 180 INVITE", "bob>alice 200 INVITE",
                     "alice>bob ACK", "alice>bob BYE", "bob>alice 200 BYE"}));
    EXPECT_EQ(w.uac.records()[0].outcome, call_outcome::completed);
    expect_idle(w);
}

} // namespace
} // namespace parley::test

namespace parley::test {
namespace {

std::vector<std::string> lossy_run(std::uint64_t seed) {
    world w(network_options{.loss = 0.3,
                            .duplication = 0.2,
                            .min_delay = milliseconds(0),
                            .max_delay = milliseconds(400),
                            .seed = seed});
    w.uas.default_plan = {.ring = true, .answer_after = milliseconds(700)};
    w.uac.start_call();
    w.network.run_for(milliseconds(300));
    w.uac.start_call({.cancel_after = milliseconds(900)});
    EXPECT_TRUE(w.network.run_until_idle());
    expect_idle(w);
    std::vector<std::string> out = w.network.trace_lines();
    for (const call_record& r : w.uac.records()) out.emplace_back(to_string(r.outcome));
    return out;
}

TEST(simulated_network, same_seed_same_run_other_seed_other_run) {
    std::vector<std::string> first = lossy_run(42);
    EXPECT_EQ(lossy_run(42), first); // message for message, outcome for outcome
    EXPECT_NE(lossy_run(43), first);
    EXPECT_GT(first.size(), 10u);
}

TEST(simulated_network, datagram_mode_reorders_with_random_delays) {
    world w(network_options{.min_delay = milliseconds(0), .max_delay = milliseconds(200)});
    for (int i = 0; i < 20; ++i) w.uac.start_call({.hold = milliseconds(100)});
    ASSERT_TRUE(w.network.run_until_idle());
    EXPECT_GT(w.network.counters().overtaken, 0u);
    for (const call_record& r : w.uac.records()) EXPECT_EQ(r.outcome, call_outcome::completed);
    expect_idle(w);
}

TEST(simulated_network, stream_mode_keeps_order_per_direction) {
    timer_wheel wheel{time_point{}};
    sim_network network(wheel, {.kind = network_kind::stream,
                                .loss = 0.5, // ignored: a stream loses nothing
                                .min_delay = milliseconds(0),
                                .max_delay = milliseconds(300),
                                .seed = 7});
    test_uac uac(network, test_address(1), test_address(2));
    test_uas uas(network, test_address(2));
    for (int i = 0; i < 20; ++i) uac.start_call({.hold = milliseconds(100)});
    ASSERT_TRUE(network.run_until_idle());
    EXPECT_EQ(network.counters().lost, 0u);
    EXPECT_EQ(network.counters().duplicated, 0u);
    EXPECT_EQ(network.counters().overtaken, 0u);
    for (const call_record& r : uac.records()) EXPECT_EQ(r.outcome, call_outcome::completed);
    expect_idle(wheel, network, {&uac, &uas});
}

} // namespace
} // namespace parley::test
