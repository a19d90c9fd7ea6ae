#include <parley/media/rtp.hpp>

#include <algorithm>
#include <string_view>

namespace parley::media {

namespace {

constexpr std::uint8_t rtp_version = 2;

std::uint16_t read16(std::span<const std::uint8_t> p, std::size_t at) noexcept {
    return static_cast<std::uint16_t>((p[at] << 8) | p[at + 1]);
}
std::uint32_t read32(std::span<const std::uint8_t> p, std::size_t at) noexcept {
    return (std::uint32_t{p[at]} << 24) | (std::uint32_t{p[at + 1]} << 16) |
           (std::uint32_t{p[at + 2]} << 8) | std::uint32_t{p[at + 3]};
}
void write16(std::span<std::uint8_t> p, std::size_t at, std::uint16_t v) noexcept {
    p[at] = static_cast<std::uint8_t>(v >> 8);
    p[at + 1] = static_cast<std::uint8_t>(v);
}
void write32(std::span<std::uint8_t> p, std::size_t at, std::uint32_t v) noexcept {
    p[at] = static_cast<std::uint8_t>(v >> 24);
    p[at + 1] = static_cast<std::uint8_t>(v >> 16);
    p[at + 2] = static_cast<std::uint8_t>(v >> 8);
    p[at + 3] = static_cast<std::uint8_t>(v);
}

constexpr std::string_view dtmf_digits = "0123456789*#ABCD";

// RTCP packet types (RFC 3550 §12.1).
constexpr std::uint8_t rtcp_sr = 200;
constexpr std::uint8_t rtcp_rr = 201;
constexpr std::uint8_t rtcp_sdes = 202;
constexpr std::uint8_t rtcp_bye = 203;
constexpr std::uint8_t sdes_cname = 1;

constexpr std::size_t sender_report_size = 28;  ///< header, SSRC, sender info
constexpr std::size_t receiver_report_size = 8; ///< header, SSRC
constexpr std::size_t report_block_size = 24;

std::size_t cname_length(const rtcp_report_input& in) noexcept {
    return std::min<std::size_t>(in.cname.size(), 255);
}

/// An SDES chunk: SSRC, the CNAME item, then at least one null octet up to a 32-bit boundary.
std::size_t sdes_size(const rtcp_report_input& in) noexcept {
    std::size_t chunk = 4 + 2 + cname_length(in) + 1;
    return 4 + (chunk + 3) / 4 * 4;
}

void write_rtcp_header(std::span<std::uint8_t> out, std::size_t at, std::uint8_t count,
                       std::uint8_t type, std::size_t size) noexcept {
    out[at] = static_cast<std::uint8_t>((rtp_version << 6) | count);
    out[at + 1] = type;
    write16(out, at + 2, static_cast<std::uint16_t>(size / 4 - 1)); // in 32-bit words minus one
}

} // namespace

std::optional<rtp_packet_view> parse_rtp(std::span<const std::uint8_t> packet) noexcept {
    if (packet.size() < rtp_header_size) return std::nullopt;
    std::uint8_t first = packet[0];
    if ((first >> 6) != rtp_version) return std::nullopt;
    bool padding = (first & 0x20) != 0;
    bool extension = (first & 0x10) != 0;
    std::size_t csrc_count = first & 0x0F;

    rtp_packet_view view;
    view.header.marker = (packet[1] & 0x80) != 0;
    view.header.payload_type = packet[1] & 0x7F;
    view.header.sequence = read16(packet, 2);
    view.header.timestamp = read32(packet, 4);
    view.header.ssrc = read32(packet, 8);

    std::size_t offset = rtp_header_size + 4 * csrc_count;
    if (offset > packet.size()) return std::nullopt;
    if (extension) {
        // §5.3.1: 16 bits profile-defined, 16 bits length in 32-bit words, then the words.
        if (packet.size() - offset < 4) return std::nullopt;
        std::size_t words = read16(packet, offset + 2);
        offset += 4;
        if ((packet.size() - offset) / 4 < words) return std::nullopt;
        offset += 4 * words;
    }
    std::size_t end = packet.size();
    if (padding) {
        // The last octet counts the padding, itself included.
        std::size_t pad = packet[end - 1];
        if (pad == 0 || pad > end - offset) return std::nullopt;
        end -= pad;
    }
    view.payload = packet.subspan(offset, end - offset);
    return view;
}

std::size_t write_rtp_header(const rtp_header& h, std::span<std::uint8_t> out) noexcept {
    if (out.size() < rtp_header_size) return 0;
    out[0] = rtp_version << 6;
    out[1] = static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | (h.payload_type & 0x7F));
    write16(out, 2, h.sequence);
    write32(out, 4, h.timestamp);
    write32(out, 8, h.ssrc);
    return rtp_header_size;
}

