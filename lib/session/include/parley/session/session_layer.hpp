// session_layer: the INVITE life cycle of one shard — the service that, in the seed's words,
// "will handle those [messages] associated with sessions (INVITEs and in-dialog requests)".
//
// It is the transaction_user of the shard's transaction_layer. For a new INVITE it creates the
// dialog and the session, runs the supplements, negotiates the SDP offer through the SDP
// handlers (400 for invalid SDP, 415 for an unsupported body, 488 when nothing is acceptable),
// and asks the application (session_events, the seed's "channel") what to do; the application
// answers through ring/progress/answer/reject, now or later. It retransmits the 2xx until the
// ACK (RFC 3261 §13.3.1.4), takes the answer from the ACK for a delayed offer, handles BYE,
// CANCEL (487), re-INVITE with and without SDP (glare: 491, 500 + Retry-After), hold/resume
// reports, and answers every in-dialog request nobody claims (481 without a dialog).
//
// Ownership: the layer owns its sessions (table by handle: id numbers never reused, so a
// stale handle is a no-op) and their dialogs; it borrows the transaction layer, the sender, the
// wheel, the registry and the events, which must outlive it. Single-threaded: one shard.
#pragma once

#include <parley/base/timer_wheel.hpp>
#include <parley/dialog/dialog_set.hpp>
#include <parley/session/extensions.hpp>
#include <parley/session/session.hpp>
#include <parley/transaction/transaction_layer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley {

namespace detail {
struct depth_guard;
}

struct session_handle {
    std::uint64_t value = 0;
    explicit operator bool() const noexcept { return value != 0; }
    friend bool operator==(session_handle, session_handle) = default;
};

enum class session_state : std::uint8_t {
    calling,   ///< outgoing: INVITE sent, no response with a To tag yet
    incoming,  ///< INVITE received, no response from the application yet
    early,     ///< a provisional response sent
    answered,  ///< 2xx sent, waiting for the ACK
    confirmed, ///< ACK received: the call is up
    ending,    ///< BYE sent, waiting for its answer
};

enum class end_reason : std::uint8_t {
    local_hangup,     ///< terminate() by the application
    remote_hangup,    ///< the peer sent BYE
    cancelled,        ///< the peer sent CANCEL before the answer
    rejected,         ///< reject() by the application, or a supplement rejected the INVITE
    no_ack,           ///< the 2xx was never acknowledged (64*T1)
    bad_ack,          ///< the ACK's answer to our offer was missing or invalid: BYE sent
    dialog_failed,    ///< 408 or 481 to an in-dialog request (RFC 3261 §12.2.1.2)
    transport_failed, ///< the transport could not deliver
    shutdown,         ///< the layer went away with the session still up
    remote_rejected,  ///< outgoing: the callee answered with a final error (session::final_status)
    no_answer,        ///< outgoing: the INVITE timed out (Timer B or C)
    session_expired,  ///< RFC 4028: no refresh came in time; we sent BYE
    no_prack,         ///< RFC 3262: a reliable provisional was never PRACKed; we sent a 5xx
    replaced,         ///< RFC 3891: an INVITE with Replaces took its place; we sent BYE
};

/// Where the SDP offer of an outgoing session goes (RFC 3261 §13.2.1).
enum class offer_timing : std::uint8_t {
    in_invite, ///< our offer in the INVITE, the answer in the 2xx
    delayed,   ///< an INVITE without SDP: the offer comes in the 2xx, our answer in the ACK
};

enum class early_media : std::uint8_t { none, present };

/// How a refresh of ours goes (RFC 3261 §14, RFC 3311, RFC 4028 §7.4).
enum class refresh_method : std::uint8_t {
    reinvite,      ///< re-INVITE with a new offer from the SDP handlers
    update,        ///< UPDATE with a new offer (RFC 3311): no ACK, no ringing phase
    update_no_sdp, ///< UPDATE without a body: refreshes the dialog and the session timer only
};

/// A change of the remote side's media direction (RFC 3264 §8.4, RFC 6337 §5).
enum class remote_hold : std::uint8_t { held, resumed };

