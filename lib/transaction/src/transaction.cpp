#include "transaction.hpp"

#include "layer_core.hpp"

namespace parley {

transaction::transaction(layer_core& core, transaction_id id, transaction_kind kind,
                         std::string key, const flow& destination,
                         transaction_state initial) noexcept
    : core_(core), key_(std::move(key)), destination_(destination), id_(id), state_(initial),
      kind_(kind) {
    retransmit_timer_.bind<&transaction::fire_retransmit>(this);
    state_timer_.bind<&transaction::fire_state>(this);
}

void transaction::receive_response(const message&, const flow&) noexcept {
    ++core_.stats_.dropped_invalid;
}

void transaction::receive_request(const message&, const flow&) noexcept {
    ++core_.stats_.dropped_invalid;
}

result<void> transaction::respond(std::uint16_t, std::string) {
    return fail(481, "Not a server transaction");
}

const timer_settings& transaction::timers() const noexcept {
    return core_.options_.timers;
}

bool transaction::send(std::string_view bytes) noexcept {
    if (core_.sender_.send(destination_, bytes) == send_result::sent) return true;
    ++core_.stats_.send_failures;
    transport_failed();
    return false;
}

void transaction::arm_retransmit(duration delay) noexcept {
    core_.wheel_.schedule_after(retransmit_timer_, delay);
}

void transaction::arm_state(duration delay) noexcept {
    core_.wheel_.schedule_after(state_timer_, delay);
}

void transaction::wait_then_terminate(duration delay) noexcept {
    if (delay <= duration::zero()) {
        terminate();
        return;
    }
    arm_state(delay);
}

void transaction::linger_then_terminate(duration delay) noexcept {
    if (delay <= duration::zero()) {
        terminate();
        return;
    }
    cancel_timers();
    core_.linger(*this, message_, delay);
    state_ = transaction_state::terminated; // parked: the record carries on
}

void transaction::cancel_timers() noexcept {
    retransmit_timer_.cancel();
    state_timer_.cancel();
}

void transaction::fail_client(failure_reason why) noexcept {
    if (why == failure_reason::timeout)
        ++core_.stats_.timeouts;
    else
        ++core_.stats_.transport_errors;
    cancel_timers();
    if (!internal_) core_.user_.on_client_failure(id_, why);
    terminate();
}

void transaction::fail_server(failure_reason why) noexcept {
    if (why == failure_reason::timeout)
        ++core_.stats_.timeouts;
    else
        ++core_.stats_.transport_errors;
    cancel_timers();
    if (!internal_) core_.user_.on_server_failure(id_, why);
    terminate();
}

void transaction::terminate() noexcept {
    if (terminated()) return; // a hook may have failed us already
    cancel_timers();
    state_ = transaction_state::terminated;
    core_.retire(*this);
}

void transaction::fire_retransmit() noexcept {
    entry_guard guard(core_); // may destroy `this` when it goes out of scope
    if (!terminated()) on_retransmit_timer();
}

void transaction::fire_state() noexcept {
    entry_guard guard(core_);
    if (!terminated()) on_state_timer();
}

} // namespace parley
