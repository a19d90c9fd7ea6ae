// Inbound digest authentication: stateless HMAC nonces, a bounded replay table, failure counts.
#include <parley/endpoint/digest_server.hpp>

#include <parley/base/text.hpp>
#include <parley/sip/header_values.hpp>
#include <parley/sip/uri.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace parley {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        auto b = static_cast<std::uint8_t>(value >> (8 * i));
        out += hex_digits[b >> 4];
        out += hex_digits[b & 0x0f];
    }
}

std::optional<std::uint64_t> read_hex(std::string_view text) {
    std::uint64_t value = 0;
    for (char c : text) {
        int v = text::hex_value(c);
        if (v < 0) return std::nullopt;
        value = (value << 4) | static_cast<std::uint64_t>(v);
    }
    return value;
}

std::int64_t to_ms(time_point t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// Nonce layout, all lowercase hex: created (16) issuer (4) unique (16) | mac (32).
constexpr std::size_t nonce_body_size = 36;
constexpr std::size_t nonce_size = nonce_body_size + 32;

bool same_secret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

digest_authenticator::key_type digest_authenticator::generate_key() {
    key_type key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("cannot draw the digest nonce key: OpenSSL RAND_bytes failed");
    return key;
}

digest_authenticator::digest_authenticator(const key_type& key, digest_server_options options)
    : key_(key), options_(options) {
    options_.nonce_table_size = std::max<std::size_t>(options_.nonce_table_size, 1);
    options_.failure_table_size = std::max<std::size_t>(options_.failure_table_size, 1);
    // Derived from the key, so every authenticator sharing a key agrees on them.
    opaque_ = mac_hex("opaque").substr(0, 16);
    dummy_secret_ = mac_hex("dummy secret for unknown users");
}

bool digest_authenticator::is_challengeable(method m) noexcept {
    return m != method::ack && m != method::cancel;
}

std::string digest_authenticator::mac_hex(std::string_view data) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
             &length) == nullptr)
        return std::string(32, 'x'); // never equal to a real MAC: fails closed
    std::string text;
    for (unsigned int i = 0; i < 16 && i < length; ++i) {
        text += hex_digits[out[i] >> 4];
        text += hex_digits[out[i] & 0x0f];
    }
    return text;
}

std::string digest_authenticator::make_nonce(time_point now) {
    std::uint64_t unique = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&unique), sizeof unique) != 1) unique = 0;
    // A counter in the low half keeps nonces distinct even if the generator failed.
    unique = (unique & ~std::uint64_t{0xffffffff}) | (++nonce_counter_ & 0xffffffff);
    std::string nonce;
    nonce.reserve(nonce_size);
    append_hex(nonce, static_cast<std::uint64_t>(to_ms(now)), 8);
    append_hex(nonce, options_.issuer, 2);
    append_hex(nonce, unique, 8);
    nonce += mac_hex(nonce);
    return nonce;
}

digest_authenticator::nonce_check
digest_authenticator::check_nonce(std::string_view nonce, std::string_view opaque,
                                  const configuration& config, time_point now,
                                  std::int64_t& created_ms) const {
    // Anything we did not make, made elsewhere, or made too long ago is stale: the response
    // was already found right, so the client may simply retry with a fresh nonce.
    if (nonce.size() != nonce_size || !same_secret(opaque, opaque_)) return nonce_check::stale;
    std::string_view body = nonce.substr(0, nonce_body_size);
    if (!same_secret(mac_hex(body), nonce.substr(nonce_body_size))) return nonce_check::stale;
    auto created = read_hex(body.substr(0, 16));
    auto issuer = read_hex(body.substr(16, 4));
    if (!created || !issuer || *issuer != options_.issuer) return nonce_check::stale;
    created_ms = static_cast<std::int64_t>(*created);
    std::int64_t age = to_ms(now) - created_ms;
    std::int64_t lifetime =
        std::chrono::duration_cast<milliseconds>(config.system().nonce_lifetime).count();
    if (age < 0 || age > lifetime) return nonce_check::stale;
    return nonce_check::valid;
}

