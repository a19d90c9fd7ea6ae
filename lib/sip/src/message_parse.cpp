// parse_message(): start line, header lines, eager routing headers, body framing.
#include <parley/sip/message.hpp>

#include <parley/base/text.hpp>

#include <array>
#include <cstring>

#include "byte_scan.hpp"
#include "delimiter_walk.hpp"
#include "header_lookup.hpp"
#include "parse_into.hpp"
#include "scanner.hpp"
#include "uri_parse.hpp"

namespace parley {

message::message() noexcept = default;

void message::clear() noexcept {
    kind_ = message_kind::request;
    method_ = method::unknown;
    status_ = 0;
    max_forwards_ = -1;
    content_length_ = -1;
    // Each on its own: a chained `a = b = {}` reads b back as one 16-byte load over the two
    // 8-byte stores that emptied it, a failed store-to-load forward (about 15 cycles).
    method_text_ = {};
    reason_ = {};
    call_id_ = {};
    body_ = {};
    bytes_ = {};
    // Copies of static empty values: `= T{}` zeroes a temporary with rep stos and copies it.
    static const uri empty_uri{};
    static const name_addr empty_name_addr{};
    std::memcpy(static_cast<void*>(&request_uri_), &empty_uri, sizeof empty_uri);
    std::memcpy(static_cast<void*>(&from_), &empty_name_addr, sizeof empty_name_addr);
    std::memcpy(static_cast<void*>(&to_), &empty_name_addr, sizeof empty_name_addr);
    cseq_ = parley::cseq{};
    content_type_ = media_type{};
    headers_.clear();
    vias_.clear();
    contacts_.clear();
    routes_.clear();
    record_routes_.clear();
    arena_.reset();
}

const header_field* message::find(header_id id) const noexcept {
    for (const header_field& h : headers_)
        if (h.id == id) return &h;
    return nullptr;
}

const header_field* message::find(std::string_view name) const noexcept {
    header_id id = header_id_from_name(name);
    if (id != header_id::other) return find(id);
    for (const header_field& h : headers_)
        if (h.id == header_id::other && text::iequals(h.name, name)) return &h;
    return nullptr;
}

std::size_t message::count(header_id id) const noexcept {
    std::size_t n = 0;
    for (const header_field& h : headers_) n += h.id == id ? 1 : 0;
    return n;
}

namespace detail {

class message_parser {
public:
    message_parser(std::string_view bytes, message& m, const parse_options& o) noexcept
        : bytes_(bytes), m_(m), options_(o) {}

    static std::string_view copy_into(message& m, std::string_view bytes) {
        return m.arena_.copy(bytes);
    }

    result<void> run() noexcept {
        if (bytes_.size() > options_.limits.max_message_size)
            return error(513, "Message Too Large", options_.limits.max_message_size);
        std::size_t pos = 0;
        PARLEY_TRY(start_line(pos));
        PARLEY_TRY(header_lines(pos));
        PARLEY_TRY(mandatory_headers());
        return frame_body(pos);
    }

private:
    // Responses are never answered, so their errors carry no status (RFC 3261 §18.1.2: drop).
    unexpected error(std::uint16_t status, const char* reason, std::size_t offset) const noexcept {
        return fail(m_.kind_ == message_kind::response ? 0 : status, reason, offset);
    }
    unexpected error(const parley::error& e) const noexcept {
        return fail(m_.kind_ == message_kind::response ? 0 : e.status, e.reason, e.offset);
    }

    /// End of the line starting at `pos` (index of '\n'), or npos.
    std::size_t line_end(std::size_t pos) const noexcept {
        const char* const begin = bytes_.data();
        const char* const end = begin + bytes_.size();
        const char* nl = detail::scan::find_byte_long(begin + pos, begin, end, '\n');
        return nl == end ? std::string_view::npos : static_cast<std::size_t>(nl - begin);
    }
    std::string_view line_text(std::size_t pos, std::size_t nl) const noexcept {
        std::size_t end = nl;
        if (end > pos && bytes_[end - 1] == '\r') --end;
        return detail::slice(bytes_, pos, end - pos);
    }

