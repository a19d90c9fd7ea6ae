// What a session knows of its endpoint: the configuration snapshot it began with and the
// endpoint in it, kept in the session's "endpoint" cookie (set when the session begins), so a
// reload never changes a live call. And endpoint_credentials, which answers 401/407 challenges
// to our outgoing INVITEs with the endpoint's outbound_auth (RFC 3261 §22.2, RFC 7616).
#pragma once

#include <parley/endpoint/configuration.hpp>
#include <parley/endpoint/digest_client.hpp>
#include <parley/session/session_layer.hpp>

#include <memory>
#include <string_view>

namespace parley {

struct session_endpoint {
    std::shared_ptr<const configuration> snapshot;
    const endpoint_config* endpoint = nullptr;
};

/// The cookie holding a session's session_endpoint (value_cookie<session_endpoint>).
inline constexpr std::string_view session_endpoint_cookie = "endpoint";

/// outbound_credentials from the endpoint's outbound_auth sections, with one digest_client per
/// session (kept in a cookie), so the retry bound and the wrong-credentials check are per call.
class endpoint_credentials final : public outbound_credentials {
public:
    explicit endpoint_credentials(digest_client_options options = {})
        : options_(std::move(options)) {}
    std::optional<answer> answer_challenge(session& s, const message& challenge,
                                           std::string_view method,
                                           std::string_view request_uri) noexcept override;

private:
    digest_client_options options_;
};

} // namespace parley