/// The application's side (the seed's channel): what the session layer asks and reports.
class session_events {
public:
    virtual ~session_events() = default;
    /// A new incoming session passed the supplements and the SDP negotiation. Decide now or
    /// later with session_layer::ring / progress / answer / reject.
    virtual void on_incoming(session_handle h, session& s, const message& invite) noexcept = 0;
    /// Outgoing: a provisional response (180, 183, ...) from the callee, with or without
    /// early media.
    virtual void on_progress(session_handle h, session& s, std::uint16_t status,
                             early_media media) noexcept {
        (void)h;
        (void)s;
        (void)status;
        (void)media;
    }
    /// The call is up: incoming, our 2xx was ACKed; outgoing, the callee's 2xx arrived (and we
    /// ACKed it).
    virtual void on_confirmed(session_handle h, session& s) noexcept {
        (void)h;
        (void)s;
    }
    /// The peer put the call on hold or took it off hold.
    virtual void on_remote_hold(session_handle h, session& s, remote_hold change) noexcept {
        (void)h;
        (void)s;
        (void)change;
    }
    /// The session is over; the handle is stale once this returns.
    virtual void on_ended(session_handle h, session& s, end_reason why) noexcept {
        (void)h;
        (void)s;
        (void)why;
    }
};

enum class redirect_policy : std::uint8_t { end_session, follow };

/// RFC 4028 session timers for incoming sessions.
enum class session_timer_mode : std::uint8_t {
    off,      ///< ignore Session-Expires; a caller with Require: timer gets 420
    on,       ///< run them when the caller asks (Session-Expires) or supports them
    required, ///< as on, and a caller that does not support timers gets 421 (Require: timer)
    always,   ///< run them for every call; we refresh when the caller cannot
};

struct session_timer_settings {
    session_timer_mode mode = session_timer_mode::off;
    /// Who refreshes when the caller's Session-Expires names nobody: the caller when it
    /// supports timers (false), or we (true). (Next to `mode`: 12 bytes, not 16, per session.)
    bool we_prefer_to_refresh = false;
    std::uint32_t session_expires = 1800; ///< seconds we ask for when the caller does not say
    std::uint32_t min_se = 90;            ///< smaller requests get 422 with Min-SE (RFC 4028 §8.1)
};

/// RFC 3262 reliable provisional responses (the endpoint's 100rel).
enum class reliable_mode : std::uint8_t {
    off,            ///< not supported: a caller with Require: 100rel gets 420
    supported,      ///< Supported: 100rel; our 18x go reliably when the caller requires it
    peer_supported, ///< reliably whenever the caller supports (or requires) it
    required,       ///< always reliably; a caller without 100rel support gets 421
};

/// What may differ per session: chosen for each new incoming INVITE (by its endpoint, through
/// session_policy_source) or given with an outgoing call.
struct session_policy {
    reliable_mode reliable = reliable_mode::supported;
    session_timer_settings timers{};
    /// Our Contact and Via sent-by for this session ("" = the layer's): the external address
    /// of a server behind NAT, for a peer outside its local networks.
    std::string contact;
    std::string via_address;
};

/// Chooses the policy of each new incoming session; the endpoint layer implements it.
class session_policy_source {
public:
    /// Runs for a new INVITE before the session begins (before its supplements see anything):
    /// it may also set the session's media preferences and cookies (its endpoint).
    virtual session_policy policy_for(const message& invite, session& s) noexcept = 0;

protected:
    ~session_policy_source() = default;
};

/// Credentials for our outgoing INVITEs when a server challenges them (401/407): implemented
/// by whoever knows the endpoint's outbound_auth (the endpoint layer's digest client).
class outbound_credentials {
public:
    struct answer {
        std::string header_name; ///< "Authorization" or "Proxy-Authorization"
        std::string value;
    };
    /// The header answering `challenge` for `method` to `request_uri`; nullopt to give up
    /// (no credentials, or the same challenge again: wrong ones).
    virtual std::optional<answer> answer_challenge(session& s, const message& challenge,
                                                   std::string_view method,
                                                   std::string_view request_uri) noexcept = 0;

protected:
    ~outbound_credentials() = default;
};

