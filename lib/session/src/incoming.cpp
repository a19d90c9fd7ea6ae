// session_layer: incoming requests — a new INVITE, ACK, CANCEL, requests inside a session's
// dialog (BYE, re-INVITE, the rest), and requests outside any dialog.
#include "session_record.hpp"

#include <parley/sip/header_values.hpp>
#include <parley/sip/headers.hpp>
#include <parley/sip/multipart.hpp>
#include <parley/transport/routing.hpp>

#include <parley/base/text.hpp>

#include <charconv>

namespace parley {

namespace detail {

depth_guard::depth_guard(session_layer& l) : layer(l) {
    ++layer.depth_;
}
depth_guard::~depth_guard() {
    if (--layer.depth_ == 0) layer.finish_ended();
}

outgoing_message response_skeleton(const message& request, std::uint16_t status,
                                   std::string_view reason, std::string_view top_via,
                                   std::string_view to_tag) {
    outgoing_message m = outgoing_message::response(status, reason, request.cseq().method_text);
    bool first = true;
    for (const header_field& h : request.headers()) {
        if (h.id != header_id::via) continue;
        if (first && !top_via.empty()) {
            // The stamped top Via replaces the first element of the first Via line.
            if (std::size_t comma = h.value.find(','); comma != std::string_view::npos &&
                                                       request.vias().size() > 1 &&
                                                       h.value.find('"') == std::string_view::npos)
                m.add_header(header_id::via, {top_via, ",", h.value.substr(comma + 1)});
            else
                m.add_header(header_id::via, {top_via});
        } else {
            m.add_header(header_id::via, {h.value});
        }
        first = false;
    }
    m.add_header(header_id::from, {request.from().text});
    if (!to_tag.empty() && request.to().tag.empty() && status > 100)
        m.add_header(header_id::to, {request.to().text, ";tag=", to_tag});
    else
        m.add_header(header_id::to, {request.to().text});
    m.add_header(header_id::call_id, {request.call_id()});
    char number[16];
    auto written = std::to_chars(number, number + sizeof number, request.cseq().number);
    m.add_header(header_id::cseq,
                 {std::string_view(number, static_cast<std::size_t>(written.ptr - number)), " ",
                  request.cseq().method_text});
    return m;
}

flow answer_destination(const outgoing_message& response, const flow& source) {
    // The response's top Via is the request's, as the transaction layer stamped it (received,
    // rport): where the transaction layer sent the response (RFC 3261 §18.2.2, RFC 3581 §4).
    std::optional<std::string_view> vias = response.header("Via");
    if (!vias) return source;
    std::optional<flow> to;
    (void)for_each_list_element(*vias, 0, [&](std::string_view value, std::size_t) -> result<void> {
        if (auto top = parse_via(value)) to = response_destination(*top, source);
        return fail(0, "first element only");
    });
    return to.value_or(source);
}

flow flow_to_target(const dialog& d, const flow& source) {
    if (is_reliable(source.protocol)) return source;
    // RFC 3261 §12.2.1.1, §8.1.2: with a route set the request goes to its first entry (a loose
    // router, or a strict one, whose URI is then the Request-URI too), else to the remote
    // target. A host name (no DNS here) keeps the flow the dialog's requests came on.
    std::optional<uri> next;
    if (const std::vector<std::string>& routes = d.route_set(); !routes.empty()) {
        auto first = parse_name_addr(routes.front());
        if (!first) return source;
        next = first->address;
    } else {
        auto target = parse_uri(d.remote_target());
        if (!target) return source;
        next = *target;
    }
    const uri* target = &*next;
    if (!target->is_sip()) return source;
    std::uint16_t port = target->port != 0 ? target->port : default_port(source.protocol);
    auto address = socket_address::from_numeric(target->host, port);
    if (!address || address->family != source.remote.family) return source;
    flow out = source;
    out.remote = *address;
    out.connection = 0;
    return out;
}

} // namespace detail

result<std::optional<std::string_view>> detail::sdp_body(const message& m) {
    if (m.body().empty()) return std::optional<std::string_view>{};
    const media_type& type = m.content_type();
    if (type.is("application", "sdp")) return std::optional<std::string_view>{m.body()};
    if (text::iequals(type.type, "multipart")) {
        auto body = parse_multipart(m);
        if (!body) return fail(400, "Bad Multipart Body");
        // RFC 5621 §3.2: a required part of a type we do not understand is a 415.
        const std::string_view understood[] = {"application/sdp"};
        if (!unsupported_required_parts(*body, understood).empty())
            return fail(415, "Unsupported Media Type");
        auto sdp = find_sdp(m);
        if (!sdp) return fail(400, "Bad Multipart Body");
        return *sdp;
    }
    // A body that is not SDP: fine when optional (RFC 3261 §20.11), otherwise 415.
    auto disposition = find_content_disposition(m);
    if (disposition && *disposition && (*disposition)->handling == disposition_handling::optional)
        return std::optional<std::string_view>{};
    return fail(415, "Unsupported Media Type");
}

void session_layer::on_request(const incoming_request& in) noexcept {
    detail::depth_guard guard(*this);
    const message& m = in.request;
    if (!m.to().tag.empty()) {
        in_dialog(in);
        return;
    }
    if (m.method() == method::invite)
        new_invite(in);
    else
        out_of_dialog(in);
}

void session_layer::out_of_dialog(const incoming_request& in) {
    switch (in.request.method()) {
    case method::options: respond_plain(in, 200); break;
    case method::bye:
    case method::prack:
    case method::update:
    case method::info:
    case method::notify:
        // These only make sense inside a dialog we do not have.
        ++stats_.no_dialog_481;
        respond_plain(in, 481);
        break;
    case method::unknown: respond_plain(in, 501); break;
    default: respond_plain(in, 405); break;
    }
}

void session_layer::new_invite(const incoming_request& in) {
    const message& m = in.request;
    if (sessions_.size() >= options_.max_sessions) {
        ++stats_.rejected_at_limit;
        respond_plain(in, 503);
        return;
    }
    // The session first: its policy (the endpoint's) names the Contact its dialog uses.
    auto owned = std::make_unique<record>(
        *this, extensions_.snapshot(),
        session_options{.id = next_id_++, .sdp_address = options_.sdp_address});
    record& r = *owned;
    r.set_policy(options_.policies != nullptr ? options_.policies->policy_for(m, r.core)
                                              : default_policy());
    std::string tag = new_tag();
    auto created = dialog::create_uas(m, tag, contact_of(r));
    if (!created) {
        respond_plain(in, created.error_value().status, created.error_value().reason_phrase());
        return;
    }
    dialog* d = dialogs_.insert(std::move(*created));
    if (d == nullptr) {
        respond_plain(in, 500);
        return;
    }
    r.d = d;
    d->set_user(r.handle().value);
    r.source = in.source;
    r.invite_server = in.server;
    r.last_invite_cseq = m.cseq().number;
    // Built for a status above 100 so that To carries our tag; each use sets its own status.
    r.invite_base = std::make_unique<record::invite_response>(
        detail::response_skeleton(m, 200, {}, in.top_via, tag));
    r.core.set_requester(&r); // the early dialog exists: supplements may send in it
    sessions_.emplace(r.handle().value, std::move(owned));
    by_invite_server_.emplace(in.server.value, r.handle().value);
    ++stats_.sessions_created;
    r.core.begin();

    // The supplements first (caller id, screening, Replaces, ...): a reject ends it here.
    request_verdict verdict = r.core.incoming_request(m);
    if (verdict.rejects()) {
        (void)reject(r.handle(), verdict.status(), verdict.reason());
        return;
    }
    if (r.ended) return;

    if (!check_extensions(r, m)) return; // 420/421 for extensions this session does not do
    if (!find_replaced(r, m)) return;    // RFC 3891: 400/481/486/603
    if (auto allow = find_allow(m); allow && allow->contains(method::update))
        r.peer_allows_update = true; // our session timer refreshes may use UPDATE
    if (r.policy.timers.mode != session_timer_mode::off) {
        // RFC 4028 §9 (UAS behaviour).
        auto expires = find_session_expires(m);
        auto peer_min = find_min_se(m);
        if (!expires || !peer_min) {
            (void)reject(r.handle(), 400, "Bad Session Timer Header");
            return;
        }
        std::uint32_t interval = 0;
        if (*expires) {
            if ((*expires)->delta_seconds < r.policy.timers.min_se && r.peer_supports_timer) {
                // §8.1: too small: 422 with our Min-SE; the caller retries with a larger one.
                // (A caller without timer support cannot: §9 raises the interval instead.)
                outgoing_message too_small = r.invite_base->base;
                too_small.set_status(422);
                too_small.add_header("Min-SE", std::to_string(r.policy.timers.min_se));
                respond(r, r.invite_server, std::move(too_small));
                end(r, end_reason::rejected);
                return;
            }
            interval = (*expires)->delta_seconds;
        } else if (r.peer_supports_timer || r.policy.timers.mode == session_timer_mode::always) {
            interval = r.policy.timers.session_expires;
        }
        if (interval != 0) {
            if (*peer_min) interval = std::max(interval, **peer_min);
            r.session_interval = std::max(interval, r.policy.timers.min_se);
            refresher_role asked = *expires ? (*expires)->refresher : refresher_role::unspecified;
            // §9: the caller's choice stands; otherwise it refreshes if it can (unless we prefer
            // to), else we do.
            r.we_refresh = asked == refresher_role::uas ||
                           (asked == refresher_role::unspecified &&
                            (!r.peer_supports_timer || r.policy.timers.we_prefer_to_refresh));
        }
    }
    auto body = detail::sdp_body(m);
    if (!body) {
        (void)reject(r.handle(), body.error_value().status, body.error_value().reason_phrase());
        return;
    }
    if (!*body) {
        r.delayed_offer = true; // RFC 3261 §13.2.1: we offer in the 2xx
    } else {
        auto offer = sdp::session_description::parse(**body);
        if (!offer) {
            (void)reject(r.handle(), 400, offer.error_value().reason_phrase());
            return;
        }
        if (auto received = r.negotiator.receive_remote_offer(std::move(*offer)); !received) {
            (void)reject(r.handle(), 488, "Not Acceptable Here");
            return;
        }
        auto answer = r.core.answer_offer(*r.negotiator.pending_remote());
        if (!answer) {
            (void)reject(r.handle(), answer.error_value().status,
                         answer.error_value().reason_phrase());
            return;
        }
        if (auto set = r.negotiator.set_local_answer(std::move(*answer));
            !set || !r.negotiator.negotiate()) {
            (void)reject(r.handle(), 500, "Negotiation Failed");
            return;
        }
        r.invite_base->sdp = r.negotiator.local_text();
    }
    r.announced = true;
    events_.on_incoming(r.handle(), r.core, m);
}

void session_layer::on_ack(const message& ack, const flow& source) noexcept {
    detail::depth_guard guard(*this);
    (void)source;
    record* found = by_dialog_of(ack);
    if (found == nullptr) return; // a late ACK for a session that ended: nothing to do
    record& r = *found;
    r.core.incoming_request(ack); // supplements see the ACK; it has no response to steer
    if (!r.ok || ack.cseq().number != r.ok->cseq) return;
    // RFC 3261 §13.3.1.4: the ACK stops the 2xx retransmissions.
    r.ok.reset();
    if (r.expect_sdp_in_ack) {
        r.expect_sdp_in_ack = false;
        auto body = detail::sdp_body(ack);
        std::optional<sdp::session_description> answer;
        if (body && *body) {
            auto parsed = sdp::session_description::parse(**body);
            if (parsed) answer = std::move(*parsed);
        }
        // Our offer went in the 2xx: a missing or unusable answer ends the call with BYE.
        if (!answer || !r.negotiator.receive_remote_answer(std::move(*answer)) ||
            !r.negotiator.negotiate()) {
            r.pending_end = end_reason::bad_ack;
            send_bye(r);
            return;
        }
        r.media_applied = false;
        r.apply_media();
    }
    if (r.state == session_state::answered) {
        r.state = session_state::confirmed;
        start_session_timer(r);
        if (session_handle replaced = r.replaces()) {
            // RFC 3891 §3: the new dialog is up; the replaced one is shut down with BYE.
            auto old = sessions_.find(replaced.value);
            if (old != sessions_.end() && old->second->state != session_state::ending &&
                !old->second->ended) {
                old->second->pending_end = end_reason::replaced;
                send_bye(*old->second);
            }
        }
        events_.on_confirmed(r.handle(), r.core);
    }
    if (!r.ended) try_send_queued(r); // a re-INVITE of ours may have waited for this ACK
}

void session_layer::on_cancel(transaction_id invite_server, const message& cancel) noexcept {
    detail::depth_guard guard(*this);
    auto it = by_invite_server_.find(invite_server.value);
    if (it == by_invite_server_.end()) return;
    auto s = sessions_.find(it->second);
    if (s == sessions_.end()) return;
    record& r = *s->second;
    r.core.incoming_request(cancel);
    if (!r.invite_server) return;
    // RFC 3261 §9.2: the layer answered the CANCEL; the INVITE gets 487.
    outgoing_message terminated = r.invite_base->base;
    terminated.set_status(487);
    respond(r, r.invite_server, std::move(terminated));
    end(r, end_reason::cancelled);
}

void session_layer::in_dialog(const incoming_request& in) {
    const message& m = in.request;
    record* found = by_dialog_of(m);
    if (found == nullptr) {
        // RFC 3261 §12.2.2: a request with a To tag matching no dialog.
        ++stats_.no_dialog_481;
        respond_plain(in, 481);
        return;
    }
    record& r = *found;
    // Our own INVITE's early dialog (the call is not up yet): the fork that sent the request.
    dialog* d = r.d != nullptr          ? r.d
                : r.uac && r.uac->forks ? r.uac->forks->find(m.from().tag)
                                        : nullptr;
    if (d == nullptr) {
        ++stats_.no_dialog_481;
        respond_plain(in, 481);
        return;
    }
    if (r.d == nullptr && m.method() == method::bye) {
        // RFC 3261 §15: a BYE ends that early dialog only; our INVITE still gets its answer.
        respond_plain(in, 200, {}, &r.core);
        return;
    }
    if (auto ordered = d->receive_request(m); !ordered) {
        respond_plain(in, ordered.error_value().status, ordered.error_value().reason_phrase(),
                      &r.core);
        return;
    }
    // A supplement may answer the request itself (session::respond) and say handled().
    struct responder final : request_responder {
        session_layer& layer;
        const incoming_request& in;
        session& core;
        bool answered = false;
        responder(session_layer& l, const incoming_request& i, session& c)
            : layer(l), in(i), core(c) {}
        result<void> respond(std::uint16_t status, std::string_view reason,
                             const response_extras& extras) noexcept override {
            if (answered) return fail(500, "Already Answered");
            if (status < 200 || status > 699)
                return fail(500, "A Supplement Answers With a Final Status");
            outgoing_message m =
                detail::response_skeleton(in.request, status, reason, in.top_via, {});
            for (const auto& [name, value] : extras.headers) m.add_header(name, value);
            m.set_body(extras.content_type, extras.body);
            core.outgoing_response(m);
            answered = true;
            return layer.transactions_.respond(in.server, status, std::move(m).serialize());
        }
    } answer_here(*this, in, r.core);
    request_verdict verdict = r.core.incoming_request(m, &answer_here);
    if (verdict.rejects()) {
        if (!answer_here.answered) respond_plain(in, verdict.status(), verdict.reason(), &r.core);
        return;
    }
    if (verdict.was_handled()) {
        // The core guarantees an answer: a supplement that claimed the request but sent
        // nothing gets a 500 sent for it, so no transaction is left to time out.
        if (!answer_here.answered) respond_plain(in, 500, "Request Not Answered", &r.core);
        return;
    }
    if (answer_here.answered || r.ended) return;
    switch (m.method()) {
    case method::bye:
        respond_plain(in, 200, {}, &r.core);
        end(r, end_reason::remote_hangup);
        return;
    case method::invite: reinvite(r, in); return;
    case method::update: update(r, in); return;
    case method::prack: prack(r, in); return;
    case method::options: {
        // RFC 3261 §11.2: what this session can do.
        outgoing_message ok = detail::response_skeleton(m, 200, {}, in.top_via, {});
        ok.add_header("Allow", options_.allow);
        ok.add_header("Accept", "application/sdp");
        ok.add_header("Supported", detail::supported_tags(r.policy));
        r.core.outgoing_response(ok);
        (void)transactions_.respond(in.server, 200, std::move(ok).serialize());
        return;
    }
    case method::info:
        // An INFO nobody claimed: fine when empty (a keep-alive), otherwise we cannot use it.
        respond_plain(in, m.body().empty() ? 200 : 415, {}, &r.core);
        return;
    case method::notify:
        // RFC 6665 §4.1.3: a NOTIFY matching no subscription of ours.
        respond_plain(in, 481, "Subscription Does Not Exist", &r.core);
        return;
    case method::unknown: respond_plain(in, 501, {}, &r.core); return;
    default: respond_plain(in, 405, {}, &r.core); return;
    }
}

void session_layer::reinvite(record& r, const incoming_request& in) {
    const message& m = in.request;
    if (m.find(header_id::replaces) != nullptr) {
        // Replaces names a dialog to take over: meaningless inside one (RFC 3891 §3).
        respond_plain(in, 488, "Replaces in a Re-INVITE", &r.core);
        return;
    }
    // RFC 3261 §14.2: a second INVITE before we sent the final response to the first gets
    // 500 with Retry-After (0-10 s); one after our 2xx but before its ACK gets 491.
    if (r.invite_server) {
        ++stats_.overlap_500;
        respond_plain(in, 500, "Previous INVITE Not Answered Yet", &r.core);
        return;
    }
    if (r.state == session_state::answered || r.state == session_state::incoming ||
        r.state == session_state::early) {
        ++stats_.glare_491;
        respond_plain(in, 491, {}, &r.core); // before the ACK of the initial INVITE
        return;
    }
    if (r.state == session_state::ending) {
        respond_plain(in, 481, {}, &r.core);
        return;
    }
    if (r.ok) {
        // Our 2xx to the previous INVITE is still unacknowledged: a new offer now would cross.
        ++stats_.glare_491;
        respond_plain(in, 491, {}, &r.core);
        return;
    }
    if (r.offer_in_flight()) {
        // Both sides offered at once (RFC 3261 §14.2): theirs gets 491, ours continues.
        ++stats_.glare_491;
        respond_plain(in, 491, {}, &r.core);
        return;
    }
    timer_request timer;
    if (!timer_in_request(r, in, timer)) return; // 422 (RFC 4028 §9)
    auto body = detail::sdp_body(m);
    if (!body) {
        respond_plain(in, body.error_value().status, body.error_value().reason_phrase(), &r.core);
        return;
    }
    outgoing_message ok = detail::response_skeleton(m, 200, {}, in.top_via, {});
    ok.add_header("Contact", contact_of(r));
    ok.add_header("Allow", options_.allow);
    std::string body_text; // our offer or answer, for the 2xx
    if (!*body) {
        // RFC 3261 §14.2 / RFC 6337: an INVITE without SDP gets a fresh offer; the answer
        // comes in the ACK.
        auto offer = r.core.create_offer(r.negotiator.active_local());
        if (!offer || !r.negotiator.set_local_offer(std::move(*offer))) {
            respond_plain(in, 488, {}, &r.core);
            return;
        }
        body_text = r.negotiator.local_text();
        r.expect_sdp_in_ack = true;
    } else {
        auto offer = sdp::session_description::parse(**body);
        if (!offer) {
            respond_plain(in, 400, offer.error_value().reason_phrase(), &r.core);
            return;
        }
        if (auto received = r.negotiator.receive_remote_offer(std::move(*offer)); !received) {
            respond_plain(in, received.error_value().status == 491 ? 491 : 488, {}, &r.core);
            return;
        }
        auto answer = r.core.answer_offer(*r.negotiator.pending_remote());
        if (!answer) {
            (void)r.negotiator.cancel_offer();
            respond_plain(in, answer.error_value().status, answer.error_value().reason_phrase(),
                          &r.core);
            return;
        }
        if (!r.negotiator.set_local_answer(std::move(*answer)) || !r.negotiator.negotiate()) {
            // Their offer is refused: the session stays as it was, ready for the next offer.
            (void)r.negotiator.cancel_offer();
            respond_plain(in, 500, "Negotiation Failed", &r.core);
            return;
        }
        // Taken before apply_media(): its callbacks may start a new offer of ours.
        body_text = r.negotiator.local_text();
        r.media_applied = false;
        r.apply_media();
    }
    ok.take_body("application/sdp", std::move(body_text));
    r.last_invite_cseq = m.cseq().number;
    apply_timer_request(r, timer);    // the refresh is accepted: its interval holds
    add_session_timer_headers(r, ok); // §9: without them the refresher would stop refreshing
    send_final_2xx(r, in.server, std::move(ok), in.source);
    start_session_timer(r); // RFC 4028 §10: a re-INVITE is a refresh
}

void session_layer::update(record& r, const incoming_request& in) {
    // RFC 3311: UPDATE changes the session (an offer, answered in its 2xx) or only refreshes the
    // dialog (no body). It is a target refresh request, so our 2xx carries our Contact.
    const message& m = in.request;
    auto body = detail::sdp_body(m);
    if (!body) {
        respond_plain(in, body.error_value().status, body.error_value().reason_phrase(), &r.core);
        return;
    }
    outgoing_message ok = detail::response_skeleton(m, 200, {}, in.top_via, {});
    ok.add_header("Contact", contact_of(r));
    timer_request timer;
    if (!timer_in_request(r, in, timer)) return; // a refresh too small: 422 (RFC 4028 §9)
    if (*body) {
        // RFC 3311 §5.2: an offer while ours is unanswered is glare (491); while theirs is
        // unanswered, 500 with Retry-After.
        if (r.negotiator.state() == sdp::negotiator_state::local_offer || r.offer_in_flight()) {
            ++stats_.glare_491;
            respond_plain(in, 491, {}, &r.core);
            return;
        }
        // The INVITE's offer counts as unanswered until our answer went reliably (RFC 3311
        // §5.1: a 2xx or a reliable provisional; an unreliable 183 does not count).
        bool invite_offer_open = r.invite_server && !r.delayed_offer && !r.answered_early;
        if (invite_offer_open || r.negotiator.state() == sdp::negotiator_state::remote_offer ||
            r.negotiator.state() == sdp::negotiator_state::wait_negotiate) {
            ++stats_.overlap_500;
            respond_plain(in, 500, "Offer Pending", &r.core);
            return;
        }
        auto answer = answer_new_offer(r, **body);
        if (!answer) {
            respond_plain(in, answer.error_value().status, answer.error_value().reason_phrase(),
                          &r.core);
            return;
        }
        ok.set_body("application/sdp", *answer);
    }
    apply_timer_request(r, timer);
    add_session_timer_headers(r, ok);
    r.core.outgoing_response(ok);
    (void)transactions_.respond(in.server, 200, std::move(ok).serialize());
    start_session_timer(r); // RFC 4028 §10: so is an UPDATE
}

} // namespace parley

