// Digest computations shared by the server (digest_server.hpp) and the client
// (digest_client.hpp): RFC 7616 §3.4.1-§3.4.3 (and RFC 2617/2069 without qop) with MD5 and
// SHA-256. Pure functions over strings; hashes come from OpenSSL.
#pragma once

#include <parley/sip/header_id.hpp>
#include <parley/sip/header_values.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

/// The hash functions Parley computes (the -sess variants and SHA-512-256 are not offered).
enum class digest_hash : std::uint8_t { md5, sha_256 };

/// MD5 for an absent algorithm (RFC 7616 §3.3), nullopt for one Parley does not compute.
std::optional<digest_hash> supported_hash(digest_algorithm algorithm) noexcept;
/// "MD5", "SHA-256".
std::string_view algorithm_token(digest_hash hash) noexcept;

/// Lowercase hex of H(data).
std::string digest_hex(digest_hash hash, std::string_view data);

/// H(A1) = H(username ":" realm ":" password) (RFC 7616 §3.4.2).
std::string digest_ha1(digest_hash hash, std::string_view username, std::string_view realm,
                       std::string_view password);

struct digest_response_input {
    digest_hash hash = digest_hash::md5;
    std::string_view ha1; ///< lowercase hex H(A1)
    std::string_view method;
    std::string_view uri; ///< the digest-uri as sent
    std::string_view nonce;
    std::string_view qop;    ///< "auth", or "" for the RFC 2069 form
    std::string_view nc;     ///< 8 hex digits (with qop)
    std::string_view cnonce; ///< with qop
};

/// KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)) with qop=auth, else
/// KD(H(A1), nonce ":" H(A2)); A2 = method ":" uri (RFC 7616 §3.4.1, §3.4.3).
std::string digest_response(const digest_response_input& input);

/// A header to add to an outgoing message: WWW-Authenticate / Proxy-Authenticate on a
/// challenge, Authorization / Proxy-Authorization on a retried request.
struct auth_header {
    header_id id = header_id::other;
    std::string value;
};

/// Decoded text of a quoted-string value kept "as written" by the parser (escapes resolved).
std::string auth_param_text(std::string_view as_written);

} // namespace parley
