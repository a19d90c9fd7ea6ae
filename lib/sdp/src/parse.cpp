// RFC 8866 parser: one pass over the description's own copy of the text, one line at a time,
// every field a view into that copy.
//
// Why it is fast (docs/sdp.md, "Performance"): the copy ends with a '\n' sentinel, so finding a
// line end is a 16-byte SIMD compare with no bounds check, and every scan inside a line stops by
// itself at the CR or LF that ends it. Runs of a= lines are read by one tight loop. Records are
// built in place in their arena arrays. The structured lines are read by fast paths for the shape
// nearly every user agent sends (o=/c= "IN IP4", a dotted quad, RTP payload types, the attribute
// names offer/answer reads), which validate while they tokenize and write the record in place.
// Anything else goes to the general grammar in fields.cpp, which decides every error: a fast
// path only accepts what the general parser would accept, with the same fields.
#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <parley/base/text.hpp>
#include <parley/sdp/description.hpp>

#include "fields.hpp"
#include "storage.hpp"

namespace parley::sdp {

namespace {

using detail::status_bad_request;

// Bytes after the copied text: a '\n' sentinel, then enough readable bytes for one 16-byte load
// that starts at the sentinel.
constexpr std::size_t scan_padding = 16;

// The '\n' at or after p. The sentinel guarantees there is one, at or before `sentinel`.
inline const char* find_newline(const char* p, [[maybe_unused]] const char* sentinel) noexcept {
#if defined(__SSE2__)
    const __m128i newline = _mm_set1_epi8('\n');
    for (;; p += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newline));
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    }
#else
    return static_cast<const char*>(
        std::memchr(p, '\n', static_cast<std::size_t>(sentinel - p) + 1));
#endif
}

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

// ---- fast-path scanning -----------------------------------------------------------------------
// Every line ends at a CR or LF byte (the sentinel included) and no scan below accepts either, so
// a scan cannot run past its line; callers compare the stop position with the line end.

std::string_view view(const char* from, const char* to) noexcept {
    return {from, static_cast<std::size_t>(to - from)};
}

// non-ws-string bytes as the general parser reads them (not SP, HT, CR), minus LF and NUL.
constexpr std::array<bool, 256> field_bytes = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0;
    return t;
}();
bool is_field_byte(char c) noexcept {
    return field_bytes[static_cast<unsigned char>(c)];
}

// The first byte at or after q that is not a decimal digit (a run of them) / not a field byte.
// With SSE2, 16 bytes per step: the padding after the text keeps every 16-byte load from a
// position inside it readable, and the line's CR/LF (or the sentinel) stops both scans.
const char* skip_digits(const char* q) noexcept {
#if defined(__SSE2__)
    for (;; q += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        // '0'-'9' moved to -128..-119: a digit is below -118, every other byte above it.
        const __m128i digits =
            _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - '0'))),
                           _mm_set1_epi8(-128 + 10));
        if (const auto stop = static_cast<unsigned>(~_mm_movemask_epi8(digits)) & 0xFFFFu)
            return q + __builtin_ctz(stop);
    }
#else
    while (text::is_digit(*q)) ++q;
    return q;
#endif
}

const char* skip_field_bytes(const char* q) noexcept {
#if defined(__SSE2__)
    for (;; q += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        const __m128i stop =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                      _mm_cmpeq_epi8(v, _mm_setzero_si128())));
        if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stop)))
            return q + __builtin_ctz(mask);
    }
#else
    while (is_field_byte(*q)) ++q;
    return q;
#endif
}

const char* skip_spaces(const char* q) noexcept {
    while (*q == ' ') ++q;
    return q;
}

// A run of 1 to max_digits decimal digits at q (so the value fits the field's bound); advances q
// past it. A longer run may wrap `value` (unsigned) and is rejected.
template <int max_digits>
[[gnu::always_inline]] inline bool scan_number(const char*& q, std::uint64_t& value) noexcept {
    // The first digit tested on its own: the loop then needs no "any digit?" test after it.
    const char* p = q;
    unsigned digit = static_cast<unsigned char>(*p) - unsigned{'0'};
    if (digit > 9) return false;
    std::uint64_t v = digit;
    while ((digit = static_cast<unsigned char>(*++p) - unsigned{'0'}) <= 9) v = v * 10 + digit;
    if (p - q > max_digits) return false;
    q = p;
    value = v;
    return true;
}

// "IN IP4 ": the network and address type of nearly every o= and c= line.
bool starts_with_in_ip4(const char* q, const char* end) noexcept {
    return end - q >= 7 && std::memcmp(q, "IN IP4 ", 7) == 0;
}

