// The general RFC 8866 grammar of the structured lines (o=, c=, b=, m=), one field at a time.
//
// parse.cpp first tries a fast path for the shape nearly every user agent sends (c=IN IP4
// <dotted quad>, RTP payload types, ...) and hands anything else to these functions. They are
// the reference: every error status, reason and offset comes from here, and a fast path only
// accepts a line these functions would accept with the same fields. Pure; no allocation except
// the formats of an m= line, taken from the description's arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <parley/base/arena.hpp>
#include <parley/base/result.hpp>
#include <parley/sdp/description.hpp>

namespace parley::sdp::detail {

inline constexpr std::uint16_t status_bad_request = 400;
// The largest number an SDP numeric field may hold here (18 digits). text::parse_decimal checks
// for overflow after each digit, so its bound must stay below UINT64_MAX / 10.
inline constexpr std::uint64_t max_number = 999'999'999'999'999'999;
inline constexpr int max_number_digits = 18;

/// Splits off the first SP-separated token of `text` (next_token(), inlined: the general
/// parsers' hottest helper).
inline std::string_view take_token(std::string_view& text) noexcept {
    const char* p = text.data();
    const char* end = p + text.size();
    const char* q = p;
    while (q != end && *q != ' ') ++q;
    std::string_view token(p, static_cast<std::size_t>(q - p));
    while (q != end && *q == ' ') ++q;
    text = std::string_view(q, static_cast<std::size_t>(end - q));
    return token;
}

/// o= (§5.2). Errors: "bad o= line", then "bad o= session id", then "bad o= session version".
result<origin_field> parse_origin(std::string_view value, std::size_t at);
/// c= (§5.7), with the IP4 multicast TTL and the address count.
result<connection_field> parse_connection(std::string_view value, std::size_t at);
/// b= (§5.8).
result<bandwidth_field> parse_bandwidth(std::string_view value, std::size_t at);
/// t= (§5.9); the r= lines are added by the caller.
result<timing_field> parse_timing(std::string_view value, std::size_t at);
/// r= (§5.10): repeat-interval SP typed-time 1*(SP typed-time).
result<void> check_repeat(std::string_view value, std::size_t at);
/// z= (§5.11): pairs of <adjustment time> <offset>.
result<void> check_time_zones(std::string_view value, std::size_t at);
/// The fields of an m= line (§5.14) into `m`, formats allocated from `memory`.
result<void> parse_media_fields(std::string_view value, std::size_t at, arena& memory,
                                media_description& m);

} // namespace parley::sdp::detail
