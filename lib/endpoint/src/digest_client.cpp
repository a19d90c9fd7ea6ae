// Outbound digest: building credentials for a challenge, and the per-request retry bound.
#include <parley/endpoint/digest_client.hpp>

#include <parley/sip/header_values.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>

namespace parley {

namespace {

// A quoted-string for a value we hold decoded (username, uri): escape '"' and '\'.
std::string quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

} // namespace

result<std::string> build_authorization(const digest_answer_input& in) {
    const challenge& ch = in.challenged;
    if (!ch.is_digest()) return fail(0, "not a Digest challenge");
    std::optional<digest_hash> hash = supported_hash(ch.algorithm);
    if (!hash) return fail(0, "the challenge asks for an algorithm Parley does not compute");
    bool with_qop = !ch.qop.empty();
    if (with_qop && !ch.offers_qop("auth"))
        return fail(0, "the challenge offers no qop Parley computes (only auth)");

    std::string realm = auth_param_text(ch.realm);
    std::string nonce = auth_param_text(ch.nonce);
    const auth_config& a = in.credentials;
    std::string ha1;
    if (a.type == auth_type::userpass) {
        ha1 = digest_ha1(*hash, a.username, realm, a.password);
    } else {
        // md5_cred is H(A1) for MD5 in the auth's own realm, and nothing else.
        if (*hash != digest_hash::md5) return fail(0, "md5_cred can answer only MD5");
        if (!a.realm.empty() && a.realm != realm)
            return fail(0, "md5_cred was computed for another realm");
        ha1 = a.md5_cred;
    }
    char nc[9];
    std::snprintf(nc, sizeof nc, "%08x", static_cast<unsigned>(in.nonce_count));
    std::string response = digest_response({.hash = *hash,
                                            .ha1 = ha1,
                                            .method = in.request.method,
                                            .uri = in.request.uri,
                                            .nonce = nonce,
                                            .qop = with_qop ? "auth" : "",
                                            .nc = nc,
                                            .cnonce = in.cnonce});

    // realm, nonce and opaque go back exactly as the server wrote them (escapes included).
    std::string value = "Digest username=" + quote(a.username) + ", realm=\"" +
                        std::string(ch.realm) + "\", nonce=\"" + std::string(ch.nonce) +
                        "\", uri=" + quote(in.request.uri) + ", response=\"" + response + "\"";
    if (ch.algorithm != digest_algorithm::unspecified)
        value += ", algorithm=" + std::string(algorithm_token(*hash));
    if (with_qop) value += ", cnonce=" + quote(in.cnonce) + ", qop=auth, nc=" + nc;
    if (!ch.opaque.empty()) value += ", opaque=\"" + std::string(ch.opaque) + "\"";
    return value;
}

digest_client::digest_client(digest_client_options options) : options_(std::move(options)) {}

std::string digest_client::next_cnonce() {
    if (options_.cnonce_source) return options_.cnonce_source();
    unsigned char bytes[16];
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        // Practically unreachable; a cnonce need only be unique per nonce, which the
        // challenge count gives.
        return "parley-" + std::to_string(challenges_);
    }
    for (unsigned char b : bytes) {
        text += hex[b >> 4];
        text += hex[b & 0x0f];
    }
    return text;
}

client_auth_result digest_client::answer(const message& response,
                                         const outgoing_request_line& request,
                                         std::span<const auth_config* const> credentials) {
    if (response.status() != 401 && response.status() != 407) return {};
    struct challenge_set {
        value_list<challenge> challenges;
        header_id answer_id;
    };
    std::vector<challenge_set> sets;
    // A malformed header line is ignored: the well-formed ones may still be answerable.
    if (auto www = find_www_authenticate(response); www)
        sets.push_back({std::move(*www), header_id::authorization});
    if (auto proxy = find_proxy_authenticate(response); proxy)
        sets.push_back({std::move(*proxy), header_id::proxy_authorization});
    bool any_digest = false;
    for (const challenge_set& s : sets)
        for (const challenge& ch : s.challenges) any_digest = any_digest || ch.is_digest();
    if (!any_digest) return {};

    if (++challenges_ > options_.max_challenges)
        return {client_auth_outcome::too_many_challenges, {}};

    client_auth_result out;
    std::vector<std::string> realms_done;
    std::vector<std::string> nonces_now;
    for (const challenge_set& s : sets) {
        for (const challenge& ch : s.challenges) {
            if (!ch.is_digest()) continue;
            std::string realm = auth_param_text(ch.realm);
            std::string nonce = auth_param_text(ch.nonce);
            if (std::find(realms_done.begin(), realms_done.end(), realm) != realms_done.end())
                continue;
            // RFC 3261 §22.3 / RFC 7616 §3.3: a nonce we answered, challenged again without
            // stale=true, means the credentials were refused.
            bool answered = std::find(answered_nonces_.begin(), answered_nonces_.end(), nonce) !=
                            answered_nonces_.end();
            if (answered && !ch.stale) return {client_auth_outcome::rejected, {}};

            // An auth for exactly this realm first, then one that takes any realm.
            const auth_config* chosen = nullptr;
            std::string value;
            std::string cnonce = next_cnonce();
            for (bool exact : {true, false}) {
                for (const auth_config* a : credentials) {
                    if (chosen != nullptr || a == nullptr) continue;
                    if (exact ? a->realm != realm : !a->realm.empty()) continue;
                    auto built = build_authorization({.challenged = ch,
                                                      .credentials = *a,
                                                      .request = request,
                                                      .cnonce = cnonce,
                                                      .nonce_count = 1});
                    if (!built) continue;
                    chosen = a;
                    value = std::move(*built);
                }
            }
            if (chosen == nullptr) continue; // maybe a later challenge (MD5) of this realm
            out.headers.push_back(auth_header{s.answer_id, std::move(value)});
            realms_done.push_back(realm);
            nonces_now.push_back(nonce);
        }
    }
    if (out.headers.empty()) return {client_auth_outcome::no_credentials, {}};
    answered_nonces_.insert(answered_nonces_.end(), nonces_now.begin(), nonces_now.end());
    out.outcome = client_auth_outcome::retry;
    return out;
}

} // namespace parley