    [[gnu::always_inline]] static bool is_sip_version(std::string_view v) noexcept {
        // "SIP/2.0" in any case: OR 0x20 folds only 'S' onto 's' (and so on), as to_lower does.
        return v.size() == 7 && detail::token_is(detail::slice(v, 0, 3), "sip") &&
               detail::slice(v, 3) == "/2.0";
    }
    static bool looks_like_version(std::string_view v) noexcept {
        // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
        if (v.size() < 7 || !text::iequals(v.substr(0, 4), "SIP/")) return false;
        std::size_t dot = v.find('.', 4);
        if (dot == std::string_view::npos || dot == 4 || dot + 1 == v.size()) return false;
        for (std::size_t i = 4; i < v.size(); ++i)
            if (i != dot && !text::is_digit(v[i])) return false;
        return true;
    }

    result<void> start_line(std::size_t& pos) noexcept {
        std::size_t nl = line_end(0);
        if (nl == std::string_view::npos) return fail(400, "Missing Start Line End", bytes_.size());
        std::string_view line = line_text(0, nl);
        // A trailing SP or HT is tolerated (RFC 4475 §3.1.2.10 allows either choice).
        while (!line.empty() && text::is_space(line.back())) line.remove_suffix(1);
        pos = nl + 1;
        if (line.starts_with("SIP/") || line.starts_with("sip/")) return status_line(line);
        return request_line(line);
    }

    result<void> status_line(std::string_view line) noexcept {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
        m_.kind_ = message_kind::response;
        // Nearly every status line starts "SIP/2.0 ": its SP and a valid version at once.
        const bool sip_2_0 = line.size() >= 8 && std::memcmp(line.data(), "SIP/2.0 ", 8) == 0;
        const std::size_t sp = sip_2_0 ? 7 : line.find(' ');
        if (!sip_2_0 && !is_sip_version(line.substr(0, sp)))
            return error(505, "Version Not Supported", 0);
        if (sp == std::string_view::npos || sp + 4 > line.size())
            return error(400, "Bad Status Line", sp == std::string_view::npos ? line.size() : sp);
        unsigned status = 0;
        for (std::size_t i = sp + 1; i < sp + 4; ++i) {
            const unsigned digit = static_cast<unsigned char>(line[i]) - unsigned{'0'};
            if (digit > 9) return error(400, "Bad Status Code", sp + 1);
            status = status * 10 + digit;
        }
        if (status < 100 || status > 699) return error(400, "Bad Status Code", sp + 1);
        if (line.size() > sp + 4 && line[sp + 4] != ' ')
            return error(400, "Bad Status Code", sp + 1);
        m_.status_ = static_cast<std::uint16_t>(status);
        m_.reason_ = line.size() > sp + 5 ? line.substr(sp + 5) : std::string_view{};
        for (std::size_t i = 0; i < m_.reason_.size(); ++i) {
            char c = m_.reason_[i];
            if (text::is(c, text::ctl) && c != '\t')
                return error(400, "Bad Reason Phrase", sp + 5 + i);
        }
        return {};
    }

