// Randomized simulation runs: for each seed, a few concurrent calls of random kinds (plain,
// rejected, cancelled, never ACKed) over a network that loses, duplicates, reorders and delays
// by that seed. Every run must end with each call in a terminal outcome the network allows,
// and with nothing left: no transaction, dialog, call state, armed timer or message in flight.
//
// A failing seed is printed (SCOPED_TRACE) and the batch stops there. Replay it alone with
//   PARLEY_SCENARIO_SEED=<seed> build/release/tests/scenario_test --gtest_filter='*<batch>*'
// PARLEY_SCENARIO_SEEDS=<n> overrides the number of seeds of every batch (a longer soak, or a
// shorter one); PARLEY_SCENARIO_TRACE=1 prints every message of the run. The whole set runs in
// about a second in the release build and about half a minute under ASan/UBSan (dev build), so the
// sanitized run keeps every seed.
#include "scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace parley::test {
namespace {

enum class call_kind : std::uint8_t { plain, rejected, cancelled, never_acked };

struct planned_call {
    call_kind kind = call_kind::plain;
    long long start_ms = 0;
    call_options options{};
    answer_plan plan{};
    answer_plan second_plan{}; ///< the other UAS behind a fork: same kind, its own timing
};

/// The calls of one seed, drawn from their own generator (the network has its own).
std::vector<planned_call> plan_calls(std::uint64_t seed, int count) {
    std::mt19937_64 random(seed * 0x9e3779b97f4a7c15ULL + 7);
    auto between = [&](long long low, long long high) {
        return std::uniform_int_distribution<long long>(low, high)(random);
    };
    std::vector<planned_call> calls;
    for (int i = 0; i < count; ++i) {
        planned_call c;
        c.start_ms = between(0, 3000);
        long long kind = between(0, 99);
        c.plan.ring = between(0, 1) == 1;
        c.plan.answer_after = milliseconds(between(0, 2000));
        c.options.hold = milliseconds(between(500, 5000));
        if (kind < 60) {
            c.kind = call_kind::plain;
        } else if (kind < 75) {
            c.kind = call_kind::rejected;
            c.plan.status = 486;
        } else if (kind < 95) {
            // The CANCEL may cross the answer: either outcome is right.
            c.kind = call_kind::cancelled;
            c.plan.ring = true;
            c.plan.answer_after = milliseconds(between(500, 4000));
            c.options.cancel_after = milliseconds(between(200, 3000));
        } else {
            // Held past 64*T1 without ACKs: the UAS gives up and sends BYE (RFC 3261 §13.3.1.4).
            c.kind = call_kind::never_acked;
            c.options.send_ack = false;
            c.options.hold = milliseconds(40000);
        }
        c.second_plan = c.plan;
        c.second_plan.ring = c.plan.ring || between(0, 1) == 1;
        c.second_plan.answer_after = c.plan.answer_after + milliseconds(between(-400, 400));
        if (c.second_plan.answer_after < milliseconds(0)) c.second_plan.answer_after = {};
        calls.push_back(c);
    }
    std::sort(calls.begin(), calls.end(),
              [](const planned_call& a, const planned_call& b) { return a.start_ms < b.start_ms; });
    return calls;
}

struct batch {
    const char* name;
    network_options network;
    int seeds;
    int calls_per_seed;
    bool forked = false; ///< the UAC calls a fork address with two UASs behind it
    transaction_options layers{};
};

/// The user agents of one run: alice calls bob, or a fork in front of bob and carol.
struct scene {
    scene(const network_options& net, bool forked, const transaction_options& layers)
        : network(wheel, net), uac(network, test_address(1), test_address(forked ? 9 : 2), layers) {
        uases.push_back(std::make_unique<test_uas>(network, test_address(2), layers));
        if (!forked) return;
        uases.push_back(std::make_unique<test_uas>(network, test_address(3), layers, "carol"));
        network.add_fork("fork", test_address(9), {&uases[0]->endpoint(), &uases[1]->endpoint()});
    }
    timer_wheel wheel{time_point{}};
    sim_network network;
    test_uac uac;
    std::vector<std::unique_ptr<test_uas>> uases;
};

bool lossy(const batch& b) {
    return b.network.loss > 0 || b.network.duplication > 0 || b.network.send_failure > 0;
}

/// The outcomes a call of `kind` may end with. Without loss every call goes as planned (a
/// CANCEL may still lose the race with the answer); with loss any step may time out.
std::set<call_outcome> allowed(call_kind kind, bool with_loss) {
    using o = call_outcome;
    switch (kind) {
    case call_kind::plain:
        if (!with_loss) return {o::completed};
        // ended_by_peer: every ACK lost; cancelled: no answer through in 60 s.
        return {o::completed, o::bye_failed, o::ended_by_peer, o::timed_out, o::cancelled};
    case call_kind::rejected:
        if (!with_loss) return {o::rejected};
        return {o::rejected, o::timed_out, o::cancelled};
    case call_kind::cancelled:
        if (!with_loss) return {o::cancelled, o::completed};
        return {o::cancelled, o::completed, o::bye_failed, o::ended_by_peer, o::timed_out};
    case call_kind::never_acked:
        if (!with_loss) return {o::ended_by_peer};
        // completed: the UAS's BYE was lost for good and ours (after `hold`) went through.
        return {o::ended_by_peer, o::completed, o::bye_failed, o::timed_out, o::cancelled};
    }
    return {};
}

/// The INVITE's final status each outcome implies.
/// With sends that fail, any call may also end in a transport error (RFC 3261 §17.1.4).
bool allowed(call_kind kind, const batch& b, call_outcome outcome) {
    if (b.network.send_failure > 0 && outcome == call_outcome::transport_error) return true;
    return allowed(kind, lossy(b)).contains(outcome);
}

std::uint16_t final_status_of(call_outcome outcome, std::uint16_t planned) {
    switch (outcome) {
    case call_outcome::completed:
    case call_outcome::ended_by_peer:
    case call_outcome::bye_failed: return 200;
    case call_outcome::rejected: return planned;
    case call_outcome::cancelled: return 487;
    case call_outcome::timed_out: return 408;
    case call_outcome::transport_error: return 503;
    default: return 0;
    }
}

struct tally {
    std::map<call_outcome, std::uint64_t> outcomes;
    std::uint64_t seeds = 0;
    std::uint64_t calls = 0;
    std::uint64_t messages = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t strays = 0;
    std::uint64_t orphan_byes = 0;
    std::uint64_t uas_gave_up = 0;
    std::uint64_t ok_retransmissions = 0;
    std::uint64_t terminated_dialog_2xx = 0;
    std::uint64_t first_terminated_dialog_seed = 0;
    std::uint64_t double_answers = 0;
    std::uint64_t first_double_answer_seed = 0;
    std::uint64_t dropped_invalid = 0;
    std::uint64_t responses_unmatched = 0;
    std::uint64_t acks_unmatched = 0;
    std::uint64_t cancels_unmatched = 0;
    long long simulated_ms = 0;
};

void run_seed(const batch& b, std::uint64_t seed, tally& t) {
    network_options options = b.network;
    options.seed = seed;
    options.record_trace = std::getenv("PARLEY_SCENARIO_TRACE") != nullptr;
    scene w(options, b.forked, b.layers);
    std::vector<planned_call> calls = plan_calls(seed, b.calls_per_seed);
    std::map<std::string, const planned_call*> by_call_id;
    for (std::size_t u = 0; u < w.uases.size(); ++u)
        w.uases[u]->plan_for = [&by_call_id, u](const message& invite) {
            auto it = by_call_id.find(std::string(invite.call_id()));
            if (it == by_call_id.end()) return answer_plan{};
            return u == 0 ? it->second->plan : it->second->second_plan;
        };
    std::vector<std::size_t> records;
    for (const planned_call& c : calls) {
        w.network.run_for(milliseconds(c.start_ms - w.network.now_ms()));
        std::size_t index = w.uac.start_call(c.options);
        by_call_id[w.uac.records()[index].call_id] = &c;
        records.push_back(index);
    }
    ASSERT_TRUE(w.network.run_until_idle()) << "still busy after 600 s of simulated time";

    for (const trace_entry& e : w.network.trace())
        std::printf("%8lld %s\n", e.at_ms, e.text().c_str());
    bool with_loss = lossy(b);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const call_record& r = w.uac.records()[records[i]];
        SCOPED_TRACE(r.call_id);
        ++t.outcomes[r.outcome];
        EXPECT_TRUE(allowed(calls[i].kind, b, r.outcome))
            << "kind " << static_cast<int>(calls[i].kind) << ", outcome " << to_string(r.outcome)
            << ", final " << r.final_status << ", BYE " << r.bye_status;
        EXPECT_EQ(r.final_status, final_status_of(r.outcome, calls[i].plan.status))
            << to_string(r.outcome);
        if (r.outcome == call_outcome::completed) {
            EXPECT_EQ(r.bye_status, 200);
        }
        if (r.outcome == call_outcome::ended_by_peer && calls[i].kind != call_kind::never_acked) {
            EXPECT_TRUE(with_loss) << "the UAS gave up on a call whose ACKs were sent";
        }
        // One UAS, one answer: a second To tag means the UAS took an INVITE retransmission for
        // a new call. A refused send shows the known transaction-layer defect that does so
        // (DISABLED_invite_server_transaction_survives_a_refused_2xx_send_rfc6026_7_1): counted
        // there, checked everywhere else.
        if (!b.forked && r.answers > 1) {
            ++t.double_answers;
            if (t.first_double_answer_seed == 0) t.first_double_answer_seed = seed;
            EXPECT_GT(b.network.send_failure, 0.0) << "two answers from one UAS";
        }
    }
    std::vector<user_agent*> agents{&w.uac};
    for (auto& uas : w.uases) agents.push_back(uas.get());
    if (agents.size() == 2)
        expect_idle(w.wheel, w.network, {agents[0], agents[1]});
    else
        expect_idle(w.wheel, w.network, {agents[0], agents[1], agents[2]});
    if (!with_loss && !b.forked) {
        EXPECT_EQ(w.uac.orphan_byes(), 0u);
        EXPECT_EQ(w.uases[0]->counters().unknown_dialog, 0u);
    }

