// What session_layer keeps per session, and the small helpers its sources share.
#pragma once

#include <parley/sdp/negotiator.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/sip/outgoing_message.hpp>

#include <algorithm>
#include <optional>
#include <string>

namespace parley {

struct session_layer::record final : dialog_requester {
    record(session_layer& owner, std::shared_ptr<const extension_snapshot> extensions,
           session_options options)
        : layer(&owner), core(std::move(extensions), options) {}

    // Members are ordered so that the flags and small numbers sit together at the end (a
    // record lives as long as its call: padding between 8-byte members is paid per call).
    session_layer* layer = nullptr;
    /// The session's handle: its id (the core lives as long as the record).
    session_handle handle() const noexcept { return {core.id()}; }
    dialog* d = nullptr; ///< in layer->dialogs_ until end()
    flow source; ///< where the INVITE came from; our requests go there unless the target says
    transaction_id invite_server; ///< the initial INVITE, until its final response
    /// What every response to the INVITE copies, and our SDP for its 183 and 2xx (the
    /// negotiator's text when it was set: a later round must not change what they carry).
    /// Both move into the final response.
    struct invite_response {
        explicit invite_response(outgoing_message m) : base(std::move(m)) {}
        outgoing_message base;
        std::string sdp;
    };
    std::unique_ptr<invite_response> invite_base; ///< until the final response to the INVITE

    sdp::negotiator negotiator;

    // RFC 3261 §13.3.1.4: our 2xx to an INVITE, retransmitted until its ACK (then freed).
    struct final_2xx {
        explicit final_2xx(record* owner) { retransmit.bind<&record::on_retransmit>(owner); }
        std::string bytes;
        flow to; ///< where the 2xx went (its top Via and the INVITE's source, §18.2.2)
        std::uint32_t cseq = 0;
        duration interval{};
        time_point give_up{};
        timer retransmit;
    };
    std::unique_ptr<final_2xx> ok;

    /// The session's policy (session_policy) but its own addresses, which are rare: they sit
    /// in the extra part (set_policy()).
    struct policy_state {
        reliable_mode reliable = reliable_mode::supported;
        session_timer_settings timers{};
    };
    policy_state policy;

    // RFC 3262 reliable provisionals. As UAS at most one is unacknowledged; later ones wait.
    struct reliable_state {
        explicit reliable_state(record* owner) {
            retransmit.bind<&record::on_rel_retransmit>(owner);
        }
        std::uint16_t unacked_status = 0;
        std::uint32_t rseq = 0; ///< the last RSeq we sent
        /// The RSeq a PRACK acknowledged although we refused it (its body): a later PRACK for it
        /// (the caller retrying, as our Retry-After asks) is taken as matching once more.
        std::uint32_t refused_rseq = 0;
        std::string unacked;                             ///< the reliable 18x waiting for its PRACK
        std::vector<outgoing_message> held_provisionals; ///< provisionals waiting behind it
        duration interval{};
        time_point give_up{};
        timer retransmit;
    };
    std::unique_ptr<reliable_state> rel; ///< from our first reliable provisional on
    bool awaiting_prack() const noexcept { return rel && !rel->unacked.empty(); }

    // Non-INVITE requests we sent in the dialog (PRACK, session::send_request) until final.
    struct pending_request {
        transaction_id id;
        response_callback done;
    };
    /// The rarer state, allocated at its first use: most calls send no request of their own
    /// but a BYE, replace no session, end without a Reason, run no session timer and use the
    /// layer's own Contact and Via.
    struct extra_state {
        std::vector<pending_request> requests;
        transaction_id bye_client; ///< our BYE
        session_handle replaces;   ///< RFC 3891: the session this one replaces once confirmed
        /// A Reason header value for our BYE, when we know why (a literal: RFC 3326).
        std::string_view bye_reason;
        /// Our Contact and Via sent-by when the policy names its own (NAT, TCP), else empty.
        std::string contact;
        std::string via_address;
        /// RFC 4028: allocated when a session timer first runs.
        std::unique_ptr<timer> session_timer;
        /// When the session interval last started (the last refresh, either side's): it runs
        /// out session_interval seconds later unless a refresh succeeds.
        time_point session_refreshed{};
        std::uint32_t refreshed_interval = 0; ///< the interval that started then, in seconds
    };
    std::unique_ptr<extra_state> extra_part;
    extra_state& extra() {
        if (!extra_part) extra_part = std::make_unique<extra_state>();
        return *extra_part;
    }
    void set_policy(const session_policy& p) {
        policy = {p.reliable, p.timers};
        if (!p.contact.empty() || !p.via_address.empty()) {
            extra().contact = p.contact;
            extra_part->via_address = p.via_address;
        } else if (extra_part) {
            extra_part->contact.clear();
            extra_part->via_address.clear();
        }
    }
    transaction_id bye_client() const noexcept {
        return extra_part ? extra_part->bye_client : transaction_id{};
    }
    session_handle replaces() const noexcept {
        return extra_part ? extra_part->replaces : session_handle{};
    }

