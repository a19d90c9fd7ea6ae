#include "client_non_invite.hpp"

#include "layer_core.hpp"

#include <algorithm>

namespace parley {

client_non_invite::client_non_invite(layer_core& core, transaction_id id, std::string key,
                                     const flow& destination, std::string request) noexcept
    : transaction(core, id, transaction_kind::client_non_invite, std::move(key), destination,
                  transaction_state::trying) {
    message_ = std::move(request);
}

void client_non_invite::start() noexcept {
    // RFC 3261 §17.1.2.2: Timer E = T1 over unreliable transports; Timer F = 64*T1 always.
    if (!reliable()) {
        interval_ = timers().t1;
        arm_retransmit(interval_);
    }
    arm_state(64 * timers().t1);
}

void client_non_invite::receive_response(const message& response, const flow&) noexcept {
    std::uint16_t status = response.status();
    if (state_ == transaction_state::completed) {
        // RFC 3261 §17.1.2.2: Completed absorbs retransmitted responses.
        ++core_.stats_.retransmissions_absorbed;
        return;
    }
    if (status < 200) {
        // RFC 3261 §17.1.2.2: a provisional moves Trying to Proceeding and goes to the TU.
        state_ = transaction_state::proceeding;
        if (!internal_) core_.user_.on_response(id_, response);
        return;
    }
    // RFC 3261 §17.1.2.2: a final response completes; Timer K absorbs retransmissions of it
    // (in a compact lingering record).
    state_ = transaction_state::completed;
    cancel_timers();
    release_message();
    if (!internal_) core_.user_.on_response(id_, response);
    if (terminated()) return;
    linger_then_terminate(reliable() ? duration::zero() : timers().t4);
}

void client_non_invite::on_retransmit_timer() noexcept {
    if (state_ != transaction_state::trying && state_ != transaction_state::proceeding) return;
    // RFC 3261 §17.1.2.2: Timer E doubles up to T2 in Trying; in Proceeding it is reset to T2.
    interval_ = state_ == transaction_state::proceeding ? timers().t2
                                                        : std::min(2 * interval_, timers().t2);
    arm_retransmit(interval_);
    send(message_);
}

void client_non_invite::on_state_timer() noexcept {
    if (state_ == transaction_state::completed) {
        terminate(); // RFC 3261 §17.1.2.2: Timer K
        return;
    }
    fail_client(failure_reason::timeout); // RFC 3261 §17.1.2.2: Timer F, inform the TU
}

void client_non_invite::transport_failed() noexcept {
    // RFC 3261 §17.1.4: a transport error while sending the request informs the TU. Once
    // completed nothing is sent any more.
    if (state_ == transaction_state::completed) return;
    fail_client(failure_reason::transport_error);
}

} // namespace parley
