// timer_wheel: hierarchical timing wheel for the hundreds of thousands of live SIP timers a shard
// holds (RFC 3261 Timers A-K, session timers, idle timeouts).
//
// A `timer` is a small intrusive node embedded in the object it wakes (a transaction, a dialog):
// scheduling and cancelling never allocate, and destroying the owner cancels its timers. The wheel
// has 4 levels of 256 slots with a 1 ms tick by default (level 0 covers 256 ms, level 3 about 49
// days); a timer is placed by its expiry tick and cascades down as time advances, so schedule,
// cancel and fire are O(1). Deadlines are rounded up to the tick: a timer never fires early.
//
// The wheel does not read a clock: the owner calls advance(now) (the shard's event loop, or a
// test with a manual clock) and asks next_deadline() for how long it may sleep. Callbacks run
// inside advance() and may schedule or cancel any timer, including themselves. Single-threaded:
// a wheel and its timers belong to one shard.
#pragma once

#include <parley/base/time.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace parley {

class timer_wheel;

class timer {
public:
    timer() noexcept { next_ = prev_ = this; }
    timer(const timer&) = delete;
    timer& operator=(const timer&) = delete;
    ~timer() { cancel(); }

    /// Sets what firing calls: `(owner->*Method)()`. Bind once, schedule many times.
    template <auto Method, class Owner>
    void bind(Owner* owner) noexcept {
        owner_ = owner;
        fire_ = [](void* o) { (static_cast<Owner*>(o)->*Method)(); };
    }

    void cancel() noexcept;
    bool armed() const noexcept { return wheel_ != nullptr; }
    /// When it will fire (rounded up to the wheel's tick); meaningful only when armed().
    time_point deadline() const noexcept;

private:
    friend class timer_wheel;
    void unlink() noexcept {
        prev_->next_ = next_;
        next_->prev_ = prev_;
        next_ = prev_ = this;
    }

    timer* next_;
    timer* prev_;
    timer_wheel* wheel_ = nullptr;
    std::uint64_t expiry_tick_ = 0;
    void* owner_ = nullptr;
    void (*fire_)(void*) = nullptr;
};

class timer_wheel {
public:
    explicit timer_wheel(time_point start, duration tick = milliseconds(1)) noexcept;
    timer_wheel(const timer_wheel&) = delete;
    timer_wheel& operator=(const timer_wheel&) = delete;
    ~timer_wheel();

    /// Arms `t` to fire at `deadline` (re-arms it if already armed). A deadline in the past
    /// fires at the next advance().
    void schedule(timer& t, time_point deadline) noexcept;
    /// Arms `t` to fire `delay` after the wheel's current time.
    void schedule_after(timer& t, duration delay) noexcept { schedule(t, now() + delay); }

    /// Moves time forward to `now`, firing every timer that is due, in tick order.
    /// Returns how many fired.
    std::size_t advance(time_point now) noexcept;

    /// The earliest time something may need to happen (a timer firing, or a cascade that
    /// precedes one); nullopt when no timer is armed. Sleeping until then never misses a timer.
    std::optional<time_point> next_deadline() const noexcept;

    /// The wheel's current time (the last advance, rounded down to the tick).
    time_point now() const noexcept { return time_of(current_tick_); }
    std::size_t size() const noexcept { return size_; }

private:
    friend class timer;
    static constexpr unsigned level_bits = 8;
    static constexpr std::size_t slots = std::size_t{1} << level_bits;
    static constexpr unsigned levels = 4;

    time_point time_of(std::uint64_t tick) const noexcept {
        return start_ + tick_ * static_cast<std::int64_t>(tick);
    }
    void place(timer& t) noexcept;
    void cascade(unsigned level) noexcept;

    time_point start_;
    duration tick_;
    std::uint64_t current_tick_ = 0;
    std::size_t size_ = 0;
    std::array<std::array<timer, slots>, levels> wheel_;
    /// Bit per slot: may hold stale ones after cancel(); next_deadline() clears those it meets.
    mutable std::array<std::array<std::uint64_t, slots / 64>, levels> occupied_{};
};

} // namespace parley
