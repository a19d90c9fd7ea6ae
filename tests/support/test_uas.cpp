#include "test_uas.hpp"

#include <parley/transport/routing.hpp>

#include <algorithm>

namespace parley::test {

test_uas::test_uas(sim_network& network, const socket_address& address,
                   const transaction_options& options, std::string user)
    : user_agent(network, std::move(user), address, options) {}

test_uas::call* test_uas::find_call(const dialog_id& id) {
    auto it = calls_.find(key_of(id));
    return it == calls_.end() ? nullptr : it->second.get();
}

void test_uas::track(call& c, transaction_id id) {
    by_transaction_[id.value] = &c;
    c.transactions.push_back(id.value);
}

void test_uas::release_server(call& c) {
    by_transaction_.erase(c.server.value);
    std::erase(c.transactions, c.server.value);
}

void test_uas::forget(call& c) {
    dialogs_.erase(c.id);
    for (std::uint64_t id : c.transactions) by_transaction_.erase(id);
    calls_.erase(key_of(c.id)); // destroys c (and cancels its timers)
}

// ---- requests ---------------------------------------------------------------------------------

void test_uas::on_request(const incoming_request& in) noexcept {
    const message& m = in.request;
    if (!m.to().tag.empty()) {
        in_dialog(in);
        return;
    }
    if (m.method() == method::invite) {
        new_call(in);
        return;
    }
    // RFC 3261 §15.1.2: a BYE outside any dialog.
    reply(in, m.method() == method::bye ? 481 : 501);
}

void test_uas::new_call(const incoming_request& in) {
    const message& m = in.request;
    ++counters_.invites;
    answer_plan plan = plan_for ? plan_for(m) : default_plan;
    std::string tag = new_tag();
    auto created = dialog::create_uas(m, tag, contact_);
    if (!created) {
        respond(in.server, created.error_value().status,
                response_to(m, created.error_value().status,
                            {.reason = created.error_value().reason_phrase(),
                             .to_tag = tag,
                             .top_via = in.top_via})
                    .finish());
        return;
    }
    dialog* d = dialogs_.insert(std::move(*created));
    if (d == nullptr) {
        reply(in, 500);
        return;
    }
    auto c = std::make_unique<call>();
    c->owner = this;
    c->id = d->id();
    c->server = in.server;
    c->plan = plan;
    response_options options{.to_tag = tag, .top_via = in.top_via};
    c->ringing = response_to(m, 180, options).header(header_id::contact, contact_).finish();
    c->ok = response_to(m, 200, options)
                .header(header_id::contact, contact_)
                .body("application/sdp", sdp_answer())
                .finish();
    if (plan.status >= 300) c->rejection = response_to(m, plan.status, options).finish();
    c->request_terminated = response_to(m, 487, options).finish();
    c->destination = response_destination(m.top_via(), in.source).value_or(in.source);
    c->answer_timer.bind<&call::on_answer_time>(c.get());
    c->retransmit_timer.bind<&call::on_retransmit_time>(c.get());
    c->session_timer.bind<&call::on_session_limit>(c.get());
    call& placed = *calls_.emplace(key_of(c->id), std::move(c)).first->second;
    track(placed, in.server);
    dialog_id id = placed.id;
    if (plan.ring) respond(placed.server, 180, placed.ringing);
    if (find_call(id) == nullptr) return; // the 180 could not be sent: the call is gone
    if (plan.answer_after > milliseconds(0))
        wheel_.schedule_after(placed.answer_timer, plan.answer_after);
    else
        answer(placed); // may forget the call: last
}

void test_uas::answer(call& c) {
    release_server(c); // after the final response a CANCEL no longer reaches the TU
    if (c.plan.status >= 300) {
        ++counters_.rejected;
        respond(c.server, c.plan.status, c.rejection); // the transaction takes the ACK
        forget(c);
        return;
    }
    ++counters_.answered;
    respond(c.server, 200, c.ok);
    if (dialog* d = dialogs_.find(c.id)) d->confirm();
    c.at = stage::answered;
    wheel_.schedule_after(c.session_timer, c.plan.session_limit);
    // RFC 3261 §13.3.1.4: the TU retransmits the 2xx, T1 doubling up to T2, until the ACK, and
    // gives up after 64*T1. A reliable transport carries it once: only the give-up remains.
    c.give_up_at = wheel_.now() + 64 * timers().t1;
    c.interval = timers().t1;
    bool reliable = is_reliable(c.destination.protocol);
    wheel_.schedule(c.retransmit_timer,
                    reliable ? c.give_up_at : std::min(wheel_.now() + c.interval, c.give_up_at));
}

void test_uas::retransmit_ok(call& c) {
    if (wheel_.now() >= c.give_up_at) {
        // RFC 3261 §13.3.1.4: no ACK in 64*T1: the dialog is confirmed, the session ends (BYE).
        ++counters_.gave_up;
        end_with_bye(c);
        return;
    }
    ++counters_.ok_retransmissions;
    endpoint_.send(c.destination, c.ok);
    c.interval = std::min(2 * c.interval, timers().t2);
    wheel_.schedule(c.retransmit_timer, std::min(wheel_.now() + c.interval, c.give_up_at));
}

void test_uas::session_limit_reached(call& c) {
    if (c.at == stage::ending) return;
    ++counters_.session_limits;
    c.retransmit_timer.cancel();
    end_with_bye(c);
}

void test_uas::end_with_bye(call& c) {
    dialog* d = dialogs_.find(c.id);
    transaction_id bye = d != nullptr ? send_bye(*d) : transaction_id{};
    if (!bye) {
        forget(c);
        return;
    }
    c.at = stage::ending;
    track(c, bye); // the dialog stays until the BYE's final
}

void test_uas::on_ack(const message& ack, const flow&) noexcept {
    call* c = find_call(dialog_id_of_received(ack));
    if (c == nullptr || c->at != stage::answered) {
        ++counters_.other_acks; // a retransmitted ACK, or one after the call ended
        return;
    }
    ++counters_.acks;
    c->retransmit_timer.cancel(); // RFC 3261 §13.3.1.4: the 2xx is acknowledged
    c->at = stage::confirmed;
}

void test_uas::on_cancel(transaction_id invite_server, const message&) noexcept {
    auto it = by_transaction_.find(invite_server.value);
    if (it == by_transaction_.end()) return;
    call& c = *it->second;
    if (c.at != stage::offered) return;
    // RFC 3261 §9.2: the layer has answered the CANCEL 200; the INVITE gets 487.
    ++counters_.cancelled;
    release_server(c);
    respond(c.server, 487, c.request_terminated);
    forget(c);
}

void test_uas::in_dialog(const incoming_request& in) {
    const message& m = in.request;
    dialog* d = dialogs_.match_request(m);
    if (d == nullptr) {
        ++counters_.unknown_dialog;
        reply(in, 481); // RFC 3261 §12.2.2
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
    ++counters_.byes;
    reply(in, 200);
    dialog_id id = d->id();
    call* c = find_call(id);
    if (c == nullptr) {
        dialogs_.erase(id);
        return;
    }
    // RFC 3261 §15.1.2: a BYE in an early dialog: the INVITE gets 487 as well.
    if (c->at == stage::offered) {
        release_server(*c);
        respond(c->server, 487, c->request_terminated);
    }
    forget(*c);
}

// ---- our BYE ----------------------------------------------------------------------------------

void test_uas::on_response(transaction_id client, const message& response) noexcept {
    if (response.status() < 200) return;
    auto it = by_transaction_.find(client.value);
    if (it != by_transaction_.end()) forget(*it->second);
}

void test_uas::on_client_failure(transaction_id client, failure_reason) noexcept {
    auto it = by_transaction_.find(client.value);
    if (it != by_transaction_.end()) forget(*it->second);
}

void test_uas::on_server_failure(transaction_id server, failure_reason) noexcept {
    // RFC 3261 §17.2.4: the INVITE's transaction failed before the answer (its 1xx could not
    // be sent): the call is over. After the answer the 2xx retransmissions carry on.
    auto it = by_transaction_.find(server.value);
    if (it == by_transaction_.end()) return;
    ++counters_.server_failures;
    forget(*it->second);
}

void test_uas::on_terminated(transaction_id id) noexcept {
    auto it = by_transaction_.find(id.value);
    if (it == by_transaction_.end()) return;
    std::erase(it->second->transactions, id.value);
    by_transaction_.erase(it);
}

} // namespace parley::test