// o=<username> <sess-id> <sess-version> IN IP4 <unicast-address> (§5.2).
bool origin_fast(const char* q, const char* end, origin_field& o) noexcept {
    const char* start = q;
    while (is_field_byte(*q)) ++q;
    if (q == start || *q != ' ') return false;
    o.username = view(start, q);
    q = skip_spaces(q);
    start = q;
    q = skip_digits(q);
    if (q == start || *q != ' ') return false;
    o.session_id = view(start, q);
    q = skip_spaces(q);
    if (!scan_number<detail::max_number_digits>(q, o.session_version) || *q != ' ') return false;
    q = skip_spaces(q);
    if (!starts_with_in_ip4(q, end)) return false;
    o.network_type = view(q, q + 2);
    o.address_type = view(q + 3, q + 6);
    q = skip_spaces(q + 7);
    start = q;
    q = skip_field_bytes(q);
    if (q == start || q != end) return false;
    o.address = view(start, q);
    return true;
}

// c=IN IP4 <dotted quad> (§5.7), the unicast form offer/answer uses.
bool connection_fast(const char* q, const char* end, connection_field& c) noexcept {
    if (!starts_with_in_ip4(q, end)) return false;
    const char* address = q + 7;
    const char* p = address;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet != 0 && *p++ != '.') return false;
        std::uint64_t value = 0;
        if (!scan_number<3>(p, value) || value > 255) return false;
    }
    if (p != end) return false;
    c.network_type = view(q, q + 2);
    c.address_type = view(q + 3, q + 6);
    c.address = view(address, end);
    return true;
}

// t=<start-time> <stop-time> (§5.9).
bool timing_fast(const char* q, const char* end, timing_field& t) noexcept {
    constexpr int digits = detail::max_number_digits;
    if (!scan_number<digits>(q, t.start) || *q != ' ') return false;
    q = skip_spaces(q);
    return scan_number<digits>(q, t.stop) && q == end;
}

// True when the attribute at q is `name`, followed by ':' or the end of the line.
template <std::size_t size>
bool is_name(const char* q, const char* end, const char (&name)[size]) noexcept {
    constexpr std::size_t length = size - 1;
    return static_cast<std::size_t>(end - q) >= length && std::memcmp(q, name, length) == 0 &&
           (q + length == end || q[length] == ':');
}

struct known_name {
    std::size_t length = 0;
    attribute_kind kind = attribute_kind::other;
};

// The names classify_attribute() knows, matched with a compare or two instead of a byte loop
// and a lookup. They are tokens, so a match needs no further validation.
known_name match_known_name(const char* q, const char* end) noexcept {
    switch (*q) {
    case 'r':
        if (is_name(q, end, "rtpmap")) return {6, attribute_kind::rtpmap};
        if (is_name(q, end, "rtcp")) return {4, attribute_kind::rtcp};
        if (is_name(q, end, "rtcp-mux")) return {8, attribute_kind::rtcp_mux};
        if (is_name(q, end, "recvonly")) return {8, attribute_kind::recvonly};
        break;
    case 'f':
        if (is_name(q, end, "fmtp")) return {4, attribute_kind::fmtp};
        break;
    case 'p':
        if (is_name(q, end, "ptime")) return {5, attribute_kind::ptime};
        break;
    case 's':
        if (is_name(q, end, "sendrecv")) return {8, attribute_kind::sendrecv};
        if (is_name(q, end, "sendonly")) return {8, attribute_kind::sendonly};
        break;
    case 'i':
        if (is_name(q, end, "inactive")) return {8, attribute_kind::inactive};
        break;
    case 'm':
        if (is_name(q, end, "mid")) return {3, attribute_kind::mid};
        if (is_name(q, end, "maxptime")) return {8, attribute_kind::maxptime};
        break;
    case 'g':
        if (is_name(q, end, "group")) return {5, attribute_kind::group};
        break;
    default: break;
    }
    return {};
}

} // namespace

// ---- the line loop ----------------------------------------------------------------------------

class parser {
public:
    parser(session_description& d, const parse_options& options, const char* text) noexcept
        : d_(d), options_(options), memory_(d.storage_->memory), text_(text),
          attributes_(&d.attributes_), strict_(options.order == line_order::strict) {}

