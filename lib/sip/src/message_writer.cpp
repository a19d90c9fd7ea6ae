#include <parley/sip/message_writer.hpp>

#include <charconv>
#include <cstring>

namespace parley {
namespace {

void append_number(std::string& out, std::uint64_t v) {
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, v);
    out.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

} // namespace

message_writer message_writer::request(std::string_view method, std::string_view request_uri) {
    message_writer w;
    w.out_.reserve(640);
    w.out_.append(method).append(" ").append(request_uri).append(" SIP/2.0\r\n");
    return w;
}

message_writer message_writer::response(std::uint16_t status, std::string_view reason) {
    message_writer w;
    w.out_.reserve(640);
    w.out_.append("SIP/2.0 ");
    append_number(w.out_, status);
    w.out_.push_back(' ');
    w.append_value(reason.empty() ? default_reason(status) : reason);
    w.out_.append("\r\n");
    return w;
}

void message_writer::append_value(std::string_view value) {
    out_.append(value);
    // Values rarely hold CR or LF (a folded header copied from a request): look with memchr
    // before walking byte by byte.
    if (std::memchr(value.data(), '\n', value.size()) == nullptr &&
        std::memchr(value.data(), '\r', value.size()) == nullptr)
        return;
    for (std::size_t i = out_.size() - value.size(); i < out_.size(); ++i)
        if (out_[i] == '\r' || out_[i] == '\n') out_[i] = ' ';
}

message_writer& message_writer::header(header_id id, std::string_view value) {
    if (id == header_id::content_length) return *this;
    out_.append(header_name(id)).append(": ");
    append_value(value);
    out_.append("\r\n");
    return *this;
}

message_writer& message_writer::header(std::string_view name, std::string_view value) {
    header_id id = header_id_from_name(name);
    if (id != header_id::other) return header(id, value);
    append_value(name);
    out_.append(": ");
    append_value(value);
    out_.append("\r\n");
    return *this;
}

message_writer& message_writer::body(std::string_view content_type, std::string_view content) {
    content_type_ = content_type;
    body_ = content;
    return *this;
}

std::string message_writer::finish() {
    if (!body_.empty()) {
        out_.append("Content-Type: ");
        append_value(content_type_);
        out_.append("\r\n");
    }
    out_.append("Content-Length: ");
    append_number(out_, body_.size());
    out_.append("\r\n\r\n");
    out_.append(body_);
    return std::move(out_);
}

message_writer response_to(const message& request, std::uint16_t status,
                           const response_options& options) {
    message_writer w = message_writer::response(status, options.reason);
    bool first_via = true;
    for (const header_field& h : request.headers()) {
        if (h.id != header_id::via) continue;
        if (first_via && !options.top_via.empty()) {
            // The stamped top Via replaces the first element of the first Via line.
            std::string line(options.top_via);
            std::size_t comma = h.value.find(',');
            if (request.vias().size() > 1 && comma != std::string_view::npos &&
                h.value.find('"') == std::string_view::npos)
                line.append(",").append(h.value.substr(comma + 1));
            w.header(header_id::via, line);
        } else {
            w.header(header_id::via, h.value);
        }
        first_via = false;
    }
    w.header(header_id::from, request.from().text);
    if (!options.to_tag.empty() && request.to().tag.empty() && status > 100) {
        std::string to(request.to().text);
        to.append(";tag=").append(options.to_tag);
        w.header(header_id::to, to);
    } else {
        w.header(header_id::to, request.to().text);
    }
    w.header(header_id::call_id, request.call_id());
    std::string cseq;
    append_number(cseq, request.cseq().number);
    cseq.push_back(' ');
    cseq.append(request.cseq().method_text);
    w.header(header_id::cseq, cseq);
    return w;
}

message_writer response_to(const message& request, std::uint16_t status, std::string_view reason,
                           std::string_view to_tag) {
    return response_to(request, status, response_options{.reason = reason, .to_tag = to_tag});
}

std::string serialize(const message& m) {
    std::string text;
    if (m.is_request()) {
        text.append(m.method_text()).append(" ").append(m.request_uri().text).append(" SIP/2.0");
    } else {
        text.append("SIP/2.0 ");
        append_number(text, m.status());
        text.append(" ").append(m.reason());
    }
    text.append("\r\n");
    for (const header_field& h : m.headers()) {
        if (h.id == header_id::content_length) continue;
        text.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    text.append("Content-Length: ");
    append_number(text, m.body().size());
    text.append("\r\n\r\n").append(m.body());
    return text;
}

std::string_view default_reason(std::uint16_t status) noexcept {
    switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 199: return "Early Dialog Terminated";
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Notification";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 380: return "Alternative Service";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 422: return "Session Interval Too Small";
    case 423: return "Interval Too Brief";
    case 469: return "Bad Info Package";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 485: return "Ambiguous";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 489: return "Bad Event";
    case 491: return "Request Pending";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 580: return "Precondition Failure";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: return "";
    }
}

} // namespace parley
