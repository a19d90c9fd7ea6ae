#include <parley/endpoint/session_endpoint.hpp>

#include <vector>

namespace parley {

std::optional<outbound_credentials::answer>
endpoint_credentials::answer_challenge(session& s, const message& challenge,
                                       std::string_view method,
                                       std::string_view request_uri) noexcept {
    const auto* where = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    if (where == nullptr || where->endpoint == nullptr || where->snapshot == nullptr)
        return std::nullopt;
    std::vector<const auth_config*> credentials;
    for (const std::string& name : where->endpoint->outbound_auth)
        if (const auth_config* a = where->snapshot->find_auth(name)) credentials.push_back(a);
    if (credentials.empty()) return std::nullopt;
    constexpr std::string_view client_cookie = "endpoint.digest_client";
    auto* client = s.cookies().get_value<digest_client>(client_cookie);
    if (client == nullptr) {
        s.cookies().add_value<digest_client>(client_cookie, options_);
        client = s.cookies().get_value<digest_client>(client_cookie);
    }
    if (client == nullptr) return std::nullopt;
    client_auth_result result =
        client->answer(challenge, {.method = method, .uri = request_uri}, credentials);
    if (result.outcome != client_auth_outcome::retry || result.headers.empty()) return std::nullopt;
    return answer{std::string(header_name(result.headers.front().id)),
                  std::move(result.headers.front().value)};
}

} // namespace parley