/// What the application gives to start an outgoing session.
struct outgoing_call {
    std::string request_uri; ///< "sip:bob@192.0.2.10:5060"
    std::string from;        ///< our From name-addr, e.g. "\"Parley\" <sip:parley@127.0.0.1>"
    std::string to;          ///< "" means "<request_uri>"
    flow destination;        ///< where the INVITE goes (numeric; resolving names is the caller's)
    offer_timing offer = offer_timing::in_invite;
    std::optional<session_policy> policy; ///< none: the layer's defaults
    /// More headers for the INVITE (name, value), e.g. Referred-By and Replaces of a transfer.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The media preferences the SDP handlers build the offer with (a B2BUA offers the codec
    /// its other leg uses first); none: the handlers' own.
    std::optional<media_preferences> media;
    /// Runs with the new session before its offer is built and its INVITE goes through the
    /// outgoing supplements: cookies for them (the endpoint called, the identity relayed).
    std::function<void(session&)> prepare;
};

struct session_layer_options {
    std::string contact = "<sip:parley@127.0.0.1:5060>"; ///< our Contact in dialogs
    std::string via_address = "127.0.0.1:5060";          ///< sent-by of the requests we send
    std::string sdp_address = "127.0.0.1";               ///< o= address of our SDP
    std::string allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK";
    std::size_t max_sessions = 100'000; ///< at the limit: 503 with Retry-After
    std::size_t max_queued_reinvites = 4;
    std::size_t max_held_provisionals = 4; ///< waiting behind an unacknowledged reliable one
    std::uint32_t retry_after_seconds = 5;
    outbound_credentials* credentials = nullptr; ///< none: a 401/407 ends the outgoing session
    unsigned max_challenges = 2;                 ///< per outgoing INVITE (AST-2020-002: bounded)
    /// 3xx to our INVITE (RFC 3261 §8.1.3.4): end the session (the application may dial the
    /// Contacts itself), or follow the first numeric SIP Contact, at most max_redirects times.
    redirect_policy redirects = redirect_policy::end_session;
    unsigned max_redirects = 3;
    session_timer_settings timers{};
    reliable_mode reliable_provisionals = reliable_mode::supported;
    /// Whether a Call-ID's dialogs belong to this layer (a sharded server dispatches by Call-ID):
    /// call() draws Call-IDs until one is (a bounded number of tries). Empty: every one is.
    std::function<bool(std::string_view call_id)> owns_call_id;
    /// Ends every tag and branch this layer makes (at most 8 characters of RFC 3261 token):
    /// a sharded server marks them with their shard (shard_group::mark), so in-dialog requests
    /// and responses reach this layer whatever their Call-ID (a dialog that replaced another
    /// lives on the replaced one's shard).
    std::string id_suffix;
    /// Per-INVITE policy (the endpoint's); none: `timers` and `reliable_provisionals` for all.
    session_policy_source* policies = nullptr;
};

struct session_layer_stats {
    std::uint64_t sessions_created = 0;
    std::uint64_t sessions_ended = 0;
    std::uint64_t rejected_at_limit = 0;
    std::uint64_t glare_491 = 0;
    std::uint64_t overlap_500 = 0;
    std::uint64_t no_dialog_481 = 0;
    std::uint64_t reliable_provisionals = 0; ///< RFC 3262 18x sent reliably (first copies)
    std::uint64_t prack_481 = 0;             ///< PRACKs matching no unacknowledged provisional
};

class session_layer final : public transaction_user {
public:
    session_layer(transaction_layer& transactions, message_sender& sender, timer_wheel& wheel,
                  const extension_registry& extensions, session_events& events,
                  session_layer_options options = {});
    ~session_layer() override;
    session_layer(const session_layer&) = delete;
    session_layer& operator=(const session_layer&) = delete;

