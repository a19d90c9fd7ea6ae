// RFC 8866 parser: one pass over the text, one line at a time, every field a view into the
// description's own copy of the text.
#include <cstring>

#include <parley/base/text.hpp>
#include <parley/sdp/description.hpp>

#include "storage.hpp"

namespace parley::sdp {

namespace {

constexpr std::uint16_t status_bad_request = 400;
// The largest number an SDP numeric field may hold here (18 digits). text::parse_decimal checks
// for overflow after each digit, so its bound must stay below UINT64_MAX / 10.
constexpr std::uint64_t max_number = 999'999'999'999'999'999;

// RFC 8866 §5 order of session-level lines (r= shares t='s rank) and media-level lines.
int session_rank(char type) noexcept {
    switch (type) {
    case 'v': return 0;
    case 'o': return 1;
    case 's': return 2;
    case 'i': return 3;
    case 'u': return 4;
    case 'e': return 5;
    case 'p': return 6;
    case 'c': return 7;
    case 'b': return 8;
    case 't':
    case 'r': return 9;
    case 'z': return 10;
    case 'k': return 11;
    case 'a': return 12;
    default: return -1; // unknown letters go anywhere
    }
}
int media_rank(char type) noexcept {
    switch (type) {
    case 'i': return 1;
    case 'c': return 2;
    case 'b': return 3;
    case 'k': return 4;
    case 'a': return 5;
    default: return -1;
    }
}

const char* duplicate_reason(char type) noexcept {
    switch (type) {
    case 'v': return "SDP: duplicate v= line";
    case 'o': return "SDP: duplicate o= line";
    case 's': return "SDP: duplicate s= line";
    case 'i': return "SDP: duplicate i= line";
    case 'u': return "SDP: duplicate u= line";
    case 'c': return "SDP: duplicate c= line";
    case 'z': return "SDP: duplicate z= line";
    case 'k': return "SDP: duplicate k= line";
    default: return "SDP: duplicate line";
    }
}

bool is_proto_text(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!text::is_token(c) && c != '/') return false;
    return true;
}

// next_token(), inlined: the parser's hottest helper.
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

bool is_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!text::is_digit(c)) return false;
    return true;
}

bool is_non_ws_text(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c == ' ' || c == '\t' || c == '\r') return false;
    return true;
}

// IP4 address or FQDN; a dotted-decimal text must be a valid dotted quad. One pass.
bool is_ip4_address(std::string_view s) noexcept {
    if (s.empty()) return false;
    unsigned octet = 0, digits = 0, dots = 0;
    bool numeric = true;
    for (char c : s) {
        if (text::is_digit(c)) {
            octet = octet * 10 + static_cast<unsigned>(c - '0');
            if (++digits > 3 || octet > 255) numeric = false;
        } else if (c == '.') {
            if (digits == 0) numeric = false;
            ++dots;
            octet = digits = 0;
        } else if (text::is_alpha(c) || c == '-') {
            numeric = false;
        } else {
            return false;
        }
    }
    bool all_digits_and_dots = true;
    for (char c : s) all_digits_and_dots = all_digits_and_dots && (text::is_digit(c) || c == '.');
    if (!all_digits_and_dots) return true; // FQDN
    return numeric && dots == 3 && digits != 0;
}

// Unbracketed IPv6 (hex, ':' and a dotted IPv4 tail) or FQDN.
bool is_ip6_address(std::string_view s) noexcept {
    if (s.empty()) return false;
    if (s.find(':') == std::string_view::npos) return is_ip4_address(s) && !text::is_digit(s[0]);
    int colons = 0;
    for (char c : s) {
        if (c == ':')
            ++colons;
        else if (!text::is_hex(c) && c != '.')
            return false;
    }
    return colons >= 2 && colons <= 7;
}

} // namespace

class parser {
public:
    parser(session_description& d, const parse_options& options) noexcept
        : d_(d), options_(options) {}

