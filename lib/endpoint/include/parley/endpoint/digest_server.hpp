// digest_authenticator: inbound digest authentication (RFC 3261 §22, RFC 7616) for the
// out-of-dialog requests of an identified endpoint.
//
// The caller identifies the endpoint first (identify.hpp; none means the artificial endpoint),
// then asks authenticate(). The verdict says what happens next; the caller sends the answer
// (401 with WWW-Authenticate, or 407 with Proxy-Authenticate with challenge_kind::proxy), so the
// authenticator never touches a transport.
//
//   request ──► ACK/CANCEL, or endpoint without auth= ─────────────────► not_required
//        │
//        ├─► no credentials for our realm ─────────────────────────────► challenge
//        ├─► response wrong, user unknown, nc replayed, bad fields ────► failure (counted)
//        ├─► response right, nonce expired/foreign/evicted ────────────► stale_challenge
//        └─► response right, nonce fresh, nc new ───────────────────────► authenticated
//
// Nonces need no table to be checked: each carries its creation time, the issuing
// authenticator's id and an HMAC-SHA-256 over both under a key drawn at start-up, so a nonce
// is accepted only if this authenticator (or one sharing its key and issuer id) made it within
// nonce_lifetime. Replays are refused by a bounded table of the last nonce-count per nonce; a
// nonce that fell out of the table is treated as stale, never as new. Every challenge offers
// the algorithms of [global] default_auth_algorithms_uas (by default SHA-256 then MD5: two
// headers), qop=auth, one realm (default_realm) for all users.
//
// No user enumeration: a request without credentials gets the same challenge whoever it
// claims to be, and credentials for an unknown user go through the same hash computations
// (against a random dummy secret) and get the same failure as a wrong password.
//
// Threads: one authenticator per shard (its tables are not locked). Shards that share a key
// and differ in issuer accept each other's nonces only as stale, which keeps the replay table
// exact. Time is passed in (`now`); nothing here reads a clock.
#pragma once

#include <parley/base/time.hpp>
#include <parley/endpoint/configuration.hpp>
#include <parley/endpoint/digest.hpp>
#include <parley/sip/message.hpp>
#include <parley/transport/address.hpp>

#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley {

/// 401 + WWW-Authenticate + Authorization (a UAS, the default), or 407 + Proxy-Authenticate +
/// Proxy-Authorization (a proxy).
enum class challenge_kind : std::uint8_t { www, proxy };

enum class digest_outcome : std::uint8_t {
    not_required,    ///< continue: ACK/CANCEL, or the endpoint has no inbound auth
    authenticated,   ///< continue: the credentials are verified (see digest_verdict::auth)
    challenge,       ///< answer `status` with `headers`: no credentials for our realm yet
    stale_challenge, ///< answer `status` with `headers` (stale=true): right password, old nonce
    failure,         ///< answer `status` with `headers` (a fresh challenge), or 403; counted
};

/// Why a failure happened: for logs and counters only, never for the answer (which is the same
/// for all of them).
enum class digest_failure : std::uint8_t {
    none,
    malformed_credentials, ///< unparsable header, or qop=auth without nc/cnonce
    unsupported,           ///< an algorithm or qop we did not offer
    unknown_user,
    wrong_password,
    replayed, ///< a nonce-count not above the last one seen for that nonce
    /// the uri parameter names another resource than the Request-URI (RFC 7616 §3.4.6):
    /// credentials taken from another request
    wrong_uri,
};

struct digest_verdict {
    digest_outcome outcome = digest_outcome::not_required;
    std::uint16_t status = 0;          ///< 401 or 407 when an answer is due, else 0
    std::vector<auth_header> headers;  ///< the challenges to add to that answer
    const auth_config* auth = nullptr; ///< authenticated as (points into the snapshot)
    digest_failure failure = digest_failure::none;
};

struct digest_server_options {
    challenge_kind kind = challenge_kind::www;
    std::uint16_t issuer = 0;              ///< e.g. the shard index; part of every nonce
    std::size_t nonce_table_size = 4096;   ///< nonces whose last nonce-count is remembered
    std::size_t failure_table_size = 1024; ///< source addresses whose failures are counted
};

/// Whether a challenge carries stale=true (RFC 7616 §3.3: the client may retry with the new
/// nonce without asking its user again).
enum class nonce_staleness : std::uint8_t { fresh, stale };

/// What authenticate() looks at: the request, where it came from, and who it is from.
struct digest_request {
    const message& request;
    const flow& source;
    const configuration& config;     ///< default_realm, nonce_lifetime, auth sections
    const endpoint_config* endpoint; ///< nullptr: the artificial endpoint (always challenged)
};

class digest_authenticator {
public:
    using key_type = std::array<std::uint8_t, 32>;

    /// A fresh random key (OpenSSL RAND_bytes); throws std::runtime_error if the generator
    /// fails (start-up only).
    static key_type generate_key();

    explicit digest_authenticator(const key_type& key, digest_server_options options = {});

    /// RFC 3261 §22.1: ACK and CANCEL are never challenged (they cannot be resubmitted).
    static bool is_challengeable(method m) noexcept;

    digest_verdict authenticate(const digest_request& in, time_point now);

    /// The challenge headers a fresh challenge would carry (default_auth_algorithms_uas order).
    std::vector<auth_header> make_challenge(const configuration& config, time_point now,
                                            nonce_staleness staleness);

    /// Failures counted for this source address (any port); 0 when none or forgotten.
    std::uint32_t failure_count(const socket_address& source) const;
    /// Every counted source and its failures, most recent first.
    std::vector<std::pair<socket_address, std::uint32_t>> failure_counts() const;

    const digest_server_options& options() const noexcept { return options_; }

private:
    struct nonce_state {
        std::uint32_t last_count = 0;
        std::int64_t created_ms = 0;
    };
    enum class nonce_check : std::uint8_t { valid, stale };
    enum class use_check : std::uint8_t { fresh, stale, replayed };

    std::string make_nonce(time_point now);
    nonce_check check_nonce(std::string_view nonce, std::string_view opaque,
                            const configuration& config, time_point now,
                            std::int64_t& created_ms) const;
    /// Records one use of a nonce by one user (`key`: the nonce, a NUL, the username):
    /// replayed when nc is not above the last one seen; stale for a reused qop-less nonce (no
    /// count to tell uses apart) or one already evicted.
    use_check record_use(const std::string& key, std::int64_t created_ms,
                         std::optional<std::uint32_t> count);
    void count_failure(const socket_address& source);
    digest_verdict answer(digest_outcome outcome, const digest_request& in, time_point now,
                          digest_failure failure = digest_failure::none);
    std::string mac_hex(std::string_view data) const;

    key_type key_;
    digest_server_options options_;
    std::string opaque_;
    std::string dummy_secret_;
    std::uint64_t nonce_counter_ = 0;

    // Replay table: insertion order, oldest first; a nonce created at or before
    // evicted_through_ms_ that is not in the table may have been used: it is stale.
    std::map<std::string, nonce_state, std::less<>> nonces_;
    std::list<std::string> nonce_order_;
    std::int64_t evicted_through_ms_ = INT64_MIN;

    // Failure counts: most recently failed first.
    using address_key = std::array<std::uint8_t, 17>;
    std::list<std::pair<socket_address, std::uint32_t>> failures_;
    std::map<address_key, std::list<std::pair<socket_address, std::uint32_t>>::iterator>
        failure_index_;
};

} // namespace parley
