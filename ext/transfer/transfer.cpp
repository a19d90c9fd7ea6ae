#include <parley/ext/transfer.hpp>

#include <parley/base/text.hpp>
#include <parley/session/session.hpp>
#include <parley/sip/header_values.hpp>
#include <parley/sip/message_writer.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace parley::ext {

namespace {

std::string fragment_of(std::uint16_t status, std::string_view reason) {
    return "SIP/2.0 " + std::to_string(status) + " " +
           std::string(reason.empty() ? default_reason(status) : reason) + "\r\n";
}

/// The notifier's side of one implicit subscription (RFC 3515 §2.4.4). When it lapses
/// without a refresh, its timer sends the last NOTIFY (RFC 6665 §4.2.2); the cookie stays,
/// sending nothing more, until the application reports the transfer's final status: the
/// transfer is still running, so a new REFER gets 491 until then.
struct subscription final : cookie {
    subscription(session& s, std::uint32_t refer_cseq, transfer_supplement::clock_function clock)
        : owner(&s), id(refer_cseq), now(clock) {
        expiry.bind<&subscription::lapsed>(this);
    }
    session* owner;   ///< the cookie dies with its session
    std::uint32_t id; ///< the REFER's CSeq: Event: refer;id=<it> (RFC 3515 §2.4.6)
    transfer_supplement::clock_function now;
    transfer_supplement::time_point expires_at{};
    std::uint16_t last_status = 100; ///< what the last NOTIFY reported
    bool terminated = false;         ///< it lapsed: its last NOTIFY went
    timer expiry;                    ///< on the session's wheel, when it has one

    /// Runs (or re-runs) the subscription for `seconds` from now.
    void extend(std::uint32_t seconds) {
        expires_at = now() + std::chrono::seconds(seconds);
        if (timer_wheel* w = owner->wheel())
            w->schedule_after(expiry, std::chrono::seconds(seconds));
    }
    void lapsed();
};

subscription* subscription_of(session& s) noexcept {
    return dynamic_cast<subscription*>(s.cookies().get(transfer_cookie));
}

/// One NOTIFY of the subscription: its state and the fragment.
result<void> send_notify(session& s, std::uint32_t id, std::string state, std::string fragment) {
    response_extras extras;
    extras.headers.emplace_back("Event", "refer;id=" + std::to_string(id));
    extras.headers.emplace_back("Subscription-State", std::move(state));
    extras.content_type = "message/sipfrag;version=2.0";
    extras.body = fragment;
    return s.send_request("NOTIFY", extras);
}

void subscription::lapsed() {
    if (terminated) return; // notify() found it lapsed first and said so
    terminated = true;
    (void)send_notify(*owner, id, "terminated;reason=timeout", fragment_of(last_status, {}));
}

/// "active;expires=<seconds left>", rounded up (RFC 6665 §4.1.3: the time left).
std::string active_state(const subscription& sub) {
    auto left = std::chrono::ceil<std::chrono::seconds>(sub.expires_at - sub.now()).count();
    return "active;expires=" + std::to_string(left > 0 ? left : 1);
}

/// RFC 6665 Timer N: 64*T1 (32 s with the default T1 of 500 ms), T1 the session's.
std::chrono::milliseconds timer_n(const session& s) noexcept {
    return 64 * s.t1();
}

/// The transferor's side: a REFER we sent, until its subscription ends. Its timer bounds the
/// wait: Timer N (RFC 6665 §4.1.2.4) from the REFER's 2xx until a NOTIFY, then the expiry each
/// NOTIFY states (§4.1.3) plus Timer N of grace for the notifier's own last NOTIFY; when it
/// fires the transfer's outcome is unknown (reported as a final 408).
struct sent_refer final : cookie {
    sent_refer(session& s, transfer_events* e, std::uint64_t n)
        : owner(&s), events(e), generation(n) {
        expiry.bind<&sent_refer::lapsed>(this);
        refresh.bind<&sent_refer::refresh_now>(this);
    }
    session* owner;
    transfer_events* events;
    std::uint64_t generation; ///< which refer() of the supplement: a late response of an
                              ///< earlier REFER must not touch this one
    std::uint32_t id = 0;     ///< the REFER's CSeq once its 2xx told us (Event: refer;id=)
    bool accepted = false;    ///< its 2xx arrived
    bool notified = false;    ///< a NOTIFY arrived
    timer expiry;
    timer refresh; ///< RFC 6665 §4.1.2.2: a SUBSCRIBE before the subscription lapses

