// reason: the RFC 3326 Reason header as a built-in supplement. On the BYE and CANCEL a session
// sends, and on the error responses to its INVITE, it adds why (`Reason: Q.850;cause=16;
// text="Normal call clearing"` unless the session set another cause in the "reason.cause"
// cookie); on the BYE and CANCEL it receives, and on error responses (>= 300) to the INVITE it
// sent, it keeps the peer's Reason in the "reason.received" cookie for the application.
// Stateless itself: shared by every session.
#pragma once

#include <parley/session/supplement.hpp>

#include <cstdint>
#include <string>

namespace parley::ext {

/// The Q.850 cause to send, set by the application before hanging up (value_cookie<int>).
inline constexpr std::string_view reason_cause_cookie = "reason.cause";
/// The Reason value the peer sent on its BYE or CANCEL (value_cookie<std::string>).
inline constexpr std::string_view reason_received_cookie = "reason.received";

class reason_supplement final : public supplement {
public:
    request_verdict incoming_request(session& s, const message& request) noexcept override;
    void incoming_response(session& s, const message& response,
                           response_phase phase) noexcept override;
    void outgoing_request(session& s, outgoing_message& request) noexcept override;
    void outgoing_response(session& s, outgoing_message& response) noexcept override;
};

/// RFC 3326 §2 with ITU-T Q.850 causes: the text for the common ones.
std::string q850_reason(int cause);

} // namespace parley::ext
