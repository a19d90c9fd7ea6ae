// RTP media for parleyd's calls: a per-shard media_context (RTP ports and the streams on the
// shard's event loop) and rtp_echo, the "audio" SDP handler that negotiates G.711/G.722 and
// telephone-event, opens an RTP socket per stream and sends every packet back to the caller —
// the echo test a person can dial from a softphone and hear.
//
// Ownership: a media_context belongs to one shard and lives as long as its event loop; it owns
// the streams (sockets) and hands out ports from its range. The handler is shared by every
// shard and finds the calling shard's context through media_context::current(), bound on the
// shard's own thread. A stream is closed when its session stops it or ends (a cookie). An
// asynchronous receive never outlives its stream: streams are freed only when no operation is
// pending (as transport connections are).
#pragma once

#include <parley/sdp/offer_answer.hpp>
#include <parley/session/sdp_handler.hpp>
#include <parley/transport/address.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::media {

struct media_settings {
    std::string address = "127.0.0.1"; ///< bound and written into c=
    std::uint16_t port_min = 20000;    ///< RTP ports (even ones) come from [port_min, port_max)
    std::uint16_t port_max = 30000;
    std::vector<sdp::codec> codecs{{"PCMU", 8000, 1}, {"PCMA", 8000, 1}, {"G722", 8000, 1}};
};

struct media_stats {
    std::uint64_t packets_in = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t ports_exhausted = 0;
};

class media_context {
public:
    media_context(asio::io_context& io, media_settings settings);
    ~media_context();
    media_context(const media_context&) = delete;
    media_context& operator=(const media_context&) = delete;

    /// The context of the calling thread's shard (nullptr on a thread without one).
    static media_context* current() noexcept;
    /// Makes `context` current for the calling thread: call it on the shard's own thread.
    static void bind_current(media_context* context) noexcept;

    /// Opens an echoing RTP socket on a free even port; nullopt when the range is used up.
    std::optional<std::uint64_t> open_echo();
    std::uint16_t port_of(std::uint64_t stream) const noexcept;
    /// Where echoed packets go until the first packet arrives (RFC 3550: the SDP's address and
    /// port); afterwards back to their source (symmetric RTP, RFC 4961) unless `symmetric` is
    /// false, which keeps the SDP's address.
    void set_remote(std::uint64_t stream, const socket_address& remote, bool symmetric = true);
    void close(std::uint64_t stream) noexcept;

    const media_settings& settings() const noexcept { return settings_; }
    std::size_t live_streams() const noexcept { return streams_.size(); }
    const media_stats& stats() const noexcept { return stats_; }

private:
    struct stream;
    void receive(stream& s);
    void finished(stream& s) noexcept;

    asio::io_context& io_;
    media_settings settings_;
    std::unordered_map<std::uint64_t, std::unique_ptr<stream>> streams_;
    std::vector<std::uint16_t> free_ports_;
    std::uint64_t next_id_ = 1;
    media_stats stats_;
};

/// The "audio" SDP handler of real calls: codecs in the session's media_preferences order (else
/// `media_settings::codecs`), the offer's payload types, telephone-event when offered and the
/// preferences allow it, RFC 3264 direction rules; one echoing RTP stream per accepted m-line,
/// symmetric unless the preferences say otherwise.
class rtp_echo final : public sdp_handler {
public:
    stream_verdict answer_stream(session& s, const sdp::session_description& offer,
                                 std::size_t index,
                                 sdp::session_description& answer) noexcept override;
    stream_verdict offer_stream(session& s, sdp::session_description& offer, std::size_t index,
                                const sdp::media_description* previous) noexcept override;
    void apply_stream(session& s, const sdp::session_description& local,
                      const sdp::session_description& remote, std::size_t index) noexcept override;
    void stop_stream(session& s, std::size_t index) noexcept override;
};

} // namespace parley::media