    ++t.seeds;
    t.calls += calls.size();
    t.messages += w.network.counters().sent;
    t.lost += w.network.counters().lost;
    t.duplicated += w.network.counters().duplicated;
    t.strays += w.uac.strays();
    t.orphan_byes += w.uac.orphan_byes();
    t.terminated_dialog_2xx += w.uac.terminated_dialog_2xx();
    if (w.uac.terminated_dialog_2xx() > 0 && t.first_terminated_dialog_seed == 0)
        t.first_terminated_dialog_seed = seed;
    for (user_agent* ua : agents) {
        const transaction_stats& stats = ua->transactions().stats();
        t.dropped_invalid += stats.dropped_invalid;
        t.responses_unmatched += stats.responses_unmatched;
        t.acks_unmatched += stats.acks_unmatched;
        t.cancels_unmatched += stats.cancels_unmatched;
        EXPECT_EQ(stats.rejected_at_limit, 0u);
        if (b.network.send_failure == 0) {
            EXPECT_EQ(stats.send_failures + stats.transport_errors, 0u);
        }
        // Every message a user agent sends matches the layers' rules; only the fork, which
        // hands one UAS the ACK meant for the other's final, makes unusable ones.
        if (!b.forked) {
            EXPECT_EQ(stats.dropped_invalid, 0u) << ua->user();
        }
    }
    for (auto& uas : w.uases) {
        t.uas_gave_up += uas->counters().gave_up;
        t.ok_retransmissions += uas->counters().ok_retransmissions;
    }
    t.simulated_ms += w.network.now_ms();
}