    result<void> run(std::string_view input);

private:
    result<void> session_line(char type, std::string_view value, std::size_t at);
    result<void> media_line(char type, std::string_view value, std::size_t at);
    result<void> parse_m(std::string_view value, std::size_t at);
    result<connection_field> parse_c(std::string_view value, std::size_t at);
    result<bandwidth_field> parse_b(std::string_view value, std::size_t at);
    result<attribute> parse_a(std::string_view value, std::size_t at);
    result<void> finish_media();
    arena& memory() noexcept { return d_.storage_->memory; }

    session_description& d_;
    const parse_options& options_;
    std::size_t attribute_count_ = 0;
    int rank_ = 0;
    bool in_media_ = false;
    bool seen_v_ = false, seen_o_ = false, seen_s_ = false;
    bool seen_i_ = false, seen_u_ = false, seen_z_ = false, seen_k_ = false;
    bool media_seen_i_ = false, media_seen_k_ = false;
    std::size_t media_at_ = 0;
};

result<void> parser::run(std::string_view input) {
    const char* base = input.data();
    const std::size_t size = input.size();
    std::size_t pos = 0;
    int header_lines = 0; // v=, o=, s= must be the first three lines, in that order
    while (pos < size) {
        const void* nl = std::memchr(base + pos, '\n', size - pos);
        std::size_t end =
            nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : size;
        std::size_t next = nl != nullptr ? end + 1 : size;
        std::size_t line_end = end;
        if (line_end > pos && base[line_end - 1] == '\r') --line_end;
        const std::size_t at = pos;
        std::string_view line(base + pos, line_end - pos);
        pos = next;
        if (line.empty()) continue; // tolerated: blank lines (typically a trailing one)
        if (line.size() < 2 || line[1] != '=' || !text::is_alpha(line[0]))
            return fail(status_bad_request, "SDP: malformed line", at);
        const char type = line[0];
        std::string_view value = line.substr(2);

        if (header_lines < 3) {
            // RFC 8866 §5: v=0 first, then o=, then s=.
            static constexpr char expected[3] = {'v', 'o', 's'};
            static constexpr const char* missing[3] = {
                "SDP: missing v= line", "SDP: missing o= line", "SDP: missing s= line"};
            if (type != expected[header_lines])
                return fail(status_bad_request, missing[header_lines], at);
            ++header_lines;
        }
        if (!in_media_) {
            PARLEY_TRY(session_line(type, value, at));
        } else {
            PARLEY_TRY(media_line(type, value, at));
        }
    }
    if (header_lines < 3) {
        static constexpr const char* missing[3] = {"SDP: missing v= line", "SDP: missing o= line",
                                                   "SDP: missing s= line"};
        return fail(status_bad_request, missing[header_lines], size);
    }
    if (d_.timings_.empty()) return fail(status_bad_request, "SDP: missing t= line", size);
    if (in_media_) PARLEY_TRY(finish_media());
    return {};
}