    [[gnu::always_inline]] result<void> request_line(std::string_view line) noexcept {
        // Request-Line = Method SP Request-URI SP SIP-Version CRLF
        m_.kind_ = message_kind::request;
        if (std::string_view method_text;
            delimiter_walk::request_line(line, method_text, m_.request_uri_, readable_end())) {
            m_.method_text_ = method_text;
            m_.method_ = method_from_token(method_text);
            return {};
        }
        const char* const line_end = line.data() + line.size();
        // A method of name bytes followed by SP (every method RFC 3261 and its extensions
        // define) is a token ending at the first SP: one scan gives both.
        const char* space = detail::scan::skip_name_bytes(line.data(), bytes_.data(), line_end);
        const bool name_bytes_method = space != line.data() && space != line_end && *space == ' ';
        if (!name_bytes_method)
            space = detail::scan::find_byte(line.data(), bytes_.data(), line_end, ' ');
        if (space == line_end || space == line.data()) return fail(400, "Bad Request Line", 0);
        const auto sp1 = static_cast<std::size_t>(space - line.data());
        std::string_view method_text = detail::slice(line, 0, sp1);
        if (!name_bytes_method && !detail::scan::is_token_text(method_text, bytes_.data()))
            return fail(400, "Bad Method", 0);
        // The last SP comes before the version: nearly every line ends with " SIP/2.0", which
        // names that SP and a valid version at once.
        const bool sip_2_0 = line.size() >= 8 && line[line.size() - 8] == ' ' &&
                             is_sip_version(detail::slice(line, line.size() - 7));
        const std::size_t sp2 = sip_2_0 ? line.size() - 8 : line.rfind(' ');
        if (sp2 == sp1) return fail(400, "Bad Request Line", sp1);
        if (std::string_view version = detail::slice(line, sp2 + 1);
            !sip_2_0 && !is_sip_version(version)) {
            if (looks_like_version(version)) return fail(505, "Version Not Supported", sp2 + 1);
            return fail(400, "Bad SIP Version", sp2 + 1);
        }
        std::string_view uri_text = detail::slice(line, sp1 + 1, sp2 - sp1 - 1);
        if (uri_text.empty()) return fail(400, "Bad Request-URI", sp1 + 1);
        if (auto parsed =
                detail::uri_parse::parse_uri(m_.request_uri_, uri_text, sp1 + 1, bytes_.data());
            !parsed) {
            // A URI with a SP in it is reported where it starts. No URI that parses holds one
            // (no scheme's grammar lets a SP through), so only a failed parse looks for it.
            const char* const uri_end = uri_text.data() + uri_text.size();
            if (detail::scan::find_byte(uri_text.data(), bytes_.data(), uri_end, ' ') != uri_end)
                return fail(400, "Bad Request-URI", sp1 + 1);
            return fail(400, "Bad Request-URI", parsed.error_value().offset);
        }
        m_.method_text_ = method_text;
        m_.method_ = method_from_token(method_text);
        return {};
    }

    result<void> header_lines(std::size_t& pos) noexcept {
        // The records are written through a local pointer and count (the value parsers called
        // in between could change any memory, so the vector's own fields would be reloaded at
        // every line); the vector learns its size once, on the way out.
        arena_vector<header_field>& headers = m_.headers_;
        const std::size_t max_headers = options_.limits.max_headers;
        headers.reserve(m_.arena_, max_headers < 16 ? max_headers : 16);
        std::size_t count = headers.size();
        result<void> r = header_loop(pos, count);
        headers.set_size(count);
        return r;
    }

