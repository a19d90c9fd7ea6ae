#include "server_invite.hpp"

#include "layer_core.hpp"

#include <algorithm>

namespace parley {

server_invite::server_invite(layer_core& core, transaction_id id, std::string key,
                             const flow& destination, std::string trying) noexcept
    : transaction(core, id, transaction_kind::server_invite, std::move(key), destination,
                  transaction_state::proceeding) {
    message_ = std::move(trying);
    // RFC 3261 §17.2.1: 100 Trying unless the TU sends a provisional within 200 ms.
    arm_retransmit(timers().trying_delay);
}

void server_invite::send_provisional() noexcept {
    // flag_: a provisional (the TU's or our 100) has gone out, message_ holds the latest.
    flag_ = true;
    retransmit_timer_.cancel();
    send(message_);
}

void server_invite::receive_request(const message& request, const flow& source) noexcept {
    if (request.method() == method::ack) {
        receive_ack(request, source);
        return;
    }
    ++core_.stats_.retransmissions_absorbed;
    switch (state_) {
    case transaction_state::proceeding:
        // RFC 3261 §17.2.1: a retransmitted INVITE gets the most recent provisional; the peer
        // is waiting, so a 100 still pending goes now.
        send_provisional();
        return;
    case transaction_state::completed:
        send(message_); // RFC 3261 §17.2.1: resend the final response
        return;
    default:
        // Confirmed absorbs (§17.2.1); Accepted absorbs (RFC 6026 §7.1: the TU retransmits).
        return;
    }
}

void server_invite::receive_ack(const message& ack, const flow& source) noexcept {
    switch (state_) {
    case transaction_state::completed:
        // RFC 3261 §17.2.1: the ACK confirms; Timer I (T4 UDP, 0 reliable) absorbs further ACKs.
        state_ = transaction_state::confirmed;
        cancel_timers();
        release_message();
        wait_then_terminate(reliable() ? duration::zero() : timers().t4);
        return;
    case transaction_state::confirmed: ++core_.stats_.retransmissions_absorbed; return;
    case transaction_state::accepted:
        // RFC 6026 §7.1: in Accepted an ACK is passed to the TU, not absorbed.
        core_.user_.on_ack(ack, source);
        return;
    default:
        ++core_.stats_.dropped_invalid; // an ACK before any final response
        return;
    }
}

result<void> server_invite::respond(std::uint16_t status, std::string bytes) {
    if (state_ == transaction_state::accepted) {
        // RFC 6026 §7.1: the TU retransmits its 2xx through the transaction.
        if (status < 200 || status >= 300) return fail(500, "Only 2xx in Accepted");
        send(bytes);
        return {};
    }
    if (state_ != transaction_state::proceeding) return fail(500, "Final response already sent");
    if (status < 200) {
        message_ = std::move(bytes); // RFC 3261 §17.2.1: 101-199 from TU, send response
        send_provisional();
        return {};
    }
    cancel_timers();
    if (status < 300) {
        // RFC 6026 §7.1: a 2xx moves Proceeding to Accepted and starts Timer L = 64*T1; the
        // transaction keeps no copy (the TU owns 2xx retransmission), so it lingers as a compact
        // record. A failed send leaves it in Accepted (transport_failed).
        state_ = transaction_state::accepted;
        release_message();
        send(bytes);
        linger_then_terminate(64 * timers().t1);
        return {};
    }
    // RFC 3261 §17.2.1: 300-699 from TU: send, enter Completed, Timer G (T1, unreliable only)
    // and Timer H (64*T1).
    state_ = transaction_state::completed;
    message_ = std::move(bytes);
    if (!reliable()) {
        interval_ = timers().t1;
        arm_retransmit(interval_);
    }
    arm_state(64 * timers().t1);
    send(message_);
    return {};
}

void server_invite::on_retransmit_timer() noexcept {
    if (state_ == transaction_state::proceeding) {
        send_provisional(); // RFC 3261 §17.2.1: the TU was silent for 200 ms: 100 Trying
        return;
    }
    if (state_ != transaction_state::completed) return;
    // RFC 3261 §17.2.1: Timer G doubles, capped at T2.
    interval_ = std::min(2 * interval_, timers().t2);
    arm_retransmit(interval_);
    send(message_);
}

void server_invite::on_state_timer() noexcept {
    switch (state_) {
    case transaction_state::completed:
        fail_server(failure_reason::timeout); // RFC 3261 §17.2.1: Timer H, no ACK
        return;
    case transaction_state::confirmed: // RFC 3261 §17.2.1: Timer I
    case transaction_state::accepted:  // RFC 6026 §7.1: Timer L
        terminate();
        return;
    case transaction_state::proceeding:
        // Armed only after a transport error in Proceeding (below): the TU never sent the
        // final response, so nothing else would ever end this transaction.
        terminate();
        return;
    default: return;
    }
}

void server_invite::transport_failed() noexcept {
    // RFC 6026 §7.1 (replacing RFC 3261 §17.2.4 for INVITE): "MUST NOT discard transaction
    // state based only on encountering a non-recoverable transport error when sending a
    // response ... MUST remain in its current state" — inform the TU and stay, so request
    // retransmissions are still absorbed until Timer H or L ends the transaction. Confirmed
    // sends nothing any more.
    if (state_ == transaction_state::confirmed) return;
    ++core_.stats_.transport_errors;
    // Proceeding has no timer of its own: bound the wait for the TU's final response, so a TU
    // that gives up on the request cannot leave the transaction behind.
    if (state_ == transaction_state::proceeding && !state_timer_.armed())
        arm_state(64 * timers().t1);
    if (!internal_) core_.user_.on_server_failure(id_, failure_reason::transport_error);
}

} // namespace parley
