// The commonest name-addr values (From, To, Contact, Route, Record-Route) read from one
// classification of their bytes: a 64-bit mask of the bytes that are not name bytes (letters,
// digits, '.', '-', '_'), which are the value's delimiters, visited in order with a bit count
// each. `"Alice" <sip:alice@atlanta.example.com>;tag=1928301774` has ten of them, and every run
// between two is known to be name bytes without looking at it again.
//
// What it reads (anything else returns false before a field is written, and the general parser
// of headers.cpp reads the value, so every error, status and offset still comes from there):
//   [ '"' any bytes but '"' and '\' '"' SP*  |  name-byte runs separated by SPs, then SP* ]
//   '<' "sip:" (any case) [ user '@' ] host [ ':' port ] *( ';' name [ '=' value ] ) '>'
//   *( ';' name [ '=' value ] )            (none on a Contact: its expires and q go the long way)
// with the user, parameter names and values non-empty runs of name bytes, the host a name or
// IPv4 address under 32 bytes checked as the general path checks it (scan::host_run_in,
// host_kind_of), the port one to five digits, a header parameter "tag" with a value, and the
// whole value under 64 bytes with 64 readable bytes from its start. The model written is the
// one parse_name_addr_into writes for the same value (delimiter_walk_test.cpp and the
// sip_message_fuzz differential check hold the two paths to that).
#pragma once

#include <parley/sip/headers.hpp>

#include <string_view>

namespace parley::detail::delimiter_walk {

/// Parses `value` into `out` (a fresh slot) when it has the shape above; false writes nothing.
/// `readable_end`: the end of the message buffer holding `value`. `contact`: the value is a
/// Contact's (no header parameters taken here).
bool name_addr(name_addr& out, std::string_view value, const char* readable_end,
               bool contact) noexcept;

/// A Via value of the shape "SIP/2.0/" transport SP+ host [ ':' port ] *( ';' name [ '=' value ] )
/// after the prefix under 126 bytes: the host and port as above, a branch with a value, an rport
/// with or without one to five digits, a received name or IPv4 address read (the last of each
/// wins, as in the general parser); maddr and ttl left to the general parser; any other
/// parameter kept in the list only. Under 64 bytes one mask covers the value; from 64 (a
/// response's Via) the sent-by must end before byte 63 and the parameters, from their first ';',
/// get a mask of their own (under 64 bytes). Reads at most 72 bytes from value.data(), 64 from
/// that ';' and 32 from each host, all before `readable_end` (or declines). False writes nothing.
bool via(via& out, std::string_view value, const char* readable_end) noexcept;

/// A request line (without its CRLF) of the shape method SP Request-URI SP "SIP/2.0" (the
/// version's letters in any case), the method name bytes and the URI the common SIP URI above
/// (no brackets; it ends at the SP), under 64 bytes with 64 readable from its start: the method's
/// text and the URI (a fresh one) as the general request-line parser reads them. False writes
/// nothing.
bool request_line(std::string_view line, std::string_view& method_text, uri& request_uri,
                  const char* readable_end) noexcept;

} // namespace parley::detail::delimiter_walk