result<void> parser::session_line(char type, std::string_view value, std::size_t at) {
    if (type == 'm') {
        if (d_.timings_.empty()) return fail(status_bad_request, "SDP: missing t= line", at);
        return parse_m(value, at);
    }
    int rank = session_rank(type);
    if (rank >= 0) {
        if (options_.order == line_order::strict && rank < rank_)
            return fail(status_bad_request, "SDP: line out of order", at);
        if (rank > rank_) rank_ = rank;
    }
    switch (type) {
    case 'v':
        if (seen_v_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_v_ = true;
        if (value != "0") return fail(status_bad_request, "SDP: bad v= version", at + 2);
        return {};
    case 'o': {
        if (seen_o_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_o_ = true;
        std::string_view rest = value;
        origin_field& o = d_.origin_;
        o.username = take_token(rest);
        o.session_id = take_token(rest);
        std::string_view version = take_token(rest);
        o.network_type = take_token(rest);
        o.address_type = take_token(rest);
        o.address = take_token(rest);
        if (o.address.empty() || !rest.empty() || !is_non_ws_text(o.username) ||
            !text::is_token_text(o.network_type) || !text::is_token_text(o.address_type) ||
            !is_non_ws_text(o.address))
            return fail(status_bad_request, "SDP: bad o= line", at);
        if (!is_digits(o.session_id)) return fail(status_bad_request, "SDP: bad o= session id", at);
        auto v = text::parse_decimal(version, max_number);
        if (!v) return fail(status_bad_request, "SDP: bad o= session version", at);
        o.session_version = *v;
        return {};
    }
    case 's':
        if (seen_s_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_s_ = true;
        // Tolerated: an empty s= (RFC 8866 wants "s= " or "s=-"; RFC 5118 examples send "s=").
        d_.session_name_ = value;
        return {};
    case 'i':
        if (seen_i_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_i_ = true;
        d_.information_ = value;
        return {};
    case 'u':
        if (seen_u_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_u_ = true;
        d_.uri_ = value;
        return {};
    case 'e': d_.emails_.push_back(memory(), value); return {};
    case 'p': d_.phones_.push_back(memory(), value); return {};
    case 'c': {
        if (d_.connection_) return fail(status_bad_request, duplicate_reason(type), at);
        auto c = parse_c(value, at);
        if (!c) return fail(c.error_value());
        d_.connection_ = *c;
        return {};
    }
    case 'b': {
        auto b = parse_b(value, at);
        if (!b) return fail(b.error_value());
        d_.bandwidths_.push_back(memory(), *b);
        return {};
    }
    case 't': {
        std::string_view rest = value;
        auto start = text::parse_decimal(take_token(rest), max_number);
        auto stop = text::parse_decimal(take_token(rest), max_number);
        if (!start || !stop || !rest.empty())
            return fail(status_bad_request, "SDP: bad t= line", at);
        timing_field t;
        t.start = *start;
        t.stop = *stop;
        if (d_.timings_.empty()) d_.timings_.reserve(memory(), 1);
        d_.timings_.push_back(memory(), t);
        return {};
    }
    case 'r': {
        if (d_.timings_.empty()) return fail(status_bad_request, "SDP: r= line without t=", at);
        // repeat-interval SP typed-time 1*(SP typed-time), typed-time = 1*DIGIT [d|h|m|s]
        std::string_view rest = value;
        int fields = 0;
        while (!rest.empty()) {
            std::string_view field = take_token(rest);
            std::string_view digits = field;
            if (!digits.empty() && (digits.back() == 'd' || digits.back() == 'h' ||
                                    digits.back() == 'm' || digits.back() == 's'))
                digits.remove_suffix(1);
            if (!text::parse_decimal(digits, max_number))
                return fail(status_bad_request, "SDP: bad r= line", at);
            ++fields;
        }
        if (fields < 3) return fail(status_bad_request, "SDP: bad r= line", at);
        d_.timings_.back().repeats.push_back(memory(), value);
        return {};
    }
    case 'z': {
        if (seen_z_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_z_ = true;
        std::string_view rest = value;
        int fields = 0;
        while (!rest.empty()) {
            std::string_view field = take_token(rest);
            if (!field.empty() && field.front() == '-') field.remove_prefix(1);
            if (!field.empty() && (field.back() == 'd' || field.back() == 'h' ||
                                   field.back() == 'm' || field.back() == 's'))
                field.remove_suffix(1);
            if (!text::parse_decimal(field, max_number))
                return fail(status_bad_request, "SDP: bad z= line", at);
            ++fields;
        }
        if (fields == 0 || fields % 2 != 0) return fail(status_bad_request, "SDP: bad z= line", at);
        d_.time_zones_ = value;
        return {};
    }
    case 'k':
        if (seen_k_) return fail(status_bad_request, duplicate_reason(type), at);
        seen_k_ = true;
        d_.key_ = value;
        return {};
    case 'a': {
        auto a = parse_a(value, at);
        if (!a) return fail(a.error_value());
        d_.attributes_.push_back(memory(), *a);
        return {};
    }
    default:
        // RFC 8866 §5: unknown types are ignored by a parser; we keep them for relays.
        d_.extensions_.push_back(memory(), extension_line{type, value});
        return {};
    }
}

result<void> parser::media_line(char type, std::string_view value, std::size_t at) {
    if (type == 'm') {
        PARLEY_TRY(finish_media());
        return parse_m(value, at);
    }
    media_description& m = d_.media_.back();
    int rank = media_rank(type);
    if (rank >= 0) {
        if (options_.order == line_order::strict && rank < rank_)
            return fail(status_bad_request, "SDP: line out of order", at);
        if (rank > rank_) rank_ = rank;
    }
    switch (type) {
    case 'i':
        if (media_seen_i_) return fail(status_bad_request, duplicate_reason(type), at);
        media_seen_i_ = true;
        m.information = value;
        return {};
    case 'c': {
        // RFC 8866 §5.7: several c= lines per media are allowed (layered encodings).
        auto c = parse_c(value, at);
        if (!c) return fail(c.error_value());
        m.connections.push_back(memory(), *c);
        return {};
    }
    case 'b': {
        auto b = parse_b(value, at);
        if (!b) return fail(b.error_value());
        m.bandwidths.push_back(memory(), *b);
        return {};
    }
    case 'k':
        if (media_seen_k_) return fail(status_bad_request, duplicate_reason(type), at);
        media_seen_k_ = true;
        m.key = value;
        return {};
    case 'a': {
        auto a = parse_a(value, at);
        if (!a) return fail(a.error_value());
        if (m.attributes.empty()) m.attributes.reserve(memory(), 8);
        m.attributes.push_back(memory(), *a);
        return {};
    }
    case 'v':
    case 'o':
    case 's':
    case 'u':
    case 'e':
    case 'p':
    case 't':
    case 'r':
    case 'z': return fail(status_bad_request, "SDP: session-level line inside a media section", at);
    default: m.extensions.push_back(memory(), extension_line{type, value}); return {};
    }
}

result<void> parser::parse_m(std::string_view value, std::size_t at) {
    // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
    if (d_.media_.size() >= options_.max_media)
        return fail(status_bad_request, "SDP: too many m= lines", at);
    if (d_.media_.empty()) d_.media_.reserve(memory(), 1);
    media_description m;
    std::string_view rest = value;
    m.media = take_token(rest);
    if (!text::is_token_text(m.media))
        return fail(status_bad_request, "SDP: bad m= media type", at);
    std::string_view port = take_token(rest);
    auto slash = port.find('/');
    auto port_number = text::parse_decimal(port.substr(0, slash), 65535);
    if (!port_number) return fail(status_bad_request, "SDP: bad m= port", at);
    m.port = static_cast<std::uint16_t>(*port_number);
    if (slash != std::string_view::npos) {
        auto count = text::parse_decimal(port.substr(slash + 1), 65535);
        if (!count || *count == 0) return fail(status_bad_request, "SDP: bad m= port count", at);
        m.port_count = static_cast<std::uint16_t>(*count);
    }
    m.proto = take_token(rest);
    if (!is_proto_text(m.proto)) return fail(status_bad_request, "SDP: bad m= proto", at);
    if (rest.empty()) return fail(status_bad_request, "SDP: m= line without formats", at);
    std::size_t count = 1;
    for (char c : rest) count += c == ' ' ? 1 : 0;
    m.formats.reserve(memory(), count);
    const bool rtp = m.is_rtp();
    while (!rest.empty()) {
        std::string_view format = take_token(rest);
        if (rtp) {
            // RFC 3551 §3 / RFC 8866 §5.14: RTP formats are payload types 0-127.
            if (!text::parse_decimal(format, 127))
                return fail(status_bad_request, "SDP: bad RTP payload type", at);
        } else if (!is_non_ws_text(format)) {
            return fail(status_bad_request, "SDP: bad m= format", at);
        }
        m.formats.push_back(memory(), format);
    }
    d_.media_.push_back(memory(), m);
    in_media_ = true;
    media_at_ = at;
    rank_ = 0;
    media_seen_i_ = media_seen_k_ = false;
    return {};
}

result<void> parser::finish_media() {
    const media_description& m = d_.media_.back();
    // RFC 8866 §5.7: every media needs a connection, its own or the session's. Tolerated: a
    // declined stream (port 0) without one, which many user agents send.
    if (m.connections.empty() && !d_.connection_ && m.port != 0)
        return fail(status_bad_request, "SDP: missing c= line", media_at_);
    return {};
}

result<connection_field> parser::parse_c(std::string_view value, std::size_t at) {
    std::string_view rest = value;
    connection_field c;
    c.network_type = take_token(rest);
    c.address_type = take_token(rest);
    std::string_view address = take_token(rest);
    if (address.empty() || !rest.empty() || !text::is_token_text(c.network_type) ||
        !text::is_token_text(c.address_type))
        return fail(status_bad_request, "SDP: bad c= line", at);
    auto slash = address.find('/');
    c.address = address.substr(0, slash);
    if (c.is_ip4()) {
        if (!is_ip4_address(c.address)) return fail(status_bad_request, "SDP: bad c= address", at);
        if (slash != std::string_view::npos) {
            // IP4 multicast: /<ttl>[/<number of addresses>]
            std::string_view suffix = address.substr(slash + 1);
            auto slash2 = suffix.find('/');
            auto ttl = text::parse_decimal(suffix.substr(0, slash2), 255);
            if (!ttl) return fail(status_bad_request, "SDP: bad c= TTL", at);
            c.ttl = static_cast<std::uint8_t>(*ttl);
            if (slash2 != std::string_view::npos) {
                auto n = text::parse_decimal(suffix.substr(slash2 + 1));
                if (!n || *n == 0) return fail(status_bad_request, "SDP: bad c= address count", at);
                c.address_count = static_cast<std::uint32_t>(*n);
            }
        }
    } else if (c.is_ip6()) {
        // RFC 8866 §5.7 / RFC 5118: IPv6 connection addresses are not bracketed.
        if (!is_ip6_address(c.address)) return fail(status_bad_request, "SDP: bad c= address", at);
        if (slash != std::string_view::npos) {
            auto n = text::parse_decimal(address.substr(slash + 1));
            if (!n || *n == 0) return fail(status_bad_request, "SDP: bad c= address count", at);
            c.address_count = static_cast<std::uint32_t>(*n);
        }
    } else {
        c.address = address; // extension address type: kept as text
    }
    return c;
}

result<bandwidth_field> parser::parse_b(std::string_view value, std::size_t at) {
    auto colon = value.find(':');
    if (colon == std::string_view::npos) return fail(status_bad_request, "SDP: bad b= line", at);
    bandwidth_field b;
    b.type = value.substr(0, colon);
    auto bw = text::parse_decimal(value.substr(colon + 1), max_number);
    if (!text::is_token_text(b.type) || !bw)
        return fail(status_bad_request, "SDP: bad b= line", at);
    b.value = *bw;
    return b;
}

result<attribute> parser::parse_a(std::string_view value, std::size_t at) {
    if (++attribute_count_ > options_.max_attributes)
        return fail(status_bad_request, "SDP: too many attributes", at);
    // One pass: the name runs to ':' (or the end) and must be token chars (RFC 8866 §9).
    attribute a;
    const char* p = value.data();
    const char* end = p + value.size();
    const char* q = p;
    while (q != end && text::is_token(*q)) ++q;
    a.name = std::string_view(p, static_cast<std::size_t>(q - p));
    if (q != end) {
        if (*q != ':' || q == p)
            return fail(status_bad_request, "SDP: bad a= attribute name", at + 2);
        a.value = std::string_view(q + 1, static_cast<std::size_t>(end - q - 1));
    } else if (q == p) {
        return fail(status_bad_request, "SDP: bad a= attribute name", at + 2);
    }
    a.kind = classify_attribute(a.name);
    return a;
}

result<session_description> session_description::parse(std::string_view text,
                                                       const parse_options& options) {
    if (text.size() > options.max_bytes)
        return fail(status_bad_request, "SDP: too large", options.max_bytes);
    if (text.empty()) return fail(status_bad_request, "SDP: missing v= line", 0);
    if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr)
        return fail(status_bad_request, "SDP: NUL byte",
                    static_cast<std::size_t>(static_cast<const char*>(nul) - text.data()));
    session_description d;
    // One block: the text, then the records (about two bytes of records per byte of text).
    // A typical 250-byte offer stays within one block under glibc's 1032-byte tcache limit.
    d.storage_.reset(storage::create(text.size() * 2 + 470));
    std::string_view own = d.storage_->memory.copy(text);
    parser p(d, options);
    PARLEY_TRY(p.run(own));
    return d;
}

} // namespace parley::sdp