    // ---- the application's calls --------------------------------------------------------------
    /// Starts an outgoing session: the SDP handlers build the offer (unless delayed), the
    /// outgoing supplements see the INVITE. Forked answers: the first 2xx is the call, every
    /// later one is ACKed and sent BYE (RFC 3261 §13.2.2.4); a 200 after our CANCEL is ACKed
    /// and sent BYE (RFC 5407 §3.1.2). 3xx-6xx end the session (remote_rejected).
    result<session_handle> call(const outgoing_call& call);
    /// 180 Ringing. Provisionals go reliably (RFC 3262: Require: 100rel, RSeq, retransmitted
    /// until PRACKed) when the session's policy and the caller agree; one waits while another
    /// is unacknowledged (at most max_held_provisionals), and the first reliable one carries
    /// our offer when the INVITE had none.
    result<void> ring(session_handle h);
    /// 183 Session Progress with the SDP answer (early media).
    result<void> progress(session_handle h);
    /// 200 OK with the SDP answer, or with our offer when the INVITE had none. While a
    /// reliable provisional is unacknowledged the 2xx waits for its PRACK (RFC 3262 §3).
    result<void> answer(session_handle h);
    /// A final error response to the INVITE (300-699).
    result<void> reject(session_handle h, std::uint16_t status, std::string_view reason = {});
    /// Ends the session the way its state requires: a reject before the answer, a BYE after.
    result<void> terminate(session_handle h);

    /// Called with the final status of a re-INVITE we sent (408 when it timed out), exactly
    /// once: a refresh still queued or in flight when the session ends hears 487 (except when
    /// the layer itself is destroyed: then sessions end with on_ended alone).
    using reinvite_callback = std::function<void(session_handle, session&, std::uint16_t status)>;
    /// The seed's ast_sip_session_send_reinvite: a new offer built by the SDP handlers, sent in
    /// a re-INVITE through the outgoing supplements; `done` hears the final response. A request
    /// that cannot go now (an INVITE transaction pending either way, our 2xx not yet
    /// acknowledged, an offer outstanding, a 491 back-off running) is queued and sent when it
    /// can; at most `max_queued_reinvites` wait (503 beyond). A 491 is retried after the RFC 3261
    /// §14.1 interval; 481 or 408 ends the session (§12.2.1.2).
    result<void> send_reinvite(session_handle h, reinvite_callback done = {});
    /// send_reinvite, or an UPDATE (with or without a new offer) in the same queue, with the
    /// same glare back-off and failure rules. Every refresh of ours carries Session-Expires
    /// while a session timer runs, and its 2xx restarts the timer with the interval it states.
    result<void> send_refresh(session_handle h, refresh_method how, reinvite_callback done = {});

    session* find(session_handle h) noexcept;
    /// Every live session (a server stopping hangs them all up).
    std::vector<session_handle> handles() const;
    /// RFC 3891: the session an incoming session replaces (its INVITE's Replaces matched it),
    /// or a null handle. The replaced one gets BYE (end_reason::replaced) once the new one is
    /// confirmed.
    session_handle replaces(session_handle h) const noexcept;
    session_state state(session_handle h) const noexcept;
    std::size_t size() const noexcept { return sessions_.size(); }
    /// Whether an in-dialog request (or a 2xx ACK) belongs to one of this layer's dialogs.
    /// Early dialogs of our own INVITEs count too (the callee may send UPDATE or INFO in them).
    bool owns_dialog(const message& request) noexcept;
    const session_layer_stats& stats() const noexcept { return stats_; }
    const session_layer_options& options() const noexcept { return options_; }
    /// The policy of sessions nobody chose one for (the options' timers and 100rel).
    session_policy default_policy() const noexcept {
        return {options_.reliable_provisionals, options_.timers, {}, {}};
    }
    /// Sets (or clears) the per-INVITE policy source; start-up only.
    void use_policies(session_policy_source* source) noexcept { options_.policies = source; }

    // ---- transaction_user ---------------------------------------------------------------------
    void on_request(const incoming_request& request) noexcept override;
    void on_ack(const message& ack, const flow& source) noexcept override;
    void on_cancel(transaction_id invite_server, const message& cancel) noexcept override;
    void on_response(transaction_id client, const message& response) noexcept override;
    void on_client_failure(transaction_id client, failure_reason why) noexcept override;
    void on_server_failure(transaction_id server, failure_reason why) noexcept override;
    void on_stray_response(const message& response, const flow& source) noexcept override;
    void on_terminated(transaction_id id) noexcept override;

