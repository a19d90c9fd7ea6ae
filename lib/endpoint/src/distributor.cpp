// distributor: the shard's request pipeline (distributor.hpp draws it) and the routing of the
// other transaction_user hooks to the services.
#include <parley/endpoint/distributor.hpp>

#include <parley/base/text.hpp>
#include <parley/sip/header_values.hpp>
#include <parley/sip/message_writer.hpp>

#include <algorithm>
#include <random>

namespace parley {

namespace {

/// Methods that only exist inside a dialog: out of one they get 481, not 405 (RFC 3261
/// §15.1.2 for BYE; RFC 3262 §3, RFC 3311 §5.2, RFC 6086 §4.2.2, RFC 6665 §4.1.3).
constexpr method_set dialog_only_methods{method::bye, method::prack, method::update, method::info,
                                         method::notify};

std::string hex(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = digits[v & 0xf];
    return out;
}

} // namespace

distributor::distributor(transaction_layer& transactions, const timer_wheel& wheel,
                         std::shared_ptr<const endpoint_identifier> identifier,
                         distributor_options options)
    : transactions_(transactions), wheel_(wheel), identifier_(std::move(identifier)),
      options_(std::move(options)), authenticator_(options_.key, options_.digest),
      tag_seed_(std::random_device{}()) {
    tag_seed_ = (tag_seed_ << 32) ^ std::random_device{}();
    if (options_.expected_transactions != 0) claimed_by_.reserve(options_.expected_transactions);
    rebuild_headers();
}

void distributor::add_service(service& s, service_registration registration) {
    entry e{&s, registration.priority, s.capabilities()};
    // Stable: after every service of the same or a lower priority.
    auto at = std::upper_bound(
        services_.begin(), services_.end(), e.priority,
        [](int priority, const entry& existing) { return priority < existing.priority; });
    services_.insert(at, std::move(e));
    rebuild_headers();
}

void distributor::set_identifier(std::shared_ptr<const endpoint_identifier> identifier) noexcept {
    identifier_ = std::move(identifier);
}

void distributor::rebuild_headers() {
    option_tags_.clear();
    auto add_tag = [&](const std::string& tag) {
        for (const std::string& known : option_tags_)
            if (text::iequals(known, tag)) return;
        option_tags_.push_back(tag);
    };
    for (const std::string& tag : options_.option_tags) add_tag(tag);
    for (const entry& e : services_) {
        for (const std::string& tag : e.capabilities.option_tags) add_tag(tag);
    }
    allow_.clear();
    for (auto m = static_cast<unsigned>(method::invite);
         m <= static_cast<unsigned>(method::publish); ++m) {
        auto which = static_cast<method>(m);
        if (!declared(which)) continue;
        if (!allow_.empty()) allow_ += ", ";
        allow_ += to_string(which);
    }
    supported_.clear();
    for (const std::string& tag : option_tags_) {
        if (!supported_.empty()) supported_ += ", ";
        supported_ += tag;
    }
}

bool distributor::declared(method m) const noexcept {
    if (m == method::unknown) return false;
    for (const entry& e : services_)
        if (e.capabilities.methods.contains(m)) return true;
    return false;
}

std::string distributor::new_tag() {
    // Tags need only be unique (RFC 3261 §19.3); a per-shard random seed keeps them from
    // colliding across shards and restarts.
    return hex(tag_seed_ + 0x9e3779b97f4a7c15ULL * ++tags_) + options_.id_suffix;
}

void distributor::respond(const incoming_request& in, std::uint16_t status,
                          const std::vector<auth_header>& extra, std::string_view reason) {
    std::string tag = in.request.to().tag.empty() ? new_tag() : std::string();
    message_writer w =
        response_to(in.request, status, {.reason = reason, .to_tag = tag, .top_via = in.top_via});
    for (const auth_header& h : extra) w.header(h.id, h.value);
    (void)transactions_.respond(in.server, status, w.finish());
}

bool distributor::overloaded() const noexcept {
    const overload_limits& l = options_.limits;
    // The request being decided already holds a transaction: "past" the limit is above it.
    if (l.max_transactions != 0 && transactions_.size() > l.max_transactions) return true;
    if (l.max_dialogs != 0) {
        std::size_t dialogs = 0;
        for (const entry& e : services_) dialogs += e.handler->dialog_count();
        if (dialogs >= l.max_dialogs) return true;
    }
    return false;
}

void distributor::on_request(const incoming_request& in) noexcept {
    ++stats_.requests;
    if (!in.request.to().tag.empty())
        in_dialog(in);
    else
        out_of_dialog(in);
}

void distributor::in_dialog(const incoming_request& in) {
    service* owner = nullptr;
    for (const entry& e : services_) {
        if (e.handler->owns_dialog(in.request)) {
            owner = e.handler;
            break;
        }
    }
    if (owner == nullptr) {
        // RFC 3261 §12.2.2: a To tag that matches no dialog.
        ++stats_.no_dialog_481;
        respond(in, 481);
        return;
    }
    if (!require_supported(in)) return;
    claimed_by_[in.server.value] = owner;
    request_context context{.position = dialog_position::in_dialog};
    if (owner->offer(in, context) == service_claim::claimed) {
        ++stats_.claimed;
        return;
    }
    claimed_by_.erase(in.server.value);
    answer_unclaimed(in, dialog_position::in_dialog);
}

void distributor::out_of_dialog(const incoming_request& in) {
    // 1. Shed load before spending anything on the request (RFC 3261 §21.5.4).
    if (overloaded()) {
        ++stats_.overloaded_503;
        respond(in, 503,
                {{header_id::retry_after, std::to_string(options_.limits.retry_after_seconds)}});
        return;
    }
    // 2. Who is calling. None: the artificial endpoint, which is always challenged.
    const configuration& config = identifier_->config();
    std::optional<identification> who = identifier_->identify(in.request, in.source);
    const endpoint_config* endpoint = who ? who->endpoint : nullptr;

    // 3. Are they allowed (RFC 3261 §22, RFC 7616): before anything about the request is
    //    disclosed, so an unauthenticated caller learns nothing about methods or extensions.
    digest_verdict verdict = authenticator_.authenticate(
        {.request = in.request, .source = in.source, .config = config, .endpoint = endpoint},
        wheel_.now());
    switch (verdict.outcome) {
    case digest_outcome::not_required:
    case digest_outcome::authenticated: break;
    case digest_outcome::challenge:
    case digest_outcome::stale_challenge:
        ++stats_.challenged;
        respond(in, verdict.status, verdict.headers);
        return;
    case digest_outcome::failure:
        ++stats_.auth_failures;
        if (options_.on_auth_failure)
            options_.on_auth_failure(
                {.source = in.source,
                 .request = in.request,
                 .endpoint = endpoint,
                 .why = verdict.failure,
                 .failures_from_source = authenticator_.failure_count(in.source.remote)});
        respond(in, verdict.status, verdict.headers);
        return;
    }

    // 4. RFC 3261 §8.2.1: a method no service implements.
    if (!declared(in.request.method())) {
        answer_unclaimed(in, dialog_position::out_of_dialog);
        return;
    }
    // 5. §8.2.2.3: extensions the request requires.
    if (!require_supported(in)) return;

    // 6. The services, in order.
    request_context context{.position = dialog_position::out_of_dialog,
                            .endpoint = endpoint,
                            .authentication = verdict.outcome,
                            .authenticated_as = verdict.auth,
                            .snapshot = &identifier_->snapshot()};
    if (who) context.identified_by = who->method;
    offer(in, context);
}

bool distributor::require_supported(const incoming_request& in) {
    auto required = find_require(in.request);
    if (!required) {
        ++stats_.malformed_400;
        respond(in, 400, {}, required.error_value().reason_phrase());
        return false;
    }
    std::string unsupported;
    for (std::string_view tag : *required) {
        bool known = std::any_of(option_tags_.begin(), option_tags_.end(),
                                 [&](const std::string& t) { return text::iequals(t, tag); });
        if (known) continue;
        if (!unsupported.empty()) unsupported += ", ";
        unsupported += tag;
    }
    if (unsupported.empty()) return true;
    // RFC 3261 §8.2.2.3: 420 listing what we do not support.
    ++stats_.bad_extension_420;
    respond(in, 420, {{header_id::unsupported, unsupported}});
    return false;
}

void distributor::offer(const incoming_request& in, const request_context& context) {
    for (const entry& e : services_) {
        // Recorded before the offer: a transaction may end inside it (a final response over a
        // reliable transport), and its on_terminated must find and erase the entry.
        claimed_by_[in.server.value] = e.handler;
        if (e.handler->offer(in, context) == service_claim::claimed) {
            ++stats_.claimed;
            return;
        }
        claimed_by_.erase(in.server.value);
    }
    answer_unclaimed(in, dialog_position::out_of_dialog);
}

void distributor::answer_unclaimed(const incoming_request& in, dialog_position position) {
    method m = in.request.method();
    if (m == method::unknown) {
        ++stats_.not_implemented_501;
        respond(in, 501);
    } else if (position == dialog_position::out_of_dialog && dialog_only_methods.contains(m)) {
        ++stats_.no_dialog_481;
        respond(in, 481);
    } else {
        // RFC 3261 §8.2.1: 405 lists what we do allow.
        ++stats_.not_allowed_405;
        respond(in, 405, {{header_id::allow, allow_}});
    }
}

// ---- the other hooks --------------------------------------------------------------------------

void distributor::on_ack(const message& ack, const flow& source) noexcept {
    for (const entry& e : services_) {
        if (e.handler->owns_dialog(ack)) {
            e.handler->on_ack(ack, source);
            return;
        }
    }
    ++stats_.acks_without_owner; // a late ACK for a dialog that ended: nothing to do
}

void distributor::on_cancel(transaction_id invite_server, const message& cancel) noexcept {
    auto it = claimed_by_.find(invite_server.value);
    if (it != claimed_by_.end()) it->second->on_cancel(invite_server, cancel);
}

void distributor::on_response(transaction_id client, const message& response) noexcept {
    for (const entry& e : services_) e.handler->on_response(client, response);
}

void distributor::on_stray_response(const message& response, const flow& source) noexcept {
    for (const entry& e : services_) e.handler->on_stray_response(response, source);
}

void distributor::on_client_failure(transaction_id client, failure_reason why) noexcept {
    for (const entry& e : services_) e.handler->on_client_failure(client, why);
}

void distributor::on_server_failure(transaction_id server, failure_reason why) noexcept {
    auto it = claimed_by_.find(server.value);
    if (it != claimed_by_.end()) it->second->on_server_failure(server, why);
}

void distributor::on_terminated(transaction_id id) noexcept {
    if (auto it = claimed_by_.find(id.value); it != claimed_by_.end()) {
        service* owner = it->second;
        claimed_by_.erase(it);
        owner->on_terminated(id);
        return;
    }
    // A client transaction (or one the distributor answered itself): every service may care.
    for (const entry& e : services_) e.handler->on_terminated(id);
}

// ---- options_service --------------------------------------------------------------------------

service_capabilities options_service::capabilities() const {
    return {.methods = {method::options}};
}

service_claim options_service::offer(const incoming_request& in,
                                     const request_context& context) noexcept {
    if (context.position != dialog_position::out_of_dialog ||
        in.request.method() != method::options)
        return service_claim::declined;
    // RFC 3261 §11.2: what a session with us could use. Supported may be empty (§20.37).
    owner_.respond(in, 200,
                   {{header_id::allow, owner_.allow()},
                    {header_id::accept, "application/sdp"},
                    {header_id::supported, owner_.supported()}});
    return service_claim::claimed;
}

} // namespace parley