    [[gnu::always_inline]] result<void> header_loop(std::size_t& pos, std::size_t& count) noexcept {
        // One walk over the header section: a known name and its colon from one 16-byte load
        // (header_lookup.hpp), the line end from an inline LF scan from the colon, 32 bytes per
        // step (byte_scan.hpp find_byte_long: most values end within one or two steps; a 64-bit
        // LF mask per 64-byte block shared by the lines in it cost more to keep and refill). A
        // line ends at an LF not followed by SP/HT (RFC 3261 §7.3.1 folding).
        const char* const begin = bytes_.data();
        const char* const end = begin + bytes_.size();
        const char* const last = end - 1; // an LF before it has a byte after it
        const parse_limits& limits = options_.limits;
        const char* p = begin + pos;
        auto offset = [begin](const char* q) { return static_cast<std::size_t>(q - begin); };
        const std::size_t max_header_length = limits.max_header_length;
        const std::size_t max_headers = limits.max_headers;
        // No line of a message shorter than the longest header line allowed can be too long.
        const bool check_line_length = bytes_.size() > max_header_length;
        arena_vector<header_field>& headers = m_.headers_;
        header_field* records = headers.data();
        std::size_t capacity = headers.capacity();
        // One test per line for both the header limit and a full vector.
        std::size_t count_limit = capacity < max_headers ? capacity : max_headers;
        auto next_line_feed = [&](const char* q) {
            return detail::scan::find_byte_long(q, begin, end, '\n');
        };
        while (true) {
            const char* const start = p;
            // The line end is searched from the line's start, not from its colon, so that the
            // walk from line to line waits only on this scan, not on the name lookup too.
            const char* nl = next_line_feed(start);
            header_id id;
            std::string_view name;
            std::size_t name_size = 0;
            // The common line: a known header name right before its ':' within 16 bytes. Known
            // names hold only letters and '-' (all token bytes), so this reaches the same name,
            // id and colon as the byte-by-byte path, which handles every other line. Such a
            // line is neither the empty line nor past the end (it reads none of the bytes past
            // end), so those tests are left to the other lines.
            if (const char* colon =
                    detail::header_lookup::find_known_header_name(start, end, id, name_size)) {
                name = std::string_view(start, name_size);
                p = colon;
            } else {
                if (p >= end) return error(400, "Missing Empty Line After Headers", offset(p));
                // The empty line ends the header section.
                if (*p == '\n' || (*p == '\r' && end - p > 1 && p[1] == '\n')) {
                    pos = offset(p) + (*p == '\n' ? 1 : 2);
                    return {};
                }
                p = skip_token(start, end);
                if (p == start) return error(400, "Bad Header Name", offset(start));
                name = std::string_view(start, static_cast<std::size_t>(p - start));
                while (p < end && text::is_space(*p)) ++p;
                if (p == end || *p != ':') return error(400, "Bad Header Line", offset(p));
                id = header_id_from_name(name);
            }
            const char* const value_start = ++p;
            // Folded when the next line starts with SP or HT; most start above SP (a name).
            if (nl < last) {
                if (static_cast<unsigned char>(nl[1]) <= ' ') {
                    while (end - nl > 1 && text::is_space(nl[1])) nl = next_line_feed(nl + 1);
                    if (nl == end)
                        return error(400, "Missing Empty Line After Headers", offset(end));
                }
            } else if (nl == end) {
                return error(400, "Missing Empty Line After Headers", offset(end));
            }
            if (check_line_length && static_cast<std::size_t>(nl - start) >= max_header_length)
                return error(400, "Header Too Long", offset(start));
            if (count == count_limit) {
                if (count == max_headers) return error(400, "Too Many Headers", offset(start));
                headers.set_size(count);
                headers.reserve(m_.arena_, capacity == 0 ? 4 : 2 * capacity);
                records = headers.data();
                capacity = headers.capacity();
                count_limit = capacity < max_headers ? capacity : max_headers;
            }
            // The value without surrounding LWS (what text::trim does); most lines are
            // "Name: value\r\n".
            std::string_view value;
            std::size_t value_offset;
            if (is_plain_value(value_start, nl)) {
                value = std::string_view(value_start + 1,
                                         static_cast<std::size_t>(nl - value_start - 2));
                value_offset = offset(value_start + 1);
            } else {
                const char* value_begin = value_start;
                const char* value_end = nl;
                while (value_begin < value_end && text::is_lws(*value_begin)) ++value_begin;
                while (value_end > value_begin && text::is_lws(value_end[-1])) --value_end;
                value = std::string_view(value_begin,
                                         static_cast<std::size_t>(value_end - value_begin));
                value_offset = offset(value.empty() ? value_start : value_begin);
            }
            p = nl + 1;

            records[count++] =
                header_field{id, static_cast<std::uint32_t>(value_offset), name, value};
            if (eager_headers[static_cast<std::size_t>(id)])
                PARLEY_TRY(eager(id, value, value_offset));
        }
    }

    // "Name: value\r\n": one SP before the value and a CR after it, and no other LWS at either
    // end (a byte above SP is not LWS; a control byte goes the general way, to the same end).
    // The value is then [start + 1, nl - 1). Each test reads only bytes in [start, nl] once
    // the ones before it hold, and a value shorter than 3 bytes fails one of them.
    static bool is_plain_value(const char* start, const char* nl) noexcept {
        auto above_space = [](char c) { return static_cast<unsigned char>(c) > ' '; };
        return start[0] == ' ' && above_space(start[1]) && nl[-1] == '\r' && above_space(nl[-2]);
    }

