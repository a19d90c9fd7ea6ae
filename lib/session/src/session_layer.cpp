// session_layer: the table, the application's calls, responses and the 2xx/BYE machinery.
// The handling of incoming requests lives in incoming.cpp.
#include "session_record.hpp"

#include <charconv>
#include <cstring>
#include <random>

namespace parley {

session_layer::session_layer(transaction_layer& transactions, message_sender& sender,
                             timer_wheel& wheel, const extension_registry& extensions,
                             session_events& events, session_layer_options options)
    : transactions_(transactions), sender_(sender), wheel_(wheel), extensions_(extensions),
      events_(events), options_(std::move(options)) {
    std::random_device random;
    tag_seed_ = (std::uint64_t{random()} << 32) ^ random();
}

session_layer::~session_layer() {
    ++depth_;
    destroying_ = true; // sessions end with on_ended only: no request callbacks from here
    std::vector<std::uint64_t> live;
    for (auto& [id, r] : sessions_) live.push_back(id);
    for (std::uint64_t id : live)
        if (auto it = sessions_.find(id); it != sessions_.end())
            end(*it->second, end_reason::shutdown);
    --depth_;
    finish_ended();
}

std::vector<session_handle> session_layer::handles() const {
    std::vector<session_handle> out;
    out.reserve(sessions_.size());
    for (const auto& [id, r] : sessions_) out.push_back(session_handle{id});
    return out;
}

namespace {
/// `prefix`, `fixed` as exactly 8 hex digits, `separator`, then `counter` in hex (no padding):
/// what snprintf("%08llx-%llx") wrote, at a twentieth of its cost.
std::string hex_id(std::string_view prefix, std::uint32_t fixed, std::string_view separator,
                   std::uint64_t counter, std::string_view suffix) {
    static constexpr char digits[] = "0123456789abcdef";
    char text[64];
    std::size_t n = 0;
    // An empty view may hold a null pointer: memcpy from it is undefined even for 0 bytes.
    for (char c : prefix) text[n++] = c;
    for (int shift = 28; shift >= 0; shift -= 4) text[n++] = digits[(fixed >> shift) & 0xf];
    for (char c : separator) text[n++] = c;
    auto r = std::to_chars(text + n, text + sizeof text, counter, 16);
    n = static_cast<std::size_t>(r.ptr - text);
    for (char c : suffix.substr(0, sizeof text - n)) text[n++] = c;
    return std::string(text, n);
}
} // namespace

std::string session_layer::new_tag() {
    return hex_id({}, static_cast<std::uint32_t>(tag_seed_ & 0xffffffffu), "-", ++tags_,
                  options_.id_suffix);
}

std::string session_layer::new_branch() {
    return hex_id("z9hG4bK", static_cast<std::uint32_t>(tag_seed_ >> 32), {}, ++tags_,
                  options_.id_suffix);
}

const std::string& session_layer::contact_of(const record& r) const noexcept {
    return r.extra_part && !r.extra_part->contact.empty() ? r.extra_part->contact
                                                          : options_.contact;
}

const std::string& session_layer::via_of(const record& r) const noexcept {
    return r.extra_part && !r.extra_part->via_address.empty() ? r.extra_part->via_address
                                                              : options_.via_address;
}

session* session_layer::find(session_handle h) noexcept {
    auto it = sessions_.find(h.value);
    return it == sessions_.end() ? nullptr : &it->second->core;
}

session_handle session_layer::replaces(session_handle h) const noexcept {
    auto it = sessions_.find(h.value);
    return it == sessions_.end() ? session_handle{} : it->second->replaces();
}

session_state session_layer::state(session_handle h) const noexcept {
    auto it = sessions_.find(h.value);
    return it == sessions_.end() ? session_state::ending : it->second->state;
}

bool session_layer::owns_dialog(const message& request) noexcept {
    if (dialogs_.match_request(request) != nullptr) return true;
    return !by_dialog_.empty() && by_dialog_of(request) != nullptr;
}

session_layer::record* session_layer::by_dialog(dialog_id_view id) noexcept {
    return by_dialog(id.call_id, id.local_tag, id.remote_tag);
}

session_layer::record* session_layer::by_dialog(std::string_view call_id,
                                                std::string_view local_tag,
                                                std::string_view remote_tag) noexcept {
    // A session's dialog carries its handle; only our INVITE's early dialogs (forks, not in
    // dialogs_ yet) are in by_dialog_.
    std::uint64_t handle = 0;
    if (dialog* d = dialogs_.find(call_id, local_tag, remote_tag)) {
        handle = d->user();
    } else {
        if (by_dialog_.empty()) return nullptr;
        auto it = by_dialog_.find(detail::dialog_key(
            {std::string(call_id), std::string(local_tag), std::string(remote_tag)}));
        if (it == by_dialog_.end()) return nullptr;
        handle = it->second;
    }
    auto s = sessions_.find(handle);
    return s == sessions_.end() ? nullptr : s->second.get();
}

session_layer::record* session_layer::by_dialog_of(const message& received) noexcept {
    // dialog_id_of_received without the copies: our tag is in To for a request, in From for
    // a response.
    if (received.is_request())
        return by_dialog(received.call_id(), received.to().tag, received.from().tag);
    return by_dialog(received.call_id(), received.from().tag, received.to().tag);
}

void session_layer::respond(record& r, transaction_id server, outgoing_message response) {
    r.core.outgoing_response(response); // supplements see every response of the session
    std::uint16_t status = response.status();
    if (server == r.invite_server && status >= 200) r.invite_answered = true;
    (void)transactions_.respond(server, status, std::move(response).serialize());
}

void session_layer::respond_plain(const incoming_request& in, std::uint16_t status,
                                  std::string_view reason, session* s) {
    std::string tag = in.request.to().tag.empty() ? new_tag() : std::string();
    outgoing_message m = detail::response_skeleton(in.request, status, reason, in.top_via, tag);
    // RFC 3261 §20.5: a 405 must list what we allow, and a 200 to OPTIONS should (§11.2).
    if (status == 405 || (status == 200 && in.request.method() == method::options))
        m.add_header("Allow", options_.allow);
    if (status == 503 || status == 500)
        m.add_header("Retry-After",
                     std::to_string(status == 503 ? options_.retry_after_seconds
                                                  : static_cast<std::uint32_t>(tags_ % 11)));
    if (s != nullptr) s->outgoing_response(m);
    (void)transactions_.respond(in.server, status, std::move(m).serialize());
}

result<void> session_layer::ring(session_handle h) {
    detail::depth_guard guard(*this);
    auto it = sessions_.find(h.value);
    if (it == sessions_.end()) return fail(481, "No Such Session");
    record& r = *it->second;
    if (!r.invite_server || r.state > session_state::early) return fail(500, "Not Ringing Now");
    outgoing_message m = r.invite_base->base;
    m.set_status(180);
    m.add_header("Contact", contact_of(r));
    auto sent = send_provisional(r, std::move(m));
    if (sent && !r.ended) r.state = session_state::early;
    return sent;
}

result<void> session_layer::progress(session_handle h) {
    detail::depth_guard guard(*this);
    auto it = sessions_.find(h.value);
    if (it == sessions_.end()) return fail(481, "No Such Session");
    record& r = *it->second;
    if (!r.invite_server || r.state > session_state::early) return fail(500, "Not Early Now");
    outgoing_message m = r.invite_base->base;
    m.set_status(183);
    m.add_header("Contact", contact_of(r));
    if (r.negotiator.state() == sdp::negotiator_state::done && !r.delayed_offer) {
        // Early media: the answer goes in the 183 and the streams start now (RFC 3261 §13.3.1.1).
        m.set_body("application/sdp", r.invite_base->sdp);
        r.apply_media();
    }
    auto sent = send_provisional(r, std::move(m));
    if (sent && !r.ended) r.state = session_state::early;
    return sent;
}

result<void> session_layer::answer(session_handle h) {
    detail::depth_guard guard(*this);
    auto it = sessions_.find(h.value);
    if (it == sessions_.end()) return fail(481, "No Such Session");
    record& r = *it->second;
    if (!r.invite_server || r.state > session_state::early) return fail(500, "Already Answered");
    if (r.awaiting_prack()) {
        r.answer_when_acked = true; // RFC 3262 §3: the 2xx waits for the PRACK
        return {};
    }
    if (r.delayed_offer && r.negotiator.state() == sdp::negotiator_state::null) {
        // RFC 3261 §13.2.1: no offer in the INVITE, so ours goes in the 2xx and the answer
        // comes in the ACK.
        auto offer = r.core.create_offer(r.negotiator.active_local());
        if (!offer) {
            (void)reject(h, 488, "Not Acceptable Here");
            return fail(offer.error_value());
        }
        if (auto set = r.negotiator.set_local_offer(std::move(*offer)); !set)
            return fail(set.error_value());
        r.invite_base->sdp = r.negotiator.local_text();
        r.expect_sdp_in_ack = true;
    } else {
        r.apply_media();
        // A media handler or on_remote_hold may have ended the session (or answered it).
        if (r.ended || !r.invite_server) return fail(481, "Session Ended");
    }
    // The final response is the last use of the INVITE's response base and of our SDP text
    // (the negotiator keeps its own): both move into the 2xx.
    outgoing_message ok = std::move(r.invite_base->base);
    ok.set_status(200);
    ok.add_header("Contact", contact_of(r));
    ok.add_header("Allow", options_.allow);
    add_session_timer_headers(r, ok);
    // After an exchange completed in reliable 18x + PRACK (RFC 3262 §5), no SDP: it would be
    // a new offer the caller did not expect.
    if (!r.answered_early) ok.take_body("application/sdp", std::move(r.invite_base->sdp));
    transaction_id server = r.invite_server;
    r.invite_server = {};
    by_invite_server_.erase(server.value);
    r.invite_base.reset();
    r.d->confirm();
    r.state = session_state::answered;
    send_final_2xx(r, server, std::move(ok), r.source);
    return {};
}

result<void> session_layer::reject(session_handle h, std::uint16_t status,
                                   std::string_view reason) {
    detail::depth_guard guard(*this);
    auto it = sessions_.find(h.value);
    if (it == sessions_.end()) return fail(481, "No Such Session");
    record& r = *it->second;
    if (status < 300 || status > 699) return fail(500, "Reject Needs a Final Error Status");
    if (!r.invite_server) return fail(500, "Already Answered");
    outgoing_message m = r.invite_base->base;
    m.set_status(status, reason);
    respond(r, r.invite_server, std::move(m));
    end(r, end_reason::rejected);
    return {};
}

result<void> session_layer::terminate(session_handle h) {
    detail::depth_guard guard(*this);
    auto it = sessions_.find(h.value);
    if (it == sessions_.end()) return fail(481, "No Such Session");
    record& r = *it->second;
    if (r.invite_server) return reject(h, 603, "Decline");
    if (r.outgoing && r.uac->invite_ack.empty()) {
        // Not answered yet: RFC 3261 §9.1 CANCEL; the INVITE's 487 (or a crossing 200, which
        // gets ACK and BYE) ends the session.
        if (r.uac->cancelled) return {};
        r.uac->cancelled = true;
        r.state = session_state::ending;
        if (auto cancelled = transactions_.cancel(r.uac->invite_client); !cancelled)
            end(r, end_reason::local_hangup);
        return {};
    }
    if (r.state == session_state::ending || r.bye_after_reinvite) return {};
    r.pending_end = end_reason::local_hangup;
    if (r.refresh_in_flight()) {
        // Our own re-INVITE is outstanding: the BYE waits for its final response (bounded:
        // the INVITE transaction ends by Timer B or C at the latest) so the two do not cross.
        r.bye_after_reinvite = true;
        return {};
    }
    send_bye(r);
    return {};
}

void session_layer::send_final_2xx(record& r, transaction_id server, outgoing_message ok,
                                   const flow& source) {
    r.core.outgoing_response(ok);
    r.ok = std::make_unique<record::final_2xx>(&r);
    r.ok->to = detail::answer_destination(ok, source);
    r.ok->bytes = std::move(ok).serialize();
    r.ok->cseq = r.last_invite_cseq;
    (void)transactions_.respond(server, 200, r.ok->bytes);
    // RFC 3261 §13.3.1.4: retransmit the 2xx, T1 doubling up to T2, until the ACK; give up
    // (and end the call) after 64*T1. Over TCP and TLS too: "there may be hops between UAS and
    // UAC that are UDP ... the response is retransmitted periodically even if the transport at
    // the UAS is reliable".
    const timer_settings& t = transactions_.options().timers;
    r.ok->give_up = wheel_.now() + 64 * t.t1;
    r.ok->interval = t.t1;
    wheel_.schedule_after(r.ok->retransmit, r.ok->interval);
}

void session_layer::retransmit_2xx(record& r) {
    detail::depth_guard guard(*this);
    if (!r.ok) return;
    if (wheel_.now() >= r.ok->give_up) {
        // No ACK: the session is over (RFC 3261 §13.3.1.4: "the UAS SHOULD terminate the
        // dialog" — with a BYE). The timer firing now is unlinked: freeing it is safe.
        r.ok.reset();
        r.pending_end = end_reason::no_ack;
        send_bye(r);
        return;
    }
    (void)sender_.send(r.ok->to, r.ok->bytes);
    r.ok->interval = std::min(2 * r.ok->interval, transactions_.options().timers.t2);
    wheel_.schedule(r.ok->retransmit, std::min(wheel_.now() + r.ok->interval, r.ok->give_up));
}

void session_layer::send_bye(record& r) {
    if (r.invite_server && !r.invite_answered && !r.outgoing) {
        // RFC 3261 §15: the callee may not send BYE before its final response; the INVITE
        // gets an error instead, which ends the early dialog.
        outgoing_message failed = r.invite_base->base;
        failed.set_status(500, "Session Failed");
        respond(r, r.invite_server, std::move(failed));
        end(r, r.pending_end);
        return;
    }
    if (r.d == nullptr) {
        // Our INVITE is not answered yet: CANCEL it (its 487 ends the session).
        (void)terminate(r.handle());
        return;
    }
    r.ok.reset(); // no more 2xx retransmissions
    r.state = session_state::ending;
    std::string branch = new_branch();
    std::string via = "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " + via_of(r) +
                      ";branch=" + branch + ";rport";
    outgoing_message bye = r.d->build_outgoing({.method = "BYE", .via = via});
    if (r.extra_part && !r.extra_part->bye_reason.empty())
        bye.set_header("Reason", r.extra_part->bye_reason); // RFC 3326
    r.core.outgoing_request(bye);
    auto sent = transactions_.send_request({.bytes = std::move(bye).serialize(),
                                            .branch = branch,
                                            .method = "BYE",
                                            .destination = detail::flow_to_target(*r.d, r.source)});
    if (!sent) {
        end(r, r.pending_end);
        return;
    }
    r.extra().bye_client = *sent;
    by_client_[sent->value] = r.handle().value;
}

void session_layer::end(record& r, end_reason why) {
    if (r.ended) return;
    detail::depth_guard guard(*this); // the record outlives the callbacks below
    if (r.invite_server && !r.invite_answered && r.invite_base) {
        // RFC 3261 §15.1.2: a session that ends before its final response (a BYE in the early
        // dialog, say) still answers its INVITE: 487.
        outgoing_message terminated = r.invite_base->base;
        terminated.set_status(487);
        respond(r, r.invite_server, std::move(terminated));
    }
    r.ended = true;
    r.ok.reset(); // no more 2xx retransmissions
    if (r.refreshes) r.refreshes->glare_retry.cancel();
    r.cancel_session_timer();
    if (r.rel) r.rel->retransmit.cancel();
    // Whoever waits for a request of this session hears how it ended: 487, no response (the
    // request's own transaction runs out unheard). Called once the session is gone from the
    // tables, so a callback that calls back in finds no session (481), not a half-ended one.
    std::vector<record::pending_request> requests;
    if (r.extra_part) requests.swap(r.extra_part->requests);
    for (const auto& p : requests) by_client_.erase(p.id.value);
    std::vector<reinvite_callback> refreshes;
    if (r.refreshes) {
        if (r.refreshes->reinvite_done) refreshes.push_back(std::move(r.refreshes->reinvite_done));
        for (auto& q : r.refreshes->queued)
            if (q.done) refreshes.push_back(std::move(q.done));
        r.refreshes->queued.clear();
    }
    r.core.set_requester(nullptr);
    if (r.refresh_in_flight()) by_client_.erase(r.refreshes->reinvite_client.value);
    if (r.uac) {
        if (r.uac->invite_client) by_client_.erase(r.uac->invite_client.value);
        for (const std::string& key : r.uac->early_keys) by_dialog_.erase(key);
        r.uac->early_keys.clear();
    }
    if (r.invite_server) by_invite_server_.erase(r.invite_server.value);
    if (r.bye_client()) by_client_.erase(r.bye_client().value);
    if (r.d != nullptr) dialogs_.erase(r.d->id());
    r.d = nullptr;
    ++stats_.sessions_ended;
    if (r.announced) events_.on_ended(r.handle(), r.core, why);
    r.core.end();
    auto it = sessions_.find(r.handle().value);
    if (it != sessions_.end()) {
        ended_.push_back(std::move(it->second));
        sessions_.erase(it);
    }
    if (destroying_) return;
    for (auto& p : requests)
        if (p.done) p.done(487, nullptr);
    for (auto& done : refreshes) done(r.handle(), r.core, 487);
}

void session_layer::finish_ended() {
    ended_.clear();
}

void session_layer::on_response(transaction_id client, const message& response) noexcept {
    detail::depth_guard guard(*this);
    auto it = by_client_.find(client.value);
    if (it == by_client_.end()) return;
    auto s = sessions_.find(it->second);
    if (s == sessions_.end()) return;
    record& r = *s->second;
    r.core.incoming_response(response, response_phase::before_media);
    if (request_response(r, client, &response, response.status())) {
        if (!r.ended) r.core.incoming_response(response, response_phase::after_media);
        return;
    }
    if (r.is_invite_client(client)) {
        invite_response(r, response);
        if (!r.ended) r.core.incoming_response(response, response_phase::after_media);
        return;
    }
    // Our re-INVITE: its transaction id, or (RFC 6026 §7.2 2xx retransmissions in Accepted)
    // an INVITE response with its CSeq.
    if (r.refreshes && (client == r.refreshes->reinvite_client ||
                        (response.cseq().method == method::invite &&
                         response.cseq().number == r.refreshes->reinvite_cseq)))
        reinvite_response(r, response);
    else
        (void)ack_again(r, response);
    if (r.ended) return;
    r.core.incoming_response(response, response_phase::after_media);
    if (response.status() >= 200 && client == r.bye_client()) end(r, r.pending_end);
}

void session_layer::on_client_failure(transaction_id client, failure_reason why) noexcept {
    detail::depth_guard guard(*this);
    auto it = by_client_.find(client.value);
    if (it == by_client_.end()) return;
    auto s = sessions_.find(it->second);
    if (s == sessions_.end()) return;
    record& r = *s->second;
    // A PRACK or NOTIFY (...) that failed does not end the session (RFC 5057: a usage of
    // the dialog failed); a lost PRACK fails the callee's INVITE, or our Timer B/C ends it.
    if (request_response(r, client, nullptr, why == failure_reason::timeout ? 408 : 503)) return;
    if (r.is_invite_client(client) && r.uac->invite_ack.empty()) {
        // RFC 3261 §8.1.3.1: a timeout is a 408, a transport error a 503.
        r.core.set_final_status(why == failure_reason::timeout ? 408 : 503);
        end(r,
            why == failure_reason::timeout ? end_reason::no_answer : end_reason::transport_failed);
        return;
    }
    if (r.refreshes && client == r.refreshes->reinvite_client) {
        // A re-INVITE that timed out is a 408 (RFC 3261 §14.1): the dialog is unreachable.
        (void)r.negotiator.cancel_offer();
        auto done = std::move(r.refreshes->reinvite_done);
        r.refreshes->reinvite_client = {};
        if (done) done(r.handle(), r.core, 408);
        if (!r.ended) {
            r.bye_after_reinvite = false;
            r.pending_end = end_reason::dialog_failed;
            send_bye(r);
        }
        return;
    }
    end(r, why == failure_reason::timeout ? r.pending_end : end_reason::transport_failed);
}

void session_layer::on_terminated(transaction_id id) noexcept {
    // A client transaction of ours is over: no response can follow through it.
    auto it = by_client_.find(id.value);
    if (it == by_client_.end()) return;
    auto s = sessions_.find(it->second);
    by_client_.erase(it);
    if (s == sessions_.end()) return;
    record& r = *s->second;
    if (r.is_invite_client(id) && r.d != nullptr) {
        // Our INVITE's transaction has left RFC 6026 Accepted: no other fork's 2xx can come
        // through it now (a stray copy of ours is ACKed from invite_ack). What only its
        // responses needed goes: the parsed INVITE (5 KB), the request kept for a retry, the
        // early dialogs. A call we placed then keeps about what one we answered does.
        r.uac->our_invite.reset();
        r.uac->invite_request.reset();
        r.uac->forks.reset();
        std::vector<std::string>().swap(r.uac->finished_forks);
        decltype(r.uac->pracked)().swap(r.uac->pracked);
    }
}

void session_layer::on_server_failure(transaction_id server, failure_reason why) noexcept {
    detail::depth_guard guard(*this);
    (void)why;
    auto it = by_invite_server_.find(server.value);
    if (it == by_invite_server_.end()) return;
    auto s = sessions_.find(it->second);
    if (s == sessions_.end()) return;
    // RFC 6026 §7.1: the INVITE transaction stays; a final response lets its timers end it.
    record& r = *s->second;
    if (r.invite_server) {
        outgoing_message failed = r.invite_base->base;
        failed.set_status(500);
        transaction_id pending = r.invite_server;
        by_invite_server_.erase(pending.value);
        r.invite_server = {};
        (void)transactions_.respond(pending, 500, std::move(failed).serialize());
    }
    end(r, end_reason::transport_failed);
}

} // namespace parley