std::optional<telephone_event>
parse_telephone_event(std::span<const std::uint8_t> payload) noexcept {
    if (payload.size() < 4) return std::nullopt;
    // RFC 4733 §2.3: event (8) | E (1) R (1) volume (6) | duration (16).
    return telephone_event{.event = payload[0],
                           .end = (payload[1] & 0x80) != 0,
                           .volume = static_cast<std::uint8_t>(payload[1] & 0x3F),
                           .duration = read16(payload, 2)};
}

std::size_t write_telephone_event(const telephone_event& e, std::span<std::uint8_t> out) noexcept {
    if (out.size() < 4) return 0;
    out[0] = e.event;
    out[1] = static_cast<std::uint8_t>((e.end ? 0x80 : 0) | std::min<std::uint8_t>(e.volume, 63));
    write16(out, 2, e.duration);
    return 4;
}

char dtmf_digit(std::uint8_t event) noexcept {
    return event < dtmf_digits.size() ? dtmf_digits[event] : '\0';
}

std::optional<std::uint8_t> dtmf_event(char digit) noexcept {
    if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
    auto at = dtmf_digits.find(digit);
    if (digit == '\0' || at == std::string_view::npos) return std::nullopt;
    return static_cast<std::uint8_t>(at);
}

bool looks_like_rtcp(std::span<const std::uint8_t> packet) noexcept {
    return packet.size() >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

std::size_t rtcp_report_size(const rtcp_report_input& in) noexcept {
    return (in.we_sent ? sender_report_size : receiver_report_size) +
           (in.have_peer ? report_block_size : 0) + sdes_size(in);
}

std::size_t write_rtcp_report(const rtcp_report_input& in, std::span<std::uint8_t> out) noexcept {
    std::size_t total = rtcp_report_size(in);
    if (out.size() < total) return 0;

    // §6.4.1 SR / §6.4.2 RR.
    std::size_t report = (in.we_sent ? sender_report_size : receiver_report_size) +
                         (in.have_peer ? report_block_size : 0);
    write_rtcp_header(out, 0, in.have_peer ? 1 : 0, in.we_sent ? rtcp_sr : rtcp_rr, report);
    write32(out, 4, in.ssrc);
    std::size_t at = 8;
    if (in.we_sent) {
        write32(out, 8, static_cast<std::uint32_t>(in.ntp_timestamp >> 32));
        write32(out, 12, static_cast<std::uint32_t>(in.ntp_timestamp));
        write32(out, 16, in.rtp_timestamp);
        write32(out, 20, in.packets_sent);
        write32(out, 24, in.octets_sent);
        at = sender_report_size;
    }
    if (in.have_peer) {
        write32(out, at, in.peer_ssrc);
        // Cumulative lost: 24-bit signed, clamped rather than wrapped.
        auto lost = static_cast<std::uint32_t>(std::clamp(in.cumulative_lost, -0x800000, 0x7FFFFF));
        write32(out, at + 4, (std::uint32_t{in.fraction_lost} << 24) | (lost & 0xFFFFFF));
        write32(out, at + 8, in.extended_highest_sequence);
        write32(out, at + 12, in.jitter);
        write32(out, at + 16, in.last_sr);
        write32(out, at + 20, in.delay_since_last_sr);
        at += report_block_size;
    }

    // §6.5 SDES with one chunk: our SSRC and CNAME, then nulls to the 32-bit boundary.
    std::size_t sdes = sdes_size(in);
    write_rtcp_header(out, at, 1, rtcp_sdes, sdes);
    write32(out, at + 4, in.ssrc);
    std::size_t length = cname_length(in);
    out[at + 8] = sdes_cname;
    out[at + 9] = static_cast<std::uint8_t>(length);
    std::copy_n(in.cname.begin(), length, out.begin() + static_cast<std::ptrdiff_t>(at + 10));
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at + 10 + length),
              out.begin() + static_cast<std::ptrdiff_t>(at + sdes), std::uint8_t{0});
    return total;
}

