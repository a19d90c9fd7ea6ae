#include <parley/base/timer_wheel.hpp>

#include <bit>

namespace parley {

void timer::cancel() noexcept {
    if (wheel_ == nullptr) return;
    unlink();
    --wheel_->size_;
    wheel_ = nullptr;
    // The slot's occupancy bit is cleared lazily when the slot is next visited.
}

time_point timer::deadline() const noexcept {
    return wheel_ != nullptr ? wheel_->time_of(expiry_tick_) : time_point{};
}

timer_wheel::timer_wheel(time_point start, duration tick) noexcept : start_(start), tick_(tick) {}

timer_wheel::~timer_wheel() {
    // Disarm whatever is left so the owners' destructors do not touch a dead wheel.
    for (auto& level : wheel_)
        for (timer& head : level)
            while (head.next_ != &head) {
                timer* t = head.next_;
                t->unlink();
                t->wheel_ = nullptr;
            }
}

void timer_wheel::place(timer& t) noexcept {
    std::uint64_t delta = t.expiry_tick_ > current_tick_ ? t.expiry_tick_ - current_tick_ : 0;
    unsigned level = 0;
    while (level + 1 < levels && delta >= (std::uint64_t{1} << (level_bits * (level + 1)))) ++level;
    std::uint64_t tick = t.expiry_tick_;
    if (level == levels - 1) {
        // Beyond the top level's span: park at the farthest slot and re-place on cascade.
        std::uint64_t span = std::uint64_t{1} << (level_bits * levels);
        if (delta >= span) tick = current_tick_ + span - 1;
    }
    std::size_t slot = (tick >> (level_bits * level)) & (slots - 1);
    timer& head = wheel_[level][slot];
    t.prev_ = head.prev_;
    t.next_ = &head;
    head.prev_->next_ = &t;
    head.prev_ = &t;
    occupied_[level][slot / 64] |= std::uint64_t{1} << (slot % 64);
}

void timer_wheel::schedule(timer& t, time_point deadline) noexcept {
    if (t.wheel_ != nullptr) t.cancel();
    // Round up so a timer never fires before its deadline.
    auto since = deadline - start_;
    std::uint64_t tick = 0;
    if (since > duration::zero())
        tick = static_cast<std::uint64_t>((since + tick_ - duration(1)) / tick_);
    if (tick <= current_tick_) tick = current_tick_ + 1;
    t.expiry_tick_ = tick;
    t.wheel_ = this;
    ++size_;
    place(t);
}

void timer_wheel::cascade(unsigned level) noexcept {
    std::size_t slot = (current_tick_ >> (level_bits * level)) & (slots - 1);
    timer& head = wheel_[level][slot];
    occupied_[level][slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
    timer moving; // take the whole list, then re-place each timer one level (or more) down
    if (head.next_ == &head) return;
    moving.next_ = head.next_;
    moving.prev_ = head.prev_;
    moving.next_->prev_ = &moving;
    moving.prev_->next_ = &moving;
    head.next_ = head.prev_ = &head;
    while (moving.next_ != &moving) {
        timer* t = moving.next_;
        t->unlink();
        place(*t);
    }
}

std::size_t timer_wheel::advance(time_point now) noexcept {
    auto since = now - start_;
    if (since < duration::zero()) return 0;
    auto target = static_cast<std::uint64_t>(since / tick_);
    std::size_t fired = 0;
    while (current_tick_ < target) {
        ++current_tick_;
        // Moving into a new span of a higher level brings its timers down first.
        for (unsigned level = 1; level < levels; ++level) {
            if ((current_tick_ & ((std::uint64_t{1} << (level_bits * level)) - 1)) != 0) break;
            cascade(level);
        }
        std::size_t slot = current_tick_ & (slots - 1);
        timer& head = wheel_[0][slot];
        occupied_[0][slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
        if (head.next_ == &head) {
            if (size_ == 0) current_tick_ = target; // nothing armed: jump straight there
            continue;
        }
        timer due;
        due.next_ = head.next_;
        due.prev_ = head.prev_;
        due.next_->prev_ = &due;
        due.prev_->next_ = &due;
        head.next_ = head.prev_ = &head;
        // Callbacks may cancel timers still in `due` (they unlink themselves) or re-arm any timer.
        while (due.next_ != &due) {
            timer* t = due.next_;
            t->unlink();
            if (t->expiry_tick_ > current_tick_) { // parked beyond the top level: not due yet
                place(*t);
                continue;
            }
            t->wheel_ = nullptr;
            --size_;
            ++fired;
            t->fire_(t->owner_);
        }
    }
    return fired;
}

std::optional<time_point> timer_wheel::next_deadline() const noexcept {
    if (size_ == 0) return std::nullopt;
    // The first occupied slot after the current position, lowest level first, found with the
    // occupancy bitmaps a 64-slot word at a time. For a higher level the answer is the start of
    // that slot's span, when its timers cascade down. A stale bit (its timers were cancelled)
    // is cleared when met.
    for (unsigned level = 0; level < levels; ++level) {
        unsigned shift = level_bits * level;
        std::uint64_t position = current_tick_ >> shift;
        std::size_t step = 1;
        while (step <= slots) {
            std::uint64_t candidate = position + step;
            std::size_t slot = candidate & (slots - 1);
            std::uint64_t word = occupied_[level][slot / 64] >> (slot % 64);
            if (word == 0) {
                step += 64 - slot % 64; // nothing more in this word
                continue;
            }
            std::size_t skip = static_cast<std::size_t>(std::countr_zero(word));
            step += skip;
            if (step > slots) break;
            candidate = position + step;
            slot = candidate & (slots - 1);
            const timer& head = wheel_[level][slot];
            if (head.next_ == &head) {
                occupied_[level][slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
                ++step;
                continue;
            }
            return time_of(level == 0 ? candidate : (candidate << shift));
        }
    }
    return time_of(current_tick_ + 1);
}

} // namespace parley
