// The call flows of every scenario, as the transaction layer's TU:
//
//   basic          INVITE(offer) → 1xx… → 200(answer) → ACK → hold → BYE → 200
//   delayed-offer  INVITE() → 1xx… → 200(offer) → ACK(answer) → hold → BYE → 200
//   reinvite       basic, with INVITE(offer v2) → 200 → ACK after half the hold
//   options        OPTIONS → 200
//
// Every request but ACK goes in a client transaction (retransmissions over UDP, Timer B/F);
// the ACK for a 2xx is the TU's (RFC 3261 §13.2.2.4) and is sent again for every repeated 2xx.
// In-dialog requests come from the dialog (dialog::build_request) and, like everything, go to
// the target address: the generator talks to one server, whatever its Contact says.
#include "generator.hpp"

#include <parley/sip/message_writer.hpp>

namespace parley::load {

std::string generator::next_branch() {
    return "z9hG4bK" + run_tag_ + "." + std::to_string(++branches_);
}

std::string generator::via_of(const call& c, std::string_view branch) const {
    std::string via = via_prefix_[c.socket];
    via.append(branch);
    return via;
}

std::optional<transaction_id> generator::start_transaction(call& c, std::string bytes,
                                                           std::string_view branch,
                                                           std::string_view method) {
    if (!net_.usable(c.socket)) {
        fail(c, failure::transport);
        return std::nullopt;
    }
    ++sending_context_;
    auto id = transactions_.send_request({.bytes = std::move(bytes),
                                          .branch = branch,
                                          .method = method,
                                          .destination = net_.flow_of(c.socket)});
    --sending_context_;
    if (!id) {
        fail(c, net_.usable(c.socket) ? failure::local : failure::transport);
        return std::nullopt;
    }
    track(c, *id);
    return *id;
}

void generator::send_invite(call& c) {
    std::string branch = next_branch();
    std::string from = from_uri_[c.socket];
    from.append(";tag=").append(std::to_string(serial_));
    message_writer w = message_writer::request("INVITE", request_uri_);
    w.header(header_id::via, via_of(c, branch))
        .header(header_id::max_forwards, "70")
        .header(header_id::from, from)
        .header(header_id::to, to_)
        .header(header_id::call_id, c.call_id)
        .header(header_id::cseq, "1 INVITE")
        .header(header_id::contact, contact_[c.socket]);
    if (c.kind != scenario_kind::delayed_offer) w.body("application/sdp", sdp_offer_);
    c.invite = w.finish();
    c.state = phase::inviting;
    start_transaction(c, c.invite, branch, "INVITE");
}

void generator::send_options(call& c) {
    std::string branch = next_branch();
    std::string from = from_uri_[c.socket];
    from.append(";tag=").append(std::to_string(serial_));
    c.state = phase::asking;
    start_transaction(c,
                      message_writer::request("OPTIONS", request_uri_)
                          .header(header_id::via, via_of(c, branch))
                          .header(header_id::max_forwards, "70")
                          .header(header_id::from, from)
                          .header(header_id::to, to_)
                          .header(header_id::call_id, c.call_id)
                          .header(header_id::cseq, "1 OPTIONS")
                          .header(header_id::accept, "application/sdp")
                          .finish(),
                      branch, "OPTIONS");
}

void generator::on_response(transaction_id client, const message& response) noexcept {
    call* c = find_call(response.call_id());
    std::uint16_t status = response.status();
    if (c == nullptr) {
        if (status >= 200 && status < 300 && response.cseq().method == method::invite)
            ++stats_.responses_retransmitted; // a repeated 2xx for a call already over
        return;
    }
    if (status < 200) return; // provisional: nothing to do but wait
    method m = response.cseq().method;
    if (client != c->pending) {
        // A 2xx the INVITE transaction reports again from Accepted (RFC 6026 §7.2): the
        // server did not see our ACK in time. ACK it again.
        if (m == method::invite && status < 300) {
            ++stats_.responses_retransmitted;
            repeat_ack(response);
        }
        return;
    }
    if (status >= 300) {
        fail(*c, failure::status, status);
        return;
    }
    switch (c->state) {
    case phase::inviting: invite_answered(*c, response); break;
    case phase::reinviting: reinvite_answered(*c, response); break;
    case phase::ending: complete(*c); break;
    case phase::asking:
        record_setup(c->started);
        complete(*c);
        break;
    case phase::held:
    case phase::held_again: break;
    }
}

void generator::on_stray_response(const message& response, const flow& source) noexcept {
    (void)source;
    ++stats_.responses_retransmitted;
    if (response.status() >= 200 && response.status() < 300) repeat_ack(response);
}

void generator::repeat_ack(const message& response) {
    call* c = find_call(response.call_id());
    // Resend the ACK we built for this 2xx (same CSeq); a 2xx from another fork (another To
    // tag) is not ACKed: the generator keeps one dialog per call.
    if (c == nullptr || c->ack.empty() || !c->leg || response.cseq().number != c->invite_cseq ||
        response.to().tag != c->leg->id().remote_tag)
        return;
    net_.send(net_.flow_of(c->socket), c->ack);
}

void generator::invite_answered(call& c, const message& ok) {
    record_setup(c.started);
    untrack(c); // the INVITE transaction lives on in Accepted; its failures no longer matter
    // dialog::create_uac needs our INVITE as a message: parse the bytes we kept. (Keeping
    // every INVITE parsed would cost 4 KiB per call in flight.)
    if (!parse_message(c.invite, scratch_request_)) {
        fail(c, failure::local);
        return;
    }
    auto created = dialog::create_uac(scratch_request_, ok, contact_[c.socket]);
    if (!created) {
        fail(c, failure::local);
        return;
    }
    c.leg.emplace(std::move(*created));
    c.leg->confirm();
    c.invite_cseq = ok.cseq().number;
    send_ack(c, c.invite_cseq,
             c.kind == scenario_kind::delayed_offer ? std::string_view(sdp_answer_) : "");
    c.state = phase::held;
    duration hold = options_.hold;
    if (c.kind == scenario_kind::reinvite) hold /= 2;
    if (hold == duration::zero())
        hold_over(c);
    else
        wheel_.schedule(c.hold, now_ + hold);
}

void generator::reinvite_answered(call& c, const message& ok) {
    untrack(c);
    c.leg->receive_response(ok, method::invite); // §12.2.1.2: the target refresh
    c.invite_cseq = ok.cseq().number;
    send_ack(c, c.invite_cseq, "");
    c.state = phase::held_again;
    duration rest = options_.hold - options_.hold / 2;
    if (rest == duration::zero())
        hold_over(c);
    else
        wheel_.schedule(c.hold, now_ + rest);
}

void generator::send_ack(call& c, std::uint32_t cseq, std::string_view body) {
    std::string via = via_of(c, next_branch());
    message_writer w = c.leg->build_request({.method = "ACK", .cseq = cseq, .via = via});
    if (!body.empty()) w.body("application/sdp", body);
    c.ack = w.finish();
    net_.send(net_.flow_of(c.socket), c.ack);
}

void generator::hold_over(call& c) {
    if (c.kind == scenario_kind::reinvite && c.state == phase::held)
        send_reinvite(c);
    else
        send_bye(c);
}

void generator::send_reinvite(call& c) {
    std::string branch = next_branch();
    std::string via = via_of(c, branch);
    c.state = phase::reinviting;
    start_transaction(
        c,
        c.leg->build_request({.method = "INVITE", .via = via, .local_contact = contact_[c.socket]})
            .body("application/sdp", sdp_reoffer_)
            .finish(),
        branch, "INVITE");
}

void generator::send_bye(call& c) {
    std::string branch = next_branch();
    std::string via = via_of(c, branch);
    c.state = phase::ending;
    start_transaction(c, c.leg->build_request({.method = "BYE", .via = via}).finish(), branch,
                      "BYE");
}

void generator::on_request(const incoming_request& in) noexcept {
    // The server may send requests (a BYE of its own, an OPTIONS keep-alive): answer them so it
    // does not retransmit. A BYE for a call of ours ends that call early: counted as a local
    // failure, since the scenario did not run as written.
    const message& m = in.request;
    std::uint16_t status = m.method() == method::bye || m.method() == method::options ? 200 : 501;
    if (m.method() == method::bye) {
        if (call* c = find_call(m.call_id())) fail(*c, failure::local);
    }
    (void)transactions_.respond(
        in.server, status,
        response_to(m, status, {.to_tag = "pl", .top_via = in.top_via}).finish());
}

} // namespace parley::load
