// info_dtmf: DTMF sent in SIP INFO (the legacy, pre-RFC 6086 usage most phones still send),
// as a built-in supplement. `application/dtmf-relay` ("Signal=5\r\nDuration=160") and
// `application/dtmf` ("5") are answered 200, their digits appended to the session's
// "dtmf.digits" cookie and handed to the application's dtmf_listener; a malformed digit gets
// 400. Digits are 0-9, *, #, A-D and '!' for a hook flash (RFC 4733 event 16). An INFO naming
// an Info-Package (RFC 6086) we do not support gets 469. Shared by every session; the listener
// is borrowed and called on the session's shard.
#pragma once

#include <parley/session/supplement.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::ext {

/// Digits received so far (value_cookie<std::string>).
inline constexpr std::string_view dtmf_digits_cookie = "dtmf.digits";

class dtmf_listener {
public:
    virtual ~dtmf_listener() = default;
    /// A digit ('!' for a hook flash); duration 0 when the INFO did not say.
    virtual void on_dtmf(session& s, char digit, std::uint32_t duration_ms) noexcept = 0;
};

class info_dtmf_supplement final : public supplement {
public:
    explicit info_dtmf_supplement(dtmf_listener* listener = nullptr) noexcept
        : listener_(listener) {}
    request_verdict incoming_request(session& s, const message& request) noexcept override;

private:
    dtmf_listener* listener_;
};

/// The digit of an INFO body of type `subtype` ("dtmf-relay" or "dtmf"): 0-9, *, #, A-D, '!'
/// (hook flash); nullopt when the body holds no valid digit.
std::optional<char> dtmf_digit(std::string_view subtype, std::string_view body) noexcept;
/// The Duration of a dtmf-relay body in milliseconds; 0 when absent or malformed.
std::uint32_t dtmf_duration(std::string_view body) noexcept;

} // namespace parley::ext
