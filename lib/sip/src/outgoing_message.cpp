#include <parley/sip/outgoing_message.hpp>

#include <parley/base/text.hpp>
#include <parley/sip/message_writer.hpp>

#include <cassert>
#include <charconv>
#include <cstring>

namespace parley {
namespace {

/// CR and LF become SP (no header injection). Values rarely hold either (a folded header copied
/// from a request): look with memchr before walking byte by byte.
void clean_line_breaks(char* p, std::size_t n) {
    if (std::memchr(p, '\n', n) == nullptr && std::memchr(p, '\r', n) == nullptr) return;
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] == '\r' || p[i] == '\n') p[i] = ' ';
}

void append_clean(std::string& out, std::string_view value) {
    out.append(value);
    // Values rarely hold CR or LF (a folded header copied from a request): look with memchr
    // before walking byte by byte.
    if (std::memchr(value.data(), '\n', value.size()) == nullptr &&
        std::memchr(value.data(), '\r', value.size()) == nullptr)
        return;
    for (std::size_t i = out.size() - value.size(); i < out.size(); ++i)
        if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
}

} // namespace

outgoing_message outgoing_message::request(std::string_view method, std::string_view request_uri) {
    outgoing_message m;
    m.reserve();
    m.method_ = std::string(method);
    m.set_start_line({method, " ", request_uri}, " SIP/2.0\r\n");
    return m;
}

outgoing_message outgoing_message::response(std::uint16_t status, std::string_view reason,
                                            std::string_view request_method) {
    outgoing_message m;
    m.reserve();
    m.method_ = std::string(request_method);
    m.set_status(status, reason);
    return m;
}

void outgoing_message::set_start_line(std::initializer_list<std::string_view> parts,
                                      std::string_view tail) {
    std::size_t size = tail.size();
    for (std::string_view p : parts) size += p.size();
    std::size_t old_size = start_size_;
    lines_.replace(0, old_size, size, ' ');
    char* out = lines_.data();
    for (std::string_view p : parts) {
        if (p.empty()) continue; // data() may be null when empty
        std::memcpy(out, p.data(), p.size());
        out += p.size();
    }
    // CR and LF in what the caller gave (a Request-URI, a reason phrase) become SP.
    clean_line_breaks(lines_.data(), static_cast<std::size_t>(out - lines_.data()));
    std::memcpy(out, tail.data(), tail.size());
    start_size_ = static_cast<std::uint32_t>(size);
    if (size != old_size)
        for (line& l : index_) l.offset = static_cast<std::uint32_t>(l.offset + size - old_size);
}

void outgoing_message::set_request_uri(std::string_view request_uri) {
    if (!is_request()) return;
    set_start_line({method_, " ", request_uri}, " SIP/2.0\r\n");
}

void outgoing_message::reserve() {
    // A typical message: a start line and a dozen header lines of a few hundred bytes in all.
    lines_.reserve(512);
}

void outgoing_message::set_status(std::uint16_t status, std::string_view reason) {
    status_ = status;
    char digits[8];
    auto r = std::to_chars(digits, digits + sizeof digits, status);
    set_start_line({"SIP/2.0 ", std::string_view(digits, static_cast<std::size_t>(r.ptr - digits)),
                    " ", reason.empty() ? default_reason(status) : reason},
                   "\r\n");
}

bool outgoing_message::same_name(const line& l, header_id id,
                                 std::string_view name) const noexcept {
    if (id != header_id::other) return l.id == id;
    return l.id == header_id::other &&
           text::iequals(std::string_view(lines_).substr(l.offset, l.name_size), name);
}

std::string_view outgoing_message::value_of(const line& l) const noexcept {
    // "Name: value\r\n"
    return std::string_view(lines_).substr(l.offset + l.name_size + 2, l.length - l.name_size - 4);
}

void outgoing_message::append_line(header_id id, std::string_view name, bool clean_name,
                                   std::initializer_list<std::string_view> parts) {
    // One resize and plain copies: a line costs one capacity check, not one per piece.
    std::size_t length = name.size() + 4;
    for (std::string_view p : parts) length += p.size();
    // A name that is not a token (a ':' in it) cannot be found again by scanning the lines:
    // index what is there before it goes in, and it is indexed as written.
    if (clean_name && !indexed_ && name.find(':') != std::string_view::npos) ensure_index();
    std::size_t offset = lines_.size();
    lines_.resize(offset + length);
    char* out = lines_.data() + offset;
    if (!name.empty()) std::memcpy(out, name.data(), name.size()); // data() may be null if empty
    if (clean_name) clean_line_breaks(out, name.size());
    out += name.size();
    *out++ = ':';
    *out++ = ' ';
    char* value = out;
    for (std::string_view p : parts) {
        if (p.empty()) continue;
        std::memcpy(out, p.data(), p.size());
        out += p.size();
    }
    clean_line_breaks(value, static_cast<std::size_t>(out - value));
    *out++ = '\r';
    *out = '\n';
    if (indexed_)
        index_.push_back({id, static_cast<std::uint32_t>(offset),
                          static_cast<std::uint32_t>(length),
                          static_cast<std::uint16_t>(name.size())});
}

