// call_script: parleyd's call logic (the seed's "channel"). Every incoming call runs the steps
// of the dialplan extension its Request-URI user matches in its endpoint's context: answer,
// ring, early media, echo, playback, record, tones, waits, DTMF collection, a dial to another
// party (a bridged B2BUA call), rejects and hang-ups. It also places the calls of blind
// transfers (REFER) and reports their progress in NOTIFYs.
//
// It uses only the public session API: a supplement routes each new INVITE (404 for an unknown
// destination, signalling-only media for NoMedia()) before its SDP is negotiated; the
// session_events tell it what happens; cookies tie sessions to their shard's call logic; the
// media layer's audio streams play, record, echo and hear DTMF.
//
// Ownership and threads: one call_logic per shard, on the shard's thread; it owns one `call`
// per incoming session and forgets it when the session ends. The router and the DTMF and
// transfer adapters are shared by the shards and find the right call_logic through the
// session's call_home cookie.
#pragma once

#include <parley/endpoint/configuration.hpp>
#include <parley/endpoint/registrar.hpp>
#include <parley/ext/info_dtmf.hpp>
#include <parley/ext/transfer.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/session/supplement.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace parley {

class session_service;

/// What every call logic of the server shares (immutable after start-up).
struct call_settings {
    std::string from;        ///< our From on calls parleyd places
    bool null_media = false; ///< --null-media: every call signalling only
    std::string sounds_dir;  ///< Playback() files when the configuration names none
    registration_store* registrations = nullptr; ///< where endpoints registered (shared)
};

class call_logic final : public session_events {
public:
    call_logic(session_layer& layer, timer_wheel& wheel, call_settings settings);
    ~call_logic() override;
    call_logic(const call_logic&) = delete;
    call_logic& operator=(const call_logic&) = delete;

    void on_incoming(session_handle h, session& s, const message& invite) noexcept override;
    void on_progress(session_handle h, session& s, std::uint16_t status,
                     early_media media) noexcept override;
    void on_confirmed(session_handle h, session& s) noexcept override;
    void on_remote_hold(session_handle h, session& s, remote_hold change) noexcept override;
    void on_ended(session_handle h, session& s, end_reason why) noexcept override;

    /// A DTMF digit of an incoming call (RFC 4733 or INFO).
    void digit(session_handle h, char d) noexcept;
    /// A blind transfer of `transferred`: call the target; its progress goes to the
    /// transferor in NOTIFYs, and its answer ends the transferred call (RFC 5589 §6).
    void transfer(session_handle transferred, const ext::transfer_request& t) noexcept;

    std::size_t active_calls() const noexcept { return calls_.size(); }
    /// Ends every session of the shard (BYE, or a final response before the answer).
    void hang_up_all() noexcept;
    /// One line per session of the shard for `show channels`: id, endpoint, direction, state,
    /// codec, duration, extension (or the Dial() target).
    void describe(std::string& out) const;

    struct call;

private:
    friend struct call;
    void run(call& c) noexcept;
    bool step(call& c) noexcept; ///< one step; false when the call now waits
    void resume(std::uint64_t id) noexcept;
    void dial(call& c, const dialplan_step& step) noexcept;
    /// DTMF reports, and once the call is up the endpoint's RTP timeout, on its audio stream.
    void attach_media(call& c, session& s, bool confirmed) noexcept;
    /// Hangs up from outside the script (RTP timeout, transfer done, shutdown): the script stops.
    void end_call(session_handle h) noexcept;
    void unbridge_caller(call& c) noexcept;
    void leg_ended(call& c, session& leg, end_reason why) noexcept;
    void dial_expired(call& c) noexcept;
    /// Two sessions whose media is bridged: what one's hold, REFER or end does reaches the other.
    void link(session_handle a, session_handle b) noexcept;
    void unlink(session_handle a) noexcept;
    /// `peer` was bridged to `old` and is bridged to `replacement` from now on (a transfer, or an
    /// INVITE with Replaces); the scripts that held either as their Dial() leg follow.
    void swap_peer(session_handle old, session_handle replacement, session_handle peer) noexcept;
    void bridge_sessions(session_handle a, session_handle b) noexcept;
    /// One side of a bridge now sends another codec: re-INVITE the other with it first. Not
    /// for a change that answers such a re-INVITE of ours, and at most a few per leg in a
    /// window (no re-INVITE ping-pong between two legs).
    void follow_codec(session_handle changed) noexcept;
    /// Offers the codec `like` uses first (the bridge then relays without transcoding).
    media_preferences media_like(session_handle like) noexcept;
    void bridge_media(call& c) noexcept;
    void finish(call& c, std::uint16_t status) noexcept;
    void notify(session_handle transferred, std::uint16_t status, std::string_view reason = {});

