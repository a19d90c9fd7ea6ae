#include <parley/sdp/attributes.hpp>

#include <array>

#include <parley/base/text.hpp>

namespace parley::sdp {

std::string_view to_string(direction d) noexcept {
    switch (d) {
    case direction::sendrecv: return "sendrecv";
    case direction::sendonly: return "sendonly";
    case direction::recvonly: return "recvonly";
    case direction::inactive: return "inactive";
    }
    return "sendrecv";
}

attribute_kind classify_attribute(std::string_view name) noexcept {
    // Dispatch on length first: one compare for most names.
    switch (name.size()) {
    case 3:
        if (name == "mid") return attribute_kind::mid;
        break;
    case 4:
        if (name == "fmtp") return attribute_kind::fmtp;
        if (name == "rtcp") return attribute_kind::rtcp;
        break;
    case 5:
        if (name == "ptime") return attribute_kind::ptime;
        if (name == "group") return attribute_kind::group;
        break;
    case 6:
        if (name == "rtpmap") return attribute_kind::rtpmap;
        break;
    case 8:
        if (name == "sendrecv") return attribute_kind::sendrecv;
        if (name == "sendonly") return attribute_kind::sendonly;
        if (name == "recvonly") return attribute_kind::recvonly;
        if (name == "inactive") return attribute_kind::inactive;
        if (name == "maxptime") return attribute_kind::maxptime;
        if (name == "rtcp-mux") return attribute_kind::rtcp_mux;
        break;
    default: break;
    }
    return attribute_kind::other;
}

std::optional<direction> direction_of(attribute_kind kind) noexcept {
    switch (kind) {
    case attribute_kind::sendrecv: return direction::sendrecv;
    case attribute_kind::sendonly: return direction::sendonly;
    case attribute_kind::recvonly: return direction::recvonly;
    case attribute_kind::inactive: return direction::inactive;
    default: return std::nullopt;
    }
}

std::string_view next_token(std::string_view& text) noexcept {
    std::size_t i = 0;
    while (i < text.size() && text[i] != ' ') ++i;
    std::string_view token = text.substr(0, i);
    while (i < text.size() && text[i] == ' ') ++i;
    text.remove_prefix(i);
    return token;
}

std::optional<rtpmap> parse_rtpmap(std::string_view value) noexcept {
    // RFC 8866 §6.6: <payload type> <encoding name>/<clock rate>[/<encoding parameters>]
    std::string_view rest = value;
    auto pt = text::parse_decimal(next_token(rest), 127);
    if (!pt || rest.empty()) return std::nullopt;
    std::string_view encoding = next_token(rest);
    if (!rest.empty()) return std::nullopt;
    auto slash = encoding.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    rtpmap out;
    out.payload_type = static_cast<std::uint8_t>(*pt);
    out.encoding_name = encoding.substr(0, slash);
    if (!text::is_token_text(out.encoding_name)) return std::nullopt;
    std::string_view after = encoding.substr(slash + 1);
    auto slash2 = after.find('/');
    auto rate = text::parse_decimal(after.substr(0, slash2));
    if (!rate || *rate == 0) return std::nullopt;
    out.clock_rate = static_cast<std::uint32_t>(*rate);
    if (slash2 != std::string_view::npos) {
        auto channels = text::parse_decimal(after.substr(slash2 + 1), 65535);
        if (!channels || *channels == 0) return std::nullopt;
        out.channels = static_cast<std::uint16_t>(*channels);
    }
    return out;
}

std::optional<fmtp> parse_fmtp(std::string_view value) noexcept {
    std::string_view rest = value;
    std::string_view format = next_token(rest);
    if (format.empty()) return std::nullopt;
    return fmtp{format, rest};
}

std::optional<rtcp_attribute> parse_rtcp(std::string_view value) noexcept {
    // RFC 3605 §2.1: rtcp-attribute = "a=rtcp:" port [nettype space addrtype space
    // connection-address]
    std::string_view rest = value;
    auto port = text::parse_decimal(next_token(rest), 65535);
    if (!port) return std::nullopt;
    rtcp_attribute out;
    out.port = static_cast<std::uint16_t>(*port);
    if (rest.empty()) return out;
    out.network_type = next_token(rest);
    out.address_type = next_token(rest);
    out.address = next_token(rest);
    if (out.address.empty() || !rest.empty()) return std::nullopt;
    return out;
}

std::optional<group_attribute> parse_group(std::string_view value) noexcept {
    std::string_view rest = value;
    std::string_view semantics = next_token(rest);
    if (!text::is_token_text(semantics)) return std::nullopt;
    return group_attribute{semantics, rest};
}

std::optional<std::uint32_t> parse_milliseconds(std::string_view value) noexcept {
    auto dot = value.find('.');
    auto ms = text::parse_decimal(value.substr(0, dot));
    if (!ms) return std::nullopt;
    if (dot != std::string_view::npos) {
        std::string_view fraction = value.substr(dot + 1);
        for (char c : fraction)
            if (!text::is_digit(c)) return std::nullopt;
    }
    return static_cast<std::uint32_t>(*ms);
}

std::optional<rtpmap> static_payload_type(std::uint8_t payload_type) noexcept {
    // RFC 3551 §6, Tables 4 and 5 (payload types still assigned).
    struct entry {
        std::uint8_t payload_type;
        std::string_view name;
        std::uint32_t clock_rate;
        std::uint16_t channels;
    };
    static constexpr std::array<entry, 21> table{{
        {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},
        {5, "DVI4", 8000, 1},   {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},
        {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},   {10, "L16", 44100, 2},
        {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
        {14, "MPA", 90000, 0},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1},
        {17, "DVI4", 22050, 1}, {18, "G729", 8000, 1},  {25, "CelB", 90000, 0},
        {26, "JPEG", 90000, 0}, {31, "H261", 90000, 0}, {34, "H263", 90000, 0},
    }};
    for (const entry& e : table) {
        if (e.payload_type == payload_type) {
            return rtpmap{e.payload_type, e.name, e.clock_rate,
                          static_cast<std::uint16_t>(e.channels == 1 ? 0 : e.channels)};
        }
    }
    // 32 MPV, 33 MP2T are also static; they are listed separately to keep the table short.
    if (payload_type == 32) return rtpmap{32, "MPV", 90000, 0};
    if (payload_type == 33) return rtpmap{33, "MP2T", 90000, 0};
    return std::nullopt;
}

} // namespace parley::sdp
