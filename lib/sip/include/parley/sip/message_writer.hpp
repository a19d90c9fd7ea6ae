// message_writer: builds an outgoing request or response into one contiguous buffer.
//
// Headers are appended in the order given; Content-Length is always written by finish() from
// the body (a Content-Length given by the caller is ignored), so a built message can never lie
// about its framing. CR and LF inside a value are replaced by SP: a value taken from a peer or
// a config file cannot inject a header. parse_message(finish()) round-trips.
// The writer owns its buffer; finish() moves it out. Pure; single-threaded.
#pragma once

#include <parley/sip/header_id.hpp>
#include <parley/sip/message.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace parley {

class message_writer {
public:
    /// Request line "METHOD request-uri SIP/2.0".
    static message_writer request(std::string_view method, std::string_view request_uri);
    /// Status line "SIP/2.0 code reason"; an empty reason takes the RFC 3261 default phrase.
    static message_writer response(std::uint16_t status, std::string_view reason = {});

    /// Appends "Canonical-Name: value".
    message_writer& header(header_id id, std::string_view value);
    /// Appends "name: value" for any header, known or not.
    message_writer& header(std::string_view name, std::string_view value);
    /// Sets the body and its Content-Type (written by finish()).
    message_writer& body(std::string_view content_type, std::string_view content);

    /// Writes Content-Type (when there is a body), Content-Length and the body; returns the bytes.
    std::string finish();

private:
    message_writer() = default;
    void append_value(std::string_view value);

    std::string out_;
    std::string_view content_type_;
    std::string_view body_;
};

/// The RFC 3261 §21 reason phrase of a status code ("" when there is none).
std::string_view default_reason(std::uint16_t status) noexcept;

struct response_options {
    std::string_view reason;  ///< empty: the RFC 3261 default phrase
    std::string_view to_tag;  ///< added to To when the request's To has none and status > 100
    std::string_view top_via; ///< replaces the top Via value (received/rport stamped by transport)
};

/// Starts a response to `request` (RFC 3261 §8.2.6.2): copies every Via in order, From, To,
/// Call-ID and CSeq. Callers append more headers and finish().
message_writer response_to(const message& request, std::uint16_t status,
                           const response_options& options);
/// The same with positional reason and To tag.
message_writer response_to(const message& request, std::uint16_t status,
                           std::string_view reason = {}, std::string_view to_tag = {});

/// Writes a parsed message back out: start line, every header as written (Content-Length
/// recomputed from the body), then the body.
std::string serialize(const message& m);

} // namespace parley