void outgoing_message::ensure_index() const {
    if (indexed_) return;
    index_.clear();
    // Every line is "Name: value\r\n" and no value holds CR or LF (append_line cleans them).
    const std::string_view all(lines_);
    std::size_t at = start_size_;
    while (at < all.size()) {
        std::size_t end = all.find('\n', at);
        if (end == std::string_view::npos) break; // not one of our lines: cannot happen
        std::size_t colon = all.find(':', at);
        std::string_view name = all.substr(at, colon - at);
        index_.push_back({header_id_from_name(name), static_cast<std::uint32_t>(at),
                          static_cast<std::uint32_t>(end + 1 - at),
                          static_cast<std::uint16_t>(name.size())});
        at = end + 1;
    }
    indexed_ = true;
}

void outgoing_message::add_header(std::string_view name, std::string_view value) {
    header_id id = header_id_from_name(name);
    if (id != header_id::other)
        append_line(id, header_name(id), false, {value});
    else
        append_line(id, name, true, {value});
}

void outgoing_message::add_header(header_id id, std::initializer_list<std::string_view> parts) {
    assert(id != header_id::other && "a header without a name");
    if (id == header_id::other) return; // a line ": value" would be no header at all
    append_line(id, header_name(id), false, parts);
}

std::size_t outgoing_message::remove_header(std::string_view name) {
    ensure_index();
    header_id id = header_id_from_name(name);
    std::string kept(std::string_view(lines_).substr(0, start_size_));
    std::vector<line> index;
    std::size_t removed = 0;
    for (const line& l : index_) {
        if (same_name(l, id, name)) {
            ++removed;
            continue;
        }
        line moved = l;
        moved.offset = static_cast<std::uint32_t>(kept.size());
        kept.append(lines_, l.offset, l.length);
        index.push_back(moved);
    }
    if (removed != 0) {
        lines_ = std::move(kept);
        index_ = std::move(index);
    }
    return removed;
}

void outgoing_message::set_header(std::string_view name, std::string_view value) {
    std::string copy(value); // `value` may point into lines_
    remove_header(name);
    add_header(name, copy);
}

std::optional<std::string_view> outgoing_message::header(std::string_view name) const {
    ensure_index();
    header_id id = header_id_from_name(name);
    for (const line& l : index_)
        if (same_name(l, id, name)) return value_of(l);
    return std::nullopt;
}

std::size_t outgoing_message::count(std::string_view name) const {
    ensure_index();
    header_id id = header_id_from_name(name);
    std::size_t n = 0;
    for (const line& l : index_) n += same_name(l, id, name) ? 1 : 0;
    return n;
}

void outgoing_message::set_body(std::string_view content_type, std::string_view body) {
    content_type_ = std::string(body.empty() ? std::string_view{} : content_type);
    body_ = std::string(body);
}

void outgoing_message::take_body(std::string_view content_type, std::string&& body) {
    content_type_ = std::string(body.empty() ? std::string_view{} : content_type);
    body_ = std::move(body);
}

void outgoing_message::append_trailer(std::string& out) const {
    if (!body_.empty()) {
        out.append("Content-Type: ");
        append_clean(out, content_type_);
        out.append("\r\n");
    }
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, body_.size());
    out.append("Content-Length: ")
        .append(digits, static_cast<std::size_t>(r.ptr - digits))
        .append("\r\n\r\n");
    out.append(body_);
}

std::string outgoing_message::serialize() const& {
    std::string out;
    out.reserve(lines_.size() + content_type_.size() + body_.size() + 48);
    out.append(lines_);
    append_trailer(out);
    return out;
}

std::string outgoing_message::serialize() && {
    lines_.reserve(lines_.size() + content_type_.size() + body_.size() + 48);
    append_trailer(lines_);
    index_.clear();
    indexed_ = false;
    start_size_ = 0;
    return std::move(lines_);
}

} // namespace parley