    /// Parses text[0, size); text[size] is the '\n' sentinel, followed by scan_padding - 1 bytes.
    bool run(std::size_t size);
    const error& failure() const noexcept { return error_; }

private:
    /// One line: `<type>=<value>`, value [value, end), starting `at` bytes into the text.
    struct line {
        char type;
        const char* value;
        const char* end;
        std::size_t at;
        std::string_view text() const noexcept { return view(value, end); }
    };

    bool session_line(const line& l);
    bool media_line(const line& l);
    bool origin_line(const line& l);
    bool connection_line(const line& l, connection_field& c);
    bool media_start(const line& l);
    bool media_fast(const line& l, media_description& m);
    /// Reads the a= line at p and the a= lines right after it; returns where they end, or null
    /// on error.
    const char* attribute_lines(const char* p, const char* end);
    std::size_t offset(const char* p) const noexcept { return static_cast<std::size_t>(p - text_); }
    bool finish_media();
    bool check_order(int rank, std::size_t at);
    bool fail(const char* reason, std::size_t at) noexcept {
        error_ = make_error(status_bad_request, reason, at);
        return false;
    }
    bool fail(const error& e) noexcept {
        error_ = e;
        return false;
    }
    arena& memory() noexcept { return memory_; }

    session_description& d_;
    const parse_options& options_;
    arena& memory_;
    const char* text_;
    /// Where a= lines go: the session's list, then the current media's.
    slice_vector<attribute>* attributes_;
    bool strict_;
    error error_{};
    std::size_t attribute_count_ = 0;
    int rank_ = 0;
    int header_lines_ = 0; // v=, o=, s= must be the first three lines, in that order
    bool in_media_ = false;
    bool seen_v_ = false, seen_o_ = false, seen_s_ = false;
    bool seen_i_ = false, seen_u_ = false, seen_z_ = false, seen_k_ = false;
    bool media_seen_i_ = false, media_seen_k_ = false;
    std::size_t media_at_ = 0;
};

bool parser::run(std::size_t size) {
    static constexpr const char* missing[3] = {"SDP: missing v= line", "SDP: missing o= line",
                                               "SDP: missing s= line"};
    const char* p = text_;
    const char* const end = text_ + size;
    while (p < end) {
        const std::size_t at = static_cast<std::size_t>(p - text_);
        if (p[1] != '=' || !text::is_alpha(p[0])) [[unlikely]] {
            // Tolerated: blank lines (typically a trailing one), LF or CRLF.
            if (p[0] == '\n') {
                ++p;
                continue;
            }
            if (p[0] == '\r' && p[1] == '\n') {
                p += 2;
                continue;
            }
            return fail("SDP: malformed line", at);
        }
        if (p[0] == 'a' && header_lines_ == 3) {
            // a= lines are most of a description (RFC 8866 §5.13): a tight loop reads the run.
            p = attribute_lines(p, end);
            if (p == nullptr) return false;
            continue;
        }
        const char* newline = find_newline(p + 2, end);
        const line l{p[0], p + 2, newline[-1] == '\r' ? newline - 1 : newline, at};
        p = newline + 1;

        if (header_lines_ < 3) [[unlikely]] {
            // RFC 8866 §5: v=0 first, then o=, then s=.
            static constexpr char expected[3] = {'v', 'o', 's'};
            if (l.type != expected[header_lines_]) return fail(missing[header_lines_], at);
            ++header_lines_;
        }
        if (!(in_media_ ? media_line(l) : session_line(l))) return false;
    }
    if (header_lines_ < 3) return fail(missing[header_lines_], size);
    if (d_.timings_.empty()) return fail("SDP: missing t= line", size);
    return !in_media_ || finish_media();
}

bool parser::check_order(int rank, std::size_t at) {
    if (rank < 0) return true;
    if (rank < rank_) return fail("SDP: line out of order", at);
    rank_ = rank;
    return true;
}

