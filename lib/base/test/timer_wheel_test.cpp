#include <parley/base/timer_wheel.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

namespace parley {
namespace {

const time_point t0{};

struct counter {
    timer t;
    int fired = 0;
    time_point at{};
    timer_wheel* wheel = nullptr;
    counter() { t.bind<&counter::on_fire>(this); }
    void on_fire() {
        ++fired;
        at = wheel != nullptr ? wheel->now() : time_point{};
    }
};

TEST(timer_wheel, fires_at_the_deadline_never_before) {
    timer_wheel w(t0);
    counter c;
    c.wheel = &w;
    w.schedule(c.t, t0 + milliseconds(500));
    EXPECT_TRUE(c.t.armed());
    EXPECT_EQ(w.advance(t0 + milliseconds(499)), 0u);
    EXPECT_EQ(c.fired, 0);
    EXPECT_EQ(w.advance(t0 + milliseconds(500)), 1u);
    EXPECT_EQ(c.fired, 1);
    EXPECT_EQ(c.at, t0 + milliseconds(500));
    EXPECT_FALSE(c.t.armed());
    EXPECT_EQ(w.size(), 0u);
}

TEST(timer_wheel, rounds_up_sub_tick_deadlines) {
    timer_wheel w(t0);
    counter c;
    w.schedule(c.t, t0 + std::chrono::microseconds(1500));
    w.advance(t0 + milliseconds(1));
    EXPECT_EQ(c.fired, 0);
    w.advance(t0 + milliseconds(2));
    EXPECT_EQ(c.fired, 1);
}

TEST(timer_wheel, long_timers_cascade_through_every_level) {
    timer_wheel w(t0);
    // RFC 3261 Timer B (32 s), Timer C (> 3 min), a session timer (30 min), a day.
    for (auto delay : {milliseconds(32'000), milliseconds(180'000), milliseconds(1'800'000),
                       milliseconds(86'400'000)}) {
        counter c;
        c.wheel = &w;
        w.schedule_after(c.t, delay);
        time_point due = w.now() + delay;
        EXPECT_EQ(w.next_deadline().has_value(), true);
        w.advance(due - milliseconds(1));
        EXPECT_EQ(c.fired, 0) << delay.count();
        w.advance(due);
        EXPECT_EQ(c.fired, 1) << delay.count();
        EXPECT_EQ(c.at, due);
    }
}

TEST(timer_wheel, cancel_and_destroy_disarm) {
    timer_wheel w(t0);
    counter a;
    auto b = std::make_unique<counter>();
    w.schedule(a.t, t0 + milliseconds(10));
    w.schedule(b->t, t0 + milliseconds(10));
    EXPECT_EQ(w.size(), 2u);
    a.t.cancel();
    b.reset();
    EXPECT_EQ(w.size(), 0u);
    EXPECT_EQ(w.advance(t0 + seconds(1)), 0u);
    EXPECT_EQ(a.fired, 0);
    EXPECT_FALSE(w.next_deadline());
}

struct chain {
    timer t;
    timer_wheel& w;
    timer* victim = nullptr;
    int fired = 0;
    explicit chain(timer_wheel& wheel) : w(wheel) { t.bind<&chain::on_fire>(this); }
    void on_fire() {
        ++fired;
        if (victim != nullptr) victim->cancel();
        if (fired < 3) w.schedule_after(t, milliseconds(100)); // RFC 3261 Timer A style re-arm
    }
};

TEST(timer_wheel, callbacks_may_rearm_and_cancel_timers_due_in_the_same_tick) {
    timer_wheel w(t0);
    chain first(w);
    counter second;
    first.victim = &second.t;
    w.schedule(first.t, t0 + milliseconds(5));
    w.schedule(second.t, t0 + milliseconds(5));
    w.advance(t0 + seconds(1));
    EXPECT_EQ(first.fired, 3);
    EXPECT_EQ(second.fired, 0);
}

TEST(timer_wheel, next_deadline_lets_a_loop_sleep_without_missing_anything) {
    timer_wheel w(t0);
    std::mt19937 rng(7);
    std::vector<std::unique_ptr<counter>> timers;
    std::vector<time_point> due;
    for (int i = 0; i < 2000; ++i) {
        auto c = std::make_unique<counter>();
        c->wheel = &w;
        auto delay = milliseconds(1 + rng() % 200'000);
        w.schedule(c->t, t0 + delay);
        due.push_back(t0 + delay);
        timers.push_back(std::move(c));
    }
    int wakeups = 0;
    while (auto next = w.next_deadline()) {
        ASSERT_GT(*next, w.now());
        w.advance(*next);
        ++wakeups;
    }
    for (std::size_t i = 0; i < timers.size(); ++i) {
        EXPECT_EQ(timers[i]->fired, 1);
        EXPECT_EQ(timers[i]->at, due[i]);
    }
    EXPECT_LT(wakeups, 2000 + 2000);
}

TEST(timer_wheel, past_deadlines_fire_on_the_next_advance) {
    timer_wheel w(t0);
    w.advance(t0 + seconds(10));
    counter c;
    w.schedule(c.t, t0 + seconds(1));
    w.advance(t0 + seconds(10) + milliseconds(1));
    EXPECT_EQ(c.fired, 1);
}

} // namespace
} // namespace parley
