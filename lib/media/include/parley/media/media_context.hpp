// media_context: one shard's RTP streams — their sockets, ports and what each one does.
//
// A stream is one negotiated audio m-line of a session. It receives on its own UDP socket and,
// by what the application asks, echoes every packet back, plays an audio_source (a tone, a
// sound file) encoded to the negotiated codec at the packet time, records what arrives to a
// WAV file, reports RFC 4733 DTMF events, and says when no RTP arrived for too long. Streams
// are addressed by id: a closed stream's id is never reused, so a stale id is a no-op. Each
// stream also runs RTCP on the next port (RFC 3550): it keeps reception statistics, reads the
// peer's sender reports, and sends an SR or RR with SDES every 5 seconds.
//
// Ownership and threads: a media_context belongs to one shard and lives as long as its event
// loop (asio::io_context); everything runs on that loop's thread, including the callbacks. It
// owns the streams; a stream is freed only when no asynchronous operation on it is pending
// (as transport connections are). Callbacks are not called once the stream is closed.
#pragma once

#include <parley/media/audio_source.hpp>
#include <parley/media/codec.hpp>
#include <parley/sdp/offer_answer.hpp>
#include <parley/transport/address.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley::media {

struct rtp_packet_view;

struct media_settings {
    std::string address = "127.0.0.1"; ///< bound and written into c=
    std::uint16_t port_min = 20000;    ///< RTP ports (even ones) come from [port_min, port_max)
    std::uint16_t port_max = 30000;
    std::vector<sdp::codec> codecs{{"PCMU", 8000, 1}, {"PCMA", 8000, 1}, {"G722", 8000, 1}};
    std::chrono::milliseconds rtcp_interval{5000}; ///< RFC 3550 §6.2: 5 s is the minimum
};

struct media_stats {
    std::uint64_t packets_in = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t ports_exhausted = 0;
    std::uint64_t dtmf_events = 0;
    std::uint64_t malformed = 0; ///< datagrams that were not RTP
    std::uint64_t foreign = 0;   ///< RTP from another source than the learned one: dropped
    std::uint64_t relayed = 0;   ///< packets sent on by a bridge
    std::uint64_t rtcp_in = 0;
    std::uint64_t rtcp_out = 0; ///< RTCP reports sent (SR or RR with SDES)
    std::uint64_t transcoded = 0;
};

/// What the negotiation settled for a stream (from the local answer or the remote answer).
struct stream_format {
    audio_codec codec = audio_codec::pcmu;
    std::uint8_t payload_type = 0;
    std::optional<std::uint8_t> event_payload_type; ///< RFC 4733 telephone-event, if agreed
    std::uint32_t ptime_ms = 20;
    /// Every audio payload type the answer accepted (the peer may send any of them); empty:
    /// only `payload_type`.
    std::vector<std::pair<std::uint8_t, audio_codec>> accepted;
};

class media_context {
public:
    using stream_id = std::uint64_t;

    media_context(asio::io_context& io, media_settings settings);
    ~media_context();
    media_context(const media_context&) = delete;
    media_context& operator=(const media_context&) = delete;

    /// The context of the calling thread's shard (nullptr on a thread without one).
    static media_context* current() noexcept;
    /// Makes `context` current for the calling thread: call it on the shard's own thread.
    static void bind_current(media_context* context) noexcept;

    // ---- streams ------------------------------------------------------------------------------
    /// Opens an RTP socket on a free even port (idle: it receives and drops); nullopt when the
    /// range is used up.
    std::optional<stream_id> open();
    void close(stream_id id) noexcept;
    std::uint16_t port_of(stream_id id) const noexcept;
    bool is_open(stream_id id) const noexcept;

    /// Where packets go until the first packet arrives (RFC 3550: the SDP's address and port);
    /// afterwards back to their source (symmetric RTP, RFC 4961), which is then the only source
    /// accepted until the SDP names another address; `symmetric` false keeps the SDP's address.
    void set_remote(stream_id id, const socket_address& remote, bool symmetric = true);
    void set_format(stream_id id, const stream_format& format);
    /// Whether we may send (the negotiated direction is sendrecv or sendonly for us) and
    /// whether the peer sends (it is not on hold): the RTP timeout only runs while it does.
    void set_direction(stream_id id, bool we_send, bool peer_sends);

