// supplement: a participant in the SIP processing of every session (the seed's
// ast_sip_session_supplement, in C++).
//
// A supplement is registered once (extension_registry::add_supplement) with a method filter, a
// priority and the response phases it wants; every session takes an immutable snapshot of the
// registered supplements when it begins, so later registrations never affect live sessions.
// Hooks are noexcept virtuals with no-op defaults and run on the session's shard. One
// supplement object serves every session on every shard at once: keep per-session state in the
// session's cookies, not in members (or make members thread-safe and immutable).
//
// Outgoing hooks may run again on a retransmitted or reused message: they must be idempotent
// (replace a header they add rather than add it twice; outgoing_message::set_header does that).
#pragma once

#include <parley/sip/message.hpp>
#include <parley/sip/method.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace parley {

class session;
class outgoing_message;

/// What the session core does after a supplement looked at an incoming request.
class request_verdict {
public:
    /// Keep going: the next supplement sees the request, then the core handles it.
    static constexpr request_verdict proceed() noexcept { return request_verdict(0, nullptr); }
    /// Stop here: the core answers `status` (a final response, 300-699) with `reason` (a string
    /// with static storage; empty = the RFC 3261 default phrase). The supplement never sends
    /// the response itself, so it cannot forget to.
    static constexpr request_verdict reject(std::uint16_t status,
                                            const char* reason = "") noexcept {
        return request_verdict(status, reason);
    }
    /// Stop here: the supplement already answered through session::respond() (e.g. an INFO
    /// it understood). The core sends nothing more.
    static constexpr request_verdict handled() noexcept { return request_verdict(1, nullptr); }

    bool proceeds() const noexcept { return status_ == 0; }
    bool was_handled() const noexcept { return status_ == 1; }
    bool rejects() const noexcept { return status_ >= 300; }
    std::uint16_t status() const noexcept { return status_; }
    std::string_view reason() const noexcept { return reason_ != nullptr ? reason_ : ""; }

private:
    constexpr request_verdict(std::uint16_t status, const char* reason) noexcept
        : status_(status), reason_(reason) {}
    std::uint16_t status_;
    const char* reason_;
};

/// When, relative to the session's own processing of a response, a supplement sees it
/// (Asterisk's response priorities: nothing sees a 200 before its SDP is applied unless it
/// asked for before_media).
enum class response_phase : std::uint8_t {
    before_redirect = 1 << 0, ///< a 3xx, before the core acts on it (e.g. read Diversion)
    before_media = 1 << 1,    ///< before the SDP in the response is applied
    after_media = 1 << 2,     ///< after the SDP in the response is applied
};

/// A set of response phases.
class response_phases {
public:
    constexpr response_phases() noexcept = default;
    constexpr response_phases(std::initializer_list<response_phase> phases) noexcept {
        for (response_phase p : phases) bits_ |= static_cast<std::uint8_t>(p);
    }
    constexpr bool contains(response_phase p) const noexcept {
        return (bits_ & static_cast<std::uint8_t>(p)) != 0;
    }
    constexpr bool empty() const noexcept { return bits_ == 0; }

private:
    std::uint8_t bits_ = 0;
};

class supplement {
public:
    virtual ~supplement() = default;

    /// The session began (incoming: after the INVITE was accepted for processing; outgoing:
    /// when it was created).
    virtual void session_begin(session& s) noexcept { (void)s; }
    /// The session ended. Runs exactly once per session that began, before its cookies go.
    virtual void session_end(session& s) noexcept { (void)s; }
    /// An incoming request on the session (the initial INVITE included) that passed the method
    /// filter. Return proceed(), reject(status) or handled().
    virtual request_verdict incoming_request(session& s, const message& request) noexcept {
        (void)s;
        (void)request;
        return request_verdict::proceed();
    }
    /// An incoming response to a request of the session, in each phase the supplement asked for.
    virtual void incoming_response(session& s, const message& response,
                                   response_phase phase) noexcept {
        (void)s;
        (void)response;
        (void)phase;
    }
    /// A request the session is about to send (idempotent: may run on a reused message).
    virtual void outgoing_request(session& s, outgoing_message& request) noexcept {
        (void)s;
        (void)request;
    }
    /// A response the session is about to send (idempotent: may run again on the same one).
    virtual void outgoing_response(session& s, outgoing_message& response) noexcept {
        (void)s;
        (void)response;
    }
};

/// How a supplement is registered.
struct supplement_options {
    std::string name;     ///< for logs and diagnostics
    method_set methods{}; ///< the methods it sees; empty = every method
    int priority = 0;     ///< lower runs first; equal priorities keep registration order
    response_phases phases{response_phase::before_media};
};

} // namespace parley
