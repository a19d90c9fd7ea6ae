// endpoint_identity: the identity settings of a session's endpoint, as a supplement.
//
// Incoming INVITE: who is calling — P-Asserted-Identity / Remote-Party-ID only when the endpoint
// has trust_id_inbound (RFC 3325 §5: a trust domain), else From — with the endpoint's callerid
// (name and/or number; the number replaces the URI's user too, so what is asserted on agrees)
// taking precedence, kept in the session's "caller.identity" cookie for the call logic. Provisional
// and 2xx responses to that INVITE: with send_pai, P-Asserted-Identity naming us (the called URI);
// with send_rpid, Remote-Party-ID (party=called). Our own identity is never private. Outgoing
// INVITE to an endpoint (a B2BUA leg, whose session carries the called endpoint's session_endpoint
// cookie and the caller's identity in "caller.identity"): with send_pai / send_rpid, the caller's
// identity as P-Asserted-Identity / Remote-Party-ID (RFC 3325) — a private one (presentation
// restricted or anonymous) only when the endpoint has trust_id_outbound, with Privacy: id;
// otherwise it is withheld. Reads the session_endpoint cookie: a session without one is left alone.
// Stateless: one object serves every session and shard.
#pragma once

#include <parley/session/identity.hpp>
#include <parley/session/supplement.hpp>

#include <string_view>

namespace parley {

/// The caller of an incoming session (value_cookie<party_identity>).
inline constexpr std::string_view caller_identity_cookie = "caller.identity";

class endpoint_identity_supplement final : public supplement {
public:
    request_verdict incoming_request(session& s, const message& request) noexcept override;
    void outgoing_response(session& s, outgoing_message& response) noexcept override;
    void outgoing_request(session& s, outgoing_message& request) noexcept override;
};

} // namespace parley
