// Vocabulary of the transaction layer (RFC 3261 §17, RFC 6026): transaction ids and states, the
// timer settings and limits of a layer, its counters, and the one output interface towards the
// network, `message_sender`, which the real transport and the tests implement.
//
// Everything here is a plain value except message_sender, which the shard owns and lends to its
// transaction_layer for the layer's whole life. Single-threaded: one shard.
#pragma once

#include <parley/base/time.hpp>
#include <parley/transport/address.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley {

/// Names one transaction of one transaction_layer. Ids count up from 1 and are never reused, so
/// a stale id (a late callback, a TU that kept it too long) finds nothing and is a no-op.
struct transaction_id {
    std::uint64_t value = 0;

    explicit operator bool() const noexcept { return value != 0; }
    friend bool operator==(transaction_id, transaction_id) = default;
};

/// The states of RFC 3261 §17 figures 5-8, plus Accepted from RFC 6026 §7.
enum class transaction_state : std::uint8_t {
    calling,    ///< client INVITE, request sent, nothing heard (§17.1.1.2)
    trying,     ///< non-INVITE, nothing heard (client) or nothing answered (server)
    proceeding, ///< a provisional response was received (client) or sent (server)
    completed,  ///< a final response was received (client) or sent (server), non-2xx for INVITE
    confirmed,  ///< server INVITE: the ACK for its non-2xx final arrived (§17.2.1)
    accepted,   ///< INVITE with a 2xx: RFC 6026 §7.1 (server) and §7.2 (client)
    terminated, ///< gone; a terminated transaction is never observable through the layer
};

enum class transaction_kind : std::uint8_t {
    client_invite,
    client_non_invite,
    server_invite,
    server_non_invite,
};

/// Why a transaction failed, as reported to the transaction_user.
enum class failure_reason : std::uint8_t {
    timeout,         ///< client: Timer B or F (the TU treats it as 408); server: Timer H, no ACK
    transport_error, ///< the transport could not send (§17.1.4, §17.2.4)
};

/// RFC 3261 §17 timer base values (Table 4). Settable per layer, e.g. to shorten T1 on a LAN.
/// Reliable transports ignore these for Timers A, E, G (no retransmission) and D, I, J, K (zero).
struct timer_settings {
    duration t1 = milliseconds(500); ///< RTT estimate: first retransmission, 64*T1 timeouts
    duration t2 = seconds(4);        ///< cap of non-INVITE and INVITE-response retransmissions
    duration t4 = seconds(5);        ///< how long a message may stay in the network: Timers I, K
    duration timer_d = seconds(32);  ///< Timer D over unreliable transports: "at least 32 s"
    /// How long an INVITE client transaction waits in Proceeding for a final response before
    /// it CANCELs the INVITE itself (restarted by every provisional), after RFC 3261 §16.6
    /// Timer C ("greater than 3 minutes"). Timer B stops at the first provisional, so this is
    /// what bounds a transaction when neither the peer nor the TU ends the ringing.
    duration timer_c = seconds(181);
    /// RFC 3261 §17.2.1: a server INVITE transaction answers 100 Trying itself when the TU has
    /// sent no provisional response within this delay.
    duration trying_delay = milliseconds(200);
    /// How late a transaction that only waits for its last timer may end: RFC 6026 Accepted
    /// (Timers L and M) and non-INVITE Completed (Timers J and K). With a slack, those that came
    /// due end when the next message reaches the layer (before it is matched, so no message
    /// meets a transaction the RFC says is gone), and the timer behind them fires only at the
    /// next multiple of the slack (on the clock's own scale, so every queue shares the grid):
    /// a shard that receives anything within a period never wakes for them, and one that
    /// receives nothing wakes once per period, not once per millisecond tick. Every other timer
    /// keeps its exact deadline. Zero (the default) ends each at its own tick, exactly as the
    /// RFC figures; a busy server sets a few milliseconds (parley-minimal-uas: 16 ms).
    duration lingering_slack = duration::zero();
};

/// Every resource has a limit (ARCHITECTURE-GUIDE §3).
struct transaction_limits {
    /// Live transactions of both kinds. At the limit a new incoming request (not ACK) is answered
    /// 503 with Retry-After statelessly, and send_request() refuses with a 503 error. The CANCEL a
    /// client transaction sends and the answer to an incoming CANCEL are exempt: at most one per
    /// INVITE, and they release resources.
    std::size_t max_transactions = 200'000;
    /// Transactions the tables are sized for up front (0: they grow as needed). Growing
    /// re-buckets a whole table at once, a pause of tens of milliseconds at a million entries
    /// that shows as a latency tail; a server expecting that many sizes them once.
    std::size_t expected_transactions = 0;
    /// Seconds written in the Retry-After of the 503 sent at the limit.
    std::uint32_t retry_after_seconds = 5;
};

struct transaction_options {
    timer_settings timers{};
    transaction_limits limits{};
};

/// Counters; untrusted input that cannot be used is counted here and dropped, never thrown.
struct transaction_stats {
    std::uint64_t requests_received = 0;
    std::uint64_t responses_received = 0;
    std::uint64_t retransmissions_absorbed = 0; ///< requests and responses a transaction absorbed
    std::uint64_t responses_unmatched = 0;      ///< non-2xx (or non-INVITE) matching no client
    std::uint64_t stray_2xx = 0;                ///< 2xx to INVITE matching no client: to the TU
    std::uint64_t acks_unmatched = 0;           ///< ACK matching no transaction: to the TU
    std::uint64_t cancels_unmatched = 0;        ///< CANCEL matching no INVITE: answered 481
    std::uint64_t dropped_invalid = 0;          ///< unusable for matching (CSeq method mismatch…)
    std::uint64_t rejected_at_limit = 0;        ///< 503 sent or send_request refused at the limit
    std::uint64_t send_failures = 0;            ///< message_sender said failed
    std::uint64_t timeouts = 0;                 ///< Timers B, F, H and the §9.1 CANCEL wait
    std::uint64_t transport_errors = 0;         ///< transactions failed by a transport error
};

enum class send_result : std::uint8_t {
    sent,   ///< handed to the network (for UDP: to the kernel)
    failed, ///< could not be sent: the transaction fails with failure_reason::transport_error
};

/// The network, as this layer sees it. The shard's transport implements it; tests record.
class message_sender {
public:
    virtual ~message_sender() = default;
    /// Sends `bytes` (one whole message) to `destination`. Must not call back into the
    /// transaction_layer. A later asynchronous failure is reported with
    /// transaction_layer::transport_error().
    virtual send_result send(const flow& destination, std::string_view bytes) noexcept = 0;
};

} // namespace parley
