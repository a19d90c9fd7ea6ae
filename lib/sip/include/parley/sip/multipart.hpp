// Multipart bodies (RFC 2046 §5.1, RFC 5621 for SIP): the parts of multipart/mixed,
// multipart/alternative, multipart/related (and any other multipart/* subtype, which shares the
// framing), found by their boundary, with each part's Content-Type, Content-Disposition and
// Content-ID; find_sdp() picks the session description out of a body, and
// unsupported_required_parts() tells the session layer when to answer 415 (RFC 5621 §9.1).
//
// Every string_view is a slice of the body passed in (a message's bytes): parts live as long as
// it. Parts are never decoded (Content-Transfer-Encoding is left to the consumer; SIP uses
// binary). Both CRLF and bare LF line ends are accepted. Nested multiparts are parsed up to
// multipart_options::max_depth and flattened in pre-order. Errors are values with status 400,
// a precise reason and the offset in the message (`base` is the body's offset in it); nothing
// a peer writes can crash the parser. Pure: no I/O, no globals; the part list allocates.
#pragma once

#include <parley/base/result.hpp>
#include <parley/sip/header_values.hpp>
#include <parley/sip/headers.hpp>
#include <parley/sip/message.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace parley {

/// Limits on what a peer can make the parser do; each has a test at, below and above it.
struct multipart_options {
    /// Parts in the whole body, nested ones and the multipart parts holding them included.
    std::size_t max_parts = 16;
    /// Nesting levels of multipart bodies: 1 allows no multipart inside the top one.
    std::size_t max_depth = 3;
};

struct body_part {
    static constexpr std::size_t no_parent = static_cast<std::size_t>(-1);

    /// Empty when the part has none: then it is text/plain (RFC 2046 §5.1).
    media_type content_type;
    /// nullopt when the part has no Content-Disposition (see disposition_type()).
    std::optional<content_disposition> disposition;
    std::string_view content_id;    ///< Content-ID as written ("<abc@example.com>"), "" when absent
    std::string_view headers;       ///< the part's header block as written, without its blank line
    std::string_view body;          ///< the part's content, without the CRLF before the delimiter
    std::size_t offset = 0;         ///< where `body` starts in the message (base + position)
    std::size_t depth = 1;          ///< 1 for the parts of the top-level multipart body
    std::size_t parent = no_parent; ///< index of the enclosing multipart part, or no_parent

    bool is(std::string_view type, std::string_view subtype) const noexcept;
    bool is_multipart() const noexcept;
    /// The Content-Disposition type, or its default: "session" for application/sdp, "render"
    /// otherwise (RFC 5621 §3.2, RFC 3261 §20.11).
    std::string_view disposition_type() const noexcept;
    /// handling=required unless the part says optional (RFC 3261 §20.11: required by default;
    /// an unknown handling value is treated as required).
    bool required() const noexcept;
};

struct multipart_body {
    /// Pre-order: a nested multipart part comes first, then its own parts.
    std::vector<body_part> parts;
    std::string_view preamble; ///< text before the first delimiter (ignored by receivers)
    std::string_view epilogue; ///< text after the close delimiter (ignored by receivers)
};

/// Splits `body` (of Content-Type `type`, which must be multipart/*) into its parts.
result<multipart_body> parse_multipart(const media_type& type, std::string_view body,
                                       std::size_t base = 0, const multipart_options& options = {});
/// The message's body; boundary errors point at its Content-Type value.
result<multipart_body> parse_multipart(const message& m, const multipart_options& options = {});

/// The session description of a body: the body itself when it is application/sdp, else the first
/// application/sdp part with disposition "session" (in pre-order); nullopt when there is none
/// (or no body). Errors are the multipart errors.
result<std::optional<std::string_view>> find_sdp(const media_type& type, std::string_view body,
                                                 std::size_t base = 0,
                                                 const multipart_options& options = {});
result<std::optional<std::string_view>> find_sdp(const message& m,
                                                 const multipart_options& options = {});

/// Indexes of the parts that are required but not understood. `understood` holds media types
/// as "type/subtype", "type/*" or "*/*" (case-insensitive); multipart parts are understood
/// when their content is. In a multipart/alternative one understood alternative is enough;
/// otherwise the alternative part itself is reported (RFC 2046 §5.1.4, RFC 5621 §9.1). A
/// non-empty answer means 415 Unsupported Media Type for the request.
std::vector<std::size_t> unsupported_required_parts(const multipart_body& body,
                                                    std::span<const std::string_view> understood);

} // namespace parley
