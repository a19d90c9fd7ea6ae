// Stream framing for SIP over TCP/TLS (RFC 3261 §18.3, RFC 5626 §3.5.1 keep-alives).
//
// next_frame() looks at the bytes buffered from a connection and says what the next frame is:
// need more bytes, a CRLF keep-alive (ping CRLFCRLF or pong CRLF), a whole message of `length`
// bytes (to hand to parse_message with transport_framing::stream), or an error after which the
// connection should be closed (a 400 may be sent first when `error.status` is set). It never
// consumes anything itself: the caller drops `length` bytes. Pure; no allocation.
#pragma once

#include <parley/base/result.hpp>
#include <parley/sip/message.hpp>

#include <cstddef>
#include <string_view>

namespace parley {

enum class frame_kind : std::uint8_t {
    need_more,      ///< the buffer holds an incomplete frame: read more, then ask again
    message,        ///< `length` bytes are one message (headers and Content-Length body)
    keepalive_ping, ///< CRLFCRLF (4 bytes): answer with a CRLF pong
    keepalive_pong, ///< a lone CRLF (2 bytes): the peer's answer to our ping
    error,          ///< unframeable: close the connection (see `failure`)
};

struct frame {
    frame_kind kind = frame_kind::need_more;
    std::size_t length = 0; ///< bytes to drop from the buffer (message or keep-alive)
    parley::error failure{};
};

/// Examines `buffered` (bytes received so far on one connection, oldest first).
frame next_frame(std::string_view buffered, const parse_limits& limits = {}) noexcept;

} // namespace parley
