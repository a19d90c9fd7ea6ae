// session_layer: the extensions a new INVITE negotiates (Require/Supported: 420, 421) and RFC
// 3262 reliable provisional responses — as UAS: Require: 100rel + RSeq, retransmitted with T1
// doubling until the PRACK, one at a time, the 2xx held until it came, offer/answer in the
// 18x and PRACK; as UAC: one PRACK per reliable 18x, in RSeq order, retransmissions ignored.
#include "session_record.hpp"

#include <parley/sip/header_values.hpp>

namespace parley {

void session_layer::record::on_rel_retransmit() {
    detail::depth_guard guard(*layer);
    layer->retransmit_reliable(*this);
}

bool session_layer::check_extensions(record& r, const message& invite) {
    auto require = find_require(invite);
    auto supported = find_supported(invite);
    if (!require || !supported) {
        (void)reject(r.handle(), 400, "Bad Require or Supported Header");
        return false;
    }
    bool requires_100rel = require->contains("100rel");
    bool supports_100rel = requires_100rel || supported->contains("100rel");
    bool requires_timer = require->contains("timer");
    r.peer_supports_timer = requires_timer || supported->contains("timer");
    bool rel_off = r.policy.reliable == reliable_mode::off;
    bool timer_off = r.policy.timers.mode == session_timer_mode::off;
    // RFC 3261 §8.2.2.3: an extension the caller requires and this session does not do.
    if ((requires_100rel && rel_off) || (requires_timer && timer_off)) {
        outgoing_message bad = r.invite_base->base;
        bad.set_status(420);
        bad.add_header("Unsupported",
                       requires_100rel && rel_off
                           ? (requires_timer && timer_off ? "100rel, timer" : "100rel")
                           : "timer");
        respond(r, r.invite_server, std::move(bad));
        end(r, end_reason::rejected);
        return false;
    }
    // RFC 3261 §21.4.16: one we require and the caller does not support.
    const char* needed = nullptr;
    if (r.policy.reliable == reliable_mode::required && !supports_100rel)
        needed = "100rel";
    else if (r.policy.timers.mode == session_timer_mode::required && !r.peer_supports_timer)
        needed = "timer";
    if (needed != nullptr) {
        outgoing_message bad = r.invite_base->base;
        bad.set_status(421);
        bad.add_header("Require", needed);
        respond(r, r.invite_server, std::move(bad));
        end(r, end_reason::rejected);
        return false;
    }
    r.reliable =
        !rel_off && (requires_100rel || r.policy.reliable == reliable_mode::required ||
                     (r.policy.reliable == reliable_mode::peer_supported && supports_100rel));
    r.invite_base->base.add_header("Supported", detail::supported_tags(r.policy));
    return true;
}

std::string_view detail::supported_tags(const session_layer::record::policy_state& policy) {
    static constexpr std::string_view tags[] = {"replaces", "timer, replaces", "100rel, replaces",
                                                "100rel, timer, replaces"};
    return tags[(policy.reliable != reliable_mode::off ? 2 : 0) +
                (policy.timers.mode != session_timer_mode::off ? 1 : 0)];
}

result<void> session_layer::send_provisional(record& r, outgoing_message m) {
    if (!r.reliable) {
        respond(r, r.invite_server, std::move(m));
        return {};
    }
    if (r.awaiting_prack()) {
        // §3: not a second reliable provisional before the first is acknowledged.
        if (r.rel->held_provisionals.size() >= options_.max_held_provisionals)
            return fail(503, "Too Many Provisionals Waiting");
        r.rel->held_provisionals.push_back(std::move(m));
        return {};
    }
    transmit_reliable(r, std::move(m));
    return {};
}

void session_layer::transmit_reliable(record& r, outgoing_message m) {
    if (r.delayed_offer && r.negotiator.state() == sdp::negotiator_state::null) {
        // §5: without an offer in the INVITE, the first reliable provisional carries ours and
        // the PRACK the answer.
        auto offer = r.core.create_offer(r.negotiator.active_local());
        if (!offer || !r.negotiator.set_local_offer(std::move(*offer))) {
            (void)reject(r.handle(), 488, "Not Acceptable Here");
            return;
        }
        r.invite_base->sdp = r.negotiator.local_text();
        m.set_body("application/sdp", r.invite_base->sdp);
        r.offer_in_provisional = true;
    } else if (!m.body().empty() && r.negotiator.state() == sdp::negotiator_state::done) {
        r.answered_early = true; // the answer went reliably: the 2xx needs no SDP
    }
    if (!r.rel) r.rel = std::make_unique<record::reliable_state>(&r);
    if (r.rel->rseq == 0) {
        // §7.1: the first RSeq is random, low enough that it never wraps.
        r.rel->rseq = static_cast<std::uint32_t>(
                          ((tag_seed_ ^ r.handle().value) * 0x9e3779b97f4a7c15u) >> 34) +
                      1;
    } else {
        ++r.rel->rseq;
    }
    m.set_header("Require", "100rel");
    m.set_header("RSeq", std::to_string(r.rel->rseq));
    r.core.outgoing_response(m);
    r.rel->unacked_status = m.status();
    r.rel->unacked = std::move(m).serialize();
    ++stats_.reliable_provisionals;
    (void)transactions_.respond(r.invite_server, r.rel->unacked_status, r.rel->unacked);
    // §3: retransmitted every T1, doubling, until the PRACK; after 64*T1 the INVITE fails.
    // Over TCP and TLS too, as the 2xx (RFC 3261 §13.3.1.4): a proxy may carry it on over UDP.
    const timer_settings& t = transactions_.options().timers;
    r.rel->interval = t.t1;
    r.rel->give_up = wheel_.now() + 64 * t.t1;
    wheel_.schedule_after(r.rel->retransmit, r.rel->interval);
}

void session_layer::retransmit_reliable(record& r) {
    if (!r.awaiting_prack() || r.ended || !r.invite_server) return;
    if (wheel_.now() >= r.rel->give_up) {
        // §3: "the UAS SHOULD reject the original request with a 5xx response".
        r.rel->unacked.clear();
        r.rel->held_provisionals.clear();
        r.answer_when_acked = false;
        outgoing_message failed = r.invite_base->base;
        failed.set_status(500, "Reliable Provisional Response Not Acknowledged");
        respond(r, r.invite_server, std::move(failed));
        end(r, end_reason::no_prack);
        return;
    }
    (void)transactions_.respond(r.invite_server, r.rel->unacked_status, r.rel->unacked);
    r.rel->interval *= 2;
    wheel_.schedule(r.rel->retransmit, std::min(wheel_.now() + r.rel->interval, r.rel->give_up));
}

void session_layer::prack(record& r, const incoming_request& in) {
    const message& m = in.request;
    auto acked = find_rack(m);
    if (!acked || !*acked) {
        respond_plain(in, 400, "Missing or Bad RAck", &r.core);
        return;
    }
    const rack& k = **acked;
    // §3: a PRACK matching no unacknowledged reliable provisional gets 481, except the retry
    // of one we refused (below).
    const bool unacked_match = r.awaiting_prack() && k.response_number == r.rel->rseq;
    const bool retry_of_refused =
        r.rel && r.rel->refused_rseq != 0 && k.response_number == r.rel->refused_rseq;
    if ((!unacked_match && !retry_of_refused) || !r.invite_server ||
        k.cseq_number != r.last_invite_cseq || k.method != method::invite) {
        ++stats_.prack_481;
        respond_plain(in, 481, "No Such Reliable Provisional", &r.core);
        return;
    }
    // §3: the PRACK matches, so the provisional is acknowledged whatever its body gets: the
    // caller will not PRACK it again, and waiting on would end a call it did acknowledge.
    bool bad_answer = false;
    bool refused = true; // until the 2xx goes
    auto acknowledged = [&] {
        r.rel->refused_rseq = refused ? k.response_number : 0;
        // A retry of a refused PRACK acknowledges nothing new (a provisional sent since is
        // another RSeq, still waiting for its own PRACK).
        if (!unacked_match) return;
        r.rel->unacked.clear();
        r.rel->retransmit.cancel();
        if (bad_answer) {
            (void)reject(r.handle(), 488, "No Usable Answer in PRACK");
            return;
        }
        if (r.answer_when_acked) {
            // The application answered while this provisional was unacknowledged (§3).
            r.answer_when_acked = false;
            r.rel->held_provisionals.clear();
            (void)answer(r.handle());
            return;
        }
        if (!r.rel->held_provisionals.empty()) {
            outgoing_message next = std::move(r.rel->held_provisionals.front());
            r.rel->held_provisionals.erase(r.rel->held_provisionals.begin());
            transmit_reliable(r, std::move(next));
        }
        if (!r.ended) try_send_queued(r); // an UPDATE of ours may have waited for this PRACK
    };
    auto body = detail::sdp_body(m);
    if (!body) {
        respond_plain(in, body.error_value().status, body.error_value().reason_phrase(), &r.core);
        if (r.offer_in_provisional) {
            // Our offer's answer was due in this PRACK (§5) and cannot be read.
            r.offer_in_provisional = false;
            bad_answer = true;
        }
        acknowledged();
        return;
    }
    outgoing_message ok = detail::response_skeleton(m, 200, {}, in.top_via, {});
    if (r.offer_in_provisional) {
        // §5: our offer went in the provisional, so the PRACK carries the answer.
        r.offer_in_provisional = false;
        std::optional<sdp::session_description> answer;
        if (*body)
            if (auto parsed = sdp::session_description::parse(**body)) answer = std::move(*parsed);
        bad_answer = !answer || !r.negotiator.receive_remote_answer(std::move(*answer)) ||
                     !r.negotiator.negotiate();
        if (!bad_answer) {
            r.answered_early = true;
            r.media_applied = false;
            r.apply_media();
        }
    } else if (*body) {
        // A new offer in the PRACK, allowed once the first exchange is complete (§5); before
        // our answer reached the caller it is an offer on top of an offer (RFC 3311 §5.2 rule).
        if (!r.answered_early) {
            ++stats_.overlap_500;
            respond_plain(in, 500, "Offer Pending", &r.core);
            acknowledged();
            return;
        }
        auto answer = answer_new_offer(r, **body);
        if (!answer) {
            respond_plain(in, answer.error_value().status, answer.error_value().reason_phrase(),
                          &r.core);
            acknowledged();
            return;
        }
        ok.set_body("application/sdp", *answer);
    }
    r.core.outgoing_response(ok);
    (void)transactions_.respond(in.server, 200, std::move(ok).serialize());
    refused = false;
    acknowledged();
}

std::optional<std::uint32_t> session_layer::accept_reliable(record& r, const message& response,
                                                            const dialog& early) {
    // RFC 3262 §4: each reliable provisional is processed and PRACKed once, in RSeq order;
    // a retransmission (or one out of order) is discarded. Per early dialog (fork).
    auto rseq = find_rseq(response);
    if (!rseq || !*rseq) return std::nullopt;
    std::string_view tag = early.id().remote_tag;
    auto seen = std::find_if(r.uac->pracked.begin(), r.uac->pracked.end(),
                             [&](const auto& p) { return p.first == tag; });
    if (seen == r.uac->pracked.end()) {
        r.uac->pracked.emplace_back(std::string(tag), **rseq);
    } else {
        if (**rseq != seen->second + 1) return std::nullopt;
        seen->second = **rseq;
    }
    return **rseq;
}

void session_layer::send_prack(record& r, const message& response, dialog& early,
                               std::uint32_t rseq) {
    std::string branch = new_branch();
    std::string via = "SIP/2.0/" + std::string(via_token(r.source.protocol)) + " " + via_of(r) +
                      ";branch=" + branch + ";rport";
    outgoing_message prack = early.build_outgoing({.method = "PRACK", .via = via});
    prack.add_header("RAck", std::to_string(rseq) + " " + std::to_string(response.cseq().number) +
                                 " INVITE");
    if (r.delayed_offer && r.negotiator.state() == sdp::negotiator_state::remote_offer) {
        // §5: their offer came in this 18x (our INVITE had none): our answer goes in the PRACK.
        if (auto answer = r.core.answer_offer(*r.negotiator.pending_remote());
            answer && r.negotiator.set_local_answer(std::move(*answer)) &&
            r.negotiator.negotiate()) {
            prack.set_body("application/sdp", r.negotiator.local_text());
            r.media_applied = false;
            r.apply_media();
        } else {
            (void)r.negotiator.cancel_offer();
        }
    }
    r.core.outgoing_request(prack);
    auto sent =
        transactions_.send_request({.bytes = prack.serialize(),
                                    .branch = branch,
                                    .method = "PRACK",
                                    .destination = detail::flow_to_target(early, r.source)});
    if (!sent) return;
    r.extra().requests.push_back({*sent, {}});
    by_client_[sent->value] = r.handle().value;
}

} // namespace parley
