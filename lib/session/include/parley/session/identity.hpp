// identity: who is calling, from an incoming request (the seed's ast_sip_session_get_identity).
//
// The asserted identity is taken from P-Asserted-Identity (RFC 3325), then Remote-Party-ID
// (draft-ietf-sip-privacy-04, still sent by much equipment) when the peer is trusted; otherwise,
// or when neither is usable, from From. Presentation comes from the Privacy header (RFC 3323:
// id, header or user restrict it; none allows it), from RPID's privacy/screen parameters, and
// from the anonymous From convention (RFC 3323 §4.1.1.3: "Anonymous"
// <sip:anonymous@anonymous.invalid>). Pure: reads the message, returns an owned value.
#pragma once

#include <parley/sip/message.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace parley {

enum class identity_trust : std::uint8_t { untrusted, trusted };
enum class identity_source : std::uint8_t { p_asserted_identity, remote_party_id, from };
enum class presentation : std::uint8_t { allowed, restricted };
enum class screening : std::uint8_t { not_screened, passed };

struct party_identity {
    std::string display_name; ///< unquoted and unescaped; "" when none
    std::string number;       ///< the URI user (unescaped, up to any ';') or the tel number
    std::string uri;          ///< the URI as written
    identity_source source = identity_source::from;
    presentation presented = presentation::allowed;
    screening screened = screening::not_screened;
    bool anonymous = false; ///< the From (or asserted identity) is the anonymous convention
};

/// The identity of the party that sent `request`; nullopt only when not even From yields a
/// usable URI (which a parsed request always has, so in practice: always a value).
std::optional<party_identity> identity_from_request(const message& request, identity_trust trust);

} // namespace parley