    void wait(std::chrono::milliseconds delay) {
        if (timer_wheel* w = owner->wheel()) w->schedule_after(expiry, delay);
    }
    /// After a NOTIFY that gives the subscription `seconds` more: a refresh at half of them (a
    /// long transfer, a call that rings for minutes, stays subscribed). The expiry timer still
    /// bounds the wait if the refresh fails or its NOTIFY never comes.
    void refresh_after(std::uint32_t seconds) {
        refresh.cancel();        // an earlier NOTIFY's refresh: this one's time replaces it
        if (seconds < 2) return; // nothing useful fits: the expiry decides
        if (timer_wheel* w = owner->wheel())
            w->schedule_after(refresh, std::chrono::milliseconds(std::uint64_t{seconds} * 500));
    }
    void refresh_now(); // below sent_refer_of
    void lapsed() {
        session& s = *owner;
        transfer_events* e = events;
        session::callback_scope scope(s);          // the application may end the session in there
        s.cookies().remove(outgoing_refer_cookie); // destroys this
        if (e != nullptr) e->on_transfer_progress(s, 408, true);
    }
};

sent_refer* sent_refer_of(session& s) noexcept {
    return dynamic_cast<sent_refer*>(s.cookies().get(outgoing_refer_cookie));
}

/// RFC 6665 §4.1.2.2: the answers to a refresh after which the subscription is over.
bool ends_subscription(std::uint16_t status) noexcept {
    return status == 404 || status == 405 || status == 410 || status == 416 ||
           (status >= 480 && status <= 485) || status == 489 || status == 501 || status == 604;
}

void sent_refer::refresh_now() {
    // RFC 3515 §2.4.6: a refresh MUST name the REFER (Event: refer;id=<its CSeq>); without a
    // known id (no 2xx CSeq, no NOTIFY naming it) there is none, and the expiry decides.
    if (id == 0) return;
    response_extras extras;
    extras.headers.emplace_back("Event", "refer;id=" + std::to_string(id));
    extras.headers.emplace_back("Expires",
                                std::to_string(transfer_supplement::subscription_seconds));
    // A 2xx brings a NOTIFY with the new expiry (which moves the timers); an answer that ends
    // the subscription ends the wait now, its outcome unknown (408); any other error leaves the
    // expiry timer to end it.
    session* on = owner;
    (void)owner->send_request(
        "SUBSCRIBE", extras, [on, refreshed = generation](std::uint16_t status, const message*) {
            sent_refer* state = sent_refer_of(*on);
            if (state == nullptr || state->generation != refreshed || !ends_subscription(status))
                return;
            transfer_events* e = state->events;
            on->cookies().remove(outgoing_refer_cookie); // destroys state
            if (e != nullptr) e->on_transfer_progress(*on, 408, true);
        });
}

} // namespace

std::optional<std::uint16_t> sipfrag_status(std::string_view body) noexcept {
    // RFC 3420: the fragment starts with a status line, "SIP/2.0 SP 3DIGIT SP reason".
    if (body.size() < 11 || !text::iequals(body.substr(0, 8), "SIP/2.0 ")) return std::nullopt;
    std::uint16_t status = 0;
    for (std::size_t i = 8; i < 11; ++i) {
        if (!text::is_digit(body[i])) return std::nullopt;
        status = static_cast<std::uint16_t>(status * 10 + (body[i] - '0'));
    }
    if (status < 100 || status > 699) return std::nullopt;
    if (body.size() > 11 && body[11] != ' ' && body[11] != '\r' && body[11] != '\n')
        return std::nullopt;
    return status;
}

request_verdict transfer_supplement::incoming_request(session& s, const message& request) noexcept {
    switch (request.method()) {
    case method::refer: return incoming_refer(s, request);
    case method::notify: return incoming_notify(s, request);
    case method::subscribe: return incoming_subscribe(s, request);
    default: return request_verdict::proceed();
    }
}