namespace parley {

result<void> session_layer::send_in_dialog(record& r, std::string_view method,
                                           const response_extras& extras,
                                           dialog_requester::response_callback done) {
    detail::depth_guard guard(*this);
    if (r.ended || r.d == nullptr || r.state == session_state::ending)
        return fail(481, "No Dialog");
    std::string branch = new_branch();
    std::string via = "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " + via_of(r) +
                      ";branch=" + branch + ";rport";
    outgoing_message request = r.d->build_outgoing({.method = method, .via = via});
    for (const auto& [name, value] : extras.headers) request.add_header(name, value);
    if (!extras.body.empty() || !extras.content_type.empty())
        request.set_body(extras.content_type, extras.body);
    r.core.outgoing_request(request);
    auto sent = transactions_.send_request({.bytes = std::move(request).serialize(),
                                            .branch = branch,
                                            .method = method,
                                            .destination = detail::flow_to_target(*r.d, r.source)});
    if (!sent) return fail(sent.error_value());
    r.extra().requests.push_back({*sent, std::move(done)});
    by_client_[sent->value] = r.handle().value;
    return {};
}

bool session_layer::request_response(record& r, transaction_id client, const message* response,
                                     std::uint16_t status) {
    if (!r.extra_part) return false;
    auto& requests = r.extra_part->requests;
    auto p = std::find_if(requests.begin(), requests.end(),
                          [&](const auto& q) { return q.id == client; });
    if (p == requests.end()) return false;
    if (status < 200) return true;
    auto done = std::move(p->done);
    requests.erase(p);
    by_client_.erase(client.value);
    if (done) done(status, response);
    return true;
}

} // namespace parley
