// registrar: REGISTER (RFC 3261 §10) for the configuration's aors, so endpoints can be
// reached where they registered (Dial(PJSIP/name)), with each aor's max_contacts.
//
// registration_store holds the bindings of every aor and is shared by all shards (one lock;
// registrations are rare next to calls). registrar_service is a shard's service for
// out-of-dialog REGISTER: the distributor has identified and, when the endpoint has auth,
// authenticated the request; the aor is the To URI's user and must be one of the endpoint's
// aors (404 otherwise, 403 when its max_contacts is 0). It applies RFC 3261 §10.3: "*" with
// Expires: 0 removes every binding, each Contact's expires (else the Expires header, else
// default_expires) adds, refreshes or (0) removes one (the same binding: an equal URI by
// RFC 3261 §19.1.4); a non-zero expiry under 60 s gets 423 with Min-Expires; a request that
// would leave more than max_contacts bindings gets 403 and changes nothing, unless bindings
// of the request's own Call-ID (the same device, moved) can make way, oldest first; one with
// more Contacts than any request can use (over twice max_contacts, at least 16) gets 403 before
// the bindings are looked at. A binding remembers the Call-ID and CSeq that last set it: a
// request with the same Call-ID and a CSeq not higher (out of order, or replayed) gets 400 and
// changes nothing (steps 6 and 7). The 200 lists every binding with its remaining expires.
#pragma once

#include <parley/endpoint/distributor.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace parley {

struct registration_binding {
    std::string contact; ///< the Contact URI as registered
    std::chrono::steady_clock::time_point expires_at;
    std::string call_id; ///< of the REGISTER that last added or refreshed it
    std::uint32_t cseq = 0;
};

class registration_store {
public:
    using clock = std::chrono::steady_clock;

    /// One binding a REGISTER adds, refreshes or removes.
    struct change {
        std::string contact;   ///< the Contact URI
        std::uint32_t expires; ///< seconds; 0 removes
    };
    /// What a REGISTER asks for one aor: the changes, applied all or none.
    struct request {
        std::string call_id;
        std::uint32_t cseq = 0;
        bool remove_all = false; ///< Contact: * (before the changes)
        std::vector<change> changes;
    };
    enum class outcome : std::uint8_t {
        applied,
        too_many,     ///< more than max_contacts bindings would be left
        out_of_order, ///< a binding was set by the same Call-ID with a CSeq as high or higher
    };

    /// Applies `r` to `aor`, or nothing of it when the result would hold more than
    /// `max_contacts` bindings (after older bindings of the request's Call-ID it did not touch
    /// made way, the least recently registered first) or an existing binding it touches has the
    /// request's Call-ID and a CSeq not lower than the request's (RFC 3261 §10.3 steps 6, 7).
    outcome apply(const std::string& aor, const request& r, std::uint32_t max_contacts,
                  clock::time_point now);
    /// The live bindings of `aor`, most recently registered first.
    std::vector<registration_binding> bindings(const std::string& aor, clock::time_point now);
    /// How many aors hold an entry (an aor whose bindings all expired is dropped when next
    /// looked up or changed).
    std::size_t aor_entries() {
        std::lock_guard guard(lock_);
        return aors_.size();
    }

private:
    std::mutex lock_;
    std::map<std::string, std::vector<registration_binding>, std::less<>> aors_;
};

class registrar_service final : public service {
public:
    registrar_service(distributor& owner, registration_store& store,
                      std::uint32_t min_expires = 60) noexcept
        : owner_(owner), store_(store), min_expires_(min_expires) {}
    std::string_view name() const noexcept override { return "registrar"; }
    service_capabilities capabilities() const override;
    service_claim offer(const incoming_request& request,
                        const request_context& context) noexcept override;

private:
    distributor& owner_;
    registration_store& store_;
    std::uint32_t min_expires_;
};

} // namespace parley