    // Skips token bytes from p: four per step while four remain, then one at a time.
    static const char* skip_token(const char* p, const char* end) noexcept {
        while (end - p >= 4) {
            if (!text::is_token(p[0])) return p;
            if (!text::is_token(p[1])) return p + 1;
            if (!text::is_token(p[2])) return p + 2;
            if (!text::is_token(p[3])) return p + 3;
            p += 4;
        }
        while (p < end && text::is_token(*p)) ++p;
        return p;
    }

    // The headers eager() parses; the others are kept verbatim without a call.
    static constexpr std::array<bool, 256> eager_headers = [] {
        std::array<bool, 256> t{};
        for (header_id id :
             {header_id::via, header_id::from, header_id::to, header_id::call_id, header_id::cseq,
              header_id::max_forwards, header_id::contact, header_id::route,
              header_id::record_route, header_id::content_length, header_id::content_type})
            t[static_cast<std::size_t>(id)] = true;
        return t;
    }();

    [[gnu::always_inline]] result<void> eager(header_id id, std::string_view value,
                                              std::size_t at) noexcept {
        switch (id) {
        case header_id::via:
            // A value the delimiter walk reads holds no ',': one element, no list scan.
            if (via& slot = m_.vias_.emplace_back(m_.arena_);
                delimiter_walk::via(slot, value, readable_end()))
                return {};
            m_.vias_.pop_back();
            return list(value, at, [this](std::string_view v, std::size_t o) {
                return parse_via_into(m_.vias_.emplace_back(m_.arena_), v, o, bytes_.data());
            });
        case header_id::from: return single_name_addr(m_.from_, value, at, "Duplicate From Header");
        case header_id::to: return single_name_addr(m_.to_, value, at, "Duplicate To Header");
        case header_id::call_id: return call_id(value, at);
        case header_id::cseq: {
            if (!m_.cseq_.method_text.empty()) return error(400, "Duplicate CSeq Header", at);
            if (plain_cseq(value)) return {};
            if (auto parsed = parse_cseq_into(m_.cseq_, value, at, bytes_.data()); !parsed) {
                m_.cseq_ = parley::cseq{};
                return error(parsed.error_value());
            }
            return {};
        }
        case header_id::max_forwards: {
            if (m_.max_forwards_ >= 0) return error(400, "Duplicate Max-Forwards Header", at);
            auto v = detail::parse_decimal(value, 255);
            if (!v) return error(400, "Bad Max-Forwards", at);
            m_.max_forwards_ = static_cast<int>(*v);
            return {};
        }
        case header_id::contact: {
            // A value the delimiter walk reads holds no ',': one element, no list scan.
            if (contact& slot = m_.contacts_.emplace_back(m_.arena_);
                delimiter_walk::name_addr(slot.address, value, readable_end(), true))
                return {};
            m_.contacts_.pop_back();
            return list(value, at, [this](std::string_view v, std::size_t o) {
                return parse_contact_into(m_.contacts_.emplace_back(m_.arena_), v, o,
                                          bytes_.data());
            });
        }
        case header_id::route: return name_addr_list(m_.routes_, value, at);
        case header_id::record_route: return name_addr_list(m_.record_routes_, value, at);
        case header_id::content_length: {
            // Digits only: "-999" (RFC 4475 §3.1.2.3) must never become a size.
            auto v = detail::parse_decimal(value);
            if (!v) return error(400, "Bad Content-Length", at);
            auto length = static_cast<std::int64_t>(*v);
            if (m_.content_length_ >= 0 && m_.content_length_ != length)
                return error(400, "Conflicting Content-Length Headers", at);
            m_.content_length_ = length;
            return {};
        }
        case header_id::content_type: {
            if (!m_.content_type_.empty()) return error(400, "Duplicate Content-Type Header", at);
            if (is_application_sdp(value)) {
                // What parse_media_type_into reads from it: no parameters.
                m_.content_type_.type = std::string_view(value.data(), 11);
                m_.content_type_.subtype = std::string_view(value.data() + 12, 3);
                return {};
            }
            if (auto parsed = parse_media_type_into(m_.content_type_, value, at, bytes_.data());
                !parsed) {
                m_.content_type_ = media_type{};
                return error(parsed.error_value());
            }
            return {};
        }
        default: return {};
        }
    }

