#include "test_uac.hpp"

#include <algorithm>

namespace parley::test {

std::string_view to_string(call_outcome outcome) noexcept {
    switch (outcome) {
    case call_outcome::pending: return "pending";
    case call_outcome::completed: return "completed";
    case call_outcome::ended_by_peer: return "ended_by_peer";
    case call_outcome::bye_failed: return "bye_failed";
    case call_outcome::rejected: return "rejected";
    case call_outcome::cancelled: return "cancelled";
    case call_outcome::timed_out: return "timed_out";
    case call_outcome::transport_error: return "transport_error";
    }
    return "?";
}

test_uac::test_uac(sim_network& network, const socket_address& address, const socket_address& peer,
                   const transaction_options& options, std::string user)
    : user_agent(network, std::move(user), address, options), peer_(peer) {}

std::size_t test_uac::start_call(const call_options& options) {
    std::size_t index = records_.size();
    records_.push_back(call_record{});
    call_record& r = records_.back();
    r.call_id = "call-" + std::to_string(index + 1) + "@" + user_;
    r.started_ms = now_ms();

    auto c = std::make_unique<call>(contact_);
    c->owner = this;
    c->record = index;
    c->options = options;
    c->hold_timer.bind<&call::on_hold_over>(c.get());
    c->cancel_timer.bind<&call::on_cancel_time>(c.get());
    c->no_answer_timer.bind<&call::on_cancel_time>(c.get());

    std::string branch = new_branch();
    std::string request_uri = "sip:bob@" + peer_.to_string();
    std::string bytes =
        message_writer::request("INVITE", request_uri)
            .header(header_id::via, via(branch))
            .header(header_id::max_forwards, "70")
            .header(header_id::from,
                    "<sip:" + user_ + "@" + endpoint_.address().to_string() + ">;tag=" + new_tag())
            .header(header_id::to, "<" + request_uri + ">")
            .header(header_id::call_id, r.call_id)
            .header(header_id::cseq, "1 INVITE")
            .header(header_id::contact, contact_)
            .body("application/sdp", sdp_offer())
            .finish();
    c->invite = std::make_unique<message>();
    if (!parse_message(bytes, *c->invite, {.buffer = buffer_use::copy})) {
        ++refused_calls_;
        r.outcome = call_outcome::transport_error;
        return index;
    }
    auto id = transactions_.send_request({.bytes = std::move(bytes),
                                          .branch = branch,
                                          .method = "INVITE",
                                          .destination = flow_to(peer_)});
    if (!id) {
        r.outcome = call_outcome::transport_error;
        r.final_status = 503;
        r.ended_ms = now_ms();
        return index;
    }
    call& placed = *calls_.emplace(r.call_id, std::move(c)).first->second;
    placed.invite_transaction = *id;
    track(placed, *id);
    wheel_.schedule_after(placed.no_answer_timer, options.no_answer_timeout);
    if (options.cancel_after) wheel_.schedule_after(placed.cancel_timer, *options.cancel_after);
    return index;
}

test_uac::call* test_uac::find_call(std::string_view call_id) {
    auto it = calls_.find(std::string(call_id));
    return it == calls_.end() ? nullptr : it->second.get();
}

void test_uac::track(call& c, transaction_id id) {
    by_transaction_[id.value] = &c;
    c.live_transactions.push_back(id.value);
}

// ---- responses --------------------------------------------------------------------------------

void test_uac::on_response(transaction_id client, const message& response) noexcept {
    auto it = by_transaction_.find(client.value);
    if (it == by_transaction_.end()) return; // an orphan BYE's answer: nothing to do
    call& c = *it->second;
    if (client == c.invite_transaction) {
        invite_response(c, response);
    } else if (response.status() >= 200) {
        auto tag = c.bye_tags.find(client.value);
        if (tag != c.bye_tags.end()) bye_done(c, tag->second, response.status());
    }
    maybe_forget(c);
}

void test_uac::invite_response(call& c, const message& response) {
    call_record& r = record_of(c);
    std::uint16_t status = response.status();
    if (status < 200) {
        ++r.provisionals;
        auto u = c.dialogs.on_response(*c.invite, response);
        if (u && u->what == dialog_set::outcome::early_created) ++r.early_dialogs;
        return;
    }
    if (status < 300) {
        answered(c, response);
        return;
    }
    // RFC 3261 §17.1.1.3: the transaction ACKs a non-2xx itself; every early dialog ends.
    (void)c.dialogs.on_response(*c.invite, response);
    if (c.final_received) return;
    c.final_received = true;
    r.final_status = status;
    c.cancel_timer.cancel();
    c.no_answer_timer.cancel();
    finish(c, r.cancel_sent && status == 487 ? call_outcome::cancelled : call_outcome::rejected);
}

void test_uac::answered(call& c, const message& response) {
    call_record& r = record_of(c);
    auto u = c.dialogs.on_response(*c.invite, response);
    if (!u || u->affected == nullptr) {
        ++refused_calls_; // a 2xx we cannot make a dialog of (no To tag, no Contact)
        return;
    }
    dialog& in_set = *u->affected;
    if (in_set.state() != dialog_state::confirmed) ++terminated_dialog_2xx_;
    std::string_view tag = in_set.id().remote_tag;
    bool ended = std::find(c.ended_tags.begin(), c.ended_tags.end(), tag) != c.ended_tags.end();
    dialog* live = dialogs_.find(in_set.id());
    if (live == nullptr && !ended) {
        // The first 2xx from this To tag: the dialog table holds the live copy from now on.
        live = dialogs_.insert(in_set);
        ++r.answers;
        if (!c.final_received) {
            c.final_received = true;
            r.final_status = response.status();
            r.answered_ms = now_ms();
            c.cancel_timer.cancel();
            c.no_answer_timer.cancel();
        }
        bool first = c.main_tag.empty();
        if (first) c.main_tag = tag;
        if (c.options.send_ack) {
            send_ack(*live, c.invite->cseq().number);
            ++r.acks_sent;
        }
        // RFC 3261 §13.2.2.4: a second fork's 2xx (or an answer that crossed our CANCEL) is
        // ACKed and ended at once; the call itself lasts `hold`.
        if (first && !r.cancel_sent)
            wheel_.schedule_after(c.hold_timer, c.options.hold);
        else
            end_dialog(c, *live);
        return;
    }
    // A retransmission, or a late 2xx of a dialog already ended: RFC 6026 §7.2, ACK each one.
    if (c.options.send_ack) {
        send_ack(live != nullptr ? *live : in_set, c.invite->cseq().number);
        ++r.acks_sent;
    }
}

void test_uac::end_dialog(call& c, dialog& d) {
    dialog_id id = d.id();
    c.ended_tags.push_back(id.remote_tag);
    transaction_id bye = send_bye(d);
    if (!bye) {
        // The network refused it: the dialog is over all the same.
        ++c.pending_byes;
        bye_done(c, id.remote_tag, 503);
        return;
    }
    ++record_of(c).byes_sent;
    ++c.pending_byes;
    c.bye_tags[bye.value] = id.remote_tag;
    track(c, bye);
    // The dialog stays in the table until the BYE's final: a crossing BYE still matches it.
}

void test_uac::bye_done(call& c, const std::string& remote_tag, std::uint16_t status) {
    --c.pending_byes;
    dialogs_.erase(
        dialog_id{std::string(c.invite->call_id()), std::string(c.invite->from().tag), remote_tag});
    if (remote_tag != c.main_tag) return;
    call_record& r = record_of(c);
    r.bye_status = status;
    finish(c, status >= 200 && status < 300 ? call_outcome::completed : call_outcome::bye_failed);
}

void test_uac::on_stray_response(const message& response, const flow&) noexcept {
    ++strays_;
    if (response.cseq().method != method::invite || response.status() < 200 ||
        response.status() >= 300)
        return;
    if (call* c = find_call(response.call_id())) {
        answered(*c, response);
        maybe_forget(*c);
        return;
    }
    orphan_stray(response);
}

void test_uac::orphan_stray(const message& response) {
    // RFC 3261 §13.2.2.4: a 2xx for a call we no longer know is ACKed and BYEd. The response
    // carries all a UAC dialog takes from its INVITE (Call-ID, From, CSeq), so it stands in.
    ++orphan_byes_;
    auto made = dialog::create_uac(response, response, contact_);
    if (!made) {
        ++refused_calls_;
        return;
    }
    auto d = std::make_unique<dialog>(std::move(*made));
    send_ack(*d, response.cseq().number);
    transaction_id bye = send_bye(*d);
    if (bye) orphans_[bye.value] = std::move(d);
}

void test_uac::on_client_failure(transaction_id client, failure_reason why) noexcept {
    auto it = by_transaction_.find(client.value);
    if (it == by_transaction_.end()) return; // an orphan BYE: forgotten at on_terminated
    call& c = *it->second;
    std::uint16_t status = why == failure_reason::timeout ? 408 : 503;
    if (client == c.invite_transaction) {
        if (!c.final_received) {
            c.final_received = true;
            record_of(c).final_status = status;
            c.cancel_timer.cancel();
            c.no_answer_timer.cancel();
            finish(c, why == failure_reason::timeout ? call_outcome::timed_out
                                                     : call_outcome::transport_error);
        }
    } else if (auto tag = c.bye_tags.find(client.value); tag != c.bye_tags.end()) {
        bye_done(c, tag->second, status);
    }
    maybe_forget(c);
}

void test_uac::on_terminated(transaction_id id) noexcept {
    if (orphans_.erase(id.value) > 0) return;
    auto it = by_transaction_.find(id.value);
    if (it == by_transaction_.end()) return;
    call& c = *it->second;
    by_transaction_.erase(it);
    std::erase(c.live_transactions, id.value);
    c.bye_tags.erase(id.value);
    maybe_forget(c);
}

// ---- timers -----------------------------------------------------------------------------------

void test_uac::hang_up(call& c) {
    dialog_id id{std::string(c.invite->call_id()), std::string(c.invite->from().tag), c.main_tag};
    if (dialog* d = dialogs_.find(id)) end_dialog(c, *d);
    maybe_forget(c);
}

void test_uac::cancel_call(call& c) {
    call_record& r = record_of(c);
    if (!c.final_received && !r.cancel_sent) {
        // RFC 3261 §9.1: the layer sends it now, or on the first provisional.
        if (transactions_.cancel(c.invite_transaction)) r.cancel_sent = true;
    }
    c.cancel_timer.cancel();
    c.no_answer_timer.cancel();
    maybe_forget(c);
}

// ---- requests from the peer -------------------------------------------------------------------

void test_uac::on_request(const incoming_request& in) noexcept {
    const message& m = in.request;
    dialog* d = dialogs_.match_request(m);
    if (d == nullptr) {
        reply(in, m.method() == method::bye || !m.to().tag.empty() ? 481 : 501);
        return;
    }
    if (auto ordered = d->receive_request(m); !ordered) {
        reply(in, ordered.error_value().status);
        return;
    }
    if (m.method() != method::bye) {
        reply(in, 501);
        return;
    }
    reply(in, 200);
    dialog_id id = d->id();
    dialogs_.erase(id);
    call* c = find_call(id.call_id);
    if (c == nullptr) return;
    c->ended_tags.push_back(id.remote_tag);
    if (id.remote_tag == c->main_tag) {
        c->hold_timer.cancel();
        finish(*c, call_outcome::ended_by_peer);
    }
    maybe_forget(*c);
}

// ---- bookkeeping ------------------------------------------------------------------------------

void test_uac::finish(call& c, call_outcome outcome) {
    call_record& r = record_of(c);
    if (r.outcome != call_outcome::pending) return;
    r.outcome = outcome;
    r.ended_ms = now_ms();
}

void test_uac::maybe_forget(call& c) {
    if (!c.live_transactions.empty() || c.pending_byes > 0 || c.hold_timer.armed() ||
        c.cancel_timer.armed() || c.no_answer_timer.armed() ||
        record_of(c).outcome == call_outcome::pending)
        return;
    std::string call_id = record_of(c).call_id;
    calls_.erase(call_id); // destroys c
}

} // namespace parley::test
