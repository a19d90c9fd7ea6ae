// session_layer: RFC 4028 session timers for incoming sessions. The interval is agreed on the
// INVITE and its 2xx; the refresher sends a re-INVITE at half the interval, and when the other
// side is the refresher and nothing arrives before the interval minus min(32 s, interval/3)
// (§10), we end the call with BYE.
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
    if (r.we_refresh) {
        wheel_.schedule_after(r.session_timer, interval / 2);
    } else {
        auto margin = std::min<duration>(seconds(32), interval / 3);
        wheel_.schedule_after(r.session_timer, interval - margin);
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

void session_layer::session_timer_fired(record& r) {
    if (r.ended || r.state != session_state::confirmed) return;
    if (r.we_refresh) {
        // §10: our refresh is a re-INVITE (a new offer from the handlers, through the queue);
        // a failed one ends the call as any re-INVITE failure would (408/481), else retry.
        auto queued =
            send_reinvite(r.handle, [this](session_handle h, session&, std::uint16_t status) {
                auto it = sessions_.find(h.value);
                if (it != sessions_.end() && status < 300) start_session_timer(*it->second);
            });
        if (!queued) start_session_timer(r);
        return;
    }
    // The refresher was silent for the whole interval: the session is gone (§10).
    r.bye_reason = "SIP;cause=408;text=\"Session timer expired\"";
    r.pending_end = end_reason::session_expired;
    send_bye(r);
}

} // namespace parley