    template <class Fn>
    [[gnu::always_inline]] result<void> list(std::string_view value, std::size_t at,
                                             Fn&& fn) noexcept {
        if (value.empty()) return error(400, "Empty Header Value", at);
        // Most values hold one element: without a comma there is nothing to split (what
        // for_each_list_element does too, found here 16 bytes per step).
        const char* const value_end = value.data() + value.size();
        // The value is the element: header_lines took the LWS around it off already.
        if (detail::scan::find_byte_long(value.data(), bytes_.data(), value_end, ',') ==
            value_end) {
            auto r = fn(value, at);
            if (!r) return error(r.error_value());
            return {};
        }
        auto r = for_each_list_element(
            value, at, [&](std::string_view v, std::size_t o) { return fn(v, at + o); });
        if (!r) return error(r.error_value());
        return {};
    }

    result<void> single_name_addr(name_addr& slot, std::string_view value, std::size_t at,
                                  const char* duplicate) noexcept {
        if (!slot.text.empty()) return error(400, duplicate, at);
        if (value.empty()) return error(400, "Empty Header Value", at);
        if (delimiter_walk::name_addr(slot, value, readable_end(), false)) return {};
        if (auto parsed = parse_name_addr_into(slot, value, at, nullptr, bytes_.data()); !parsed)
            return error(parsed.error_value());
        return {};
    }

    result<void> name_addr_list(arena_vector<name_addr>& out, std::string_view value,
                                std::size_t at) noexcept {
        if (name_addr& slot = out.emplace_back(m_.arena_);
            delimiter_walk::name_addr(slot, value, readable_end(), false))
            return {};
        out.pop_back();
        return list(value, at, [&](std::string_view v, std::size_t o) {
            return parse_name_addr_into(out.emplace_back(m_.arena_), v, o, nullptr, bytes_.data());
        });
    }

    // "application/sdp" in any case, the body type of nearly every message that has one: two
    // overlapping 8-byte words with OR 0x20, which maps only a letter's two cases onto a
    // lower-case letter, and '/' and 0x0F onto '/' (so the '/' is tested as itself).
    static bool is_application_sdp(std::string_view v) noexcept {
        if (v.size() != 15) return false;
        std::uint64_t head;
        std::uint64_t tail;
        std::memcpy(&head, v.data(), 8);
        std::memcpy(&tail, v.data() + 7, 8);
        constexpr std::uint64_t fold = 0x2020202020202020ull;
        constexpr std::uint64_t want_head = 0x746163696c707061ull; // "applicat"
        constexpr std::uint64_t want_tail = 0x7064732f6e6f6974ull; // "tion/sdp"
        // The '/' must be itself: folding maps 0x0F onto it.
        return (head | fold) == want_head && (tail | fold) == want_tail && v[11] == '/';
    }

    // CSeq "<digits> SP <known method>", the form every peer writes: the number and the method as
    // parse_cseq_into reads them (a known method's token is its text, all name bytes).
    [[gnu::always_inline]] bool plain_cseq(std::string_view v) noexcept {
        const char* p = v.data();
        const char* const end = p + v.size();
        std::uint64_t number = 0;
        const char* const digits = p;
        for (unsigned d; p < end && (d = static_cast<unsigned char>(*p) - unsigned{'0'}) < 10; ++p)
            number = number * 10 + d;
        if (p == digits || p - digits > 10 || number > UINT32_MAX || end - p < 4 || *p != ' ')
            return false;
        const std::string_view method_text(p + 1, static_cast<std::size_t>(end - p - 1));
        const method known = method_from_token(method_text);
        if (known == method::unknown) return false;
        m_.cseq_.number = static_cast<std::uint32_t>(number);
        m_.cseq_.method_text = method_text;
        m_.cseq_.method = known;
        return true;
    }

