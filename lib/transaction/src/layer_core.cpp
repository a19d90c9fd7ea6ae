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

#include <string>

namespace parley {
namespace {

// RFC 3261 §8.2.6 / §18.2.2: where a response to `request` goes; an maddr naming a host (which
// needs DNS) falls back to the source.
flow answer_destination(const message& request, const flow& source) noexcept {
    return response_destination(request.top_via(), source).value_or(source);
}

bool same_destination(const flow& a, const flow& b) noexcept {
    return a.protocol == b.protocol && a.remote == b.remote &&
           (a.connection == 0 || b.connection == 0 || a.connection == b.connection);
}

} // namespace

layer_core::layer_core(message_sender& sender, transaction_user& user, timer_wheel& wheel,
                       const transaction_options& options)
    : sender_(sender), user_(user), wheel_(wheel), options_(options),
      scratch_message_(std::make_unique<message>()) {}

layer_core::~layer_core() {
    // Transactions die with the layer, silently: the TU is being torn down too.
    clients_.clear();
    servers_.clear();
    graveyard_.clear();
    by_id_.clear();
}

transaction* layer_core::find(transaction_id id) const noexcept {
    auto it = by_id_.find(id.value);
    return it == by_id_.end() ? nullptr : it->second.get();
}

void layer_core::adopt(std::unique_ptr<transaction> t,
                       std::unordered_map<std::string_view, transaction*>& index) {
    transaction* raw = t.get();
    index.emplace(raw->key(), raw);
    by_id_.emplace(raw->id().value, std::move(t));
}

void layer_core::retire(transaction& t) noexcept {
    auto& index = t.is_client() ? clients_ : servers_;
    auto at = index.find(t.key());
    if (at != index.end() && at->second == &t) index.erase(at);
    auto owned = by_id_.find(t.id().value);
    if (owned == by_id_.end()) return;
    graveyard_.push_back(std::move(owned->second));
    by_id_.erase(owned);
    if (!t.internal()) user_.on_terminated(t.id());
}

// ---- incoming ---------------------------------------------------------------------------------

void layer_core::receive(const message& incoming, const flow& source) noexcept {
    entry_guard guard(*this);
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
        it->second->receive_response(response, source);
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

transaction* layer_core::find_server(const message& request, std::string_view method) {
    make_server_key(key_scratch_, request, method);
    auto it = servers_.find(key_scratch_);
    return it == servers_.end() ? nullptr : it->second;
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
    if (transaction* t = find_server(request, request.method_text())) {
        t->receive_request(request, source); // a retransmission
        return;
    }
    new_server_transaction(request, source);
}

void layer_core::receive_ack(const message& ack, const flow& source) {
    // RFC 3261 §17.2.3: an ACK matches the INVITE transaction it acknowledges (the non-2xx
    // ACK reuses the INVITE's branch); otherwise it is the 2xx ACK, for the dialog.
    if (transaction* t = find_server(ack, "INVITE")) {
        t->receive_request(ack, source);
        return;
    }
    ++stats_.acks_unmatched;
    user_.on_ack(ack, source);
}

void layer_core::receive_cancel(const message& cancel, const flow& source) {
    if (transaction* t = find_server(cancel, "CANCEL")) {
        t->receive_request(cancel, source); // a retransmitted CANCEL: resend our answer
        return;
    }
    // RFC 3261 §9.2: the CANCEL matches the INVITE with the same branch, sent-by and (RFC 2543)
    // fields, method aside.
    transaction* invite = find_server(cancel, "INVITE");
    std::uint16_t status = invite != nullptr ? 200 : 481;
    if (invite == nullptr) ++stats_.cancels_unmatched;
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
    if (invite != nullptr && invite->state() == transaction_state::proceeding)
        user_.on_cancel(invite->id(), cancel);
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
    if (t == nullptr || t->is_client() || t->internal())
        return fail(481, "No such server transaction");
    if (status < 100 || status > 699) return fail(500, "Status out of range");
    return t->respond(status, std::move(bytes));
}

result<void> layer_core::cancel(transaction_id invite_client) {
    entry_guard guard(*this);
    transaction* t = find(invite_client);
    if (t == nullptr || t->kind() != transaction_kind::client_invite)
        return fail(481, "No such INVITE client transaction");
    return static_cast<client_invite*>(t)->cancel();
}

void layer_core::transport_error(const flow& destination) noexcept {
    entry_guard guard(*this);
    // Rare, so a scan; ids first, because failing a transaction edits the tables.
    std::vector<transaction_id> hit;
    for (const auto& [id, t] : by_id_)
        if (same_destination(t->destination(), destination)) hit.push_back(t->id());
    for (transaction_id id : hit)
        if (transaction* t = find(id)) t->transport_failed();
}

} // namespace parley