request_verdict transfer_supplement::incoming_refer(session& s, const message& request) noexcept {
    // RFC 3515 §2.4.1: exactly one Refer-To.
    std::size_t refer_tos = 0;
    for (const header_field& h : request.headers())
        if (h.id == header_id::refer_to) ++refer_tos;
    if (refer_tos == 0) return request_verdict::reject(400, "Missing Refer-To");
    if (refer_tos > 1) return request_verdict::reject(400, "More Than One Refer-To");
    auto to = find_refer_to(request);
    if (!to || !*to) return request_verdict::reject(400, "Bad Refer-To");
    auto sub = find_refer_sub(request);
    if (!sub) return request_verdict::reject(400, "Bad Refer-Sub");
    auto by = find_referred_by(request);
    if (!by) return request_verdict::reject(400, "Bad Referred-By");
    if (subscription_of(s) != nullptr)
        return request_verdict::reject(491, "Transfer Already in Progress");

    transfer_request t;
    const uri& target = (*to)->target.address;
    t.target = std::string(target.text.substr(0, target.text.find('?')));
    t.refer_to = std::string((*to)->target.text);
    if (*by) t.referred_by = std::string((*by)->referrer.text);
    t.replaces = (*to)->embedded_replaces;
    t.subscription = !*sub || **sub == refer_sub::subscription;

    transfer_verdict verdict =
        events_ != nullptr ? events_->allow(s, t) : transfer_verdict::declined;
    if (verdict == transfer_verdict::forbidden)
        return request_verdict::reject(403, "Transfer Forbidden");
    if (verdict == transfer_verdict::declined) return request_verdict::reject(603, "Declined");

    // RFC 4488 §4: the 2xx says Refer-Sub: false when it agrees not to subscribe.
    response_extras accepted;
    if (!t.subscription) accepted.headers.emplace_back("Refer-Sub", "false");
    if (!s.respond(202, {}, accepted)) return request_verdict::handled();
    if (t.subscription) {
        auto implicit = std::make_unique<subscription>(s, request.cseq().number, now_);
        implicit->extend(subscription_seconds);
        s.cookies().add(transfer_cookie, std::move(implicit));
        (void)notify(s, 100); // RFC 3515 §2.4.4: the first NOTIFY right after the 202
    }
    events_->on_transfer(s, t);
    return request_verdict::handled();
}

result<void> transfer_supplement::notify(session& s, std::uint16_t status,
                                         std::string_view reason) {
    if (status < 100 || status > 699) return fail(500, "Status Outside 100-699");
    auto* sub = subscription_of(s);
    if (sub == nullptr) return fail(481, "No Transfer Subscription");
    bool final = status >= 200;
    if (sub->terminated) {
        // It lapsed and said so: nothing more is sent; the final status ends the transfer.
        if (final) s.cookies().remove(transfer_cookie);
        return fail(481, "Transfer Subscription Terminated");
    }
    // RFC 6665 §4.2.2: a subscription that ran out without a refresh ends with this NOTIFY
    // (its timer sends one when it is due; without a wheel the next NOTIFY does).
    bool lapsed = !final && sub->now() >= sub->expires_at;
    std::string state = final    ? std::string("terminated;reason=noresource")
                        : lapsed ? std::string("terminated;reason=timeout")
                                 : active_state(*sub);
    sub->last_status = status;
    std::uint32_t id = sub->id;
    if (final)
        s.cookies().remove(transfer_cookie);
    else if (lapsed) {
        sub->terminated = true; // kept until the final status: the transfer still runs
        sub->expiry.cancel();
    }
    return send_notify(s, id, std::move(state), fragment_of(status, reason));
}

request_verdict transfer_supplement::incoming_subscribe(session& s,
                                                        const message& request) noexcept {
    auto event = find_event(request);
    if (!event || !*event || !text::iequals((*event)->package, "refer"))
        return request_verdict::proceed(); // another package: not ours
    auto* sub = subscription_of(s);
    if (sub == nullptr || sub->terminated)
        return request_verdict::reject(481, "Subscription Does Not Exist");
    // RFC 3515 §2.4.6: the id names the REFER; without one, the only subscription.
    if (!(*event)->id.empty() && (*event)->id != std::to_string(sub->id))
        return request_verdict::reject(481, "Subscription Does Not Exist");
    auto expires = find_expires(request);
    if (!expires) return request_verdict::reject(400, "Bad Expires");
    std::uint32_t granted =
        std::min<std::uint32_t>(expires->value_or(subscription_seconds), max_subscription_seconds);
    response_extras ok;
    ok.headers.emplace_back("Expires", std::to_string(granted));
    if (!s.respond(200, {}, ok)) return request_verdict::handled();
    if (granted == 0) {
        // RFC 6665 §4.2.1.4: unsubscribed; the last NOTIFY says so.
        std::uint32_t id = sub->id;
        std::string fragment = fragment_of(sub->last_status, {});
        s.cookies().remove(transfer_cookie);
        (void)send_notify(s, id, "terminated;reason=timeout", std::move(fragment));
        return request_verdict::handled();
    }
    // §4.2.1.2: a refreshed subscription gets a NOTIFY of the current state at once.
    sub->extend(granted);
    (void)send_notify(s, sub->id, active_state(*sub), fragment_of(sub->last_status, {}));
    return request_verdict::handled();
}