digest_authenticator::use_check
digest_authenticator::record_use(const std::string& key, std::int64_t created_ms,
                                 std::optional<std::uint32_t> count) {
    auto it = nonces_.find(key);
    if (it == nonces_.end()) {
        if (created_ms <= evicted_through_ms_) return use_check::stale;
        nonces_.emplace(key, nonce_state{count.value_or(0), created_ms});
        nonce_order_.push_back(key);
        if (nonce_order_.size() > options_.nonce_table_size) {
            auto oldest = nonces_.find(nonce_order_.front());
            evicted_through_ms_ = std::max(evicted_through_ms_, oldest->second.created_ms);
            nonces_.erase(oldest);
            nonce_order_.pop_front();
        }
        return use_check::fresh;
    }
    if (!count) return use_check::stale;
    if (*count <= it->second.last_count) return use_check::replayed;
    it->second.last_count = *count;
    return use_check::fresh;
}

namespace {

std::array<std::uint8_t, 17> address_key_of(const socket_address& a) {
    std::array<std::uint8_t, 17> key{};
    key[0] = static_cast<std::uint8_t>(a.family);
    std::copy(a.ip.begin(), a.ip.end(), key.begin() + 1);
    return key;
}

} // namespace

void digest_authenticator::count_failure(const socket_address& source) {
    address_key key = address_key_of(source);
    auto found = failure_index_.find(key);
    if (found != failure_index_.end()) {
        failures_.splice(failures_.begin(), failures_, found->second);
        ++found->second->second;
        return;
    }
    socket_address host = source;
    host.port = 0; // counted per host: a client changes ports freely
    failures_.emplace_front(host, 1);
    failure_index_.emplace(key, failures_.begin());
    if (failures_.size() > options_.failure_table_size) {
        failure_index_.erase(address_key_of(failures_.back().first));
        failures_.pop_back();
    }
}

std::uint32_t digest_authenticator::failure_count(const socket_address& source) const {
    auto found = failure_index_.find(address_key_of(source));
    return found == failure_index_.end() ? 0 : found->second->second;
}

std::vector<std::pair<socket_address, std::uint32_t>> digest_authenticator::failure_counts() const {
    return {failures_.begin(), failures_.end()};
}

std::vector<auth_header> digest_authenticator::make_challenge(const configuration& config,
                                                              time_point now,
                                                              nonce_staleness staleness) {
    header_id id = options_.kind == challenge_kind::www ? header_id::www_authenticate
                                                        : header_id::proxy_authenticate;
    std::string nonce = make_nonce(now);
    std::vector<auth_header> headers;
    // RFC 7616 §3.7: the server lists its preferred algorithm first.
    for (digest_hash hash : config.system().auth_algorithms_uas) {
        std::string value = "Digest realm=\"" + config.system().default_realm + "\", nonce=\"" +
                            nonce + "\", opaque=\"" + opaque_ +
                            "\", algorithm=" + std::string(algorithm_token(hash)) +
                            ", qop=\"auth\"";
        if (staleness == nonce_staleness::stale) value += ", stale=true";
        headers.push_back(auth_header{id, std::move(value)});
    }
    return headers;
}

digest_verdict digest_authenticator::answer(digest_outcome outcome, const digest_request& in,
                                            time_point now, digest_failure failure) {
    if (outcome == digest_outcome::failure) count_failure(in.source.remote);
    digest_verdict verdict;
    verdict.outcome = outcome;
    verdict.failure = failure;
    verdict.status = options_.kind == challenge_kind::www ? 401 : 407;
    verdict.headers =
        make_challenge(in.config, now,
                       outcome == digest_outcome::stale_challenge ? nonce_staleness::stale
                                                                  : nonce_staleness::fresh);
    return verdict;
}

