// transfer: the built-in call transfer supplement (RFC 3515 REFER, RFC 4488 Refer-Sub, RFC
// 3892 Referred-By, RFC 3891 Replaces in Refer-To).
//
// As transferee (a REFER arrives in a session's dialog): 400 without one usable Refer-To, the
// application's verdict (403 / 603 when the endpoint disallows transfers), else 202 and the
// implicit subscription — NOTIFY with message/sipfrag "SIP/2.0 100 Trying" at once, then one
// per notify() until a final status terminates it — unless the REFER said Refer-Sub: false
// (the 202 then says so too, and no NOTIFY follows). The transfer itself (calling the target,
// with Replaces for an attended transfer) is the application's: transfer_events::on_transfer.
// The subscription lasts 60 s unless the transferor refreshes it with SUBSCRIBE (RFC 6665
// §4.2.1.2: 200 with the granted Expires, at most an hour, and a NOTIFY of the current state;
// Expires: 0 ends it with NOTIFY terminated;reason=timeout). Each NOTIFY states the time left.
// When the subscription lapses, a timer on the session's wheel (session::wheel) sends the last
// NOTIFY, terminated;reason=timeout with the last status reported (§4.2.2); notify() then
// sends nothing (481) and a new REFER still gets 491 until the application reports the
// transfer's final status. Without a wheel the next notify() sends that last NOTIFY.
//
// As transferor: refer() sends a REFER on a session; the NOTIFYs of its subscription are
// answered 200 and reported through transfer_events::on_transfer_progress. A NOTIFY for no
// REFER of ours (or for an earlier REFER: its Event id) is left to the core (481). The wait is
// bounded: no NOTIFY within Timer N (64*T1, session::t1()) of the REFER's 2xx, or none before the
// expiry the last one stated (a minute when it stated none) plus Timer N, ends the transfer with a
// final 408 in on_transfer_progress: its outcome is unknown. Half-way through the time each
// NOTIFY gives, a SUBSCRIBE (Event: refer;id=<the REFER's CSeq>, Expires: 60) refreshes the
// subscription (RFC 6665 §4.1.2.2), so a transfer that rings for minutes stays subscribed.
//
// One supplement serves every session and shard: its state lives in the session's cookies.
// The events object is borrowed and called on the session's shard (it must outlive the
// registration and be safe to call from every shard).
#pragma once

#include <parley/base/result.hpp>
#include <parley/session/supplement.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {
class session;
}

namespace parley::ext {

/// What a REFER asks for.
struct transfer_request {
    std::string target;      ///< the Refer-To URI, without its embedded headers
    std::string refer_to;    ///< the Refer-To value as received
    std::string referred_by; ///< the Referred-By value ("" when absent): put it in the INVITE
    std::optional<std::string> replaces; ///< decoded Replaces of the Refer-To: attended transfer
    bool subscription = true;            ///< false: Refer-Sub: false (RFC 4488), no NOTIFYs
};

enum class transfer_verdict : std::uint8_t {
    accept,    ///< 202
    forbidden, ///< 403
    declined,  ///< 603 (the endpoint's allow_transfer = no)
};

class transfer_events {
public:
    virtual ~transfer_events() = default;
    /// Whether this session may be transferred as asked; before anything is answered.
    virtual transfer_verdict allow(session& s, const transfer_request& t) noexcept {
        (void)s;
        (void)t;
        return transfer_verdict::accept;
    }
    /// The REFER was accepted (202 and the first NOTIFY are sent): start the transfer and
    /// report its progress with transfer_supplement::notify().
    virtual void on_transfer(session& s, const transfer_request& t) noexcept = 0;
    /// Transferor: the status a NOTIFY reported (`final` when the subscription terminated), or
    /// the REFER's own failure (>= 300, final).
    virtual void on_transfer_progress(session& s, std::uint16_t status, bool final) noexcept {
        (void)s;
        (void)status;
        (void) final;
    }
};

/// The cookie naming a session's transfer subscription as notifier.
inline constexpr std::string_view transfer_cookie = "transfer";
/// The cookie naming a REFER the session sent (transferor).
inline constexpr std::string_view outgoing_refer_cookie = "transfer-out";

class transfer_supplement final : public supplement {
public:
    using time_point = std::chrono::steady_clock::time_point;
    /// Where the supplement reads the time (the steady clock; tests pass their own).
    using clock_function = time_point (*)() noexcept;
    static time_point steady_now() noexcept { return std::chrono::steady_clock::now(); }
    static constexpr std::uint32_t subscription_seconds = 60;       ///< a REFER's subscription
    static constexpr std::uint32_t max_subscription_seconds = 3600; ///< the most a refresh gets

    /// Without events every REFER is declined (603): nobody could carry it out.
    explicit transfer_supplement(transfer_events* events = nullptr,
                                 clock_function now = &steady_now) noexcept
        : events_(events), now_(now) {}

    request_verdict incoming_request(session& s, const message& request) noexcept override;

    /// Reports the transfer's progress to the transferor: a NOTIFY with the sipfrag
    /// "SIP/2.0 <status> <reason>"; a final status (>= 200) terminates the subscription.
    /// Error 481 when the session has no transfer subscription (none, Refer-Sub: false, or
    /// terminated), 500 for a status outside 100-699.
    static result<void> notify(session& s, std::uint16_t status, std::string_view reason = {});

    struct refer_options {
        std::string_view referred_by; ///< our Referred-By ("" for none)
        bool subscription = true;     ///< false: ask for Refer-Sub: false (it holds only if
                                      ///< the 2xx says so too, RFC 4488 §4)
    };
    /// Transferor: sends REFER with Refer-To `refer_to` (a name-addr or URI; an attended
    /// transfer embeds ?Replaces=... in it). Error 491 while an earlier REFER is unfinished,
    /// or the session's send_request error.
    result<void> refer(session& s, std::string_view refer_to, const refer_options& options);
    result<void> refer(session& s, std::string_view refer_to) { return refer(s, refer_to, {}); }

private:
    request_verdict incoming_refer(session& s, const message& request) noexcept;
    request_verdict incoming_notify(session& s, const message& request) noexcept;
    request_verdict incoming_subscribe(session& s, const message& request) noexcept;

    transfer_events* events_;
    clock_function now_;
    std::atomic<std::uint64_t> refers_{0}; ///< numbers each refer() (every shard's)
};

/// The status code of a message/sipfrag body's status line ("SIP/2.0 180 Ringing"), or
/// nullopt when it is not one.
std::optional<std::uint16_t> sipfrag_status(std::string_view body) noexcept;

} // namespace parley::ext