    // ---- what a stream does -------------------------------------------------------------------
    /// Sends every received RTP packet back (stops a playback without calling its `done`).
    void echo(stream_id id);
    /// Plays `source` (PCM at audio_rate of the stream's codec) one packet per ptime; `done`
    /// runs once it finished. Replaces an echo or an earlier playback (whose `done` never runs).
    void play(stream_id id, std::unique_ptr<audio_source> source, std::function<void()> done = {});
    /// A source at the right rate for a playback on `id` (its codec's audio_rate).
    unsigned audio_rate_of(stream_id id) const noexcept;
    /// Back to idle: no echo, no playback.
    void stop(stream_id id) noexcept;
    /// Records the received audio (decoded) to a 16-bit mono WAV at the codec's rate, until
    /// stop_recording or close; false (and `error` says why) when the file cannot be created.
    bool record(stream_id id, const std::string& path, std::string& error);
    void stop_recording(stream_id id) noexcept;
    /// Relays RTP between two streams (a B2BUA's two legs): what arrives on one goes out of the
    /// other to its peer, with the other leg's payload types; audio is transcoded when the two
    /// codecs differ. Stops echo and playback on both. DTMF events are relayed and still
    /// reported. A stream closed ends its bridge.
    void bridge(stream_id a, stream_id b);
    void unbridge(stream_id id) noexcept;
    /// The stream's negotiated format (nullopt when the stream is gone).
    std::optional<stream_format> format_of(stream_id id) const noexcept;
    /// `changed` runs when a later exchange changes the codec or payload type the stream sends
    /// (not on the first format): a bridge passes the change to its other leg. It belongs to the
    /// stream's bridge (set it after bridge()): the bridge's end (unbridge, another bridge, echo,
    /// play, the other leg closed) forgets it.
    void on_format_change(stream_id id, std::function<void()> changed);
    /// Each DTMF digit received as RFC 4733 events, once per event.
    void on_dtmf(stream_id id, std::function<void(char digit)> heard);
    /// `expired` runs once when no packet arrived for `after` while the peer was sending
    /// (zero: no timeout).
    void set_timeout(stream_id id, std::chrono::milliseconds after, std::function<void()> expired);

    const media_settings& settings() const noexcept { return settings_; }
    std::size_t live_streams() const noexcept { return streams_.size(); }
    const media_stats& stats() const noexcept { return stats_; }

private:
    struct stream;
    stream* find(stream_id id) noexcept;
    const stream* find(stream_id id) const noexcept;
    void receive(stream& s);
    void read_batch(stream& s);
    void handle_packet(stream& s, std::span<std::uint8_t> bytes,
                       const asio::ip::udp::endpoint& from);
    void relay(stream& from, stream& to, const rtp_packet_view& packet,
               std::span<const std::uint8_t> bytes);
    static std::optional<audio_codec> codec_of(const stream& s, std::uint8_t pt) noexcept;
    static audio_decoder* decoder_for(stream& s, audio_codec codec);
    void start_sending(stream& s);
    void receive_rtcp(stream& s);
    void arm_rtcp(stream& s);
    void send_rtcp(stream& s);
    void send_tick(stream& s);
    void arm_timeout(stream& s);
    void finished(stream& s) noexcept;

    static constexpr std::size_t batch_size = 32; ///< datagrams per recvmmsg / sendmmsg
    struct batch;

    asio::io_context& io_;
    media_settings settings_;
    std::unique_ptr<batch> batch_; ///< the receive and echo buffers, shared by the streams
    std::unordered_map<stream_id, std::unique_ptr<stream>> streams_;
    std::vector<std::uint16_t> free_ports_;
    stream_id next_id_ = 1;
    media_stats stats_;
};

} // namespace parley::media
