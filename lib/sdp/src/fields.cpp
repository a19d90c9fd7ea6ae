// The general grammar of the structured SDP lines; see fields.hpp. Written for clarity, not
// speed: parse.cpp sends only the lines its fast paths do not recognise here.
#include "fields.hpp"

#include <parley/base/text.hpp>

namespace parley::sdp::detail {

namespace {

bool is_proto_text(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!text::is_token(c) && c != '/') return false;
    return true;
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

// IP4 address or FQDN; a text of only digits and dots must be a valid dotted quad.
bool is_ip4_address(std::string_view s) noexcept {
    if (s.empty()) return false;
    unsigned octet = 0, digits = 0, dots = 0;
    bool numeric = true;
    bool hostname = false; // a letter or '-' makes it an FQDN
    for (char c : s) {
        if (text::is_digit(c)) {
            octet = octet * 10 + static_cast<unsigned>(c - '0');
            if (++digits > 3 || octet > 255) numeric = false;
        } else if (c == '.') {
            if (digits == 0) numeric = false;
            ++dots;
            octet = digits = 0;
        } else if (text::is_alpha(c) || c == '-') {
            hostname = true;
        } else {
            return false;
        }
    }
    return hostname || (numeric && dots == 3 && digits != 0);
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

// typed-time = 1*DIGIT [fixed-len-time-unit] (§5.10).
std::string_view without_time_unit(std::string_view field) noexcept {
    if (!field.empty() &&
        (field.back() == 'd' || field.back() == 'h' || field.back() == 'm' || field.back() == 's'))
        field.remove_suffix(1);
    return field;
}

} // namespace

result<origin_field> parse_origin(std::string_view value, std::size_t at) {
    std::string_view rest = value;
    origin_field o;
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
    return o;
}

result<connection_field> parse_connection(std::string_view value, std::size_t at) {
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

result<bandwidth_field> parse_bandwidth(std::string_view value, std::size_t at) {
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

result<timing_field> parse_timing(std::string_view value, std::size_t at) {
    std::string_view rest = value;
    auto start = text::parse_decimal(take_token(rest), max_number);
    auto stop = text::parse_decimal(take_token(rest), max_number);
    if (!start || !stop || !rest.empty()) return fail(status_bad_request, "SDP: bad t= line", at);
    timing_field t;
    t.start = *start;
    t.stop = *stop;
    return t;
}

result<void> check_repeat(std::string_view value, std::size_t at) {
    std::string_view rest = value;
    int fields = 0;
    while (!rest.empty()) {
        if (!text::parse_decimal(without_time_unit(take_token(rest)), max_number))
            return fail(status_bad_request, "SDP: bad r= line", at);
        ++fields;
    }
    if (fields < 3) return fail(status_bad_request, "SDP: bad r= line", at);
    return {};
}

result<void> check_time_zones(std::string_view value, std::size_t at) {
    std::string_view rest = value;
    int fields = 0;
    while (!rest.empty()) {
        std::string_view field = take_token(rest);
        if (!field.empty() && field.front() == '-') field.remove_prefix(1);
        if (!text::parse_decimal(without_time_unit(field), max_number))
            return fail(status_bad_request, "SDP: bad z= line", at);
        ++fields;
    }
    if (fields == 0 || fields % 2 != 0) return fail(status_bad_request, "SDP: bad z= line", at);
    return {};
}

result<void> parse_media_fields(std::string_view value, std::size_t at, arena& memory,
                                media_description& m) {
    // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
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
    m.formats = {};
    m.formats.reserve(memory, count);
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
        m.formats.push_back(memory, format);
    }
    return {};
}

} // namespace parley::sdp::detail