    session_layer& layer_;
    timer_wheel& wheel_;
    call_settings settings_;
    std::unordered_map<std::uint64_t, std::unique_ptr<call>> calls_; ///< by session handle
    std::unordered_map<std::uint64_t, session_handle> transfers_; ///< target call → transferred
    std::unordered_map<std::uint64_t, std::uint64_t> legs_;       ///< Dial() leg → its call
    std::unordered_map<std::uint64_t, std::uint64_t> peers_;      ///< bridged, both ways
    /// A transfer's target call → the party it will be bridged to (the transferor's peer).
    std::unordered_map<std::uint64_t, std::uint64_t> remaining_;
    /// The codec follow-up re-INVITEs sent to a leg (follow_codec), by session handle.
    struct follow_state {
        int in_flight = 0; ///< sent (or queued) and not answered yet
        int sent = 0;      ///< since window_start
        std::chrono::steady_clock::time_point window_start{};
    };
    std::unordered_map<std::uint64_t, follow_state> follows_;
};

/// The session's call logic and handle (a cookie on every incoming call): what the shared
/// adapters need to reach the right shard's call_logic.
struct call_home {
    call_logic* logic = nullptr;
    session_handle handle;
};
inline constexpr std::string_view call_home_cookie = "parleyd-call";
/// The dialplan extension chosen for a new INVITE (value_cookie<call_route>).
struct call_route {
    std::shared_ptr<const configuration> snapshot; ///< keeps `extension` alive
    const dialplan_extension* extension = nullptr;
    std::string user; ///< the Request-URI user: ${EXTEN}
    /// An INVITE with Replaces (RFC 3891): it takes over the replaced session's place in its
    /// bridge instead of running a dialplan extension.
    bool replacing = false;
};
inline constexpr std::string_view call_route_cookie = "parleyd-route";

/// Routes each new INVITE through its endpoint's dialplan context before its SDP is
/// negotiated: 404 when no extension matches, signalling-only media for NoMedia() (or for
/// every call with --null-media). An INVITE with Replaces is not routed: it takes the place of
/// the session it replaces (an attended transfer).
class call_router final : public supplement {
public:
    explicit call_router(bool null_media) : null_media_(null_media) {}
    request_verdict incoming_request(session& s, const message& request) noexcept override;
    /// From now on new calls get 503 (the server is stopping); any thread may call it.
    void stop_accepting() noexcept { stopping_.store(true, std::memory_order_relaxed); }

private:
    bool null_media_;
    std::atomic<bool> stopping_{false};
};

/// INFO DTMF digits to the call's logic.
class dtmf_router final : public ext::dtmf_listener {
public:
    void on_dtmf(session& s, char digit, std::uint32_t duration_ms) noexcept override;
};

/// The transfer supplement's events for every shard.
class transfer_router final : public ext::transfer_events {
public:
    ext::transfer_verdict allow(session& s, const ext::transfer_request& t) noexcept override;
    void on_transfer(session& s, const ext::transfer_request& t) noexcept override;
};

} // namespace parley
