// layer_core: dispatch of incoming messages and TU calls to the machines (RFC 3261 §17.1.3,
// §17.2.3 matching; §9.2 CANCEL), creation, the limit, and retirement.
#include "layer_core.hpp"

#include "client_invite.hpp"
#include "client_non_invite.hpp"
#include "matching.hpp"
#include "server_invite.hpp"
#include "server_non_invite.hpp"

#include <parley/sip/message_writer.hpp>
#include <parley/transport/routing.hpp>

#include <random>
#include <string>

namespace parley {
namespace {

// RFC 3261 §8.2.6 / §18.2.2: where a response to `request` goes; an maddr naming a host (which
// needs DNS) falls back to the source.
flow answer_destination(const message& request, const flow& source) noexcept {
    return response_destination(request.top_via(), source).value_or(source);
}

std::uint64_t random_seed() {
    std::random_device random;
    return (std::uint64_t{random()} << 32) ^ random();
}

bool same_destination(const flow& a, const flow& b) noexcept {
    if (a.protocol != b.protocol) return false;
    // A connection is its own destination: the address of a flow on it names where a new one
    // would go once it has closed (RFC 3261 §18.2.2: a server's sent-by port), not the port
    // the peer has on this one.
    if (a.connection != 0 && b.connection != 0) return a.connection == b.connection;
    return a.remote == b.remote;
}

} // namespace

layer_core::layer_core(message_sender& sender, transaction_user& user, timer_wheel& wheel,
                       const transaction_options& options)
    : sender_(sender), user_(user), wheel_(wheel), options_(options),
      clients_(0, key_hash(random_seed())), servers_(0, key_hash(random_seed())),
      scratch_message_(std::make_unique<message>()) {
    if (std::size_t n = options.limits.expected_transactions; n != 0) {
        by_id_.reserve(n);
        servers_.reserve(n);
        clients_.reserve(n);
    }
}

layer_core::~layer_core() {
    // Transactions die with the layer, silently: the TU is being torn down too.
    clients_.clear();
    servers_.clear();
    graveyard_.clear();
    by_id_.clear();
    lingering_graveyard_.clear();
}

transaction* layer_core::find(transaction_id id) const noexcept {
    auto it = by_id_.find(id.value);
    return it == by_id_.end() ? nullptr : it->second.active();
}

lingering* layer_core::find_lingering(transaction_id id) const noexcept {
    auto it = by_id_.find(id.value);
    return it == by_id_.end() ? nullptr : it->second.record();
}

void layer_core::adopt(std::unique_ptr<transaction> t, key_index& index) {
    transaction* raw = t.get();
    index.emplace(raw->key(), index_entry{.active = raw});
    by_id_.emplace(raw->id().value, owned_entry(std::move(t)));
}

void layer_core::retire(transaction& t) noexcept {
    auto& index = t.is_client() ? clients_ : servers_;
    auto at = index.find(t.key());
    if (at != index.end() && at->second.active == &t) index.erase(at);
    auto owned = by_id_.find(t.id().value);
    if (owned == by_id_.end() || owned->second.active() != &t) return;
    graveyard_.push_back(owned->second.take_active());
    by_id_.erase(owned);
    if (!t.internal()) user_.on_terminated(t.id());
}

// ---- lingering records ------------------------------------------------------------------------

std::uint8_t layer_core::queue_for(duration delay) {
    for (std::size_t i = 0; i < queues_.size(); ++i)
        if (queues_[i]->delay == delay) return static_cast<std::uint8_t>(i);
    // Delays come from the layer's fixed timer settings: 64*T1 (L, M, J) and T4 (K).
    auto queue = std::make_unique<linger_queue>();
    queue->core = this;
    queue->delay = delay;
    queue->wake.bind<&linger_queue::on_wake>(queue.get());
    queues_.push_back(std::move(queue));
    return static_cast<std::uint8_t>(queues_.size() - 1);
}

void layer_core::linger(const transaction& t, std::string_view retained, duration delay) {
    auto entry = by_id_.find(t.id().value);
    if (entry == by_id_.end() || entry->second.active() != &t) return; // not live: cannot happen
    std::uint8_t queue = queue_for(delay);
    lingering::owner owned = lingering::make(t.id(), t.kind(), t.state(), t.internal(), t.key(),
                                             t.destination(), retained, queue);
    lingering* record = owned.get();
    auto& index = t.is_client() ? clients_ : servers_;
    auto at = index.find(t.key());
    if (at != index.end() && at->second.active == &t) {
        // The same key, now viewing the record's bytes: re-pointed in place, no reallocation.
        auto node = index.extract(at);
        node.key() = record->key();
        node.mapped() = index_entry{.record = record};
        index.insert(std::move(node));
    }
    graveyard_.push_back(entry->second.take_active());
    entry->second = owned_entry(std::move(owned)); // the same id, now the record's
    // The same deadline the machine's own timer would have had (schedule_after rounds alike).
    linger_queue& q = *queues_[queue];
    q.entries.push_back({wheel_.now() + delay, record->id()});
    ++q.live;
    if (!q.wake.armed()) wheel_.schedule(q.wake, coalesced(q.entries.front().deadline));
}

time_point layer_core::coalesced(time_point deadline) const noexcept {
    duration slack = options_.timers.lingering_slack;
    if (slack <= duration::zero()) return deadline;
    duration late = deadline.time_since_epoch() % slack;
    if (late < duration::zero()) late += slack;
    return late == duration::zero() ? deadline : deadline + (slack - late);
}

void layer_core::expire(linger_queue& q) noexcept {
    entry_guard guard(*this);
    time_point now = wheel_.now();
    // RFC 6026 §7.1 Timer L, §7.2 Timer M; RFC 3261 §17.2.2 Timer J, §17.1.2.2 Timer K: the
    // transaction terminates (every record due by now: with a slack, a period's worth end
    // together). Hooks may add records (due later) or retire any.
    bool ended = false;
    while (!q.entries.empty() && q.entries.front().deadline <= now) {
        transaction_id id = q.entries.front().id;
        q.entries.pop_front();
        if (lingering* record = find_lingering(id)) retire(*record);
        ended = true;
    }
    if (q.entries.empty()) return;
    // A sweep moved the head: the wake follows it (it may be armed for the old head's period).
    if (ended || !q.wake.armed()) wheel_.schedule(q.wake, coalesced(q.entries.front().deadline));
}

void layer_core::expire_due() noexcept {
    time_point now = wheel_.now();
    for (auto& q : queues_)
        if (!q->entries.empty() && q->entries.front().deadline <= now) expire(*q);
}

void layer_core::retire(lingering& record) noexcept {
    if (record.terminated()) return;
    auto& index = record.is_client() ? clients_ : servers_;
    auto at = index.find(record.key());
    if (at != index.end() && at->second.record == &record) index.erase(at);
    auto owned = by_id_.find(record.id().value);
    if (owned == by_id_.end() || owned->second.record() != &record) return;
    lingering_graveyard_.push_back(owned->second.take_record());
    by_id_.erase(owned);
    bool internal = record.internal();
    transaction_id id = record.id();
    record.mark_terminated();
    linger_queue& q = *queues_[record.queue()];
    if (--q.live == 0) { // only retired records left: nothing to wait for
        q.entries.clear();
        q.wake.cancel();
    }
    if (!internal) user_.on_terminated(id);
}

void layer_core::lingering_request(lingering& record, const message& request, const flow& source) {
    if (record.kind() == transaction_kind::server_invite) {
        // RFC 6026 §7.1: in Accepted an ACK is passed to the TU, a retransmitted INVITE is
        // absorbed (the TU retransmits the 2xx).
        if (request.method() == method::ack) {
            user_.on_ack(request, source);
            return;
        }
        ++stats_.retransmissions_absorbed;
        return;
    }
    // RFC 3261 §17.2.2: Completed resends the final response to a retransmitted request.
    ++stats_.retransmissions_absorbed;
    if (sender_.send(record.destination(), record.retained()) != send_result::sent) {
        ++stats_.send_failures;
        lingering_transport_failed(record);
    }
}

void layer_core::lingering_response(lingering& record, const message& response) {
    std::uint16_t status = response.status();
    // RFC 6026 §7.2: in Accepted every 2xx goes to the TU (it ACKs each); anything else, and
    // every response in non-INVITE Completed (RFC 3261 §17.1.2.2), is absorbed.
    if (record.kind() == transaction_kind::client_invite && status >= 200 && status < 300) {
        if (!record.internal()) user_.on_response(record.id(), response);
        return;
    }
    ++stats_.retransmissions_absorbed;
}

result<void> layer_core::lingering_respond(lingering& record, std::uint16_t status,
                                           std::string_view bytes) {
    if (record.kind() != transaction_kind::server_invite)
        return fail(500, "Final response already sent"); // RFC 3261 §17.2.2: Completed
    // RFC 6026 §7.1: the TU retransmits its 2xx through the transaction.
    if (status < 200 || status >= 300) return fail(500, "Only 2xx in Accepted");
    if (sender_.send(record.destination(), bytes) != send_result::sent) {
        ++stats_.send_failures;
        lingering_transport_failed(record);
    }
    return {};
}

void layer_core::lingering_transport_failed(lingering& record) noexcept {
    switch (record.kind()) {
    case transaction_kind::server_invite:
        // RFC 6026 §7.1: stay in Accepted after a transport error; inform the TU.
        ++stats_.transport_errors;
        if (!record.internal())
            user_.on_server_failure(record.id(), failure_reason::transport_error);
        return;
    case transaction_kind::server_non_invite:
        // RFC 3261 §17.2.4: inform the TU, terminate.
        if (record.terminated()) return;
        ++stats_.transport_errors;
        if (!record.internal())
            user_.on_server_failure(record.id(), failure_reason::transport_error);
        retire(record);
        return;
    default: return; // the client states send nothing any more
    }
}

// ---- incoming ---------------------------------------------------------------------------------

void layer_core::receive(const message& incoming, const flow& source) noexcept {
    entry_guard guard(*this);
    // With a lingering slack, records that came due since the last message end now, as their
    // own timers would have ended them: the message meets no transaction the RFC says is gone,
    // and the queues' wakes fire only when no message came for a whole period.
    if (options_.timers.lingering_slack > duration::zero()) expire_due();
    if (incoming.vias().empty()) { // a parsed message always has one; be safe anyway
        ++stats_.dropped_invalid;
        return;
    }
    if (incoming.is_request())
        receive_request(incoming, source);
    else
        receive_response(incoming, source);
}

void layer_core::receive_response(const message& response, const flow& source) {
    ++stats_.responses_received;
    const via& top = response.top_via();
    if (top.branch.empty() || response.cseq().method_text.empty()) {
        ++stats_.dropped_invalid; // we only send RFC 3261 branches: not ours
        return;
    }
    // RFC 3261 §17.1.3: top Via branch and CSeq method.
    make_client_key(key_scratch_, top.branch, response.cseq().method_text);
    auto it = clients_.find(key_scratch_);
    if (it != clients_.end()) {
        if (it->second.active != nullptr)
            it->second.active->receive_response(response, source);
        else
            lingering_response(*it->second.record, response);
        return;
    }
    if (response.cseq().method == method::invite && response.status() >= 200 &&
        response.status() < 300) {
        // RFC 6026 §7.2: a 2xx matching no transaction goes to the TU (core), which ACKs it.
        ++stats_.stray_2xx;
        user_.on_stray_response(response, source);
        return;
    }
    ++stats_.responses_unmatched; // RFC 3261 §18.1.2: discarded
}

layer_core::server_match layer_core::find_server(const message& request, std::string_view method) {
    make_server_key(key_scratch_, request, method);
    auto it = servers_.find(key_scratch_);
    if (it == servers_.end()) return {};
    return {.active = it->second.active, .record = it->second.record};
}

void layer_core::receive_request(const message& request, const flow& source) {
    ++stats_.requests_received;
    // RFC 3261 §8.2 / §17.2.3: the CSeq method names the transaction's method; a request whose
    // CSeq disagrees with its request line cannot be matched.
    if (request.method_text() != request.cseq().method_text) {
        ++stats_.dropped_invalid;
        return;
    }
    switch (request.method()) {
    case method::ack: receive_ack(request, source); return;
    case method::cancel: receive_cancel(request, source); return;
    default: break;
    }
    if (server_match t = find_server(request, request.method_text())) {
        if (t.active != nullptr)
            t.active->receive_request(request, source); // a retransmission
        else
            lingering_request(*t.record, request, source);
        return;
    }
    new_server_transaction(request, source);
}

void layer_core::receive_ack(const message& ack, const flow& source) {
    // RFC 3261 §17.2.3: an ACK matches the INVITE transaction it acknowledges (the non-2xx
    // ACK reuses the INVITE's branch); otherwise it is the 2xx ACK, for the dialog.
    if (server_match t = find_server(ack, "INVITE")) {
        if (t.active != nullptr)
            t.active->receive_request(ack, source);
        else
            lingering_request(*t.record, ack, source);
        return;
    }
    ++stats_.acks_unmatched;
    user_.on_ack(ack, source);
}

void layer_core::receive_cancel(const message& cancel, const flow& source) {
    if (server_match t = find_server(cancel, "CANCEL")) {
        // A retransmitted CANCEL: resend our answer.
        if (t.active != nullptr)
            t.active->receive_request(cancel, source);
        else
            lingering_request(*t.record, cancel, source);
        return;
    }
    // RFC 3261 §9.2: the CANCEL matches the INVITE with the same branch, sent-by and (RFC 2543)
    // fields, method aside.
    server_match invite = find_server(cancel, "INVITE");
    std::uint16_t status = invite ? 200 : 481;
    if (!invite) ++stats_.cancels_unmatched;
    // RFC 3261 §9.2: the CANCEL is its own non-INVITE transaction, answered by the UAS core (here,
    // for the TU: the answer does not depend on it). The limit does not apply: at most one per
    // INVITE, and cancelling frees resources.
    make_server_key(key_scratch_, cancel, "CANCEL");
    flow destination = answer_destination(cancel, source);
    auto answer = std::make_unique<server_non_invite>(*this, next_id(), key_scratch_, destination);
    answer->make_internal();
    server_non_invite* raw = answer.get();
    adopt(std::move(answer), servers_);
    std::string via = stamp_top_via(raw_top_via(cancel), cancel.top_via(), source);
    (void)raw->respond(status, response_to(cancel, status, {.top_via = via}).finish());
    // Only a transaction that has not answered yet is cancelled; the TU sends the 487.
    if (invite && invite.state() == transaction_state::proceeding)
        user_.on_cancel(invite.id(), cancel);
}

void layer_core::respond_statelessly(const message& request, const flow& source,
                                     std::uint16_t status) {
    std::string via = stamp_top_via(raw_top_via(request), request.top_via(), source);
    message_writer w = response_to(request, status, {.top_via = via});
    if (status == 503)
        w.header(header_id::retry_after, std::to_string(options_.limits.retry_after_seconds));
    std::string bytes = w.finish();
    if (sender_.send(answer_destination(request, source), bytes) != send_result::sent)
        ++stats_.send_failures;
}

void layer_core::new_server_transaction(const message& request, const flow& source) {
    if (at_limit()) {
        // The limit: answer 503 with Retry-After without creating state.
        ++stats_.rejected_at_limit;
        respond_statelessly(request, source, 503);
        return;
    }
    make_server_key(key_scratch_, request, request.method_text());
    std::string via = stamp_top_via(raw_top_via(request), request.top_via(), source);
    flow destination = answer_destination(request, source);
    transaction_id id = next_id();
    if (request.method() == method::invite) {
        // RFC 3261 §17.2.1: the 100 Trying is built now, while the request is at hand, and
        // sent only if the TU stays silent for trying_delay.
        std::string trying = response_to(request, 100, {.top_via = via}).finish();
        adopt(std::make_unique<server_invite>(*this, id, key_scratch_, destination,
                                              std::move(trying)),
              servers_);
    } else {
        adopt(std::make_unique<server_non_invite>(*this, id, key_scratch_, destination), servers_);
    }
    user_.on_request(
        incoming_request{.server = id, .request = request, .source = source, .top_via = via});
}

// ---- TU calls ---------------------------------------------------------------------------------

result<transaction_id> layer_core::send_request(std::string bytes, std::string_view branch,
                                                std::string_view method, const flow& destination) {
    entry_guard guard(*this);
    if (branch.empty() || method.empty()) return fail(400, "Missing branch or method");
    if (method == "ACK") return fail(400, "ACK is not a transaction");
    if (at_limit()) {
        ++stats_.rejected_at_limit;
        return fail(503, "Transaction limit reached");
    }
    make_client_key(key_scratch_, branch, method);
    if (clients_.contains(key_scratch_)) return fail(482, "Branch already in use");
    bool invite = method == "INVITE";
    // The INVITE must parse: ACK and CANCEL are built from it later.
    if (invite && !parse_message(bytes, scratch_message()))
        return fail(400, "INVITE does not parse");
    // The first copy goes out before the transaction exists, so a failure leaves nothing
    // behind and the TU hears of it once, here.
    if (sender_.send(destination, bytes) != send_result::sent) {
        ++stats_.send_failures;
        return fail(503, "Transport error");
    }
    transaction_id id = next_id();
    if (invite) {
        auto t =
            std::make_unique<client_invite>(*this, id, key_scratch_, destination, std::move(bytes));
        t->start();
        adopt(std::move(t), clients_);
    } else {
        auto t = std::make_unique<client_non_invite>(*this, id, key_scratch_, destination,
                                                     std::move(bytes));
        t->start();
        adopt(std::move(t), clients_);
    }
    return id;
}

transaction* layer_core::start_internal_cancel(std::string bytes, std::string_view branch,
                                               const flow& destination) {
    std::string key;
    make_client_key(key, branch, "CANCEL");
    if (clients_.contains(key)) return nullptr;
    if (sender_.send(destination, bytes) != send_result::sent) {
        ++stats_.send_failures;
        return nullptr;
    }
    auto t = std::make_unique<client_non_invite>(*this, next_id(), std::move(key), destination,
                                                 std::move(bytes));
    t->make_internal();
    t->start();
    transaction* raw = t.get();
    adopt(std::move(t), clients_);
    return raw;
}

result<void> layer_core::respond(transaction_id server, std::uint16_t status, std::string bytes) {
    entry_guard guard(*this);
    transaction* t = find(server);
    if (t == nullptr) {
        lingering* record = find_lingering(server);
        if (record == nullptr || record->is_client() || record->internal())
            return fail(481, "No such server transaction");
        if (status < 100 || status > 699) return fail(500, "Status out of range");
        return lingering_respond(*record, status, bytes);
    }
    if (t->is_client() || t->internal()) return fail(481, "No such server transaction");
    if (status < 100 || status > 699) return fail(500, "Status out of range");
    return t->respond(status, std::move(bytes));
}

result<void> layer_core::cancel(transaction_id invite_client) {
    entry_guard guard(*this);
    transaction* t = find(invite_client);
    if (t == nullptr) {
        lingering* record = find_lingering(invite_client);
        if (record == nullptr || record->kind() != transaction_kind::client_invite)
            return fail(481, "No such INVITE client transaction");
        return fail(481, "INVITE already answered"); // RFC 6026 §7.2: Accepted
    }
    if (t->kind() != transaction_kind::client_invite)
        return fail(481, "No such INVITE client transaction");
    return static_cast<client_invite*>(t)->cancel();
}

void layer_core::transport_error(const flow& destination) noexcept {
    entry_guard guard(*this);
    // Rare, so a scan; ids first, because failing a transaction edits the tables.
    std::vector<transaction_id> hit;
    for (const auto& [id, entry] : by_id_) {
        if (const transaction* t = entry.active()) {
            if (same_destination(t->destination(), destination)) hit.push_back(t->id());
        } else if (const lingering* record = entry.record()) {
            if (!record->is_client() && same_destination(record->destination(), destination))
                hit.push_back(record->id());
        }
    }
    for (transaction_id id : hit) {
        if (transaction* t = find(id))
            t->transport_failed();
        else if (lingering* record = find_lingering(id))
            lingering_transport_failed(*record);
    }
}

} // namespace parley
