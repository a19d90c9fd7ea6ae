// Two session layers, caller and callee, over the simulated network: every call of every seed
// must end (completed, or failed in a way the losses explain) with nothing left behind on
// either side — no session, dialog, transaction or timer. Deterministic by seed; simulated
// time, so a 30-second call costs nothing.
#include "session_fixture.hpp"
#include "sim_network.hpp"

#include <map>

namespace parley::test {
namespace {

struct side {
    relay tu;
    transaction_layer transactions;
    std::unique_ptr<session_layer> layer;
    side(sim_endpoint& endpoint, timer_wheel& wheel) : transactions(endpoint, tu, wheel) {
        endpoint.attach(transactions);
    }
};

/// The caller's application: hangs up `hold` after the answer; records how each call ended.
struct caller_app : session_events {
    session_layer* layer = nullptr;
    timer_wheel* wheel = nullptr;
    duration hold = seconds(2);
    bool mid_call = false; ///< an UPDATE with an offer and an INFO once the call is up
    std::map<std::uint64_t, std::string> outcomes;
    struct hangup {
        caller_app* app;
        session_handle h;
        timer t;
        hangup(caller_app* a, session_handle handle) : app(a), h(handle) {
            t.bind<&hangup::fire>(this);
        }
        void fire() { (void)app->layer->terminate(h); }
    };
    std::map<std::uint64_t, std::unique_ptr<hangup>> hangups;
    void on_incoming(session_handle, session&, const message&) noexcept override {}
    void on_confirmed(session_handle h, session& s) noexcept override {
        if (mid_call) {
            (void)layer->send_refresh(h, refresh_method::update);
            response_extras dtmf;
            dtmf.content_type = "application/dtmf-relay";
            dtmf.body = "Signal=5\r\nDuration=160\r\n";
            (void)s.send_request("INFO", dtmf);
        }
        auto& slot = hangups[h.value];
        slot = std::make_unique<hangup>(this, h);
        wheel->schedule_after(slot->t, hold);
    }
    void on_ended(session_handle h, session& s, end_reason why) noexcept override {
        outcomes[h.value] =
            std::to_string(static_cast<int>(why)) + "/" + std::to_string(s.final_status());
        hangups.erase(h.value);
    }
};

struct callee_app : session_events {
    session_layer* layer = nullptr;
    int ended = 0;
    void on_incoming(session_handle h, session&, const message&) noexcept override {
        (void)layer->ring(h);
        (void)layer->answer(h);
    }
    void on_ended(session_handle, session&, end_reason) noexcept override { ++ended; }
};

struct run_result {
    std::map<std::string, int> outcomes;
    bool idle = false;
};

/// What the calls exercise beyond INVITE/ACK/BYE.
struct call_features {
    bool reliable = false; ///< the callee requires 100rel: reliable 180, PRACK, the 2xx waits
    bool mid_call = false; ///< UPDATE with an offer and an INFO from the caller
    bool timers = false;   ///< RFC 4028 on both sides, 90 s, calls held 200 s: refreshes run
};

run_result run_calls(const network_options& network_options, int calls,
                     call_features features = {}) {
    timer_wheel wheel{time_point{}};
    sim_network net(wheel, network_options);
    auto caller_address = *socket_address::from_numeric("10.0.0.1", 5060);
    auto callee_address = *socket_address::from_numeric("10.0.0.2", 5060);
    sim_endpoint& a = net.add_endpoint("caller", caller_address);
    sim_endpoint& b = net.add_endpoint("callee", callee_address);
    extension_registry registry;
    auto audio = registry.add_sdp_handler("audio", std::make_shared<audio_handler>());
    caller_app caller;
    callee_app callee;
    run_result out;
    {
        side left(a, wheel);
        side right(b, wheel);
        session_timer_settings timers{.mode = features.timers ? session_timer_mode::on
                                                              : session_timer_mode::off,
                                      .session_expires = 90,
                                      .min_se = 90};
        left.layer = std::make_unique<session_layer>(
            left.transactions, a, wheel, registry, caller,
            session_layer_options{.contact = "<sip:a@10.0.0.1:5060>",
                                  .via_address = "10.0.0.1:5060",
                                  .timers = timers});
        right.layer = std::make_unique<session_layer>(
            right.transactions, b, wheel, registry, callee,
            session_layer_options{.contact = "<sip:b@10.0.0.2:5060>",
                                  .via_address = "10.0.0.2:5060",
                                  .timers = timers,
                                  .reliable_provisionals = features.reliable
                                                               ? reliable_mode::required
                                                               : reliable_mode::supported});
        caller.mid_call = features.mid_call;
        if (features.timers) caller.hold = seconds(200);
        left.tu.to = left.layer.get();
        right.tu.to = right.layer.get();
        caller.layer = left.layer.get();
        caller.wheel = &wheel;
        callee.layer = right.layer.get();
        flow to_callee{
            .protocol = net.protocol(), .remote = callee_address, .local = caller_address};
        for (int i = 0; i < calls; ++i) {
            auto h = left.layer->call(
                {.request_uri = "sip:b@10.0.0.2:5060",
                 .from = "<sip:a@10.0.0.1>",
                 .destination = to_callee,
                 .offer = i % 3 == 2 ? offer_timing::delayed : offer_timing::in_invite});
            EXPECT_TRUE(h);
        }
        out.idle = net.run_until_idle(seconds(3600));
        EXPECT_EQ(left.layer->size(), 0u) << "caller sessions left";
        EXPECT_EQ(right.layer->size(), 0u) << "callee sessions left";
        EXPECT_EQ(left.transactions.size(), 0u);
        EXPECT_EQ(right.transactions.size(), 0u);
        EXPECT_EQ(static_cast<int>(caller.outcomes.size()), calls) << "every call ends";
        for (const auto& [h, o] : caller.outcomes) ++out.outcomes[o];
    }
    EXPECT_EQ(wheel.size(), 0u) << "a timer is left";
    return out;
}

/// Runs `calls` calls on each seed 1..seeds over a lossy network; every seed must end idle.
/// Returns the outcomes summed over the seeds, as " reason/status=count ...".
std::string run_seeds(int seeds, network_options network, call_features features = {}) {
    std::map<std::string, int> totals;
    for (int seed = 1; seed <= seeds; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        network.seed = static_cast<std::uint64_t>(seed);
        network.record_trace = false;
        auto r = run_calls(network, 4, features);
        EXPECT_TRUE(r.idle);
        for (const auto& [o, n] : r.outcomes) totals[o] += n;
        if (::testing::Test::HasFailure()) break;
    }
    std::string summary;
    for (const auto& [o, n] : totals) summary += " " + o + "=" + std::to_string(n);
    return summary;
}

TEST(sim_session, perfect_network_every_call_completes) {
    auto r = run_calls({.seed = 1}, 20);
    EXPECT_TRUE(r.idle);
    const std::string completed =
        std::to_string(static_cast<int>(end_reason::local_hangup)) + "/200";
    EXPECT_EQ(r.outcomes[completed], 20);
}

TEST(sim_session, lossy_networks_end_every_call_and_leave_nothing) {
    int seeds = 200;
    if (const char* env = std::getenv("PARLEY_SESSION_SEEDS")) seeds = std::atoi(env);
    std::string summary = run_seeds(seeds, {.loss = 0.2,
                                            .duplication = 0.1,
                                            .min_delay = milliseconds(0),
                                            .max_delay = milliseconds(200)});
    std::printf("[ sim_session ] %d seeds x 4 calls, 20%% loss, 10%% dup:%s\n", seeds,
                summary.c_str());
}

TEST(sim_session, heavy_loss_may_fail_calls_but_never_leaks) {
    std::string summary = run_seeds(100, {.loss = 0.5,
                                          .duplication = 0.2,
                                          .min_delay = milliseconds(0),
                                          .max_delay = milliseconds(800)});
    std::printf("[ sim_session ] 100 seeds x 4 calls, 50%% loss, 20%% dup:%s\n", summary.c_str());
}

TEST(sim_session, prack_update_info_and_session_timers_complete_on_a_perfect_network) {
    auto r = run_calls({.seed = 5}, 12, {.reliable = true, .mid_call = true, .timers = true});
    EXPECT_TRUE(r.idle);
    const std::string completed =
        std::to_string(static_cast<int>(end_reason::local_hangup)) + "/200";
    EXPECT_EQ(r.outcomes[completed], 12);
}

TEST(sim_session, prack_update_info_and_session_timers_under_loss_end_every_call) {
    std::string summary = run_seeds(60,
                                    {.loss = 0.2,
                                     .duplication = 0.1,
                                     .min_delay = milliseconds(0),
                                     .max_delay = milliseconds(200)},
                                    {.reliable = true, .mid_call = true, .timers = true});
    std::printf("[ sim_session ] 60 seeds x 4 calls with PRACK/UPDATE/INFO/timers, 20%% loss:%s\n",
                summary.c_str());
}

TEST(sim_session, stream_mode_every_call_completes) {
    auto r = run_calls({.kind = network_kind::stream, .seed = 3}, 10);
    const std::string completed =
        std::to_string(static_cast<int>(end_reason::local_hangup)) + "/200";
    EXPECT_EQ(r.outcomes[completed], 10);
}

} // namespace
} // namespace parley::test