std::optional<rtcp_summary> parse_rtcp(std::span<const std::uint8_t> packet) noexcept {
    if (packet.size() < 4) return std::nullopt;
    rtcp_summary summary;
    std::size_t offset = 0;
    while (offset < packet.size()) {
        std::size_t left = packet.size() - offset;
        if (left < 4) return std::nullopt;
        std::uint8_t first = packet[offset];
        if ((first >> 6) != rtp_version) return std::nullopt;
        std::uint8_t type = packet[offset + 1];
        std::size_t size = (std::size_t{read16(packet, offset + 2)} + 1) * 4;
        if (size > left) return std::nullopt;
        // A.2: only the last packet of a compound may be padded.
        bool padded = (first & 0x20) != 0;
        if (padded && size != left) return std::nullopt;
        if (offset == 0) {
            if (size < 8) return std::nullopt;
            summary.ssrc = read32(packet, 4);
        }
        if (type == rtcp_sr && !summary.sender_report) {
            if (size < sender_report_size) return std::nullopt;
            summary.sender_report = true;
            summary.ntp_middle = read32(packet, offset + 10); // the NTP timestamp's middle 32 bits
        }
        if (type == rtcp_bye) summary.bye = true;
        offset += size;
    }
    return summary;
}

void rtp_receive_stats::restart(std::uint16_t sequence) noexcept {
    // A.1 init_seq.
    base_sequence_ = sequence;
    max_sequence_ = sequence;
    bad_sequence_ = 0x10000 + 1;
    cycles_ = 0;
    received_ = 0;
    expected_prior_ = 0;
    received_prior_ = 0;
}

void rtp_receive_stats::on_packet(const rtp_header& h,
                                  std::uint32_t arrival_in_rtp_clock) noexcept {
    constexpr std::uint16_t max_dropout = 3000;
    constexpr std::uint16_t max_misorder = 100;
    if (!started_) {
        started_ = true;
        restart(h.sequence);
    } else {
        // A.1 update_seq.
        auto delta = static_cast<std::uint16_t>(h.sequence - max_sequence_);
        if (delta < max_dropout) {
            if (h.sequence < max_sequence_) cycles_ += 0x10000; // wrapped
            max_sequence_ = h.sequence;
        } else if (delta <= 0x10000 - max_misorder) {
            // A very large jump: the sender restarted if the next packet follows this one.
            if (h.sequence != bad_sequence_) {
                bad_sequence_ = (std::uint32_t{h.sequence} + 1) & 0xFFFF;
                return;
            }
            restart(h.sequence);
        }
        // else a duplicate or a reordered packet: counted, the maximum stays.
    }
    ++received_;

    // A.8: J += (|D| - J) / 16, with J kept scaled by 16.
    std::uint32_t transit = arrival_in_rtp_clock - h.timestamp;
    if (have_transit_) {
        std::int64_t d = static_cast<std::int32_t>(transit - transit_);
        if (d < 0) d = -d;
        std::int64_t j = std::int64_t{jitter_} + d - ((std::int64_t{jitter_} + 8) >> 4);
        jitter_ = static_cast<std::uint32_t>(std::clamp<std::int64_t>(j, 0, 0xFFFFFFFF));
    }
    transit_ = transit;
    have_transit_ = true;
}

std::uint32_t rtp_receive_stats::extended_highest() const noexcept {
    return cycles_ + max_sequence_;
}

std::int32_t rtp_receive_stats::cumulative_lost() const noexcept {
    if (!started_) return 0;
    // A.3: expected = extended max - base + 1.
    std::int64_t expected = std::int64_t{extended_highest()} - base_sequence_ + 1;
    std::int64_t lost = expected - static_cast<std::int64_t>(received_);
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(lost, -0x800000, 0x7FFFFF));
}

std::uint8_t rtp_receive_stats::fraction_lost_since_last() noexcept {
    if (!started_) return 0;
    auto expected =
        static_cast<std::uint64_t>(std::int64_t{extended_highest()} - base_sequence_ + 1);
    std::int64_t expected_interval = static_cast<std::int64_t>(expected - expected_prior_);
    std::int64_t received_interval = static_cast<std::int64_t>(received_ - received_prior_);
    expected_prior_ = expected;
    received_prior_ = received_;
    std::int64_t lost_interval = expected_interval - received_interval;
    if (expected_interval <= 0 || lost_interval <= 0) return 0;
    return static_cast<std::uint8_t>(
        std::min<std::int64_t>((lost_interval << 8) / expected_interval, 255));
}

std::uint32_t rtp_receive_stats::jitter() const noexcept {
    return jitter_ >> 4;
}

std::uint64_t rtp_receive_stats::received() const noexcept {
    return received_;
}

} // namespace parley::media
