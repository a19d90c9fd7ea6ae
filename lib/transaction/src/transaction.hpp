// transaction: what the four RFC 3261 §17 machines share: identity, the matching key, the bytes
// the machine may have to resend, the destination, two timers, and the plumbing to the layer
// (send, report, terminate). Private to the layer: the TU only sees transaction_ids.
//
// Lifetime: layer_core owns every transaction by unique_ptr. terminate() unlinks it from the
// tables at once (it can no longer be matched or found by id) and parks it until the outermost
// layer entry (receive, a TU call, a timer callback) returns, so code further up the stack that
// still holds `this` stays valid. A state that only waits for its last timer is handed over to a
// lingering record (lingering.hpp) the same way, without the TU noticing. Two timers suffice: no
// state runs more than a retransmission timer (A, E, G, or the automatic 100 Trying) and a
// timeout/wait timer (B, F, H, D, I, J, K, L, M) at once.
#pragma once

#include <parley/base/result.hpp>
#include <parley/base/timer_wheel.hpp>
#include <parley/sip/message.hpp>
#include <parley/transaction/types.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace parley {

class layer_core;

class transaction {
public:
    transaction(layer_core& core, transaction_id id, transaction_kind kind, std::string key,
                const flow& destination, transaction_state initial) noexcept;
    virtual ~transaction() = default;
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    transaction_id id() const noexcept { return id_; }
    transaction_kind kind() const noexcept { return kind_; }
    transaction_state state() const noexcept { return state_; }
    bool terminated() const noexcept { return state_ == transaction_state::terminated; }
    bool is_client() const noexcept {
        return kind_ == transaction_kind::client_invite ||
               kind_ == transaction_kind::client_non_invite;
    }
    /// The matching key, stable for the transaction's life (the tables hold views of it).
    std::string_view key() const noexcept { return key_; }
    const flow& destination() const noexcept { return destination_; }
    /// Created by the layer itself (a CANCEL it sends, the answer to a CANCEL): the TU never
    /// hears of it.
    bool internal() const noexcept { return internal_; }
    void make_internal() noexcept { internal_ = true; }
    std::size_t retained_bytes() const noexcept { return message_.capacity(); }

    // Inputs; each machine overrides those that apply to it.
    /// Client: a response matched by §17.1.3.
    virtual void receive_response(const message& response, const flow& source) noexcept;
    /// Server: a retransmission of the request, or (INVITE) the ACK, matched by §17.2.3.
    virtual void receive_request(const message& request, const flow& source) noexcept;
    /// Server: the TU's response.
    virtual result<void> respond(std::uint16_t status, std::string bytes);
    /// The transport failed to deliver what this transaction sends (§17.1.4, §17.2.4).
    virtual void transport_failed() noexcept = 0;

protected:
    bool reliable() const noexcept { return is_reliable(destination_.protocol); }
    const timer_settings& timers() const noexcept;
    /// Sends `bytes` to the destination. On failure runs transport_failed() (which terminates)
    /// and returns false: the caller returns at once.
    bool send(std::string_view bytes) noexcept;
    void arm_retransmit(duration delay) noexcept;
    void arm_state(duration delay) noexcept;
    /// Starts a wait timer (D, I, J, K); zero (reliable transports) terminates right now.
    void wait_then_terminate(duration delay) noexcept;
    /// For a state that only waits (RFC 6026 Accepted, non-INVITE Completed): hands the
    /// transaction over to a compact lingering record (lingering.hpp) that keeps its id and
    /// message_ and terminates `delay` from now (Timer L, M, J or K); zero terminates now.
    /// `this` is parked as terminated: the caller returns at once.
    void linger_then_terminate(duration delay) noexcept;
    void cancel_timers() noexcept;
    /// Frees the retained bytes (capacity too: a lingering transaction stays small).
    void release_message() noexcept { std::string().swap(message_); }
    void fail_client(failure_reason why) noexcept;
    void fail_server(failure_reason why) noexcept;
    void terminate() noexcept;

    virtual void on_retransmit_timer() noexcept {}
    virtual void on_state_timer() noexcept {}

    layer_core& core_;
    std::string key_;
    std::string message_; ///< what this transaction resends (request, ACK, or last response)
    flow destination_;
    timer retransmit_timer_; ///< A, E, G, or the 100 Trying delay
    timer state_timer_;      ///< B, F, H, D, I, J, K, L, M, or the §9.1 wait after CANCEL
    transaction_id id_;
    duration interval_{}; ///< the current retransmission interval
    transaction_state state_;
    transaction_kind kind_;
    bool internal_ = false;
    bool flag_ = false; ///< per machine: "provisional sent" / "CANCEL requested"

private:
    void fire_retransmit() noexcept;
    void fire_state() noexcept;
};

} // namespace parley
