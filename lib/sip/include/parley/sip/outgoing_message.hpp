// outgoing_message: a request or response being prepared for sending, editable header by header
// until it is serialized. This is what supplements see in their outgoing hooks: they add, replace
// or remove headers and bodies, and must be able to run twice on the same message without
// duplicating anything (set_header replaces every line of that name).
//
// Storage: one string holding the start line and then the "Name: value\r\n" lines, so adding a
// header is an append and serializing is a copy (or nothing at all, for a message serialized as
// it dies: std::move(m).serialize()). An index of the lines is built on the first lookup or
// edit (most messages are only built and sent) and kept up to date from then on; replacing or
// removing rewrites the string (rare). Content-Type and Content-Length are kept apart and
// written by serialize().
// Single-threaded value type; owns all its text.
#pragma once

#include <parley/sip/header_id.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

class outgoing_message {
public:
    /// "METHOD request-uri SIP/2.0".
    static outgoing_message request(std::string_view method, std::string_view request_uri);
    /// "SIP/2.0 status reason" (empty reason: the RFC 3261 default phrase). `request_method` is
    /// the method of the request it answers (its CSeq method), so hooks can filter on it.
    static outgoing_message response(std::uint16_t status, std::string_view reason = {},
                                     std::string_view request_method = {});

    bool is_request() const noexcept { return status_ == 0; }
    /// Changes a request's Request-URI (a redirected or retargeted request).
    void set_request_uri(std::string_view request_uri);
    /// Changes a response's status line (the headers stay): one skeleton serves a 180 and a 200.
    void set_status(std::uint16_t status, std::string_view reason = {});
    /// The request's method; for a response, the method of the request it answers.
    std::string_view method() const noexcept { return method_; }
    std::uint16_t status() const noexcept { return status_; }

    /// Appends a header line (CR and LF in the value become SP: no header injection).
    void add_header(std::string_view name, std::string_view value);
    /// The same for a known header (written with its canonical name), whose value is the
    /// concatenation of `parts`: "To" from the request's To and ";tag=...", with no temporary.
    /// header_id::other names no header: nothing is written (use the form with a name).
    void add_header(header_id id, std::initializer_list<std::string_view> parts);
    /// Replaces every line of this header (long or compact name) with one line; adds it if absent.
    void set_header(std::string_view name, std::string_view value);
    /// Removes every line of this header. Returns how many were removed.
    std::size_t remove_header(std::string_view name);
    /// The value of the first line of this header, if any.
    std::optional<std::string_view> header(std::string_view name) const;
    std::size_t count(std::string_view name) const;

    /// Sets (or with an empty body, clears) the body and its Content-Type.
    void set_body(std::string_view content_type, std::string_view body);
    /// The same, taking `body` over (no copy).
    void take_body(std::string_view content_type, std::string&& body);
    std::string_view body() const noexcept { return body_; }
    std::string_view content_type() const noexcept { return content_type_; }

    /// The whole message: start line, headers in order, Content-Type, Content-Length, body.
    std::string serialize() const&;
    /// The same, finished in place and moved out: for a message that is not used afterwards.
    std::string serialize() &&;

private:
    struct line {
        header_id id;
        std::uint32_t offset; ///< where "Name: value\r\n" starts in lines_ (after the start line)
        std::uint32_t length; ///< its length with CRLF
        std::uint16_t name_size; ///< length of the name as written
    };
    outgoing_message() = default;
    void reserve();
    void append_line(header_id id, std::string_view name, bool clean_name,
                     std::initializer_list<std::string_view> parts);
    /// Replaces the start line (its CRLF included) and moves the index along with the headers.
    void set_start_line(std::initializer_list<std::string_view> parts, std::string_view tail);
    void append_trailer(std::string& out) const;
    bool same_name(const line& l, header_id id, std::string_view name) const noexcept;
    /// Builds the index from the lines when nothing has needed it yet.
    void ensure_index() const;
    std::string_view value_of(const line& l) const noexcept;

    std::string method_;
    std::uint16_t status_ = 0;
    std::uint32_t start_size_ = 0; ///< the start line's length: the headers follow it in lines_
    std::string lines_;
    mutable std::vector<line> index_; ///< valid when indexed_
    mutable bool indexed_ = false;
    std::string content_type_;
    std::string body_;
};

} // namespace parley
