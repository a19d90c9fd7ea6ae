// transaction_user: the interface through which the transaction layer calls up (RFC 3261 §17
// "TU"): the dialog layer, a stateless proxy core, or a test. The layer owns the interface; the
// implementer outlives the layer. Hooks are `noexcept` with no-op defaults and run on the
// layer's shard, inside transaction_layer::receive(), a timer callback or a TU call.
//
// Hooks may call back into the layer (respond from on_request is the common case). Every
// message reference is valid only during the hook: a TU that answers later copies what it needs.
#pragma once

#include <parley/sip/message.hpp>
#include <parley/transaction/types.hpp>

#include <string_view>

namespace parley {

/// A new request (not a retransmission, not ACK, not CANCEL) and the server transaction the
/// layer created for it.
struct incoming_request {
    transaction_id server;
    const message& request;
    const flow& source;
    /// The top Via as every response must carry it (RFC 3261 §18.2.1 received, RFC 3581 rport).
    /// Build responses with response_to(request, status, {.to_tag = ..., .top_via = top_via}).
    std::string_view top_via;
};

class transaction_user {
public:
    virtual ~transaction_user() = default;

    /// A new request. Answer it with transaction_layer::respond(request.server, ...); an INVITE
    /// not answered with a provisional within timer_settings::trying_delay gets 100 Trying
    /// from the layer (§17.2.1).
    virtual void on_request(const incoming_request& request) noexcept { (void)request; }

    /// An ACK that matched no transaction (the ACK for a 2xx, RFC 3261 §17.2.3 / §13.3.1.4), or
    /// that matched an INVITE server transaction in Accepted (RFC 6026 §7.1): for the dialog.
    virtual void on_ack(const message& ack, const flow& source) noexcept {
        (void)ack;
        (void)source;
    }

    /// A CANCEL matched `invite_server`, which has not sent a final response yet (§9.2). The
    /// layer already answered the CANCEL 200; the TU answers the INVITE 487.
    virtual void on_cancel(transaction_id invite_server, const message& cancel) noexcept {
        (void)invite_server;
        (void)cancel;
    }

    /// A response for one of the TU's client transactions: every provisional, the final (once;
    /// retransmissions are absorbed) and, in Accepted (RFC 6026 §7.2), every 2xx including
    /// retransmissions and other forks' 2xx: the TU ACKs each one.
    virtual void on_response(transaction_id client, const message& response) noexcept {
        (void)client;
        (void)response;
    }

    /// A 2xx to INVITE that matched no client transaction (its Timer M has run out, or the
    /// transaction completed with a non-2xx): the TU ACKs it (and usually sends BYE).
    virtual void on_stray_response(const message& response, const flow& source) noexcept {
        (void)response;
        (void)source;
    }

    /// A client transaction failed: Timer B/F (treat as 408 Request Timeout), the §9.1 wait after
    /// CANCEL, or a transport error (treat as 503). The transaction terminates right after.
    virtual void on_client_failure(transaction_id client, failure_reason why) noexcept {
        (void)client;
        (void)why;
    }

    /// A server transaction failed: Timer H fired without an ACK, or its response could not be
    /// sent. The transaction terminates right after.
    virtual void on_server_failure(transaction_id server, failure_reason why) noexcept {
        (void)server;
        (void)why;
    }

    /// The transaction is gone; its id is now stale. Called once per transaction the TU saw.
    virtual void on_terminated(transaction_id id) noexcept { (void)id; }
};

} // namespace parley
