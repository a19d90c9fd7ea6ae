// transaction_layer: every RFC 3261 §17 transaction of one shard, client and server, INVITE and
// non-INVITE, with RFC 6026 (Accepted state) and the §17.1.3 / §17.2.3 matching rules.
//
// It is a pure event-driven state machine. Inputs: receive() (a parsed message and the flow it
// came on), the TU's calls (send_request, respond, cancel), transport_error(), and the firing
// of its timers inside timer_wheel::advance(). Outputs: message_sender::send() and the
// transaction_user hooks. It reads no clock: `now` is the wheel's time, so the shard advances
// the wheel to the current time before calling receive().
//
// Ownership: the layer owns every transaction (by unique_ptr, in tables keyed for matching);
// the TU holds only transaction_ids, which are never reused, so a stale id is a no-op. The
// sender, the TU and the wheel are borrowed and must outlive the layer. Single-threaded.
//
// What the layer keeps per transaction: the key (branch, sent-by, method), the bytes it may
// have to resend (the request until a response arrives, then a compact header skeleton for
// ACK/CANCEL; the last response for a server), the destination flow and two timers: 256 bytes
// (x86-64) plus those strings. See docs/transaction.md.
#pragma once

#include <parley/base/result.hpp>
#include <parley/base/timer_wheel.hpp>
#include <parley/sip/message.hpp>
#include <parley/transaction/transaction_user.hpp>
#include <parley/transaction/types.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

class layer_core;

/// A request the TU wants sent in a new client transaction.
struct client_request {
    std::string bytes;       ///< the whole serialized request; its top Via carries `branch`
    std::string_view branch; ///< the top Via branch (RFC 3261 §8.1.1.7: starts with z9hG4bK)
    std::string_view method; ///< as in the request line and CSeq: "INVITE", "OPTIONS", ...
    flow destination;        ///< where it goes (and where retransmissions and CANCEL go)
};

class transaction_layer {
public:
    transaction_layer(message_sender& sender, transaction_user& user, timer_wheel& wheel,
                      const transaction_options& options = {});
    ~transaction_layer();
    transaction_layer(const transaction_layer&) = delete;
    transaction_layer& operator=(const transaction_layer&) = delete;

    /// A parsed message from the transport with the flow it arrived on. Requests are matched to
    /// server transactions (§17.2.3), new ones create one and reach the TU; responses are
    /// matched to client transactions (§17.1.3). Never throws; what cannot be used is counted.
    void receive(const message& incoming, const flow& source) noexcept;

    /// Starts a client transaction and sends the request. Errors: 503 at the transaction limit
    /// or when the first send fails; 400 for an empty branch, an ACK (not a transaction: the
    /// TU sends the 2xx ACK through the transport) or an INVITE whose bytes do not parse;
    /// 482 when a client transaction with the same branch and method exists.
    result<transaction_id> send_request(client_request request);

    /// Sends a response from a server transaction. `bytes` is the whole response, with the top
    /// Via from incoming_request::top_via. Errors (TU mistakes): 481 for an unknown or stale id,
    /// 500 for a status outside 100-699 or a response the state does not allow (a second final,
    /// anything but 2xx in Accepted). Send failures are reported through on_server_failure.
    result<void> respond(transaction_id server, std::uint16_t status, std::string bytes);

    /// RFC 3261 §9.1: cancels a pending INVITE client transaction. The layer builds the CANCEL
    /// from the INVITE (Request-URI, Call-ID, From, To, CSeq number, top Via, Route) and sends
    /// it in its own client transaction to the INVITE's destination: now when a provisional
    /// has arrived, otherwise as soon as one does. (Timer C, timer_settings::timer_c, does the
    /// same by itself when a ringing INVITE gets no final response.) The CANCEL's transaction is
    /// the layer's own (its responses are not reported); the outcome is the INVITE's final response
    /// (487), or on_client_failure(timeout) 64*T1 after the CANCEL when none comes. Errors: 481
    /// when the id is not an INVITE client transaction waiting for a final response, 500 when
    /// already cancelled.
    result<void> cancel(transaction_id invite_client);

    /// The transport could not deliver to `destination` (an ICMP error, a closed connection).
    /// Every transaction sending there fails (§17.1.4, §17.2.4). Connection 0 on either side
    /// matches any connection to the same remote address.
    void transport_error(const flow& destination) noexcept;

    /// The state of a live transaction; nullopt for an unknown, stale or terminated id.
    std::optional<transaction_state> state(transaction_id id) const noexcept;
    /// Live transactions of all kinds (what the limit counts).
    std::size_t size() const noexcept;
    const transaction_stats& stats() const noexcept;
    const transaction_options& options() const noexcept;

private:
    std::unique_ptr<layer_core> core_;
};

} // namespace parley
