// session_layer: RFC 4028 session timers. The interval is agreed on the INVITE and its 2xx and
// again on every refresh (a re-INVITE or UPDATE either way, §7.4/§9); the refresher refreshes
// at half the interval (by UPDATE without SDP when the peer allows it, else re-INVITE), and
// when the other side is the refresher and nothing arrives before the interval minus
// min(32 s, interval/3) (§10), we end the call with BYE.
#include "session_record.hpp"

#include <parley/sip/header_values.hpp>

namespace parley {

void session_layer::record::on_session_timer() {
    detail::depth_guard guard(*layer);
    layer->session_timer_fired(*this);
}

void session_layer::start_session_timer(record& r) {
    if (r.session_interval == 0 || r.ended) return;
    auto interval = seconds(r.session_interval);
    r.extra().session_refreshed = wheel_.now();
    r.extra().refreshed_interval = r.session_interval;
    if (r.we_refresh) {
        wheel_.schedule_after(r.session_timer_entry(), interval / 2);
    } else {
        auto margin = std::min<duration>(seconds(32), interval / 3);
        wheel_.schedule_after(r.session_timer_entry(), interval - margin);
    }
}

void session_layer::add_session_timer_headers(const record& r, outgoing_message& ok) const {
    if (r.session_interval == 0) return;
    // RFC 4028 §9: every 2xx (the first and each refresh's) states the interval and the
    // refresher; without it the caller would take the timer as off. Require: timer when the
    // caller supports it, so it knows to refresh or to expect refreshes.
    ok.set_header("Session-Expires", std::to_string(r.session_interval) +
                                         (r.we_refresh ? ";refresher=uas" : ";refresher=uac"));
    if (r.peer_supports_timer) ok.set_header("Require", "timer");
}

void session_layer::add_refresh_timer_headers(const record& r, outgoing_message& request) const {
    if (r.session_interval == 0) return;
    // §7.4: a refresh we send states the interval and who refreshes; we are its UAC.
    request.set_header("Session-Expires", std::to_string(r.session_interval) +
                                              (r.we_refresh ? ";refresher=uac" : ";refresher=uas"));
    request.set_header("Min-SE", std::to_string(r.policy.timers.min_se));
    request.set_header("Supported", "timer");
}

void session_layer::timer_from_response(record& r, const message& response) {
    // §7.2: the 2xx of our refresh states the interval and the refresher (its UAC is us).
    if (r.session_interval == 0) return;
    if (auto expires = find_session_expires(response); expires && *expires) {
        r.session_interval = std::max((*expires)->delta_seconds, r.policy.timers.min_se);
        r.we_refresh = (*expires)->refresher != refresher_role::uas;
    }
    start_session_timer(r);
}

bool session_layer::timer_in_request(record& r, const incoming_request& in, timer_request& out) {
    // §9 for a refresh the peer sends: it may change the interval and the refresher. Nothing
    // changes until our 2xx goes (apply_timer_request): a refused refresh changes nothing.
    out = {};
    if (r.policy.timers.mode == session_timer_mode::off) return true;
    const message& m = in.request;
    auto expires = find_session_expires(m);
    auto peer_min = find_min_se(m);
    if (!expires || !peer_min) {
        respond_plain(in, 400, "Bad Session Timer Header", &r.core);
        return false;
    }
    if (!*expires) return true; // the current interval stays; our 2xx restates it
    auto supported = find_supported(m);
    bool sender_can = supported && supported->contains("timer");
    std::uint32_t interval = (*expires)->delta_seconds;
    if (interval < r.policy.timers.min_se) {
        if (!sender_can) {
            interval = r.policy.timers.min_se; // §9: no 422 to a UAC that cannot retry with it
        } else {
            outgoing_message too_small = detail::response_skeleton(m, 422, {}, in.top_via, {});
            too_small.add_header("Min-SE", std::to_string(r.policy.timers.min_se));
            r.core.outgoing_response(too_small);
            (void)transactions_.respond(in.server, 422, std::move(too_small).serialize());
            return false;
        }
    }
    if (*peer_min) interval = std::max(interval, **peer_min);
    out.present = true;
    out.interval = interval;
    out.sender_can = sender_can;
    switch ((*expires)->refresher) {
    case refresher_role::uac: out.we_refresh = false; break; // the sender refreshes
    case refresher_role::uas: out.we_refresh = true; break;
    case refresher_role::unspecified:
        out.we_refresh = !sender_can || r.policy.timers.we_prefer_to_refresh;
        break;
    }
    return true;
}

void session_layer::apply_timer_request(record& r, const timer_request& t) {
    if (!t.present) return;
    r.session_interval = t.interval;
    r.we_refresh = t.we_refresh;
    if (t.sender_can) r.peer_supports_timer = true;
}

void session_layer::retry_timer_refresh(record& r) {
    // A peer that took over refreshing while ours was in flight runs the timer now.
    if (r.ended || r.session_interval == 0 || !r.we_refresh) return;
    // Every 5 s, but no later than the end of the interval: a refresher whose refreshes keep
    // failing (500, 503, 403 ...) ends the session when it runs out, as the other side does.
    // The interval running since the last refresh, not one a 422 raised since for the next.
    time_point expires = r.extra().session_refreshed + seconds(r.extra().refreshed_interval);
    duration wait = seconds(5);
    if (expires - wheel_.now() < wait) wait = expires - wheel_.now();
    wheel_.schedule_after(r.session_timer_entry(), std::max(wait, duration{}));
}

void session_layer::session_timer_fired(record& r) {
    if (r.ended || r.state != session_state::confirmed) return;
    const bool expired =
        wheel_.now() >= r.extra().session_refreshed + seconds(r.extra().refreshed_interval);
    if (r.we_refresh && !expired) {
        // §10: our refresh, through the outgoing supplements and the same queue as every
        // other; its 2xx restarts the timer, a failure retries at the next turn.
        if (r.refresh().queued.size() >= options_.max_queued_reinvites) {
            retry_timer_refresh(r);
            return;
        }
        r.refreshes->queued.push_back(
            {r.peer_allows_update ? refresh_method::update_no_sdp : refresh_method::reinvite,
             {},
             true});
        try_send_queued(r);
        return;
    }
    // No refresh for the whole interval (§10): the refresher was silent, or ours all failed.
    // The session is gone.
    r.extra().bye_reason = "SIP;cause=408;text=\"Session timer expired\"";
    r.pending_end = end_reason::session_expired;
    send_bye(r);
}

} // namespace parley
