// RTP and RTCP wire formats (RFC 3550), RFC 4733 telephone-events (DTMF), and the receive
// statistics an RTCP report carries (RFC 3550 Appendix A.1, A.3, A.8).
//
// Ownership: the parsers take caller-owned bytes and return views into them (valid as long as
// those bytes); the writers write into caller-owned buffers and never allocate. Input from the
// network is untrusted: every parser checks lengths before reading and answers nullopt for
// anything malformed, never throws. rtp_receive_stats is plain state for one received stream,
// used on the stream's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace parley::media {

struct rtp_header {
    std::uint8_t payload_type = 0;
    bool marker = false;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
};

struct rtp_packet_view {
    rtp_header header;
    std::span<const std::uint8_t> payload; ///< into the parsed packet
};

/// The fixed RTP header's size (RFC 3550 §5.1).
inline constexpr std::size_t rtp_header_size = 12;

/// RFC 3550 §5.1: version 2, skips CSRCs and a header extension, removes padding; nullopt for
/// anything malformed (short, wrong version, padding or extension longer than the packet).
std::optional<rtp_packet_view> parse_rtp(std::span<const std::uint8_t> packet) noexcept;
/// Writes the 12-byte fixed header (version 2, no padding, extension or CSRC); returns 12 (0 if
/// out is shorter).
std::size_t write_rtp_header(const rtp_header& h, std::span<std::uint8_t> out) noexcept;

/// RFC 4733 §2.3 telephone-event payload.
struct telephone_event {
    std::uint8_t event = 0;     ///< 0-9, 10 '*', 11 '#', 12-15 'A'-'D' (§3.2)
    bool end = false;           ///< E: the last packets of the event
    std::uint8_t volume = 0;    ///< 0-63: -dBm0, 0 loudest
    std::uint16_t duration = 0; ///< in RTP timestamp units since the event's timestamp
};

/// The first 4 bytes of the payload (a packet may carry more events, RFC 4733 §2.5.1.5; the
/// first is the current one); nullopt when shorter than 4.
std::optional<telephone_event>
parse_telephone_event(std::span<const std::uint8_t> payload) noexcept;
/// Writes 4 bytes; returns 4 (0 if out is shorter). The volume is limited to 63.
std::size_t write_telephone_event(const telephone_event& e, std::span<std::uint8_t> out) noexcept;

/// The DTMF digit of an event code 0-15 ('0'-'9', '*', '#', 'A'-'D'); 0 for any other event.
char dtmf_digit(std::uint8_t event) noexcept;
/// The event code of a DTMF digit (also 'a'-'d'); nullopt for any other character.
std::optional<std::uint8_t> dtmf_event(char digit) noexcept;

/// Whether a datagram on an RTP port is RTCP multiplexed with RTP (RFC 5761 §4: the second byte,
/// RTP's marker and payload type, is 192-223 for RTCP).
bool looks_like_rtcp(std::span<const std::uint8_t> packet) noexcept;

/// RFC 3550 §6.4: a compound RTCP packet: an SR (when we sent since the last report) or RR with
/// at most one report block about the peer's stream, followed by an SDES with our CNAME. Returns
/// bytes written (0 if out too small).
struct rtcp_report_input {
    std::uint32_t ssrc;
    std::string_view cname; ///< at most 255 bytes are sent
    bool we_sent;           ///< SR rather than RR
    std::uint64_t ntp_timestamp;
    std::uint32_t rtp_timestamp;
    std::uint32_t packets_sent;
    std::uint32_t octets_sent;
    bool have_peer; ///< add a report block about peer_ssrc
    std::uint32_t peer_ssrc;
    std::uint8_t fraction_lost;
    std::int32_t cumulative_lost; ///< sent as 24-bit signed, clamped
    std::uint32_t extended_highest_sequence;
    std::uint32_t jitter;
    std::uint32_t last_sr;
    std::uint32_t delay_since_last_sr;
};
std::size_t write_rtcp_report(const rtcp_report_input& in, std::span<std::uint8_t> out) noexcept;
/// The size write_rtcp_report needs for `in`.
std::size_t rtcp_report_size(const rtcp_report_input& in) noexcept;

/// Reads what we need from a received compound RTCP packet: the sender's SSRC and, for an SR,
/// the middle 32 bits of its NTP timestamp (for LSR). nullopt when malformed (version, lengths).
struct rtcp_summary {
    std::uint32_t ssrc = 0; ///< of the first packet (RFC 3550 §6.1: an SR or RR)
    bool sender_report = false;
    std::uint32_t ntp_middle = 0;
    bool bye = false; ///< the compound holds a BYE
};
std::optional<rtcp_summary> parse_rtcp(std::span<const std::uint8_t> packet) noexcept;

/// RFC 3550 A.8 interarrival jitter and A.3 loss, per received stream. The first packet starts
/// the stream; the sequence is extended across wraps (A.1); a jump of more than 3000 is taken as
/// a restart of the sender once two packets in a row confirm it. No probation (A.1's
/// MIN_SEQUENTIAL): the first packet counts.
class rtp_receive_stats {
public:
    /// `arrival_in_rtp_clock`: the local arrival time in the stream's RTP clock units.
    void on_packet(const rtp_header& h, std::uint32_t arrival_in_rtp_clock) noexcept;
    /// Cycles (wraps × 65536) plus the highest sequence number received.
    std::uint32_t extended_highest() const noexcept;
    /// Expected minus received: negative with duplicates. Limited to the 24 bits of RTCP.
    std::int32_t cumulative_lost() const noexcept;
    /// Fraction of the packets expected since the last call that were lost, in 1/256; resets the
    /// interval.
    std::uint8_t fraction_lost_since_last() noexcept;
    /// The interarrival jitter estimate in RTP timestamp units.
    std::uint32_t jitter() const noexcept;
    /// Packets counted (duplicates included).
    std::uint64_t received() const noexcept;

private:
    void restart(std::uint16_t sequence) noexcept;

    bool started_ = false;
    std::uint16_t max_sequence_ = 0;
    std::uint32_t cycles_ = 0;
    std::uint32_t base_sequence_ = 0;
    std::uint32_t bad_sequence_ = 0x10000 + 1; ///< the sequence that would confirm a restart
    std::uint64_t received_ = 0;
    std::uint64_t expected_prior_ = 0;
    std::uint64_t received_prior_ = 0;
    bool have_transit_ = false;
    std::uint32_t transit_ = 0;
    std::uint32_t jitter_ = 0; ///< scaled by 16 (A.8)
};

} // namespace parley::media
