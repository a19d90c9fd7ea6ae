// The registrar (registrar.hpp): RFC 3261 §10.3 over the configuration's aors.
#include <parley/endpoint/registrar.hpp>

#include <parley/sip/header_values.hpp>

#include <algorithm>

namespace parley {

registration_store::outcome registration_store::apply(const std::string& aor, bool remove_all,
                                                      const std::vector<change>& changes,
                                                      std::uint32_t max_contacts,
                                                      clock::time_point now) {
    std::lock_guard guard(lock_);
    std::vector<registration_binding> next = aors_[aor];
    std::erase_if(next, [&](const registration_binding& b) { return b.expires_at <= now; });
    if (remove_all) next.clear();
    for (const change& c : changes) {
        std::erase_if(next, [&](const registration_binding& b) { return b.contact == c.contact; });
        if (c.expires != 0)
            next.insert(next.begin(), {c.contact, now + std::chrono::seconds(c.expires)});
    }
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
    auto header_expires = find_expires(request);
    if (!header_expires) {
        owner_.respond(in, 400, {}, "Bad Expires");
        return service_claim::claimed;
    }
    std::uint32_t default_expires = config->system().default_expires;
    bool remove_all = false;
    std::vector<registration_store::change> changes;
    for (const contact& c : request.contacts()) {
        if (c.star) {
            // RFC 3261 §10.3 step 6: "*" only alone, and only with Expires: 0.
            if (request.contacts().size() != 1 || !*header_expires || **header_expires != 0) {
                owner_.respond(in, 400, {}, "Contact * Needs Expires: 0 and No Other Contact");
                return service_claim::claimed;
            }
            remove_all = true;
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
        changes.push_back({std::string(c.address.address.text), expires});
    }
    auto now = registration_store::clock::now();
    if (store_.apply(aor_name, remove_all, changes, aor->max_contacts, now) ==
        registration_store::outcome::too_many) {
        owner_.respond(in, 403, {}, "Too Many Contacts (max_contacts)");
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
