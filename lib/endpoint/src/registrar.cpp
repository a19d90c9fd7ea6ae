// The registrar (registrar.hpp): RFC 3261 §10.3 over the configuration's aors.
#include <parley/endpoint/registrar.hpp>

#include <parley/sip/header_values.hpp>
#include <parley/sip/uri.hpp>

#include <algorithm>

namespace parley {

namespace {

/// RFC 3261 §10.3 step 7 finds a binding by the URI comparison rules (§19.1.4); text that does
/// not parse as a URI (never one the registrar stored) is compared as written.
bool same_contact(std::string_view stored, std::string_view text, const result<uri>& parsed) {
    if (!parsed) return stored == text;
    auto other = parse_uri(stored);
    return other ? uri_equivalent(*other, *parsed) : stored == text;
}

} // namespace

registration_store::outcome registration_store::apply(const std::string& aor, const request& r,
                                                      std::uint32_t max_contacts,
                                                      clock::time_point now) {
    // RFC 3261 §10.3 steps 6 and 7: an existing binding the request changes must not have been
    // set by a request of the same Call-ID with this CSeq or a higher one.
    auto out_of_order = [&](const registration_binding& b) {
        return b.call_id == r.call_id && r.cseq <= b.cseq;
    };
    std::lock_guard guard(lock_);
    auto current = aors_.find(aor);
    std::vector<registration_binding> next;
    if (current != aors_.end()) next = current->second;
    std::erase_if(next, [&](const registration_binding& b) { return b.expires_at <= now; });
    if (r.remove_all) {
        if (std::any_of(next.begin(), next.end(), out_of_order)) return outcome::out_of_order;
        next.clear();
    }
    std::size_t added = 0; // next[0, added) are this request's own
    for (const change& c : r.changes) {
        auto wanted = parse_uri(c.contact);
        auto same = std::find_if(next.begin(), next.end(), [&](const registration_binding& b) {
            return same_contact(b.contact, c.contact, wanted);
        });
        if (same != next.end()) {
            if (same - next.begin() < static_cast<std::ptrdiff_t>(added))
                --added; // named twice in the request: the later one counts
            else if (out_of_order(*same))
                return outcome::out_of_order; // nothing changes
            next.erase(same);
        }
        if (c.expires != 0) {
            next.insert(next.begin(),
                        {c.contact, now + std::chrono::seconds(c.expires), r.call_id, r.cseq});
            ++added;
        }
    }
    // Too many: the same device (the request's Call-ID) may have moved (a new address after an
    // IP change, a new port after a restart of its SIP stack) — its own older bindings make way,
    // the least recently registered first, as Asterisk's remove_existing does (but never another
    // device's). Otherwise it waits for them to expire.
    for (std::size_t i = next.size(); i-- > added && next.size() > max_contacts;)
        if (next[i].call_id == r.call_id) next.erase(next.begin() + static_cast<std::ptrdiff_t>(i));
    if (next.size() > max_contacts) return outcome::too_many; // nothing changes
    if (next.empty())
        aors_.erase(aor);
    else
        aors_[aor] = std::move(next);
    return outcome::applied;
}

std::vector<registration_binding> registration_store::bindings(const std::string& aor,
                                                               clock::time_point now) {
    std::lock_guard guard(lock_);
    auto it = aors_.find(aor);
    if (it == aors_.end()) return {};
    std::erase_if(it->second, [&](const registration_binding& b) { return b.expires_at <= now; });
    if (it->second.empty()) { // every contact expired: the aor keeps no entry
        aors_.erase(it);
        return {};
    }
    return it->second;
}

service_capabilities registrar_service::capabilities() const {
    return {.methods = {method::register_}, .option_tags = {}};
}

service_claim registrar_service::offer(const incoming_request& in,
                                       const request_context& context) noexcept {
    const message& request = in.request;
    if (context.position != dialog_position::out_of_dialog || request.method() != method::register_)
        return service_claim::declined;
    // The aor: the To user, one of the identified endpoint's aors.
    std::string aor_name(request.to().address.user);
    const configuration* config = context.snapshot != nullptr && *context.snapshot != nullptr
                                      ? context.snapshot->get()
                                      : nullptr;
    const aor_config* aor = config != nullptr ? config->find_aor(aor_name) : nullptr;
    bool endpoints_aor = context.endpoint != nullptr &&
                         std::find(context.endpoint->aors.begin(), context.endpoint->aors.end(),
                                   aor_name) != context.endpoint->aors.end();
    if (aor == nullptr || !endpoints_aor) {
        owner_.respond(in, 404, {}, "No Such Address of Record");
        return service_claim::claimed;
    }
    if (aor->max_contacts == 0) {
        owner_.respond(in, 403, {}, "Registration Not Allowed (max_contacts = 0)");
        return service_claim::claimed;
    }
    // One request can remove every binding and add as many: past twice max_contacts (with a
    // floor for odd but harmless requests) it can never succeed. Refused before any work, so a
    // REGISTER with thousands of Contacts costs no comparisons under the store's lock.
    if (request.contacts().size() > std::max<std::size_t>(2 * std::size_t{aor->max_contacts}, 16)) {
        owner_.respond(in, 403, {}, "Too Many Contacts in One REGISTER");
        return service_claim::claimed;
    }
    auto header_expires = find_expires(request);
    if (!header_expires) {
        owner_.respond(in, 400, {}, "Bad Expires");
        return service_claim::claimed;
    }
    std::uint32_t default_expires = config->system().default_expires;
    registration_store::request asked{.call_id = std::string(request.call_id()),
                                      .cseq = request.cseq().number};
    for (const contact& c : request.contacts()) {
        if (c.star) {
            // RFC 3261 §10.3 step 6: "*" only alone, and only with Expires: 0.
            if (request.contacts().size() != 1 || !*header_expires || **header_expires != 0) {
                owner_.respond(in, 400, {}, "Contact * Needs Expires: 0 and No Other Contact");
                return service_claim::claimed;
            }
            asked.remove_all = true;
            continue;
        }
        std::uint32_t expires = c.expires >= 0    ? static_cast<std::uint32_t>(c.expires)
                                : *header_expires ? **header_expires
                                                  : default_expires;
        if (expires != 0 && expires < min_expires_) { // the interval asked, before our clamp
            owner_.respond(in, 423, {{header_id::min_expires, std::to_string(min_expires_)}});
            return service_claim::claimed;
        }
        // We grant at most the default, never below our own minimum.
        expires = std::min(expires, std::max(default_expires, min_expires_));
        asked.changes.push_back({std::string(c.address.address.text), expires});
    }
    auto now = registration_store::clock::now();
    switch (store_.apply(aor_name, asked, aor->max_contacts, now)) {
    case registration_store::outcome::applied: break;
    case registration_store::outcome::too_many:
        owner_.respond(in, 403, {}, "Too Many Contacts (max_contacts)");
        return service_claim::claimed;
    case registration_store::outcome::out_of_order:
        // As Kamailio's registrar answers it ("Invalid CSeq number").
        owner_.respond(in, 400, {}, "Invalid CSeq (Not Higher Than the Binding's)");
        return service_claim::claimed;
    }
    // RFC 3261 §10.3 step 8: the 200 lists every current binding with its expires.
    std::vector<auth_header> listed;
    for (const registration_binding& b : store_.bindings(aor_name, now)) {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(b.expires_at - now).count();
        listed.push_back(
            {header_id::contact, "<" + b.contact + ">;expires=" + std::to_string(left)});
    }
    owner_.respond(in, 200, listed);
    return service_claim::claimed;
}

} // namespace parley