    // Outgoing sessions (we sent the INVITE): their own state, allocated only for them.
    struct uac_state {
        std::unique_ptr<message> our_invite; ///< parsed: the dialog set builds dialogs from it
        std::optional<outgoing_message> invite_request; ///< to resend with credentials (401/407)
        std::string request_uri;
        unsigned challenges = 0;
        unsigned redirects = 0;
        std::optional<dialog_set> forks;
        transaction_id invite_client;
        std::string invite_ack;                  ///< our ACK for the 2xx, resent for its copies
        std::vector<std::string> finished_forks; ///< To tags of extra 2xx we ACKed and sent BYE
        bool cancelled = false;
        std::vector<std::string> early_keys; ///< dialog keys of our early dialogs (by_dialog_)
        /// The last RSeq we PRACKed per early dialog (To tag).
        std::vector<std::pair<std::string, std::uint32_t>> pracked;
    };
    std::unique_ptr<uac_state> uac; ///< set exactly when `outgoing`
    bool is_invite_client(transaction_id t) const noexcept {
        return uac && t == uac->invite_client;
    }

    // Our own refreshes (the seed's send_reinvite, and UPDATEs): one in flight, the rest queued.
    // Allocated at the first one: most calls never send any.
    struct queued_refresh {
        refresh_method how = refresh_method::reinvite;
        reinvite_callback done;
        bool for_timer = false; ///< our RFC 4028 refresh: a failure retries it soon
    };
    struct refresh_state {
        explicit refresh_state(record* owner) { glare_retry.bind<&record::on_glare_retry>(owner); }
        /// A vector: libstdc++'s deque allocates 576 bytes up front.
        std::vector<queued_refresh> queued;
        refresh_method in_flight = refresh_method::reinvite;
        bool in_flight_for_timer = false;
        transaction_id reinvite_client; ///< our re-INVITE or UPDATE in flight
        reinvite_callback reinvite_done;
        std::uint32_t reinvite_cseq = 0;
        flow reinvite_destination;
        std::string reinvite_ack; ///< our ACK for its 2xx, resent for every 2xx retransmission
        std::uint32_t reinvite_ack_cseq = 0;
        std::string previous_ack; ///< the ACK of the re-INVITE before, for its late 2xx copies
        std::uint32_t previous_ack_cseq = 0;
        timer glare_retry; ///< RFC 3261 §14.1 back-off after a 491
    };
    std::unique_ptr<refresh_state> refreshes;
    refresh_state& refresh() {
        if (!refreshes) refreshes = std::make_unique<refresh_state>(this);
        return *refreshes;
    }
    /// Our re-INVITE or UPDATE in flight, if any.
    transaction_id refresh_in_flight() const noexcept {
        return refreshes ? refreshes->reinvite_client : transaction_id{};
    }
    /// Our re-INVITE, or our UPDATE with an offer, in flight: a new offer from the peer now is
    /// glare (RFC 3261 §14.2, RFC 3311 §5.2). An UPDATE without a body offers nothing.
    bool offer_in_flight() const noexcept {
        return refresh_in_flight() && refreshes->in_flight != refresh_method::update_no_sdp;
    }

    timer& session_timer_entry() {
        auto& t = extra().session_timer;
        if (!t) {
            t = std::make_unique<timer>();
            t->bind<&record::on_session_timer>(this);
        }
        return *t;
    }
    void cancel_session_timer() noexcept {
        if (extra_part && extra_part->session_timer) extra_part->session_timer->cancel();
    }
    /// The session: extensions see it; built in the record (one allocation less).
    session core;