int env_int(const char* name, int fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

void print(const batch& b, const tally& t) {
    std::printf(
        "[ scenario ] %s: %llu seeds, %llu calls, %llu messages (%llu lost, %llu "
        "duplicated), %.0f simulated s\n",
        b.name, static_cast<unsigned long long>(t.seeds), static_cast<unsigned long long>(t.calls),
        static_cast<unsigned long long>(t.messages), static_cast<unsigned long long>(t.lost),
        static_cast<unsigned long long>(t.duplicated),
        static_cast<double>(t.simulated_ms) / 1000.0);
    std::printf("[ scenario ] %s outcomes:", b.name);
    for (const auto& [outcome, count] : t.outcomes)
        std::printf(" %s=%llu", std::string(to_string(outcome)).c_str(),
                    static_cast<unsigned long long>(count));
    std::printf("\n[ scenario ] %s: %llu stray 2xx at the UAC (%llu for forgotten calls), %llu "
                "2xx retransmissions, %llu UAS give-ups\n",
                b.name, static_cast<unsigned long long>(t.strays),
                static_cast<unsigned long long>(t.orphan_byes),
                static_cast<unsigned long long>(t.ok_retransmissions),
                static_cast<unsigned long long>(t.uas_gave_up));
    std::printf("[ scenario ] %s transaction layers: %llu dropped as invalid, %llu responses "
                "unmatched, %llu ACKs and %llu CANCELs matching no transaction\n",
                b.name, static_cast<unsigned long long>(t.dropped_invalid),
                static_cast<unsigned long long>(t.responses_unmatched),
                static_cast<unsigned long long>(t.acks_unmatched),
                static_cast<unsigned long long>(t.cancels_unmatched));
    if (t.double_answers > 0)
        std::printf("[ scenario ] %s: %llu calls answered twice by one UAS after a refused 2xx "
                    "send (first at seed %llu; see "
                    "DISABLED_invite_server_transaction_survives_a_refused_2xx_send_rfc6026_7_1)\n",
                    b.name, static_cast<unsigned long long>(t.double_answers),
                    static_cast<unsigned long long>(t.first_double_answer_seed));
    if (t.terminated_dialog_2xx > 0)
        std::printf("[ scenario ] %s: %llu 2xx after a non-2xx final left their dialog "
                    "terminated in the dialog_set (first at seed %llu; see "
                    "DISABLED_dialog_set_2xx_after_non_2xx_final_confirms_its_dialog)\n",
                    b.name, static_cast<unsigned long long>(t.terminated_dialog_2xx),
                    static_cast<unsigned long long>(t.first_terminated_dialog_seed));
}

void run_batch(const batch& b) {
    int seeds = env_int("PARLEY_SCENARIO_SEEDS", b.seeds);
    int only = env_int("PARLEY_SCENARIO_SEED", 0);
    tally t;
    for (int seed = only != 0 ? only : 1; seed <= (only != 0 ? only : seeds); ++seed) {
        SCOPED_TRACE("batch " + std::string(b.name) + ", seed " + std::to_string(seed) +
                     " (replay: PARLEY_SCENARIO_SEED=" + std::to_string(seed) + ")");
        run_seed(b, static_cast<std::uint64_t>(seed), t);
        if (::testing::Test::HasFailure()) break; // one seed's report is enough
    }
    print(b, t);
    if (lossy(b) && t.calls >= 400) {
        // A sanity floor, so a network or user agent that fails everything cannot pass.
        std::uint64_t answered = t.outcomes[call_outcome::completed] +
                                 t.outcomes[call_outcome::rejected] +
                                 t.outcomes[call_outcome::cancelled];
        EXPECT_GT(answered * 10, t.calls * 8) << "fewer than 80% of calls went as planned";
    }
}

network_options udp(double loss, double duplication, long long max_delay_ms) {
    return network_options{.kind = network_kind::datagram,
                           .loss = loss,
                           .duplication = duplication,
                           .min_delay = milliseconds(0),
                           .max_delay = milliseconds(max_delay_ms)};
}

TEST(randomized, udp_20_percent_loss_10_percent_duplication_0_to_200_ms) {
    run_batch({"udp_lossy", udp(0.2, 0.1, 200), 2000, 4});
}

TEST(randomized, udp_reordering_only) {
    run_batch({"udp_reordering", udp(0.0, 0.0, 200), 300, 4});
}

TEST(randomized, udp_50_percent_loss) {
    run_batch({"udp_heavy_loss", udp(0.5, 0.2, 300), 500, 2});
}

TEST(randomized, udp_slow_network_delays_beyond_t1) {
    // Up to 3 s each way (below T4 = 5 s, the RFC 3261 bound on a message's life): every
    // retransmission timer fires, and retransmissions cross their answers.
    run_batch({"udp_slow", udp(0.1, 0.1, 3000), 1000, 4});
}

TEST(randomized, udp_forked_to_two_uas_with_loss) {
    run_batch({"udp_forked", udp(0.2, 0.1, 200), 1000, 3, true});
}

TEST(randomized, udp_short_timers_delays_up_to_8_t1) {
    // T1 = 100 ms, T2 = 400 ms, T4 = 1 s, Timer D = 64*T1: the delays (up to 800 ms, still below
    // T4) are long against T1, so 2xx retransmissions, ACKs, CANCELs and BYEs cross constantly.
    transaction_options short_timers;
    short_timers.timers = {.t1 = milliseconds(100),
                           .t2 = milliseconds(400),
                           .t4 = milliseconds(1000),
                           .timer_d = milliseconds(6400)};
    run_batch({"udp_short_timers", udp(0.15, 0.1, 800), 1000, 4, false, short_timers});
}

TEST(randomized, reliable_stream_mode_forked) {
    network_options stream{
        .kind = network_kind::stream, .min_delay = milliseconds(0), .max_delay = milliseconds(100)};
    run_batch({"stream_forked", stream, 200, 3, true});
}

TEST(randomized, sends_refused_over_stream_and_udp) {
    // A refused send (a reset connection, an ICMP error) fails the transaction on the spot
    // (RFC 3261 §17.1.4, §17.2.4): every user agent must still end clean.
    network_options stream{.kind = network_kind::stream,
                           .send_failure = 0.03,
                           .min_delay = milliseconds(0),
                           .max_delay = milliseconds(100)};
    run_batch({"stream_refused", stream, 300, 4});
    network_options datagram = udp(0.1, 0.05, 200);
    datagram.send_failure = 0.03;
    run_batch({"udp_refused", datagram, 300, 4});
}

TEST(randomized, reliable_stream_mode) {
    network_options stream{
        .kind = network_kind::stream, .min_delay = milliseconds(0), .max_delay = milliseconds(100)};
    run_batch({"stream", stream, 300, 4});
}

} // namespace
} // namespace parley::test