    const char* readable_end() const noexcept { return bytes_.data() + bytes_.size(); }

    result<void> call_id(std::string_view value, std::size_t at) noexcept {
        // callid = word [ "@" word ]
        if (!m_.call_id_.empty()) return error(400, "Duplicate Call-ID Header", at);
        const char* const begin = value.data();
        const char* const end = begin + value.size();
        // The common Call-ID: name bytes (all word bytes), then at most one '@' between two
        // non-empty runs of them.
        const char* const readable = bytes_.data();
        if (const char* stop = detail::scan::skip_name_bytes(begin, readable, end);
            stop != begin &&
            (stop == end || (*stop == '@' && stop + 1 != end &&
                             detail::scan::skip_name_bytes(stop + 1, readable, end) == end))) {
            m_.call_id_ = value;
            return {};
        }
        bool seen_at = false;
        for (const char* p = begin; p < end; ++p) {
            p = detail::scan::skip_name_bytes(p, begin, end); // name bytes are word bytes
            while (p < end && text::is(*p, text::token | text::word_extra)) ++p;
            if (p == end) break;
            // One '@' between two non-empty words; any other byte is an error here.
            if (*p == '@' && !seen_at && p != begin && p + 1 != end) {
                seen_at = true;
                continue;
            }
            return error(400, "Bad Call-ID", at + static_cast<std::size_t>(p - begin));
        }
        if (value.empty()) return error(400, "Bad Call-ID", at);
        m_.call_id_ = value;
        return {};
    }

    result<void> mandatory_headers() noexcept {
        // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Via (Max-Forwards may be absent from
        // RFC 2543 peers, §8.2.x tolerates it).
        if (m_.vias_.empty()) return error(400, "Missing Via Header", 0);
        if (m_.from_.text.empty()) return error(400, "Missing From Header", 0);
        if (m_.to_.text.empty()) return error(400, "Missing To Header", 0);
        if (m_.call_id_.empty()) return error(400, "Missing Call-ID Header", 0);
        if (m_.cseq_.method_text.empty()) return error(400, "Missing CSeq Header", 0);
        // A known method's token is exactly its text (method_from_token), so the two enums
        // compare as the texts would; only an extension method compares its text.
        if (m_.kind_ == message_kind::request &&
            (m_.method_ != method::unknown ? m_.cseq_.method != m_.method_
                                           : m_.cseq_.method_text != m_.method_text_))
            return error(400, "CSeq Method Does Not Match Request", 0);
        return {};
    }

    result<void> frame_body(std::size_t pos) noexcept {
        std::size_t available = bytes_.size() - pos;
        std::size_t length = available;
        if (m_.content_length_ >= 0) {
            auto declared = static_cast<std::size_t>(m_.content_length_);
            if (declared > options_.limits.max_body_size) return error(413, "Body Too Large", pos);
            if (declared > available) return error(400, "Content-Length Exceeds Message", pos);
            if (options_.framing == transport_framing::stream && declared != available)
                return error(400, "Content-Length Does Not Match Frame", pos);
            length = declared;
        } else if (options_.framing == transport_framing::stream) {
            // RFC 3261 §18.3: Content-Length is mandatory on stream transports.
            return error(400, "Missing Content-Length", pos);
        } else if (length > options_.limits.max_body_size) {
            return error(413, "Body Too Large", pos);
        }
        m_.body_ = detail::slice(bytes_, pos, length);
        m_.bytes_ = detail::slice(bytes_, 0, pos + length);
        return {};
    }

    std::string_view bytes_;
    message& m_;
    const parse_options& options_;
};

} // namespace detail

result<void> parse_message(std::string_view bytes, message& out,
                           const parse_options& options) noexcept {
    out.clear();
    if (options.buffer == buffer_use::copy && bytes.size() <= options.limits.max_message_size)
        bytes = detail::message_parser::copy_into(out, bytes);
    return detail::message_parser(bytes, out, options).run();
}

} // namespace parley