// Inlined into run() (g++ and clang both honour the attribute): the call cost about 25
// instructions a line, a tenth of a typical parse.
[[gnu::always_inline]] inline bool parser::session_line(const line& l) {
    const char type = l.type;
    if (type == 'm') {
        if (d_.timings_.empty()) return fail("SDP: missing t= line", l.at);
        return media_start(l);
    }
    if (strict_ && !check_order(session_rank(type), l.at)) return false;
    switch (type) {
    case 'v':
        if (seen_v_) return fail(duplicate_reason(type), l.at);
        seen_v_ = true;
        if (l.text() != "0") return fail("SDP: bad v= version", l.at + 2);
        return true;
    case 'o':
        if (seen_o_) return fail(duplicate_reason(type), l.at);
        seen_o_ = true;
        return origin_line(l);
    case 's':
        if (seen_s_) return fail(duplicate_reason(type), l.at);
        seen_s_ = true;
        // Tolerated: an empty s= (RFC 8866 wants "s= " or "s=-"; RFC 5118 examples send "s=").
        d_.session_name_ = l.text();
        return true;
    case 'i':
        if (seen_i_) return fail(duplicate_reason(type), l.at);
        seen_i_ = true;
        d_.information_ = l.text();
        return true;
    case 'u':
        if (seen_u_) return fail(duplicate_reason(type), l.at);
        seen_u_ = true;
        d_.uri_ = l.text();
        return true;
    case 'e': d_.emails_.push_back(memory(), l.text()); return true;
    case 'p': d_.phones_.push_back(memory(), l.text()); return true;
    case 'c': {
        if (d_.connection_) return fail(duplicate_reason(type), l.at);
        return connection_line(l, d_.connection_.emplace());
    }
    case 'b': {
        auto b = detail::parse_bandwidth(l.text(), l.at);
        if (!b) return fail(b.error_value());
        d_.bandwidths_.push_back(memory(), *b);
        return true;
    }
    case 't': {
        if (d_.timings_.empty()) d_.timings_.reserve(memory(), 1);
        timing_field& t = d_.timings_.emplace_back(memory());
        if (timing_fast(l.value, l.end, t)) return true;
        auto general = detail::parse_timing(l.text(), l.at);
        if (!general) return fail(general.error_value());
        t = *general;
        return true;
    }
    case 'r': {
        if (d_.timings_.empty()) return fail("SDP: r= line without t=", l.at);
        if (auto r = detail::check_repeat(l.text(), l.at); !r) return fail(r.error_value());
        d_.timings_.back().repeats.push_back(memory(), l.text());
        return true;
    }
    case 'z': {
        if (seen_z_) return fail(duplicate_reason(type), l.at);
        seen_z_ = true;
        if (auto z = detail::check_time_zones(l.text(), l.at); !z) return fail(z.error_value());
        d_.time_zones_ = l.text();
        return true;
    }
    case 'k':
        if (seen_k_) return fail(duplicate_reason(type), l.at);
        seen_k_ = true;
        d_.key_ = l.text();
        return true;
    default:
        // RFC 8866 §5: unknown types are ignored by a parser; we keep them for relays.
        d_.extensions_.push_back(memory(), extension_line{type, l.text()});
        return true;
    }
}

bool parser::media_line(const line& l) {
    const char type = l.type;
    if (type == 'm') return finish_media() && media_start(l);
    media_description& m = d_.media_.back();
    if (strict_ && !check_order(media_rank(type), l.at)) return false;
    switch (type) {
    case 'i':
        if (media_seen_i_) return fail(duplicate_reason(type), l.at);
        media_seen_i_ = true;
        m.information = l.text();
        return true;
    case 'c': {
        // RFC 8866 §5.7: several c= lines per media are allowed (layered encodings).
        if (m.connections.empty()) m.connections.reserve(memory(), 1); // one c= per m= is usual
        return connection_line(l, m.connections.emplace_back(memory()));
    }
    case 'b': {
        auto b = detail::parse_bandwidth(l.text(), l.at);
        if (!b) return fail(b.error_value());
        m.bandwidths.push_back(memory(), *b);
        return true;
    }
    case 'k':
        if (media_seen_k_) return fail(duplicate_reason(type), l.at);
        media_seen_k_ = true;
        m.key = l.text();
        return true;
    case 'v':
    case 'o':
    case 's':
    case 'u':
    case 'e':
    case 'p':
    case 't':
    case 'r':
    case 'z': return fail("SDP: session-level line inside a media section", l.at);
    default: m.extensions.push_back(memory(), extension_line{type, l.text()}); return true;
    }
}

bool parser::origin_line(const line& l) {
    if (origin_fast(l.value, l.end, d_.origin_)) return true;
    auto o = detail::parse_origin(l.text(), l.at);
    if (!o) return fail(o.error_value());
    d_.origin_ = *o;
    return true;
}

bool parser::connection_line(const line& l, connection_field& c) {
    if (connection_fast(l.value, l.end, c)) return true;
    auto general = detail::parse_connection(l.text(), l.at);
    if (!general) return fail(general.error_value());
    c = *general;
    return true;
}

