#include <parley/sip/stream_framer.hpp>

#include <parley/base/text.hpp>

#include <cstring>

namespace parley {
namespace {

frame failed(std::uint16_t status, const char* reason, std::size_t offset) noexcept {
    frame f;
    f.kind = frame_kind::error;
    f.failure = make_error(status, reason, offset);
    return f;
}

// Finds the Content-Length value in the header section [0, end) (long or compact form).
// Returns -1 when absent, -2 when malformed or conflicting.
std::int64_t content_length(std::string_view headers) noexcept {
    std::int64_t found = -1;
    std::size_t pos = headers.find('\n');
    while (pos != std::string_view::npos && pos + 1 < headers.size()) {
        std::size_t start = pos + 1;
        std::size_t nl = headers.find('\n', start);
        std::string_view line =
            headers.substr(start, (nl == std::string_view::npos ? headers.size() : nl) - start);
        pos = nl;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = text::trim(line.substr(0, colon));
        if (!text::iequals(name, "Content-Length") && !text::iequals(name, "l")) continue;
        auto v = text::parse_decimal(text::trim(line.substr(colon + 1)));
        if (!v) return -2;
        auto value = static_cast<std::int64_t>(*v);
        if (found >= 0 && found != value) return -2;
        found = value;
    }
    return found;
}

} // namespace

frame next_frame(std::string_view b, const parse_limits& limits) noexcept {
    frame f;
    if (b.empty()) return f;
    // RFC 5626 §3.5.1 keep-alives; RFC 3261 §7.5: CRLFs before a start line are ignored.
    if (b[0] == '\r' || b[0] == '\n') {
        if (b.starts_with("\r\n\r\n")) return {frame_kind::keepalive_ping, 4, {}};
        if (b == "\r\n" || (b.size() >= 3 && b.starts_with("\r\n") && b[2] != '\r'))
            return {frame_kind::keepalive_pong, 2, {}};
        if (b == "\r" || b == "\r\n\r") return f; // wait for the rest of the CRLF(s)
        if (b[0] == '\n') return {frame_kind::keepalive_pong, 1, {}};
        return failed(400, "Bad Line Ending", 0);
    }
    // The header section ends at the first empty line.
    std::size_t end = std::string_view::npos;
    std::size_t body_start = 0;
    for (std::size_t pos = 0;;) {
        const void* nl = std::memchr(b.data() + pos, '\n', b.size() - pos);
        if (nl == nullptr) break;
        std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - b.data());
        if (at + 1 < b.size() && b[at + 1] == '\n') {
            end = at + 1;
            body_start = at + 2;
            break;
        }
        if (at + 2 < b.size() && b[at + 1] == '\r' && b[at + 2] == '\n') {
            end = at + 1;
            body_start = at + 3;
            break;
        }
        pos = at + 1;
    }
    if (end == std::string_view::npos) {
        if (b.size() > limits.max_message_size) return failed(513, "Message Too Large", 0);
        return f;
    }
    std::int64_t length = content_length(b.substr(0, end));
    if (length == -1) return failed(400, "Missing Content-Length", 0);
    if (length == -2) return failed(400, "Bad Content-Length", 0);
    if (static_cast<std::size_t>(length) > limits.max_body_size)
        return failed(413, "Body Too Large", body_start);
    std::size_t total = body_start + static_cast<std::size_t>(length);
    if (total > limits.max_message_size) return failed(513, "Message Too Large", 0);
    if (b.size() < total) return f;
    return {frame_kind::message, total, {}};
}

} // namespace parley
