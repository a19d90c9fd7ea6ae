// endpoint_identifier: who is calling. Finds the endpoint of an out-of-dialog request by the
// methods of [global] endpoint_identifier_order, first match wins:
//
//   username       the From URI user names an endpoint ("user@domain" is tried before "user";
//                  user parameters after ';' are dropped, as Asterisk does)
//   auth_username  an Authorization / Proxy-Authorization username is the username of an auth
//                  section that some endpoint lists in auth=
//   ip             the source address is in an identify section's match= (addresses, networks,
//                  and host names whose addresses the caller resolved beforehand)
//   header         the request has the header and exact value of an identify's match_header
//
// A method finds only endpoints whose identify_by lists it: by default an endpoint without auth=
// is found only by ip and header (anyone can write a From user or an Authorization username).
//
// No endpoint is not an error: the caller then treats the request as coming from the
// "artificial endpoint" (Asterisk's term), which digest_authenticator always challenges and
// never accepts, so an unknown user cannot be told from a known one. In-dialog requests are
// not identified here: they use their dialog's endpoint.
//
// The identifier holds its configuration snapshot; the endpoint pointers it returns live as
// long as that snapshot (a session that keeps an endpoint keeps the snapshot's shared_ptr).
// Immutable after construction, so every shard may share one; a reload builds a new one.
// Pure: no DNS (host names come resolved in identifier_options), no clocks.
#pragma once

#include <parley/endpoint/configuration.hpp>
#include <parley/sip/message.hpp>
#include <parley/transport/address.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley {

struct identification {
    const endpoint_config* endpoint = nullptr;          ///< never null in a returned identification
    identify_method method = identify_method::username; ///< which method found it
};

struct identifier_options {
    /// Addresses of the host names written in identify match= (configuration::identifies()
    /// match_hosts), resolved by the caller when it loads the configuration. A host missing
    /// here matches nothing.
    std::map<std::string, std::vector<socket_address>, std::less<>> resolved_hosts;
};

class endpoint_identifier {
public:
    explicit endpoint_identifier(std::shared_ptr<const configuration> config,
                                 identifier_options options = {});

    /// The endpoint of `request` received on `source`, by the configured order; nullopt when
    /// no method matches (the artificial endpoint).
    std::optional<identification> identify(const message& request, const flow& source) const;

    /// One method alone; nullptr when it finds nothing.
    const endpoint_config* by_username(const message& request) const;
    const endpoint_config* by_auth_username(const message& request) const;
    const endpoint_config* by_ip(const socket_address& source) const;
    const endpoint_config* by_header(const message& request) const;

    const configuration& config() const noexcept { return *config_; }
    const std::shared_ptr<const configuration>& snapshot() const noexcept { return config_; }

private:
    struct identify_entry {
        const identify_config* identify;
        const endpoint_config* endpoint;
    };

    std::shared_ptr<const configuration> config_;
    identifier_options options_;
    std::vector<identify_entry> identifies_;
    /// auth username → the first endpoint listing an auth with that username in auth=.
    std::unordered_map<std::string, const endpoint_config*> by_auth_username_;
};

} // namespace parley
