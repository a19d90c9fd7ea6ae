// MD5 / SHA-256 digests through OpenSSL's EVP interface, and the RFC 7616 response formula.
#include <parley/endpoint/digest.hpp>

#include <openssl/evp.h>

namespace parley {

std::optional<digest_hash> supported_hash(digest_algorithm algorithm) noexcept {
    switch (algorithm) {
    case digest_algorithm::unspecified:
    case digest_algorithm::md5: return digest_hash::md5;
    case digest_algorithm::sha_256: return digest_hash::sha_256;
    default: return std::nullopt;
    }
}

std::string_view algorithm_token(digest_hash hash) noexcept {
    return hash == digest_hash::md5 ? "MD5" : "SHA-256";
}

std::string digest_hex(digest_hash hash, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const EVP_MD* md = hash == digest_hash::md5 ? EVP_md5() : EVP_sha256();
    // EVP_Digest only fails on allocation failure inside OpenSSL; an empty hex string then
    // never matches a response, which fails closed.
    if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) return {};
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        text += hex[out[i] >> 4];
        text += hex[out[i] & 0x0f];
    }
    return text;
}

std::string digest_ha1(digest_hash hash, std::string_view username, std::string_view realm,
                       std::string_view password) {
    std::string a1;
    a1.reserve(username.size() + realm.size() + password.size() + 2);
    a1.append(username).append(":").append(realm).append(":").append(password);
    return digest_hex(hash, a1);
}

std::string digest_response(const digest_response_input& in) {
    std::string a2;
    a2.append(in.method).append(":").append(in.uri);
    std::string ha2 = digest_hex(in.hash, a2);
    std::string kd;
    kd.append(in.ha1).append(":").append(in.nonce).append(":");
    if (!in.qop.empty())
        kd.append(in.nc).append(":").append(in.cnonce).append(":").append(in.qop).append(":");
    kd.append(ha2);
    return digest_hex(in.hash, kd);
}

std::string auth_param_text(std::string_view as_written) {
    if (as_written.find('\\') == std::string_view::npos) return std::string(as_written);
    std::string quoted = "\"";
    quoted.append(as_written).append("\"");
    return unquote(quoted);
}

} // namespace parley
