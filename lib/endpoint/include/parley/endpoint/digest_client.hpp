// digest_client: answers the 401/407 challenges to one outgoing request (RFC 3261 §22.2,
// §22.3, RFC 7616 §3.4) with an endpoint's outbound_auth credentials, within a retry bound.
//
// One digest_client per outgoing request and its retries (an INVITE and the INVITE resent with
// credentials; the owner — transaction user, session — keeps it with the request). On each
// 401/407, answer() picks for each challenged realm the first challenge whose algorithm it can
// compute (the server lists its preference first: SHA-256 before MD5) and credentials for that
// realm (an auth with that realm, else one with no realm), and returns the Authorization /
// Proxy-Authorization headers to add to the resent request (new CSeq, same Call-ID).
//
// It stops instead of looping (AST-2020-002 was an endless challenge loop):
//   - more than max_challenges challenges for one request      → too_many_challenges
//   - the same nonce challenged again without stale=true        → rejected (wrong credentials)
//   - no credentials for any challenged realm / algorithm / qop → no_credentials
//
// Pure except for the client nonce, drawn from OpenSSL RAND_bytes unless a source is given.
// Single-threaded, like the request it belongs to.
#pragma once

#include <parley/endpoint/configuration.hpp>
#include <parley/endpoint/digest.hpp>
#include <parley/sip/message.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// The request being authorized: its method and Request-URI as sent.
struct outgoing_request_line {
    std::string_view method;
    std::string_view uri;
};

/// One credential computation: the challenge answered, with what, for which request.
struct digest_answer_input {
    const challenge& challenged;
    const auth_config& credentials;
    outgoing_request_line request;
    std::string_view cnonce; ///< used when the challenge offers qop=auth
    std::uint32_t nonce_count = 1;
};

/// The Authorization / Proxy-Authorization value (without the header name), or an error when
/// this challenge cannot be answered with these credentials (unknown algorithm, auth-int only,
/// md5_cred for SHA-256 or for another realm).
result<std::string> build_authorization(const digest_answer_input& input);

enum class client_auth_outcome : std::uint8_t {
    retry,               ///< resend the request with `headers` added (and a new CSeq)
    not_a_challenge,     ///< the response is not a 401/407 with a Digest challenge: pass it on
    no_credentials,      ///< nothing we hold answers it: pass the 401/407 on as the final answer
    rejected,            ///< the same nonce came back without stale=true: wrong credentials
    too_many_challenges, ///< the retry bound is reached
};

struct client_auth_result {
    client_auth_outcome outcome = client_auth_outcome::not_a_challenge;
    std::vector<auth_header> headers; ///< with retry: the credentials to add
};

struct digest_client_options {
    /// Challenges answered per request; one more is the end (2: a first challenge and one
    /// stale or re-issued nonce).
    std::uint32_t max_challenges = 2;
    /// Client nonces; empty: 16 random bytes from OpenSSL, in hex.
    std::function<std::string()> cnonce_source;
};

class digest_client {
public:
    explicit digest_client(digest_client_options options = {});

    /// Called with each 401/407 to the request; `credentials` are the endpoint's
    /// outbound_auth sections (pointers into the configuration snapshot).
    client_auth_result answer(const message& response, const outgoing_request_line& request,
                              std::span<const auth_config* const> credentials);

    std::uint32_t challenges_seen() const noexcept { return challenges_; }

private:
    std::string next_cnonce();

    digest_client_options options_;
    std::uint32_t challenges_ = 0;
    std::vector<std::string> answered_nonces_;
};

} // namespace parley