namespace parley {

result<std::string> session_layer::answer_new_offer(record& r, std::string_view body) {
    auto offer = sdp::session_description::parse(body);
    if (!offer) {
        error bad = offer.error_value();
        bad.status = 400;
        return fail(bad);
    }
    if (auto received = r.negotiator.receive_remote_offer(std::move(*offer)); !received)
        return fail(received.error_value().status == 491 ? 491 : 488, "");
    auto answer = r.core.answer_offer(*r.negotiator.pending_remote());
    if (!answer) {
        (void)r.negotiator.cancel_offer();
        return fail(answer.error_value());
    }
    if (!r.negotiator.set_local_answer(std::move(*answer)) || !r.negotiator.negotiate()) {
        // Their offer is refused: the session stays as it was, ready for the next offer.
        (void)r.negotiator.cancel_offer();
        return fail(500, "Negotiation Failed");
    }
    // Taken before apply_media(): its callbacks (handlers, on_remote_hold) may start a new
    // offer of ours at once, which replaces local_text() — the 2xx must carry this answer.
    std::string answer_text(r.negotiator.local_text());
    r.media_applied = false;
    r.apply_media();
    return answer_text;
}

} // namespace parley

namespace parley {

bool session_layer::find_replaced(record& r, const message& invite) {
    // RFC 3891 §3, as the UAS of an INVITE with Replaces.
    std::size_t count = 0;
    for (const header_field& h : invite.headers())
        if (h.id == header_id::replaces) ++count;
    if (count == 0) return true;
    auto wanted = find_replaces(invite);
    if (count > 1 || !wanted || !*wanted) {
        (void)reject(r.handle(), 400, "Bad Replaces");
        return false;
    }
    // The to-tag is our (local) tag, the from-tag the peer's, as in a request we receive.
    dialog_id target{std::string((*wanted)->call_id), std::string((*wanted)->to_tag),
                     std::string((*wanted)->from_tag)};
    record* old = by_dialog(target);
    if (old == &r) old = nullptr;
    std::uint16_t refusal = 0;
    const char* reason = "";
    if (old == nullptr || (!old->outgoing && old->state < session_state::answered)) {
        // No such dialog, or an early one we did not initiate: left alone.
        refusal = 481;
        reason = "No Dialog to Replace";
    } else if (old->state == session_state::ending) {
        refusal = 603; // it is already going away
    } else if ((*wanted)->early_only) {
        refusal = 486; // early-only, and the dialog is confirmed
    }
    if (refusal != 0) {
        (void)reject(r.handle(), refusal, reason);
        return false;
    }
    r.extra().replaces = old->handle();
    return true;
}

} // namespace parley
