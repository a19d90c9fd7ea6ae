// session: one SIP media session (a call) and everything the extension API hangs on it — the
// seed's ast_sip_session. This header is the part every extension sees: the session's
// supplements (a snapshot taken when it began), its cookies, its SDP streams and the handlers
// attached to them, and the dispatch of requests, responses and SDP through those chains.
// The INVITE life cycle (invite_usage) drives these entry points; tests drive them directly.
//
// Ownership: a session is owned by its shard's session table; supplements and handlers are
// shared (by the snapshot). Threads: everything runs on the session's shard.
#pragma once

#include <parley/base/result.hpp>
#include <parley/base/timer_wheel.hpp>
#include <parley/sdp/description.hpp>
#include <parley/sdp/offer_answer.hpp>
#include <parley/session/cookies.hpp>
#include <parley/session/extensions.hpp>
#include <parley/sip/outgoing_message.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley {

/// What a supplement may add to a response it sends itself.
struct response_extras {
    std::vector<std::pair<std::string, std::string>> headers; ///< name, value
    std::string_view content_type;
    std::string_view body;
};

/// Sends a response to the request being dispatched (implemented by the session layer).
class request_responder {
public:
    virtual result<void> respond(std::uint16_t status, std::string_view reason,
                                 const response_extras& extras) noexcept = 0;

protected:
    ~request_responder() = default;
};

/// Sends requests inside the session's dialog (implemented by the session layer).
class dialog_requester {
public:
    /// The final status of a request sent with session::send_request (408 for a timeout, 503
    /// when the transport failed, 487 when the session ended first; `response` is nullptr
    /// then).
    using response_callback = std::function<void(std::uint16_t status, const message* response)>;
    virtual result<void> send_request(std::string_view method, const response_extras& extras,
                                      response_callback done) noexcept = 0;
    /// The timer wheel of the session's shard, for an extension's own timers (a `timer` kept in
    /// a cookie is cancelled when the cookie goes); nullptr when there is none.
    virtual timer_wheel* wheel() noexcept { return nullptr; }
    /// The transaction layer's T1 (RFC 3261 §17.1.1.1), for an extension's timers that the
    /// RFCs give in multiples of it (RFC 6665 Timer N is 64*T1).
    virtual std::chrono::milliseconds t1() const noexcept { return default_t1; }
    /// RFC 3261's default T1, for a session without a transaction layer behind it yet.
    static constexpr std::chrono::milliseconds default_t1{500};
    /// Bracket a callback the layer did not start (an extension's timer): a session that ends
    /// inside is freed only at leave() (session::callback_scope).
    virtual void enter() noexcept {}
    virtual void leave() noexcept {}

protected:
    ~dialog_requester() = default;
};

/// What the session's endpoint asks of its media, set before the first SDP exchange (by the
/// endpoint layer); the core and the SDP handlers honour it.
struct media_preferences {
    /// Preference order; none: each handler's own list (an empty list accepts no codec).
    /// Shared and immutable: one list serves every session of an endpoint.
    std::shared_ptr<const std::vector<sdp::codec>> codecs;
    bool telephone_event = true; ///< offer and answer RFC 4733 telephone-event
    bool symmetric_rtp = true;   ///< send RTP where it comes from (RFC 4961), else to the SDP
    /// false: negotiate SDP but open no RTP socket (a signalling-only handler takes the
    /// streams): load tests and benchmarks.
    bool open_media = true;
    /// Our offers and answers put the streams on hold (sendonly, RFC 3264 §8.4; a B2BUA
    /// passing one leg's hold to the other sets it, then sends a re-INVITE).
    bool hold = false;
    std::uint32_t max_audio_streams = 0; ///< 0: no limit; audio m-lines beyond it are declined
    /// The address written into o= and c= ("" = the session's and the handlers' own): the
    /// external media address of a server behind NAT, for a peer outside its local networks.
    std::string address;
};

/// The views must outlive the session: the session layer's own settings, or literals.
struct session_options {
    std::uint64_t id = 0;                       ///< unique per process; also the SDP o= session id
    std::string_view sdp_username = "-";        ///< o= username (RFC 8866 §5.2: "-" when none)
    std::string_view sdp_address = "127.0.0.1"; ///< o= unicast address
};

class session {
public:
    session(std::shared_ptr<const extension_snapshot> extensions, session_options options);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    std::uint64_t id() const noexcept { return id_; }
    /// The final status of the session's INVITE (0 before there is one): the callee's answer
    /// for an outgoing session (408 for a timeout), ours for an incoming one.
    std::uint16_t final_status() const noexcept { return final_status_; }
    void set_final_status(std::uint16_t status) noexcept { final_status_ = status; }
    cookie_jar& cookies() noexcept { return cookies_; }
    /// What the endpoint asked of the media (the defaults until something set them).
    const media_preferences& media() const noexcept { return media_ ? *media_ : default_media; }
    /// For writing: allocated at the first call (most sessions of a signalling-only server
    /// keep the defaults; 72 bytes each otherwise).
    media_preferences& edit_media();
    const extension_snapshot& extensions() const noexcept { return *extensions_; }