result<void> transfer_supplement::refer(session& s, std::string_view refer_to,
                                        const refer_options& options) {
    if (sent_refer_of(s) != nullptr) return fail(491, "Transfer Already in Progress");
    response_extras extras;
    extras.headers.emplace_back("Refer-To", std::string(refer_to));
    if (!options.referred_by.empty())
        extras.headers.emplace_back("Referred-By", std::string(options.referred_by));
    if (!options.subscription) extras.headers.emplace_back("Refer-Sub", "false");
    session* on = &s;
    transfer_events* events = events_;
    bool subscription = options.subscription;
    std::uint64_t generation = ++refers_;
    // The cookie first, so that nothing the REFER causes can miss it; a REFER that cannot
    // go (send_request's error) takes it away again.
    s.cookies().add(outgoing_refer_cookie, std::make_unique<sent_refer>(s, events_, generation));
    auto sent = s.send_request(
        "REFER", extras,
        [on, events, subscription, generation](std::uint16_t status, const message* response) {
            auto* state = sent_refer_of(*on);
            // Gone (a NOTIFY or the timer ended it), or a later REFER's: not for this one.
            if (state == nullptr || state->generation != generation) return;
            // RFC 4488 §4: only a 2xx that says Refer-Sub: false agrees to no subscription; one
            // that does not say it (a recipient without the extension) subscribed us anyway.
            // Without the response to read, what we asked for.
            bool no_notifies = !subscription && response == nullptr;
            if (response != nullptr) {
                auto sub = find_refer_sub(*response);
                if (sub && *sub && **sub == refer_sub::no_subscription) no_notifies = true;
            }
            if (status >= 300 || no_notifies) {
                // Refused, or accepted without a subscription: nothing more will come.
                on->cookies().remove(outgoing_refer_cookie);
                if (events != nullptr) events->on_transfer_progress(*on, status, true);
                return;
            }
            state->accepted = true;
            if (response != nullptr) state->id = response->cseq().number;
            if (!state->notified) state->wait(timer_n(*on)); // the first NOTIFY is due
        });
    if (!sent) {
        if (sent_refer* state = sent_refer_of(s);
            state != nullptr && state->generation == generation)
            s.cookies().remove(outgoing_refer_cookie);
        return sent;
    }
    return {};
}

request_verdict transfer_supplement::incoming_notify(session& s, const message& request) noexcept {
    auto event = find_event(request);
    if (!event || !*event || !text::iequals((*event)->package, "refer"))
        return request_verdict::proceed(); // another package: not ours
    sent_refer* ours = sent_refer_of(s);
    if (ours == nullptr) return request_verdict::proceed(); // no REFER of ours: the core: 481
    // RFC 3515 §2.4.6: the id names the REFER (its CSeq); another one's subscription is over.
    if (ours->id != 0 && !(*event)->id.empty() && (*event)->id != std::to_string(ours->id))
        return request_verdict::proceed();
    // A NOTIFY before the REFER's 2xx (RFC 6665 §4.1.2.4) names the REFER: its id is the one a
    // refresh must carry.
    if (ours->id == 0 && !(*event)->id.empty())
        if (auto n = text::parse_decimal((*event)->id, UINT32_MAX))
            ours->id = static_cast<std::uint32_t>(*n);
    auto state = find_subscription_state(request);
    if (!state || !*state) return request_verdict::reject(400, "Bad Subscription-State");
    auto status = sipfrag_status(request.body());
    if (!request.content_type().is("message", "sipfrag") || !status)
        return request_verdict::reject(400, "Bad Sipfrag Body");
    bool final = (*state)->state == substate::terminated;
    (void)s.respond(200);
    if (final) {
        s.cookies().remove(outgoing_refer_cookie);
    } else {
        // RFC 6665 §4.1.3: the subscription lasts what the notifier says (a NOTIFY that does
        // not say: the implicit subscription's usual minute), and its own last NOTIFY, sent
        // when it lapses, gets Timer N to arrive.
        ours->notified = true;
        const std::uint32_t seconds = (*state)->expires.value_or(subscription_seconds);
        ours->wait(std::chrono::seconds(seconds) + timer_n(s));
        ours->refresh_after(seconds);
    }
    if (events_ != nullptr) events_->on_transfer_progress(s, *status, final);
    return request_verdict::handled();
}

} // namespace parley::ext
