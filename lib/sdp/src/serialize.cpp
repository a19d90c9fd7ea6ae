// RFC 8866 serializer: the §5 line order, CRLF line ends, numbers written with to_chars.
#include <charconv>
#include <cstring>

#include <parley/sdp/description.hpp>

namespace parley::sdp {

namespace {

// Writes into a stack buffer and hands it to the string in a few large appends: an SDP is
// some eighty short pieces, and a string append per piece cost more than the copying itself.
class writer {
public:
    explicit writer(std::string& out) noexcept : out_(out) {}
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;
    ~writer() { flush(); }

    writer& line(char type) {
        room(2);
        buffer_[used_++] = type;
        buffer_[used_++] = '=';
        return *this;
    }
    writer& text(std::string_view s) {
        if (s.empty()) return *this; // its data() may be null: no memcpy from it
        if (s.size() > sizeof buffer_ / 2) {
            flush();
            out_.append(s);
            return *this;
        }
        room(s.size());
        std::memcpy(buffer_ + used_, s.data(), s.size());
        used_ += s.size();
        return *this;
    }
    writer& chr(char c) {
        room(1);
        buffer_[used_++] = c;
        return *this;
    }
    writer& number(std::uint64_t n) {
        room(24);
        auto [end, ec] = std::to_chars(buffer_ + used_, buffer_ + used_ + 24, n);
        (void)ec;
        used_ = static_cast<std::size_t>(end - buffer_);
        return *this;
    }
    void end() {
        room(2);
        buffer_[used_++] = '\r';
        buffer_[used_++] = '\n';
    }
    void flush() {
        out_.append(buffer_, used_);
        used_ = 0;
    }

    void connection(const connection_field& c) {
        line('c').text(c.network_type).chr(' ').text(c.address_type).chr(' ').text(c.address);
        if (c.ttl) chr('/').number(*c.ttl);
        if (c.address_count) chr('/').number(*c.address_count);
        end();
    }
    void bandwidth(const bandwidth_field& b) {
        line('b').text(b.type).chr(':').number(b.value);
        end();
    }
    void attribute_line(const attribute& a) {
        line('a').text(a.name);
        if (a.value) chr(':').text(*a.value);
        end();
    }
    void optional_text(char type, const std::optional<std::string_view>& value) {
        if (!value) return;
        line(type).text(*value);
        end();
    }

private:
    void room(std::size_t n) {
        if (used_ + n > sizeof buffer_) flush();
    }
    std::string& out_;
    std::size_t used_ = 0;
    char buffer_[1024];
};

std::size_t estimate_size(const session_description& d) {
    std::size_t n = 128 + d.attributes().size() * 32;
    for (const media_description& m : d.media()) n += 64 + m.attributes.size() * 32;
    return n;
}

} // namespace

void session_description::serialize_to(std::string& out) const {
    out.reserve(out.size() + estimate_size(*this));
    writer w(out);
    w.line('v').chr('0').end();
    w.line('o')
        .text(origin_.username)
        .chr(' ')
        .text(origin_.session_id)
        .chr(' ')
        .number(origin_.session_version)
        .chr(' ')
        .text(origin_.network_type)
        .chr(' ')
        .text(origin_.address_type)
        .chr(' ')
        .text(origin_.address)
        .end();
    w.line('s').text(session_name_).end();
    w.optional_text('i', information_);
    w.optional_text('u', uri_);
    for (std::string_view e : emails_) w.line('e').text(e).end();
    for (std::string_view p : phones_) w.line('p').text(p).end();
    if (connection_) w.connection(*connection_);
    for (const bandwidth_field& b : bandwidths_) w.bandwidth(b);
    for (const timing_field& t : timings_) {
        w.line('t').number(t.start).chr(' ').number(t.stop).end();
        for (std::string_view r : t.repeats) w.line('r').text(r).end();
    }
    w.optional_text('z', time_zones_);
    w.optional_text('k', key_);
    for (const attribute& a : attributes_) w.attribute_line(a);
    for (const extension_line& e : extensions_) w.line(e.type).text(e.value).end();
    for (const media_description& m : media_) {
        w.line('m').text(m.media).chr(' ').number(m.port);
        if (m.port_count) w.chr('/').number(*m.port_count);
        w.chr(' ').text(m.proto);
        for (std::string_view f : m.formats) w.chr(' ').text(f);
        w.end();
        w.optional_text('i', m.information);
        for (const connection_field& c : m.connections) w.connection(c);
        for (const bandwidth_field& b : m.bandwidths) w.bandwidth(b);
        w.optional_text('k', m.key);
        for (const attribute& a : m.attributes) w.attribute_line(a);
        for (const extension_line& e : m.extensions) w.line(e.type).text(e.value).end();
    }
}

std::string session_description::serialize() const {
    std::string out;
    serialize_to(out);
    return out;
}

} // namespace parley::sdp
