// Typed views of the SDP attributes the offer/answer model needs (RFC 8866 §6, RFC 3264,
// RFC 3551, RFC 3605, RFC 5761, RFC 5888).
//
// A description keeps every a= line verbatim, in order, as an `attribute` (name and optional
// value); these functions read one attribute value into a small typed record whose string_views
// point into that value, so they borrow from the description that owns it. A malformed value of
// a known attribute does not fail the parse of the whole description (a peer's odd rtpmap must
// not cost the call): the typed reader returns std::nullopt and the attribute stays as text.
// Pure functions; no allocation; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::sdp {

/// Media direction (RFC 8866 §6.7, RFC 3264 §5.1). The default, when no attribute says
/// otherwise at media or session level, is sendrecv.
enum class direction : std::uint8_t { sendrecv, sendonly, recvonly, inactive };

std::string_view to_string(direction d) noexcept;

/// The attributes the parser recognises by name; everything else is `other` (kept verbatim).
enum class attribute_kind : std::uint8_t {
    other,
    rtpmap,
    fmtp,
    ptime,
    maxptime,
    sendrecv,
    sendonly,
    recvonly,
    inactive,
    rtcp,
    rtcp_mux,
    mid,
    group,
};

/// Classifies an attribute name (case-sensitive, as RFC 8866 §6 defines the names).
attribute_kind classify_attribute(std::string_view name) noexcept;

/// The direction an attribute kind sets, if it is one of the four direction attributes.
std::optional<direction> direction_of(attribute_kind kind) noexcept;

/// One a= line: `a=<name>` (a property, value empty) or `a=<name>:<value>`.
struct attribute {
    std::string_view name{};
    std::optional<std::string_view> value{};
    attribute_kind kind = attribute_kind::other;

    friend bool operator==(const attribute&, const attribute&) = default;
};

/// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6).
struct rtpmap {
    std::uint8_t payload_type = 0;
    std::string_view encoding_name{};
    std::uint32_t clock_rate = 0;
    /// Encoding parameters (the channel count for audio); 0 when absent, which means 1.
    std::uint16_t channels = 0;

    std::uint16_t channel_count() const noexcept { return channels == 0 ? 1 : channels; }
    friend bool operator==(const rtpmap&, const rtpmap&) = default;
};
std::optional<rtpmap> parse_rtpmap(std::string_view value) noexcept;

/// a=fmtp:<format> <format specific parameters> (RFC 8866 §6.15).
struct fmtp {
    std::string_view format{};
    std::string_view parameters{};
    friend bool operator==(const fmtp&, const fmtp&) = default;
};
std::optional<fmtp> parse_fmtp(std::string_view value) noexcept;

/// a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605).
struct rtcp_attribute {
    std::uint16_t port = 0;
    std::string_view network_type{};
    std::string_view address_type{};
    std::string_view address{};
    friend bool operator==(const rtcp_attribute&, const rtcp_attribute&) = default;
};
std::optional<rtcp_attribute> parse_rtcp(std::string_view value) noexcept;

/// a=group:<semantics> *(SP <identification-tag>) (RFC 5888 §5). `tags` is the SP-separated
/// rest; walk it with next_token().
struct group_attribute {
    std::string_view semantics{};
    std::string_view tags{};
    friend bool operator==(const group_attribute&, const group_attribute&) = default;
};
std::optional<group_attribute> parse_group(std::string_view value) noexcept;

/// a=ptime / a=maxptime value: milliseconds, a positive integer (a fractional part, seen in
/// the wild, is ignored).
std::optional<std::uint32_t> parse_milliseconds(std::string_view value) noexcept;

/// Splits off the first SP-separated token of `text`, advancing `text` past it and the spaces
/// that follow. Returns an empty view at the end.
std::string_view next_token(std::string_view& text) noexcept;

/// The RFC 3551 §6 static payload type table (audio and video), for formats offered without
/// rtpmap. Returns std::nullopt for dynamic or unassigned payload types.
std::optional<rtpmap> static_payload_type(std::uint8_t payload_type) noexcept;

} // namespace parley::sdp