digest_verdict digest_authenticator::authenticate(const digest_request& in, time_point now) {
    if (!is_challengeable(in.request.method())) return {};
    if (in.endpoint != nullptr && in.endpoint->auth.empty()) return {};

    const std::string& realm = in.config.system().default_realm;
    // Each line on its own (RFC 3261 §22.3: each realm's credentials are for that realm's
    // server): a line we cannot read, or one for another realm, does not hide ours. Only when
    // no line of ours reads does a malformed one fail the request.
    const header_id wanted = options_.kind == challenge_kind::www ? header_id::authorization
                                                                  : header_id::proxy_authorization;
    std::optional<credentials> mine;
    bool malformed = false;
    for (const header_field& h : in.request.headers()) {
        if (h.id != wanted) continue;
        auto parsed = parse_credentials(h.value, h.value_offset);
        if (!parsed) {
            malformed = true;
            continue;
        }
        if (parsed->is_digest() && auth_param_text(parsed->realm) == realm) {
            mine = std::move(*parsed);
            break;
        }
    }
    if (!mine) {
        if (malformed)
            return answer(digest_outcome::failure, in, now, digest_failure::malformed_credentials);
        return answer(digest_outcome::challenge, in, now);
    }
    const credentials& c = *mine;

    std::optional<digest_hash> hash = supported_hash(c.algorithm);
    const std::vector<digest_hash>& offered = in.config.system().auth_algorithms_uas;
    if (!hash || std::find(offered.begin(), offered.end(), *hash) == offered.end())
        return answer(digest_outcome::failure, in, now, digest_failure::unsupported);
    bool with_qop = !c.qop.empty();
    if (with_qop && !text::iequals(c.qop, "auth"))
        return answer(digest_outcome::failure, in, now, digest_failure::unsupported);
    if (with_qop && (c.nc.size() != 8 || c.cnonce.empty()))
        return answer(digest_outcome::failure, in, now, digest_failure::malformed_credentials);

    // Known or not, the user costs the same hash computations: the timing and the answer
    // must not tell which usernames exist.
    std::string username = auth_param_text(c.username);
    const auth_config* auth = nullptr;
    if (in.endpoint != nullptr)
        for (const std::string& name : in.endpoint->auth)
            if (const auth_config* a = in.config.find_auth(name); a && a->username == username) {
                auth = a;
                break;
            }
    std::string ha1;
    bool usable = auth != nullptr;
    if (auth != nullptr && auth->type == auth_type::userpass) {
        ha1 = digest_ha1(*hash, username, realm, auth->password);
    } else if (auth != nullptr && *hash == digest_hash::md5) {
        // md5_cred is H(A1) already; hashing the dummy anyway keeps this path as costly as
        // the others, so timing does not tell md5 users apart.
        ha1 = auth->md5_cred;
        digest_ha1(*hash, username, realm, dummy_secret_);
    } else {
        // Unknown user, or an md5_cred asked for SHA-256 (which it cannot answer).
        ha1 = digest_ha1(*hash, username, realm, dummy_secret_);
        usable = false;
    }
    std::string nonce = auth_param_text(c.nonce);
    std::string uri = auth_param_text(c.uri);
    std::string cnonce = auth_param_text(c.cnonce);
    std::string expected = digest_response({.hash = *hash,
                                            .ha1 = ha1,
                                            .method = in.request.method_text(),
                                            .uri = uri,
                                            .nonce = nonce,
                                            .qop = with_qop ? "auth" : "",
                                            .nc = c.nc,
                                            .cnonce = cnonce});
    std::string received(c.response);
    for (char& ch : received) ch = text::to_lower(ch);
    bool right = same_secret(expected, received);

    if (auth == nullptr)
        return answer(digest_outcome::failure, in, now, digest_failure::unknown_user);
    if (!usable) return answer(digest_outcome::failure, in, now, digest_failure::unsupported);
    if (!right) return answer(digest_outcome::failure, in, now, digest_failure::wrong_password);
    // RFC 7616 §3.4.6: the uri parameter must name the Request-URI's resource (RFC 3261
    // §19.1.4 equality), or credentials seen on one request would authorize another request
    // line (an INVITE redirected to a premium number). Checked before the nonce is used.
    if (in.config.system().auth_check_uri)
        if (auto named = parse_uri(uri);
            !named || !uri_equivalent(*named, in.request.request_uri()))
            return answer(digest_outcome::failure, in, now, digest_failure::wrong_uri);

    std::int64_t created_ms = 0;
    if (check_nonce(nonce, auth_param_text(c.opaque), in.config, now, created_ms) ==
        nonce_check::stale)
        return answer(digest_outcome::stale_challenge, in, now);
    // Counted per nonce and user: another account's use of a nonce it saw (its highest
    // count) must not make this user's next request look replayed.
    switch (record_use(nonce + '\0' + username, created_ms,
                       with_qop ? std::optional<std::uint32_t>{c.nonce_count} : std::nullopt)) {
    case use_check::stale: return answer(digest_outcome::stale_challenge, in, now);
    case use_check::replayed:
        return answer(digest_outcome::failure, in, now, digest_failure::replayed);
    case use_check::fresh: break;
    }
    digest_verdict verdict;
    verdict.outcome = digest_outcome::authenticated;
    verdict.auth = auth;
    return verdict;
}

} // namespace parley
