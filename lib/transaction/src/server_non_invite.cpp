#include "server_non_invite.hpp"

#include "layer_core.hpp"

namespace parley {

server_non_invite::server_non_invite(layer_core& core, transaction_id id, std::string key,
                                     const flow& destination) noexcept
    : transaction(core, id, transaction_kind::server_non_invite, std::move(key), destination,
                  transaction_state::trying) {}

void server_non_invite::receive_request(const message&, const flow&) noexcept {
    ++core_.stats_.retransmissions_absorbed;
    // RFC 3261 §17.2.2: Trying discards retransmissions; Proceeding and Completed resend the
    // last response.
    if (state_ == transaction_state::proceeding || state_ == transaction_state::completed)
        send(message_);
}

result<void> server_non_invite::respond(std::uint16_t status, std::string bytes) {
    if (state_ == transaction_state::completed) return fail(500, "Final response already sent");
    message_ = std::move(bytes);
    if (status < 200) {
        state_ = transaction_state::proceeding; // RFC 3261 §17.2.2: 1xx from TU
        send(message_);
        return {};
    }
    // RFC 3261 §17.2.2: a final response completes; Timer J (64*T1 UDP, 0 reliable) keeps it
    // for retransmitted requests, in a compact lingering record.
    state_ = transaction_state::completed;
    if (!send(message_)) return {};
    linger_then_terminate(reliable() ? duration::zero() : 64 * timers().t1);
    return {};
}

void server_non_invite::on_state_timer() noexcept {
    terminate(); // RFC 3261 §17.2.2: Timer J
}

void server_non_invite::transport_failed() noexcept {
    fail_server(failure_reason::transport_error); // RFC 3261 §17.2.4
}

} // namespace parley
