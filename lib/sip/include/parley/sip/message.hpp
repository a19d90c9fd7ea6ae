// message: a parsed SIP request or response (RFC 3261 §7).
//
// parse_message() reads one message from a (pointer, length) buffer and validates, at parse
// time, the start line and the routing headers (Via, From, To, Call-ID, CSeq, Max-Forwards,
// Contact, Route, Record-Route, Content-Length, Content-Type). Every other header is kept
// verbatim as a header_field and parsed on demand by the typed accessors (header_values.hpp).
// An error is a value with the byte offset and the status a server should answer (400 with a
// precise reason, 505, 513, 413); for a response the status hint is 0: responses are dropped.
//
// Lifetime: every string_view in a message is a slice of the parsed bytes. With
// buffer_use::borrow (the default) the caller keeps the bytes alive and unchanged while the
// message is used; with buffer_use::copy the message keeps its own copy. Header records live in
// the message's inline arena, so parsing a typical message allocates nothing. A message is
// neither copyable nor movable (its lists point into its own storage): hold it by unique_ptr.
// Single-threaded, like every pure layer.
#pragma once

#include <parley/base/arena.hpp>
#include <parley/base/result.hpp>
#include <parley/sip/header_id.hpp>
#include <parley/sip/headers.hpp>
#include <parley/sip/method.hpp>
#include <parley/sip/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley {

enum class message_kind : std::uint8_t { request, response };

/// How the message arrived, which decides the body length rules (RFC 3261 §18.3).
enum class transport_framing : std::uint8_t {
    datagram, ///< Content-Length optional (body runs to the end); bytes after it are ignored
    stream,   ///< Content-Length required; the bytes are exactly one framed message
};

enum class buffer_use : std::uint8_t { borrow, copy };

/// Every limit is a setting; each has a test at, below and above it.
struct parse_limits {
    std::size_t max_message_size = 65535; ///< whole message; above it: 513 Message Too Large
    std::size_t max_headers = 128;        ///< header lines; above it: 400
    std::size_t max_header_length = 8192; ///< one header line with its folds; above it: 400
    std::size_t max_body_size = 65535;    ///< above it: 413
};

struct parse_options {
    parse_limits limits{};
    transport_framing framing = transport_framing::datagram;
    buffer_use buffer = buffer_use::borrow;
};

/// One header line as written: its id (header_id::other if unknown), its name as written, and
/// its value with leading/trailing whitespace removed (folding inside is kept verbatim).
struct header_field {
    header_id id = header_id::other;
    std::uint32_t value_offset = 0; ///< where the value starts in the message bytes
    std::string_view name;
    std::string_view value;
};

namespace detail {
class message_parser;
}

class message {
public:
    /// User-provided (defaulted in the source): `new message()` and make_unique would otherwise
    /// zero the whole object, 4 KB of arena included, before constructing it.
    message() noexcept;
    message(const message&) = delete;
    message& operator=(const message&) = delete;

    /// Forgets the parsed content (keeps the inline storage for the next parse).
    void clear() noexcept;

    message_kind kind() const noexcept { return kind_; }
    bool is_request() const noexcept { return kind_ == message_kind::request; }
    bool is_response() const noexcept { return kind_ == message_kind::response; }

    // Request line.
    parley::method method() const noexcept { return method_; }
    std::string_view method_text() const noexcept { return method_text_; }
    const uri& request_uri() const noexcept { return request_uri_; }
    // Status line.
    std::uint16_t status() const noexcept { return status_; }
    std::string_view reason() const noexcept { return reason_; }

    // Routing headers, parsed and validated at parse time.
    const arena_vector<via>& vias() const noexcept { return vias_; }
    const via& top_via() const noexcept { return vias_.front(); } ///< every valid message has one
    const name_addr& from() const noexcept { return from_; }
    const name_addr& to() const noexcept { return to_; }
    std::string_view call_id() const noexcept { return call_id_; }
    const parley::cseq& cseq() const noexcept { return cseq_; }
    int max_forwards() const noexcept { return max_forwards_; } ///< -1 when absent
    const arena_vector<contact>& contacts() const noexcept { return contacts_; }
    const arena_vector<name_addr>& routes() const noexcept { return routes_; }
    const arena_vector<name_addr>& record_routes() const noexcept { return record_routes_; }
    bool has_content_length() const noexcept { return content_length_ >= 0; }
    const media_type& content_type() const noexcept { return content_type_; }
    std::string_view body() const noexcept { return body_; }

    // All header lines in order.
    const arena_vector<header_field>& headers() const noexcept { return headers_; }
    /// The first header with this id, or nullptr.
    const header_field* find(header_id id) const noexcept;
    /// The first header with this name (long or compact form, any case), or nullptr.
    const header_field* find(std::string_view name) const noexcept;
    std::size_t count(header_id id) const noexcept;
    /// Calls fn(const header_field&) for every header with this id, in order.
    template <class Fn>
    void for_each(header_id id, Fn&& fn) const {
        for (const header_field& h : headers_)
            if (h.id == id) fn(h);
    }

    /// Exactly the bytes of this message (start line to the end of its body).
    std::string_view bytes() const noexcept { return bytes_; }
    /// Storage used beyond the inline arena (0 for a typical message).
    std::size_t heap_bytes() const noexcept { return arena_.heap_bytes(); }

private:
    friend class detail::message_parser;

    message_kind kind_ = message_kind::request;
    parley::method method_ = method::unknown;
    std::uint16_t status_ = 0;
    int max_forwards_ = -1;
    std::int64_t content_length_ = -1;
    std::string_view method_text_;
    std::string_view reason_;
    std::string_view call_id_;
    std::string_view body_;
    std::string_view bytes_;
    uri request_uri_;
    name_addr from_;
    name_addr to_;
    parley::cseq cseq_;
    media_type content_type_;
    arena_vector<header_field> headers_;
    arena_vector<via> vias_;
    arena_vector<contact> contacts_;
    arena_vector<name_addr> routes_;
    arena_vector<name_addr> record_routes_;
    inline_arena<4096> arena_;
};

/// Parses one message from `bytes` into `out` (which is cleared first).
result<void> parse_message(std::string_view bytes, message& out,
                           const parse_options& options = {}) noexcept;

} // namespace parley