bool parser::media_start(const line& l) {
    if (d_.media_.size() >= options_.max_media) return fail("SDP: too many m= lines", l.at);
    if (d_.media_.empty()) d_.media_.reserve(memory(), 1);
    media_description& m = d_.media_.emplace_back(memory());
    if (!media_fast(l, m)) {
        m = media_description{};
        auto general = detail::parse_media_fields(l.text(), l.at, memory(), m);
        if (!general) return fail(general.error_value());
    }
    attributes_ = &m.attributes;
    in_media_ = true;
    media_at_ = l.at;
    rank_ = 0;
    media_seen_i_ = media_seen_k_ = false;
    return true;
}

// m=<media> <port> <proto> <payload type> ... (§5.14) for an RTP profile.
bool parser::media_fast(const line& l, media_description& m) {
    const char* q = l.value;
    const char* start = q;
    while (text::is_token(*q)) ++q;
    if (q == start || *q != ' ') return false;
    m.media = view(start, q);
    q = skip_spaces(q);
    std::uint64_t port = 0;
    if (!scan_number<5>(q, port) || port > 65535 || *q != ' ') return false;
    m.port = static_cast<std::uint16_t>(port);
    q = skip_spaces(q);
    start = q;
    if (l.end - q > 8 && std::memcmp(q, "RTP/AVP ", 8) == 0) {
        q += 7; // the RFC 3551 profile of nearly every audio/video offer
    } else {
        while (text::is_token(*q) || *q == '/') ++q;
        if (q == start || *q != ' ') return false;
    }
    m.proto = view(start, q);
    if (!m.proto.starts_with("RTP/") && !m.is_rtp()) return false;
    q = skip_spaces(q);
    if (q == l.end) return false;
    // Room for every format the rest can hold (each takes a digit and a space at least).
    m.formats.reserve(memory(), static_cast<std::size_t>(l.end - q) / 2 + 1);
    while (q != l.end) {
        // RFC 3551 §3 / RFC 8866 §5.14: RTP formats are payload types 0-127.
        start = q;
        std::uint64_t payload_type = 0;
        if (!scan_number<3>(q, payload_type) || payload_type > 127 || (q != l.end && *q != ' '))
            return false;
        m.formats.push_back(memory(), view(start, q));
        q = skip_spaces(q);
    }
    return true;
}

bool parser::finish_media() {
    const media_description& m = d_.media_.back();
    // RFC 8866 §5.7: every media needs a connection, its own or the session's. Tolerated: a
    // declined stream (port 0) without one, which many user agents send.
    if (m.connections.empty() && !d_.connection_ && m.port != 0)
        return fail("SDP: missing c= line", media_at_);
    return true;
}

const char* parser::attribute_lines(const char* p, const char* end) {
    if (strict_ && !check_order(in_media_ ? media_rank('a') : session_rank('a'), offset(p)))
        return nullptr;
    slice_vector<attribute>& list = *attributes_;
    // A media section usually has a handful of attributes: one array, no regrowth.
    if (in_media_ && list.empty()) list.reserve(memory(), 8);
    std::size_t count = attribute_count_;
    do {
        if (++count > options_.max_attributes) {
            fail("SDP: too many attributes", offset(p));
            return nullptr;
        }
        const char* name = p + 2;
        const char* newline = find_newline(name, end);
        const char* line_end = newline[-1] == '\r' ? newline - 1 : newline;
        known_name known = match_known_name(name, line_end);
        const char* q = name + known.length;
        if (known.length == 0) {
            // The name runs to ':' (or the end) and must be token chars (RFC 8866 §9).
            while (text::is_token(*q)) ++q;
            if (q == name || (q != line_end && *q != ':')) {
                fail("SDP: bad a= attribute name", offset(name));
                return nullptr;
            }
            known.kind = classify_attribute(view(name, q));
        }
        attribute& a = list.emplace_back(memory());
        a.name = view(name, q);
        a.kind = known.kind;
        if (q != line_end) a.value = view(q + 1, line_end);
        p = newline + 1;
    } while (p < end && p[0] == 'a' && p[1] == '=');
    attribute_count_ = count;
    return p;
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
    // A small one (SIPp's 130-byte offer) still needs about 800 bytes of records.
    d.storage_.reset(storage::create(std::max<std::size_t>(text.size() * 2 + 470, 900)));
    // The copy is followed by the '\n' sentinel and padding the line scans rely on.
    auto* own = static_cast<char*>(d.storage_->memory.allocate(text.size() + scan_padding, 1));
    std::memcpy(own, text.data(), text.size());
    std::memset(own + text.size(), '\n', scan_padding);
    parser p(d, options, own);
    if (!p.run(text.size())) return fail(p.failure());
    return d;
}

} // namespace parley::sdp
