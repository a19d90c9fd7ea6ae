// registrar: REGISTER (RFC 3261 §10) for the configuration's aors, so endpoints can be
// reached where they registered (Dial(PJSIP/name)), with each aor's max_contacts.
//
// registration_store holds the bindings of every aor and is shared by all shards (one lock;
// registrations are rare next to calls). registrar_service is a shard's service for
// out-of-dialog REGISTER: the distributor has identified and, when the endpoint has auth,
// authenticated the request; the aor is the To URI's user and must be one of the endpoint's
// aors (404 otherwise, 403 when its max_contacts is 0). It applies RFC 3261 §10.3: "*" with
// Expires: 0 removes every binding, each Contact's expires (else the Expires header, else
// default_expires) adds, refreshes or (0) removes one; a non-zero expiry under 60 s gets
// 423 with Min-Expires; a request that would leave more than max_contacts bindings gets 403
// and changes nothing. The 200 lists every binding with its remaining expires.
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
};

class registration_store {
public:
    using clock = std::chrono::steady_clock;

    /// What a REGISTER asks for one aor: the changes, applied all or none.
    struct change {
        std::string contact;   ///< "" with remove_all
        std::uint32_t expires; ///< seconds; 0 removes
    };
    enum class outcome : std::uint8_t { applied, too_many };

    /// Applies `changes` to `aor` (with remove_all first when set); refuses them all when the
    /// result would hold more than `max_contacts` bindings.
    outcome apply(const std::string& aor, bool remove_all, const std::vector<change>& changes,
                  std::uint32_t max_contacts, clock::time_point now);
    /// The live bindings of `aor`, most recently registered first.
    std::vector<registration_binding> bindings(const std::string& aor, clock::time_point now);

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
