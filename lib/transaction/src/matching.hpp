// Matching keys (RFC 3261 §17.1.3, §17.2.3, §9.2) and the requests a client INVITE transaction
// builds from its INVITE (§17.1.1.3 ACK, §9.1 CANCEL). Pure functions over parsed messages.
//
// Keys are flat strings, compared exactly (host lower-cased):
//   client:         branch 0 method                        (§17.1.3: branch + CSeq method)
//   server, 3261:   branch 0 sent-by-host:port 0 method    (§17.2.3, branch has z9hG4bK)
//   server, 2543:   1 Request-URI 0 From-tag 0 Call-ID 0 CSeq-number 0 top-Via 0 method
// An ACK or CANCEL looks up its INVITE with method "INVITE"; a CANCEL is itself keyed "CANCEL".
// The RFC 2543 key leaves out the To tag: the ACK carries the tag of the response while the
// INVITE carried none, and the other fields already single out one request from one client.
#pragma once

#include <parley/sip/message.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace parley {

/// The first value of the first Via header line, as written.
std::string_view raw_top_via(const message& m) noexcept;

void make_client_key(std::string& out, std::string_view branch, std::string_view method);

/// The hash of the key tables: eight bytes per step, mixed with a per-layer random seed, so the
/// bucket a peer's branch lands in cannot be chosen in advance as easily as with the unseeded
/// std::hash, at a fraction of its cost. The call operator is deliberately not noexcept: that
/// makes libstdc++'s tables keep each entry's hash code, without which every lookup re-hashes
/// the keys of the following entries (other records' bytes: a cache miss each at scale) to find
/// where a bucket ends.
class key_hash {
public:
    explicit key_hash(std::uint64_t seed = 0) noexcept : seed_(seed) {}
    std::size_t operator()(std::string_view key) const {
        std::uint64_t h = seed_ ^ (key.size() * 0x9E3779B97F4A7C15ull);
        const char* p = key.data();
        std::size_t n = key.size();
        for (; n >= 8; p += 8, n -= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, 8);
            h = mix(h ^ word);
        }
        if (n > 0) {
            std::uint64_t word = 0;
            std::memcpy(&word, p, n);
            h = mix(h ^ word);
        }
        h ^= h >> 29;
        h *= 0x94D049BB133111EBull;
        return static_cast<std::size_t>(h ^ (h >> 32));
    }

private:
    static std::uint64_t mix(std::uint64_t h) noexcept {
        h *= 0xBF58476D1CE4E5B9ull;
        return h ^ (h >> 31);
    }
    std::uint64_t seed_;
};
/// The key of `request` as if its method were `method`.
void make_server_key(std::string& out, const message& request, std::string_view method);

/// The request an INVITE's ACK (§17.1.1.3), CANCEL (§9.1) or compact skeleton is made of: the
/// INVITE's Request-URI, top Via only, Route headers, From, Call-ID and CSeq number, with
/// `method` in the request line and CSeq and `to` as the To value. Max-Forwards 70, no body.
std::string build_from_invite(const message& invite, std::string_view method, std::string_view to);

} // namespace parley