    // ---- supplements --------------------------------------------------------------------
    /// Runs every supplement's session_begin (once).
    void begin() noexcept;
    /// Ends the session once: stops every stream (stop_stream), runs every session_end, then
    /// destroys the cookies. Later calls do nothing.
    void end() noexcept;
    bool has_begun() const noexcept { return begun_; }
    bool has_ended() const noexcept { return ended_; }

    /// Offers `request` to the supplements whose method filter matches, in order, until one
    /// does not proceed; returns that verdict (or proceed()). While they run, respond() answers
    /// `request` through `responder` (when given).
    request_verdict incoming_request(const message& request,
                                     request_responder* responder = nullptr) noexcept;

    /// The seed's ast_sip_session_send_response, for a supplement answering the request it is
    /// looking at (it then returns request_verdict::handled()): sends `status` (with `extras`)
    /// through every outgoing_response hook. Only during incoming_request(); error 500
    /// otherwise, or when the request was answered already.
    result<void> respond(std::uint16_t status, std::string_view reason = {},
                         const response_extras& extras = {});
    /// Sends a non-INVITE request (NOTIFY, REFER, INFO, MESSAGE, ...) inside the session's
    /// dialog, through the outgoing_request hooks; `done` hears its final status. It is not
    /// called when the session ends first. Errors: 481 without a dialog (an outgoing session
    /// before its answer, or one that is ending), 500 for INVITE, ACK, CANCEL, PRACK or BYE
    /// (the session layer sends those itself).
    result<void> send_request(std::string_view method, const response_extras& extras = {},
                              dialog_requester::response_callback done = {});
    /// Set by the session layer when the session has a dialog to send in.
    void set_requester(dialog_requester* requester) noexcept { requester_ = requester; }
    /// The shard's timer wheel once the session has a dialog (dialog_requester::wheel), else
    /// nullptr. Timers on it fire on the session's shard; a callback that may reach the
    /// application holds a callback_scope.
    timer_wheel* wheel() noexcept { return requester_ != nullptr ? requester_->wheel() : nullptr; }
    /// T1 of the session's transaction layer (dialog_requester::t1), 500 ms without a dialog.
    std::chrono::milliseconds t1() const noexcept {
        return requester_ != nullptr ? requester_->t1() : dialog_requester::default_t1;
    }
    /// Held by an extension's own callback (a timer) while it may call the application: as in
    /// the layer's callbacks, the session stays valid until the scope ends even if the
    /// application ends it meanwhile.
    class callback_scope {
    public:
        explicit callback_scope(session& s) noexcept : requester_(s.requester_) {
            if (requester_ != nullptr) requester_->enter();
        }
        ~callback_scope() {
            if (requester_ != nullptr) requester_->leave();
        }
        callback_scope(const callback_scope&) = delete;
        callback_scope& operator=(const callback_scope&) = delete;

    private:
        dialog_requester* requester_;
    };

    /// Gives `response` to the supplements that asked for `phase` (and whose method filter
    /// matches the CSeq method).
    void incoming_response(const message& response, response_phase phase) noexcept;
    /// Lets every matching supplement edit a request or response about to be sent.
    void outgoing_request(outgoing_message& request) noexcept;
    void outgoing_response(outgoing_message& response) noexcept;

    // ---- SDP through the handler chains ---------------------------------------------------
    /// Our answer to `offer`: one m-line per offered m-line, in order (RFC 3264 §6); streams no
    /// handler takes are declined with port 0. Errors: 488 when a handler failed or every
    /// stream is declined.
    result<sdp::session_description> answer_offer(const sdp::session_description& offer);
    /// A new offer: existing streams from their attached handlers (declined ones stay declined
    /// with port 0, RFC 3264 §8), then one new stream per stream type whose handlers add one
    /// (only when there is no stream yet). `previous` is our description of the last exchange
    /// (the negotiator's active local one), which handlers and declined m-lines start from.
    /// Error 488 when a handler failed, or when the offer would have no stream at all.
    result<sdp::session_description>
    create_offer(const sdp::session_description* previous = nullptr);
    /// The exchange completed: attached handlers apply their streams; a stream declined by
    /// either side stops and loses its handler.
    void apply_negotiated(const sdp::session_description& local,
                          const sdp::session_description& remote) noexcept;

    std::size_t stream_count() const noexcept { return streams_.size(); }
    /// The handler attached to stream `index`, or nullptr (declined, or out of range).
    const sdp_handler* stream_handler(std::size_t index) const noexcept;

private:
    struct stream {
        sdp_handler* handler = nullptr;
        std::string type;
    };
    static const media_preferences default_media;
    sdp::session_description skeleton() const;
    static void fill_session_connection(sdp::session_description& d);
    void stop(std::size_t index) noexcept;

    std::shared_ptr<const extension_snapshot> extensions_;
    // session_options, kept as pointers and 32-bit lengths (32 bytes, not 40, per session).
    std::uint64_t id_;
    const char* sdp_username_;
    const char* sdp_address_;
    std::uint32_t sdp_username_size_;
    std::uint32_t sdp_address_size_;
    cookie_jar cookies_;
    std::unique_ptr<media_preferences> media_; ///< null: default_media
    std::vector<stream> streams_;
    request_responder* responder_ = nullptr; ///< set while incoming_request() runs
    dialog_requester* requester_ = nullptr;
    std::uint16_t final_status_ = 0;
    bool begun_ = false;
    bool ended_ = false;
};

} // namespace parley
