// session_layer: outgoing sessions (we send the INVITE): the offer, provisional responses and
// early media, forking (RFC 3261 §13.2.2.4), the 2xx ACK (not a transaction), CANCEL and the
// 200 that crosses it (RFC 5407 §3.1.2), failures and timeouts.
#include "session_record.hpp"

#include <parley/sip/header_values.hpp>

namespace parley {

namespace {

std::optional<sdp::session_description> sdp_of(const message& m) {
    if (!m.content_type().is("application", "sdp") || m.body().empty()) return std::nullopt;
    auto parsed = sdp::session_description::parse(m.body());
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
}

} // namespace

result<session_handle> session_layer::call(const outgoing_call& c) {
    detail::depth_guard guard(*this);
    if (sessions_.size() >= options_.max_sessions) return fail(503, "Session Limit Reached");
    auto owned = std::make_unique<record>(
        *this, extensions_.snapshot(),
        session_options{.id = next_id_++, .sdp_address = options_.sdp_address});
    record& r = *owned;
    r.outgoing = true;
    r.uac = std::make_unique<record::uac_state>();
    r.state = session_state::calling;
    r.set_policy(c.policy ? *c.policy : default_policy());
    r.source = c.destination;
    if (c.media) r.core.edit_media() = *c.media;
    if (c.prepare) c.prepare(r.core);
    std::string call_id = new_tag() + "@parley";
    for (int tries = 1; options_.owns_call_id && !options_.owns_call_id(call_id); ++tries) {
        if (tries == 1000) return fail(500, "No Call-ID Owned by This Layer");
        call_id = new_tag() + "@parley";
    }
    std::string tag = new_tag();
    std::string branch = new_branch();
    std::string via = "SIP/2.0/" + std::string(via_token(c.destination.protocol)) + " " +
                      via_of(r) + ";branch=" + branch + ";rport";
    outgoing_message invite = outgoing_message::request("INVITE", c.request_uri);
    invite.add_header("Via", via);
    invite.add_header("Max-Forwards", "70");
    invite.add_header("From", c.from + ";tag=" + tag);
    invite.add_header("To", c.to.empty() ? "<" + c.request_uri + ">" : c.to);
    invite.add_header("Call-ID", call_id);
    invite.add_header("CSeq", "1 INVITE");
    invite.add_header("Contact", contact_of(r));
    invite.add_header("Allow", options_.allow);
    // RFC 3262: we PRACK reliable provisionals; RFC 4028 §7.1: we offer a session interval.
    bool rel = r.policy.reliable != reliable_mode::off;
    bool timers = r.policy.timers.mode != session_timer_mode::off;
    if (rel || timers)
        invite.add_header("Supported", rel && timers ? "100rel, timer" : rel ? "100rel" : "timer");
    if (r.policy.reliable == reliable_mode::required) invite.add_header("Require", "100rel");
    for (const auto& [name, value] : c.headers) invite.add_header(name, value);
    if (timers) {
        invite.add_header("Session-Expires", std::to_string(r.policy.timers.session_expires));
        invite.add_header("Min-SE", std::to_string(r.policy.timers.min_se));
    }
    r.core.begin();
    if (c.offer == offer_timing::in_invite) {
        auto offer = r.core.create_offer();
        if (!offer) return fail(offer.error_value());
        if (auto set = r.negotiator.set_local_offer(std::move(*offer)); !set)
            return fail(set.error_value());
        invite.set_body("application/sdp", r.negotiator.local_text());
    } else {
        r.delayed_offer = true;
    }
    r.core.outgoing_request(invite);
    r.uac->request_uri = c.request_uri;
    r.uac->invite_request = invite;
    std::string bytes = invite.serialize();
    r.uac->our_invite = std::make_unique<message>();
    if (!parse_message(bytes, *r.uac->our_invite, {.buffer = buffer_use::copy}))
        return fail(500, "Our INVITE Does Not Parse"); // a supplement broke it
    r.uac->forks.emplace(contact_of(r));
    r.last_invite_cseq = 1;
    auto sent = transactions_.send_request({.bytes = std::move(bytes),
                                            .branch = branch,
                                            .method = "INVITE",
                                            .destination = c.destination});
    if (!sent) {
        r.core.end();
        return fail(sent.error_value());
    }
    r.uac->invite_client = *sent;
    by_client_[sent->value] = r.handle().value;
    session_handle h = r.handle();
    sessions_.emplace(h.value, std::move(owned));
    ++stats_.sessions_created;
    sessions_.at(h.value)->announced = true;
    return h;
}

void session_layer::ack_and_bye(const dialog& d, std::uint32_t cseq, const flow& destination) {
    // RFC 3261 §13.2.2.4: a 2xx we do not want is still acknowledged, then the dialog ended.
    dialog copy = d;
    std::string ack_via = "SIP/2.0/" + std::string(via_token(destination.protocol)) + " " +
                          options_.via_address + ";branch=" + new_branch() + ";rport";
    flow to = detail::flow_to_target(copy, destination);
    (void)sender_.send(
        to, copy.build_outgoing({.method = "ACK", .cseq = cseq, .via = ack_via}).serialize());
    std::string branch = new_branch();
    std::string bye_via = "SIP/2.0/" + std::string(via_token(destination.protocol)) + " " +
                          options_.via_address + ";branch=" + branch + ";rport";
    (void)transactions_.send_request(
        {.bytes = copy.build_outgoing({.method = "BYE", .via = bye_via}).serialize(),
         .branch = branch,
         .method = "BYE",
         .destination = to});
}

bool session_layer::resend_invite(record& r, outgoing_message invite) {
    // The same INVITE again (same Call-ID and tags): a new branch and CSeq (RFC 3261 §8.1.3.5).
    std::string branch = new_branch();
    invite.set_header("Via", "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " +
                                 via_of(r) + ";branch=" + branch + ";rport");
    r.last_invite_cseq += 1;
    invite.set_header("CSeq", std::to_string(r.last_invite_cseq) + " INVITE");
    std::string bytes = invite.serialize();
    auto parsed = std::make_unique<message>();
    if (!parse_message(bytes, *parsed, {.buffer = buffer_use::copy})) return false;
    auto sent = transactions_.send_request(
        {.bytes = std::move(bytes), .branch = branch, .method = "INVITE", .destination = r.source});
    if (!sent) return false;
    by_client_.erase(r.uac->invite_client.value);
    r.uac->invite_client = *sent;
    by_client_[sent->value] = r.handle().value;
    r.uac->our_invite = std::move(parsed);
    r.uac->invite_request = std::move(invite);
    r.uac->forks.emplace(contact_of(r)); // a new transaction: its own dialogs
    r.uac->pracked.clear();              // and its own RSeq spaces (RFC 3262 §4)
    return true;
}

bool session_layer::resend_with_credentials(record& r, const message& challenge) {
    // RFC 3261 §22.2: a 401/407 to our INVITE is answered by the same request with credentials,
    // a new CSeq and a new branch; bounded (Asterisk's AST-2020-002 was an endless loop).
    if (options_.credentials == nullptr || !r.uac->invite_request || r.uac->cancelled ||
        ++r.uac->challenges > options_.max_challenges)
        return false;
    auto answer =
        options_.credentials->answer_challenge(r.core, challenge, "INVITE", r.uac->request_uri);
    if (!answer) return false;
    outgoing_message invite = *r.uac->invite_request;
    invite.set_header(answer->header_name, answer->value);
    return resend_invite(r, std::move(invite));
}

bool session_layer::retry_after_422(record& r, const message& too_small) {
    // RFC 4028 §7.4: retry once with the larger interval the 422's Min-SE names.
    auto floor = find_min_se(too_small);
    if (!floor || !*floor || r.timer_retried || !r.uac->invite_request || r.uac->cancelled)
        return false;
    r.timer_retried = true;
    std::uint32_t interval = std::max(**floor, r.policy.timers.session_expires);
    outgoing_message invite = *r.uac->invite_request;
    invite.set_header("Session-Expires", std::to_string(interval));
    invite.set_header("Min-SE", std::to_string(**floor));
    return resend_invite(r, std::move(invite));
}

bool session_layer::follow_redirect(record& r, const message& redirect) {
    // RFC 3261 §8.1.3.4: the Contacts of a 3xx are new targets; we try the first numeric SIP
    // one (no DNS here), as a new INVITE in the same call (same Call-ID and tags, CSeq + 1).
    if (options_.redirects != redirect_policy::follow || !r.uac->invite_request ||
        r.uac->cancelled || ++r.uac->redirects > options_.max_redirects)
        return false;
    for (const contact& c : redirect.contacts()) {
        if (c.star || !c.address.address.is_sip()) continue;
        const uri& target = c.address.address;
        std::uint16_t port = target.port != 0 ? target.port : default_port(r.source.protocol);
        auto address = socket_address::from_numeric(target.host, port);
        if (!address) continue;
        outgoing_message invite = *r.uac->invite_request;
        std::string branch = new_branch();
        invite.set_request_uri(target.text);
        invite.set_header("Via", "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " +
                                     via_of(r) + ";branch=" + branch + ";rport");
        r.last_invite_cseq += 1;
        invite.set_header("CSeq", std::to_string(r.last_invite_cseq) + " INVITE");
        std::string bytes = invite.serialize();
        auto parsed = std::make_unique<message>();
        if (!parse_message(bytes, *parsed, {.buffer = buffer_use::copy})) return false;
        flow destination = r.source;
        destination.remote = *address;
        destination.connection = 0;
        auto sent = transactions_.send_request({.bytes = std::move(bytes),
                                                .branch = branch,
                                                .method = "INVITE",
                                                .destination = destination});
        if (!sent) return false;
        by_client_.erase(r.uac->invite_client.value);
        r.uac->invite_client = *sent;
        by_client_[sent->value] = r.handle().value;
        r.source = destination;
        r.uac->request_uri = std::string(target.text);
        r.uac->invite_request = std::move(invite);
        r.uac->our_invite = std::move(parsed);
        r.uac->forks.emplace(contact_of(r));
        r.uac->pracked.clear();
        return true;
    }
    return false;
}

void session_layer::invite_response(record& r, const message& response) {
    std::uint16_t status = response.status();
    if ((status == 401 || status == 407) && resend_with_credentials(r, response)) return;
    if (status == 422 && retry_after_422(r, response)) return;
    if (status >= 300 && status < 400) {
        r.core.incoming_response(response, response_phase::before_redirect);
        if (follow_redirect(r, response)) return;
    }
    auto update = r.uac->forks->on_response(*r.uac->our_invite, response);
    if (!update) return; // e.g. a 2xx without Contact: nothing to build a dialog from
    using outcome = dialog_set::outcome;
    switch (update->what) {
    case outcome::ignored: return;
    case outcome::early_created:
    case outcome::early_updated: {
        if (update->what == outcome::early_created) {
            // The callee may send requests (UPDATE, INFO, PRACK-less ones) in its early dialog.
            std::string key = detail::dialog_key(update->affected->id());
            if (by_dialog_.emplace(key, r.handle().value).second)
                r.uac->early_keys.push_back(std::move(key));
        }
        std::optional<std::uint32_t> rseq;
        if (r.policy.reliable != reliable_mode::off) {
            auto require = find_require(response);
            if (require && require->contains("100rel")) {
                rseq = accept_reliable(r, response, *update->affected);
                if (!rseq) return; // RFC 3262 §4: a retransmission, or out of order
            }
        }
        if (r.state == session_state::calling) r.state = session_state::early;
        early_media media = early_media::none;
        if (auto offer = sdp_of(response);
            offer && rseq && r.delayed_offer && r.negotiator.state() == sdp::negotiator_state::null)
            (void)r.negotiator.receive_remote_offer(std::move(*offer)); // answered in the PRACK
        // Early media (RFC 3261 §13.2.1 / RFC 3960): the answer in a 18x applies now.
        if (auto answer = sdp_of(response);
            answer && !r.delayed_offer &&
            r.negotiator.state() == sdp::negotiator_state::local_offer) {
            if (r.negotiator.receive_remote_answer(std::move(*answer)) &&
                r.negotiator.negotiate()) {
                r.media_applied = false;
                r.apply_media();
                media = early_media::present;
            }
        }
        if (rseq) {
            send_prack(r, response, *update->affected, *rseq);
            if (r.delayed_offer && r.negotiator.state() == sdp::negotiator_state::done)
                media = early_media::present;
        }
        events_.on_progress(r.handle(), r.core, status, media);
        return;
    }
    case outcome::extra_2xx:
        // Another fork answered too: not our call. §13.2.2.4: ACK it, then BYE it, once.
        if (std::find(r.uac->finished_forks.begin(), r.uac->finished_forks.end(),
                      update->affected->id().remote_tag) == r.uac->finished_forks.end()) {
            r.uac->finished_forks.emplace_back(update->affected->id().remote_tag);
            ack_and_bye(*update->affected, r.last_invite_cseq, r.source);
        }
        return;
    case outcome::failed:
        r.core.set_final_status(status);
        end(r, r.uac->cancelled && status == 487 ? end_reason::local_hangup
                                                 : end_reason::remote_rejected);
        return;
    case outcome::confirmed: break;
    }
    // The first 2xx (or a retransmission of it, RFC 6026 §7.2): the call.
    if (!r.uac->invite_ack.empty()) {
        (void)sender_.send(detail::flow_to_target(*r.d, r.source), r.uac->invite_ack);
        return;
    }
    r.core.set_final_status(status);
    dialog* d = dialogs_.insert(*update->affected);
    if (d == nullptr) return;
    r.d = d;
    d->set_user(r.handle().value);
    r.core.set_requester(&r);
    // The call is this dialog: the other early dialogs are over (RFC 3261 §13.2.2.4).
    for (const std::string& key : r.uac->early_keys) by_dialog_.erase(key);
    r.uac->early_keys.clear();
    std::string via = "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " + via_of(r) +
                      ";branch=" + new_branch() + ";rport";
    outgoing_message ack =
        d->build_outgoing({.method = "ACK", .cseq = r.last_invite_cseq, .via = via});
    bool bad_sdp = false;
    if (r.delayed_offer && r.negotiator.state() != sdp::negotiator_state::done) {
        // RFC 3261 §13.2.1: their offer is in the 2xx; our answer goes in the ACK.
        auto offer = sdp_of(response);
        std::optional<sdp::session_description> answer;
        if (offer && r.negotiator.receive_remote_offer(std::move(*offer))) {
            if (auto built = r.core.answer_offer(*r.negotiator.pending_remote()))
                answer = std::move(*built);
        }
        if (answer && r.negotiator.set_local_answer(std::move(*answer)) &&
            r.negotiator.negotiate()) {
            ack.set_body("application/sdp", r.negotiator.local_text());
        } else {
            bad_sdp = true;
        }
    } else if (r.negotiator.state() == sdp::negotiator_state::local_offer) {
        auto answer = sdp_of(response);
        bad_sdp = !answer || !r.negotiator.receive_remote_answer(std::move(*answer)) ||
                  !r.negotiator.negotiate();
    }
    r.core.outgoing_request(ack);
    r.uac->invite_ack = ack.serialize();
    (void)sender_.send(detail::flow_to_target(*d, r.source), r.uac->invite_ack);
    if (r.uac->cancelled || bad_sdp) {
        // RFC 5407 §3.1.2: a 200 after our CANCEL is ACKed, then ended; so is a 2xx whose SDP
        // we cannot use (Asterisk's "bearer capability not available").
        r.pending_end = bad_sdp ? end_reason::bad_ack : end_reason::local_hangup;
        send_bye(r);
        return;
    }
    r.media_applied = false;
    r.apply_media();
    r.state = session_state::confirmed;
    if (auto allow = find_allow(response); allow && allow->contains(method::update))
        r.peer_allows_update = true;
    if (r.policy.timers.mode != session_timer_mode::off) {
        // RFC 4028 §7.2: the 2xx states the interval and who refreshes; without it the callee
        // does not do timers, and only `always` runs them (we refresh).
        if (auto expires = find_session_expires(response); expires && *expires) {
            r.session_interval = std::max((*expires)->delta_seconds, r.policy.timers.min_se);
            r.we_refresh = (*expires)->refresher != refresher_role::uas;
            r.peer_supports_timer = true;
        } else if (r.policy.timers.mode == session_timer_mode::always) {
            r.session_interval = r.policy.timers.session_expires;
            r.we_refresh = true;
        }
        start_session_timer(r);
    }
    events_.on_confirmed(r.handle(), r.core);
    if (!r.ended) try_send_queued(r);
}

void session_layer::on_stray_response(const message& response, const flow& source) noexcept {
    detail::depth_guard guard(*this);
    (void)source;
    // A 2xx retransmission after the INVITE transaction is gone: ACK it again if it is ours.
    if (response.cseq().method != method::invite) return;
    record* r = by_dialog_of(response);
    if (r == nullptr || !r->outgoing || r->uac->invite_ack.empty() ||
        response.cseq().number != r->last_invite_cseq)
        return;
    (void)sender_.send(detail::flow_to_target(*r->d, r->source), r->uac->invite_ack);
}

} // namespace parley
