// info_dtmf: DTMF sent in SIP INFO (the legacy, pre-RFC 6086 usage most phones still send),
// as a built-in supplement. `application/dtmf-relay` ("Signal=5\r\nDuration=160") and
// `application/dtmf` ("5") are answered 200 and their digits appended to the session's
// "dtmf.digits" cookie for the call logic; a malformed digit gets 400. An INFO naming an
// Info-Package (RFC 6086) we do not support gets 469. Stateless: shared by every session.
#pragma once

#include <parley/session/supplement.hpp>

#include <optional>
#include <string_view>

namespace parley::ext {

/// Digits received so far (value_cookie<std::string>).
inline constexpr std::string_view dtmf_digits_cookie = "dtmf.digits";

class info_dtmf_supplement final : public supplement {
public:
    request_verdict incoming_request(session& s, const message& request) noexcept override;
};

/// The digit of an INFO body of type `subtype` ("dtmf-relay" or "dtmf"): 0-9, *, #, A-D; nullopt
/// when the body holds no valid digit.
std::optional<char> dtmf_digit(std::string_view subtype, std::string_view body) noexcept;

} // namespace parley::ext
