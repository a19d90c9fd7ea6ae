#include "client_invite.hpp"

#include "layer_core.hpp"
#include "matching.hpp"

namespace parley {

client_invite::client_invite(layer_core& core, transaction_id id, std::string key,
                             const flow& destination, std::string request) noexcept
    : transaction(core, id, transaction_kind::client_invite, std::move(key), destination,
                  transaction_state::calling) {
    message_ = std::move(request);
}

void client_invite::start() noexcept {
    // RFC 3261 §17.1.1.2: Timer A = T1 over unreliable transports; Timer B = 64*T1.
    if (!reliable()) {
        interval_ = timers().t1;
        arm_retransmit(interval_);
    }
    arm_state(64 * timers().t1);
}

const message* client_invite::parse_own_request() noexcept {
    message& m = core_.scratch_message();
    if (!parse_message(message_, m)) return nullptr; // checked at send_request: cannot happen
    return &m;
}

void client_invite::receive_response(const message& response, const flow& source) noexcept {
    std::uint16_t status = response.status();
    switch (state_) {
    case transaction_state::calling:
    case transaction_state::proceeding:
        if (status < 200) {
            on_provisional(response);
        } else if (status < 300) {
            // RFC 6026 §7.2: a 2xx moves Calling/Proceeding to Accepted; Timer M = 64*T1 keeps
            // the transaction (as a compact lingering record) to pass further 2xx
            // (retransmissions, forks) to the TU.
            state_ = transaction_state::accepted;
            cancel_timers();
            release_message();
            if (!internal_) core_.user_.on_response(id_, response);
            if (!terminated()) linger_then_terminate(64 * timers().t1);
        } else {
            on_final_non_2xx(response);
        }
        return;
    case transaction_state::completed:
        if (status >= 300) {
            // RFC 3261 §17.1.1.2: a retransmitted final is absorbed and the ACK resent.
            ++core_.stats_.retransmissions_absorbed;
            send(message_);
        } else if (status >= 200) {
            // A 2xx after a non-2xx (another fork): no transaction will take it, so the TU
            // ACKs it as a stray.
            ++core_.stats_.stray_2xx;
            core_.user_.on_stray_response(response, source);
        } else {
            ++core_.stats_.retransmissions_absorbed;
        }
        return;
    case transaction_state::accepted:
        // RFC 6026 §7.2: every 2xx goes to the TU; anything else is absorbed.
        if (status >= 200 && status < 300) {
            if (!internal_) core_.user_.on_response(id_, response);
        } else {
            ++core_.stats_.retransmissions_absorbed;
        }
        return;
    default: return;
    }
}

void client_invite::on_provisional(const message& response) noexcept {
    if (state_ == transaction_state::calling) {
        // RFC 3261 §17.1.1.2: a provisional stops the retransmissions (Timer A) and Timer B.
        state_ = transaction_state::proceeding;
        cancel_timers();
        // Keep only what ACK and CANCEL need: the body and other headers can go.
        if (const message* invite = parse_own_request())
            message_ = build_from_invite(*invite, "INVITE", invite->to().text);
        if (flag_) send_cancel(); // RFC 3261 §9.1: a CANCEL waits for a provisional
        if (terminated()) return;
    }
    // After RFC 3261 §16.6 Timer C: every provisional restarts the wait for a final (not once
    // a CANCEL is out: then the §9.1 wait runs).
    if (!flag_) arm_state(timers().timer_c);
    if (!internal_) core_.user_.on_response(id_, response);
}

void client_invite::on_final_non_2xx(const message& response) noexcept {
    // RFC 3261 §17.1.1.2: 300-699 sends the ACK, passes the response up, enters Completed and
    // starts Timer D (32 s unreliable, 0 reliable) to absorb retransmissions of the final. The
    // ACK goes first: a TU that retries at once (401/407 with credentials, 422, 3xx) must not
    // put its new INVITE on the wire before the ACK of the old one.
    state_ = transaction_state::completed;
    cancel_timers();
    const message* invite = parse_own_request();
    // RFC 3261 §17.1.1.3: the ACK's To is the response's (with its tag).
    std::string ack =
        invite ? build_from_invite(*invite, "ACK", response.to().text) : std::string();
    message_ = std::move(ack);
    message_.shrink_to_fit();
    // A failed ACK is reported only after the TU had the final (it then just terminates).
    bool sent = message_.empty() || core_.sender_.send(destination_, message_) == send_result::sent;
    if (!internal_) core_.user_.on_response(id_, response);
    if (terminated()) return;
    if (!sent) {
        ++core_.stats_.send_failures;
        transport_failed();
        return;
    }
    wait_then_terminate(reliable() ? duration::zero() : timers().timer_d);
}

result<void> client_invite::cancel() noexcept {
    if (state_ != transaction_state::calling && state_ != transaction_state::proceeding)
        return fail(481, "INVITE already answered");
    if (flag_) return fail(500, "INVITE already cancelled");
    flag_ = true;
    if (state_ == transaction_state::proceeding) send_cancel();
    return {};
}

void client_invite::send_cancel() noexcept {
    const message* invite = parse_own_request();
    if (invite == nullptr) return;
    // RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via (hence the
    // same branch) as the INVITE, sent to the same destination.
    std::string bytes = build_from_invite(*invite, "CANCEL", invite->to().text);
    core_.start_internal_cancel(std::move(bytes), branch(), destination_);
    // RFC 3261 §9.1: without a final response 64*T1 after the CANCEL, the INVITE transaction
    // is given up (Timer B does not run in Proceeding, so this bounds it).
    if (!terminated()) arm_state(64 * timers().t1);
}

void client_invite::on_retransmit_timer() noexcept {
    if (state_ != transaction_state::calling) return;
    // RFC 3261 §17.1.1.2: Timer A doubles with every retransmission, without a cap.
    interval_ *= 2;
    arm_retransmit(interval_);
    send(message_);
}

void client_invite::on_state_timer() noexcept {
    switch (state_) {
    case transaction_state::proceeding:
        if (!flag_) {
            // Timer C (RFC 3261 §16.6 item 11, §16.8): no final for too long: CANCEL it.
            flag_ = true;
            send_cancel();
            return;
        }
        [[fallthrough]];             // RFC 3261 §9.1: no final 64*T1 after CANCEL
    case transaction_state::calling: // RFC 3261 §17.1.1.2: Timer B
        fail_client(failure_reason::timeout);
        return;
    case transaction_state::completed: // RFC 3261 §17.1.1.2: Timer D
    case transaction_state::accepted:  // RFC 6026 §7.2: Timer M
        terminate();
        return;
    default: return;
    }
}

void client_invite::transport_failed() noexcept {
    switch (state_) {
    case transaction_state::calling:
    case transaction_state::proceeding:
        fail_client(failure_reason::transport_error); // RFC 3261 §17.1.4
        return;
    case transaction_state::completed:
        // RFC 3261 §17.1.1.2: a transport error in Completed (the ACK) terminates; the final
        // response has already gone to the TU.
        terminate();
        return;
    default: return; // Accepted sends nothing
    }
}

} // namespace parley