    struct record;

private:
    friend struct detail::depth_guard;
    void new_invite(const incoming_request& in);
    void in_dialog(const incoming_request& in);
    void reinvite(record& r, const incoming_request& in);
    void update(record& r, const incoming_request& in);
    void prack(record& r, const incoming_request& in);
    result<std::string> answer_new_offer(record& r, std::string_view sdp);
    result<void> send_in_dialog(record& r, std::string_view method, const response_extras& extras,
                                dialog_requester::response_callback done);
    bool request_response(record& r, transaction_id client, const message* response,
                          std::uint16_t status);
    bool check_extensions(record& r, const message& invite);
    bool find_replaced(record& r, const message& invite);
    result<void> send_provisional(record& r, outgoing_message m);
    void transmit_reliable(record& r, outgoing_message m);
    void retransmit_reliable(record& r);
    std::optional<std::uint32_t> accept_reliable(record& r, const message& response,
                                                 const dialog& early);
    void send_prack(record& r, const message& response, dialog& early, std::uint32_t rseq);
    void out_of_dialog(const incoming_request& in);
    void respond(record& r, transaction_id server, outgoing_message response);
    void respond_plain(const incoming_request& in, std::uint16_t status,
                       std::string_view reason = {}, session* s = nullptr);
    /// `source`: where the INVITE being answered came from (its 2xx retransmissions follow
    /// the 2xx there, RFC 3261 §18.2.2).
    void send_final_2xx(record& r, transaction_id server, outgoing_message ok, const flow& source);
    void retransmit_2xx(record& r);
    void send_bye(record& r);
    void try_send_queued(record& r);
    void invite_response(record& r, const message& response);
    bool resend_invite(record& r, outgoing_message invite);
    bool resend_with_credentials(record& r, const message& challenge);
    bool retry_after_422(record& r, const message& too_small);
    bool follow_redirect(record& r, const message& redirect);
    void start_session_timer(record& r);
    void add_session_timer_headers(const record& r, outgoing_message& ok) const;
    void session_timer_fired(record& r);
    void retry_timer_refresh(record& r);
    struct timer_request {
        bool present = false;
        bool we_refresh = false;
        bool sender_can = false;
        std::uint32_t interval = 0;
    };
    bool timer_in_request(record& r, const incoming_request& in, timer_request& out);
    void apply_timer_request(record& r, const timer_request& t);
    void timer_from_response(record& r, const message& response);
    void add_refresh_timer_headers(const record& r, outgoing_message& request) const;
    void ack_and_bye(const dialog& d, std::uint32_t cseq, const flow& destination);
    void reinvite_response(record& r, const message& response);
    bool ack_again(record& r, const message& response);
    void end(record& r, end_reason why);
    void finish_ended();
    record* by_dialog(dialog_id_view id) noexcept;
    record* by_dialog(std::string_view call_id, std::string_view local_tag,
                      std::string_view remote_tag) noexcept;
    record* by_dialog_of(const message& received) noexcept; ///< its dialog seen from our side
    const std::string& contact_of(const record& r) const noexcept;
    const std::string& via_of(const record& r) const noexcept;
    std::string new_tag();
    std::string new_branch();

    transaction_layer& transactions_;
    message_sender& sender_;
    timer_wheel& wheel_;
    const extension_registry& extensions_;
    session_events& events_;
    session_layer_options options_;
    dialog_table dialogs_; ///< each dialog's user() is its session's handle
    std::unordered_map<std::uint64_t, std::unique_ptr<record>> sessions_;
    std::unordered_map<std::string, std::uint64_t> by_dialog_; ///< our INVITE's early dialogs
    std::unordered_map<std::uint64_t, std::uint64_t> by_invite_server_; ///< transaction → session
    std::unordered_map<std::uint64_t, std::uint64_t> by_client_;        ///< our BYE → session
    std::vector<std::unique_ptr<record>> ended_;
    session_layer_stats stats_;
    std::uint64_t next_id_ = 1;
    std::uint64_t tag_seed_;
    std::uint64_t tags_ = 0;
    int depth_ = 0;
    bool destroying_ = false; ///< in ~session_layer: sessions end reporting on_ended only
};

} // namespace parley
