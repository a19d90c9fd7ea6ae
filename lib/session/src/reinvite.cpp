// session_layer: re-INVITEs and UPDATEs we send (the seed's ast_sip_session_send_reinvite):
// queueing, the 2xx ACK, 491 back-off (RFC 3261 §14.1), and ending on 408/481 (§12.2.1.2).
#include "session_record.hpp"

#include <parley/sip/header_values.hpp>

#include <random>

namespace parley {

namespace {

/// The answer to our offer in a 2xx, negotiated; false when there is none usable.
bool take_answer(session_layer::record& r, const message& response) {
    std::optional<sdp::session_description> answer;
    if (response.content_type().is("application", "sdp"))
        if (auto parsed = sdp::session_description::parse(response.body()))
            answer = std::move(*parsed);
    return answer && r.negotiator.receive_remote_answer(std::move(*answer)) &&
           r.negotiator.negotiate();
}

} // namespace

void session_layer::record::detail_guard_and_send() {
    detail::depth_guard guard(*layer);
    layer->try_send_queued(*this);
}

result<void> session_layer::send_reinvite(session_handle h, reinvite_callback done) {
    return send_refresh(h, refresh_method::reinvite, std::move(done));
}

result<void> session_layer::send_refresh(session_handle h, refresh_method how,
                                         reinvite_callback done) {
    detail::depth_guard guard(*this);
    auto it = sessions_.find(h.value);
    if (it == sessions_.end()) return fail(481, "No Such Session");
    record& r = *it->second;
    if (r.state == session_state::ending) return fail(481, "Session Ending");
    if (r.refresh().queued.size() >= options_.max_queued_reinvites)
        return fail(503, "Too Many Queued Re-INVITEs");
    r.refreshes->queued.push_back({how, std::move(done)});
    try_send_queued(r);
    return {};
}

void session_layer::try_send_queued(record& r) {
    if (r.ended) return;
    if (r.bye_after_reinvite && !r.refresh_in_flight()) {
        // The re-INVITE the BYE waited for is over: hang up now; queued ones never go out.
        r.bye_after_reinvite = false;
        if (r.refreshes) {
            for (auto& q : r.refreshes->queued)
                if (q.done) q.done(r.handle(), r.core, 487);
            r.refreshes->queued.clear();
        }
        send_bye(r);
        return;
    }
    if (!r.refreshes || r.refreshes->queued.empty()) return;
    // Every wait is bounded: each of these ends by a response, an ACK, a timer or the session.
    // An UPDATE may go in our early dialog too, once our answer went reliably and was PRACKed
    // (RFC 3311 §5.1); a re-INVITE only in a confirmed one.
    bool early_update = r.refreshes->queued.front().how != refresh_method::reinvite &&
                        !r.outgoing && r.state == session_state::early && r.answered_early &&
                        !r.awaiting_prack();
    bool busy = (r.state != session_state::confirmed && !early_update) ||
                r.refreshes->reinvite_client || r.ok || r.refreshes->glare_retry.armed() ||
                r.negotiator.state() != sdp::negotiator_state::done;
    if (busy) return;
    refresh_method how = r.refreshes->queued.front().how;
    bool for_timer = r.refreshes->queued.front().for_timer;
    reinvite_callback done = std::move(r.refreshes->queued.front().done);
    r.refreshes->queued.erase(r.refreshes->queued.begin());
    bool with_offer = how != refresh_method::update_no_sdp;
    if (with_offer) {
        auto offer = r.core.create_offer(r.negotiator.active_local());
        if (!offer || !r.negotiator.set_local_offer(std::move(*offer))) {
            if (done) done(r.handle(), r.core, 488);
            if (for_timer) retry_timer_refresh(r);
            try_send_queued(r);
            return;
        }
    }
    std::string_view method = how == refresh_method::reinvite ? "INVITE" : "UPDATE";
    std::string branch = new_branch();
    std::string via = "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " + via_of(r) +
                      ";branch=" + branch + ";rport";
    outgoing_message request = r.d->build_outgoing({.method = method, .via = via});
    request.add_header("Allow", options_.allow);
    add_refresh_timer_headers(r, request);
    if (with_offer) request.set_body("application/sdp", r.negotiator.local_text());
    r.core.outgoing_request(request);
    r.refreshes->reinvite_destination = detail::flow_to_target(*r.d, r.source);
    auto sent = transactions_.send_request({.bytes = std::move(request).serialize(),
                                            .branch = branch,
                                            .method = method,
                                            .destination = r.refreshes->reinvite_destination});
    if (!sent) {
        if (with_offer) (void)r.negotiator.cancel_offer();
        if (done) done(r.handle(), r.core, sent.error_value().status);
        if (for_timer && !r.ended) retry_timer_refresh(r);
        return;
    }
    r.refreshes->in_flight = how;
    r.refreshes->in_flight_for_timer = for_timer;
    r.refreshes->reinvite_client = *sent;
    r.refreshes->reinvite_done = std::move(done);
    r.refreshes->reinvite_cseq = r.d->local_cseq();
    if (how == refresh_method::reinvite && !r.refreshes->reinvite_ack.empty()) {
        // The previous re-INVITE's ACK stays for its 2xx retransmissions (ours may be lost).
        r.refreshes->previous_ack = std::move(r.refreshes->reinvite_ack);
        r.refreshes->previous_ack_cseq = r.refreshes->reinvite_ack_cseq;
        r.refreshes->reinvite_ack.clear();
    }
    by_client_[sent->value] = r.handle().value;
}

bool session_layer::ack_again(record& r, const message& response) {
    // RFC 3261 §13.2.2.4: every 2xx retransmission of a re-INVITE of ours gets the same ACK,
    // also after a later request of ours went out.
    if (response.cseq().method != method::invite || response.status() < 200 ||
        response.status() >= 300)
        return false;
    if (!r.refreshes) return false;
    std::uint32_t n = response.cseq().number;
    const std::string* ack =
        !r.refreshes->reinvite_ack.empty() && n == r.refreshes->reinvite_ack_cseq
            ? &r.refreshes->reinvite_ack
        : !r.refreshes->previous_ack.empty() && n == r.refreshes->previous_ack_cseq
            ? &r.refreshes->previous_ack
            : nullptr;
    if (ack == nullptr || n == r.refreshes->reinvite_cseq)
        return false; // the current one: reinvite_response
    (void)sender_.send(r.refreshes->reinvite_destination, *ack);
    return true;
}

void session_layer::reinvite_response(record& r, const message& response) {
    std::uint16_t status = response.status();
    if (status < 200) return;
    if (status < 300 && r.refreshes->in_flight != refresh_method::reinvite) {
        // Our UPDATE's 2xx: a target refresh (RFC 3311 §5.1), the answer when we offered.
        r.d->receive_response(response, method::update);
        by_client_.erase(r.refreshes->reinvite_client.value);
        r.refreshes->reinvite_client = {};
        auto done = std::move(r.refreshes->reinvite_done);
        if (r.refreshes->in_flight == refresh_method::update) {
            if (!take_answer(r, response)) {
                r.pending_end = end_reason::bad_ack;
                if (done) done(r.handle(), r.core, 488);
                if (!r.ended) send_bye(r);
                return;
            }
            r.media_applied = false;
            r.apply_media();
        }
        timer_from_response(r, response);
        if (done) done(r.handle(), r.core, status);
        if (!r.ended) try_send_queued(r);
        return;
    }
    if (status < 300) {
        // RFC 6026 §7.2: every 2xx (retransmissions too) gets our ACK, which is no transaction.
        if (!r.refreshes->reinvite_ack.empty()) {
            (void)sender_.send(r.refreshes->reinvite_destination, r.refreshes->reinvite_ack);
            return;
        }
        r.d->receive_response(response, method::invite);
        std::string via = "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " + via_of(r) +
                          ";branch=" + new_branch() + ";rport";
        outgoing_message ack =
            r.d->build_outgoing({.method = "ACK", .cseq = r.refreshes->reinvite_cseq, .via = via});
        r.core.outgoing_request(ack);
        r.refreshes->reinvite_ack = ack.serialize();
        r.refreshes->reinvite_ack_cseq = r.refreshes->reinvite_cseq;
        (void)sender_.send(r.refreshes->reinvite_destination, r.refreshes->reinvite_ack);
        if (!take_answer(r, response)) {
            // Our offer got no usable answer: the session cannot go on (RFC 3261 §14.1 leaves
            // the old session in place only for a failure response).
            r.pending_end = end_reason::bad_ack;
            auto done = std::move(r.refreshes->reinvite_done);
            r.refreshes->reinvite_client = {};
            if (done) done(r.handle(), r.core, 488);
            if (!r.ended) send_bye(r);
            return;
        }
        r.media_applied = false;
        r.apply_media();
        auto done = std::move(r.refreshes->reinvite_done);
        r.refreshes->reinvite_client = {};
        timer_from_response(r, response);
        if (done) done(r.handle(), r.core, status);
        if (!r.ended) try_send_queued(r);
        return;
    }
    // A failure leaves the session as it was (RFC 3261 §14.1).
    if (r.refreshes->in_flight != refresh_method::update_no_sdp) (void)r.negotiator.cancel_offer();
    auto done = std::move(r.refreshes->reinvite_done);
    by_client_.erase(r.refreshes->reinvite_client.value);
    r.refreshes->reinvite_client = {};
    if (status == 491 && !r.bye_after_reinvite) {
        // RFC 3261 §14.1: retry after 2.1-4 s when we own the Call-ID (we sent the initial
        // INVITE), else 0-2 s, in 10 ms units. The callback waits for the retry's outcome.
        std::uniform_int_distribution<int> steps(r.d->role() == dialog_role::uac ? 210 : 0,
                                                 r.d->role() == dialog_role::uac ? 400 : 200);
        std::mt19937 random(static_cast<std::uint32_t>(tag_seed_ ^ tags_));
        r.refreshes->queued.insert(
            r.refreshes->queued.begin(),
            {r.refreshes->in_flight, std::move(done), r.refreshes->in_flight_for_timer});
        wheel_.schedule_after(r.refreshes->glare_retry, milliseconds(10 * steps(random)));
        return;
    }
    if (done) done(r.handle(), r.core, status);
    if (r.ended) return;
    if (status == 422) {
        // RFC 4028 §7.4: our interval was too small: the 422's Min-SE is the new floor. The
        // next refresh (the timer fires again) asks for it.
        if (auto floor = find_min_se(response); floor && *floor)
            r.session_interval = std::max(r.session_interval, **floor);
    }
    // Our timer refresh failed (not fatally): try again shortly, the interval is running out.
    // Another request failing leaves the timer as it was.
    if (r.refreshes->in_flight_for_timer && status != 481 && status != 408) retry_timer_refresh(r);
    if (status == 481 || status == 408) {
        // §12.2.1.2: the dialog is gone (481) or unreachable (408).
        if (status == 408) {
            r.bye_after_reinvite = false;
            r.pending_end = end_reason::dialog_failed;
            send_bye(r);
        } else {
            end(r, end_reason::dialog_failed);
        }
        return;
    }
    try_send_queued(r);
}

} // namespace parley