    // The small members, together; the flags are bits (a record lives as long as its call).
    std::uint32_t last_invite_cseq = 0;
    std::uint32_t session_interval = 0; ///< RFC 4028 session timer: 0 when not running
    session_state state = session_state::incoming;
    end_reason pending_end = end_reason::local_hangup;
    bool invite_answered : 1 = false; ///< a final response to invite_server went
    bool delayed_offer : 1 = false;
    bool expect_sdp_in_ack : 1 = false;
    bool media_applied : 1 = false;
    bool remote_held : 1 = false;
    // RFC 3262 reliable provisionals (their state: rel).
    bool reliable : 1 = false;          ///< this INVITE's 18x go reliably
    bool answer_when_acked : 1 = false; ///< answer() waits for the PRACK
    bool answered_early : 1 = false; ///< offer/answer done in reliable 18x + PRACK: 2xx has no SDP
    bool offer_in_provisional : 1 = false; ///< our offer went in the unacknowledged reliable 18x
    bool outgoing : 1 = false;             ///< we sent the INVITE (uac is set)
    bool bye_after_reinvite : 1 = false;   ///< terminate() waits for our re-INVITE's final response
    bool peer_allows_update : 1 = false; ///< its Allow lists UPDATE: session timer refreshes use it
    // RFC 4028 session timer.
    bool we_refresh : 1 = false;
    bool peer_supports_timer : 1 = false;
    bool timer_retried : 1 = false; ///< our INVITE was resent once after a 422
    bool ended : 1 = false;
    bool announced : 1 = false; ///< the application saw on_incoming: it will see on_ended too

    void on_rel_retransmit();
    result<void> send_request(std::string_view method, const response_extras& extras,
                              response_callback done) noexcept override {
        return layer->send_in_dialog(*this, method, extras, std::move(done));
    }
    timer_wheel* wheel() noexcept override { return &layer->wheel_; }
    std::chrono::milliseconds t1() const noexcept override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            layer->transactions_.options().timers.t1);
    }
    void enter() noexcept override { ++layer->depth_; }
    void leave() noexcept override { // may free this record (nothing here runs after)
        session_layer& l = *layer;
        if (--l.depth_ == 0) l.finish_ended();
    }
    void on_session_timer();
    void on_retransmit() { layer->retransmit_2xx(*this); }
    void on_glare_retry() { detail_guard_and_send(); }
    void detail_guard_and_send();

    /// Hands the negotiated streams to their handlers once per exchange; reports hold changes.
    void apply_media() {
        if (media_applied || negotiator.state() != sdp::negotiator_state::done) return;
        media_applied = true;
        const auto* local = negotiator.active_local();
        const auto* remote = negotiator.active_remote();
        if (local == nullptr || remote == nullptr) return;
        core.apply_negotiated(*local, *remote);
        // RFC 3264 §8.4 / RFC 6337 §5: sendonly, inactive or c=0.0.0.0 from the peer is hold.
        bool held = false;
        for (std::size_t i = 0; i < remote->media().size(); ++i) {
            if (remote->media()[i].port == 0) continue;
            sdp::direction dir = remote->effective_direction(i);
            held = dir == sdp::direction::sendonly || dir == sdp::direction::inactive ||
                   remote->is_connection_hold(i);
            break;
        }
        bool changed = held != remote_held;
        remote_held = held;
        // Until the next offer or answer the agreed descriptions are needed only as text.
        negotiator.park();
        if (changed && state == session_state::confirmed)
            layer->events_.on_remote_hold(handle(), core,
                                          held ? remote_hold::held : remote_hold::resumed);
    }
};

namespace detail {

inline std::string dialog_key(dialog_id_view id) {
    std::string k;
    k.reserve(id.call_id.size() + id.local_tag.size() + id.remote_tag.size() + 2);
    k.append(id.call_id).push_back('\n');
    k.append(id.local_tag).push_back('\n');
    k.append(id.remote_tag);
    return k;
}

/// Every top-level entry point holds one: records that ended are freed when the outermost
/// call returns, so nothing up the stack touches a freed record.
struct depth_guard {
    session_layer& layer;
    explicit depth_guard(session_layer& l);
    ~depth_guard();
};

/// The headers every response to `request` carries (RFC 3261 §8.2.6.2): Via (the top one as
/// the transport stamped it), From, To (with `to_tag` added when it has none and the status is
/// above 100), Call-ID, CSeq.
outgoing_message response_skeleton(const message& request, std::uint16_t status,
                                   std::string_view reason, std::string_view top_via,
                                   std::string_view to_tag);

/// The SDP of a request body: application/sdp itself, or the SDP part of a multipart body.
/// Errors carry the status to answer: 415 for a body we cannot use, 400 for a malformed one.
result<std::optional<std::string_view>> sdp_body(const message& m);

/// The option tags a session with `policy` supports (its Supported header), e.g.
/// "100rel, timer, replaces".
std::string_view supported_tags(const session_layer::record::policy_state& policy);

/// Where requests inside the dialog go: the remote target when it is a numeric SIP URI (over
/// the same protocol as `source`), otherwise back to `source`. Connection-oriented flows reuse
/// their connection.
flow flow_to_target(const dialog& d, const flow& source);

/// Where a response to a request from `source` went: its top Via (the request's, stamped by the
/// transaction layer) through response_destination (RFC 3261 §18.2.2), else `source`.
flow answer_destination(const outgoing_message& response, const flow& source);

} // namespace detail
} // namespace parley
