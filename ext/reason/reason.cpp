#include <parley/ext/reason.hpp>

#include <parley/session/session.hpp>

namespace parley::ext {

std::string q850_reason(int cause) {
    const char* text = "Unspecified";
    switch (cause) {
    case 16: text = "Normal call clearing"; break;
    case 17: text = "User busy"; break;
    case 18: text = "No user responding"; break;
    case 19: text = "No answer from user"; break;
    case 21: text = "Call rejected"; break;
    case 31: text = "Normal, unspecified"; break;
    case 34: text = "No circuit/channel available"; break;
    case 38: text = "Network out of order"; break;
    case 41: text = "Temporary failure"; break;
    case 58: text = "Bearer capability not presently available"; break;
    case 65: text = "Bearer capability not implemented"; break;
    case 102: text = "Recovery on timer expiry"; break;
    default: break;
    }
    return "Q.850;cause=" + std::to_string(cause) + ";text=\"" + text + "\"";
}

namespace {

/// RFC 3326 maps SIP statuses to Q.850 causes the same way ISUP interworking does (RFC 3398).
int cause_for_status(std::uint16_t status) {
    switch (status) {
    case 486:
    case 600: return 17;
    case 480: return 18;
    case 408: return 102;
    case 403:
    case 603: return 21;
    case 488:
    case 606: return 65;
    case 503: return 34;
    default: return 31;
    }
}

} // namespace

namespace {

void keep_reason(session& s, const message& m) {
    if (const header_field* reason = m.find(header_id::reason)) {
        s.cookies().remove(reason_received_cookie);
        s.cookies().add_value<std::string>(reason_received_cookie, std::string(reason->value));
    }
}

} // namespace

request_verdict reason_supplement::incoming_request(session& s, const message& request) noexcept {
    if (request.method() == method::bye || request.method() == method::cancel)
        keep_reason(s, request);
    return request_verdict::proceed();
}

void reason_supplement::incoming_response(session& s, const message& response,
                                          response_phase phase) noexcept {
    (void)phase;
    if (response.cseq().method == method::invite && response.status() >= 300)
        keep_reason(s, response);
}

void reason_supplement::outgoing_request(session& s, outgoing_message& request) noexcept {
    std::string_view m = request.method();
    if (m != "BYE" && m != "CANCEL") return;
    const int* cause = s.cookies().get_value<int>(reason_cause_cookie);
    // The core may have said why already (e.g. a session timer that expired): keep that,
    // unless the session set a cause of its own. set_header keeps this idempotent.
    if (cause == nullptr && request.header("Reason")) return;
    request.set_header("Reason", q850_reason(cause != nullptr ? *cause : 16));
}

void reason_supplement::outgoing_response(session& s, outgoing_message& response) noexcept {
    (void)s;
    // An error ending the INVITE says why in Q.850 terms too (RFC 3326 §2: responses may carry it).
    if (response.method() != "INVITE" || response.status() < 300 || response.status() == 487)
        return;
    response.set_header("Reason", q850_reason(cause_for_status(response.status())));
}

} // namespace parley::ext
