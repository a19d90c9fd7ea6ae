#include <parley/media/media_context.hpp>

#include <parley/media/rtp.hpp>

#include <asio/ip/udp.hpp>

#include <asio/steady_timer.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <random>

namespace parley::media {

namespace {
thread_local media_context* current_context = nullptr;

asio::ip::address to_asio(const socket_address& a) {
    if (a.family == socket_address::family_type::ipv4) {
        asio::ip::address_v4::bytes_type b;
        std::memcpy(b.data(), a.ip.data(), 4);
        return asio::ip::address_v4(b);
    }
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), a.ip.data(), 16);
    return asio::ip::address_v6(b);
}

std::uint32_t random_u32() {
    static thread_local std::mt19937 engine{std::random_device{}()};
    return static_cast<std::uint32_t>(engine());
}

constexpr std::size_t max_packet = 2048;
constexpr std::uint32_t max_ptime_ms = 120;
} // namespace

/// 16 → 8 kHz by averaging pairs, 8 → 16 kHz by repeating samples (G.722 carries 16 kHz
/// audio, G.711 8 kHz); returns the new sample count.
static std::size_t convert_rate(std::span<std::int16_t> pcm, std::size_t samples, unsigned from,
                                unsigned to) noexcept {
    if (from > to) {
        for (std::size_t i = 0; i + 1 < samples; i += 2)
            pcm[i / 2] = static_cast<std::int16_t>((pcm[i] + pcm[i + 1]) / 2);
        return samples / 2;
    }
    if (from < to) {
        samples = std::min(samples, pcm.size() / 2);
        for (std::size_t i = samples; i-- > 0;) pcm[2 * i] = pcm[2 * i + 1] = pcm[i];
        return samples * 2;
    }
    return samples;
}

struct media_context::stream {
    stream_id id = 0;
    std::uint16_t port = 0;
    asio::ip::udp::socket socket;
    asio::ip::udp::endpoint remote;
    bool have_remote = false;
    bool learned = false;               ///< the remote came from a received packet (symmetric RTP)
    asio::ip::udp::endpoint sdp_remote; ///< where the last SDP said
    bool symmetric = true;              ///< answer where packets come from, not where the SDP said
    bool closing = false;
    bool we_send = true;
    bool peer_sends = true;
    int pending = 0; ///< asynchronous operations in flight (receive, timers)

    stream_format format;
    bool echoing = false;
    stream_id bridged = 0;  ///< the other leg of a bridge (0: none)
    bool formatted = false; ///< set_format ran once
    std::function<void()> format_changed;

    // Playback: one packet per ptime, paced by a timer on absolute deadlines (no drift).
    std::unique_ptr<audio_source> source;
    std::function<void()> played;
    std::unique_ptr<audio_encoder> encoder;
    asio::steady_timer send_timer;
    bool sending = false; ///< the send timer is armed
    std::chrono::steady_clock::time_point next_send{};
    std::uint32_t ssrc = random_u32();
    std::uint16_t sequence = static_cast<std::uint16_t>(random_u32());
    std::uint32_t timestamp = random_u32();
    bool marker = true; ///< the first packet of a talk spurt (RFC 3551 §4.1)

    // Recording.
    std::unique_ptr<sound_file_writer> recorder;
    std::array<std::unique_ptr<audio_decoder>, 3> decoders; ///< by audio_codec, made on use
    unsigned recorder_rate = 8000;

    // DTMF: RFC 4733 §2.5.1.2 — every packet of one event has the same timestamp.
    std::function<void(char)> dtmf;
    std::optional<std::uint32_t> last_event_timestamp;

    // RTP timeout.
    std::chrono::milliseconds timeout{0};
    std::function<void()> expired;
    asio::steady_timer timeout_timer;
    bool timeout_armed = false;
    std::chrono::steady_clock::time_point last_packet = std::chrono::steady_clock::now();

    // RTCP (RFC 3550 §6) on port + 1: a report every 5 s while we know where the peer is.
    asio::ip::udp::socket rtcp_socket;
    std::array<std::uint8_t, 1500> rtcp_buffer{};
    asio::ip::udp::endpoint rtcp_from;
    asio::steady_timer rtcp_timer;
    rtp_receive_stats received;
    std::uint32_t peer_ssrc = 0;
    bool have_peer_ssrc = false;
    std::uint32_t last_sr = 0; ///< the middle of the peer's last SR NTP time (0: none yet)
    std::chrono::steady_clock::time_point last_sr_at{};
    std::uint32_t packets_sent = 0;
    std::uint32_t octets_sent = 0;
    std::uint32_t packets_sent_at_report = 0;
    std::uint32_t last_sent_timestamp = 0;

    explicit stream(asio::io_context& io)
        : socket(io), send_timer(io), timeout_timer(io), rtcp_socket(io), rtcp_timer(io) {}
};

struct media_context::batch {
    std::array<std::array<std::uint8_t, max_packet>, batch_size> data{};
    std::array<iovec, batch_size> iov{};
    std::array<mmsghdr, batch_size> in{};
    std::array<sockaddr_storage, batch_size> from{};
    std::array<iovec, batch_size> out_iov{};
    std::array<mmsghdr, batch_size> out{};
    std::array<sockaddr_storage, batch_size> to{};
    std::array<std::uint32_t, batch_size> out_timestamp{}; ///< of each echo, for RTCP
    std::size_t echoes = 0;
};

media_context::media_context(asio::io_context& io, media_settings settings)
    : io_(io), settings_(std::move(settings)), batch_(std::make_unique<batch>()) {
    // Even ports for RTP (RFC 3550 §11), handed out lowest last so reuse is spread out.
    for (unsigned p = settings_.port_max; p-- > settings_.port_min;)
        if (p % 2 == 0) free_ports_.push_back(static_cast<std::uint16_t>(p));
}

media_context::~media_context() {
    for (auto& [id, s] : streams_) {
        asio::error_code ec;
        s->socket.close(ec);
        s->rtcp_socket.close(ec);
    }
}

media_context* media_context::current() noexcept {
    return current_context;
}
void media_context::bind_current(media_context* context) noexcept {
    current_context = context;
}

media_context::stream* media_context::find(stream_id id) noexcept {
    auto it = streams_.find(id);
    return it == streams_.end() || it->second->closing ? nullptr : it->second.get();
}
const media_context::stream* media_context::find(stream_id id) const noexcept {
    auto it = streams_.find(id);
    return it == streams_.end() || it->second->closing ? nullptr : it->second.get();
}

std::optional<media_context::stream_id> media_context::open() {
    asio::error_code ec;
    auto address = asio::ip::make_address(settings_.address, ec);
    if (ec) return std::nullopt;
    // A port may be taken by another process: try others (bounded; the range is large).
    for (int attempt = 0; attempt < 64 && !free_ports_.empty(); ++attempt) {
        std::uint16_t port = free_ports_.back();
        free_ports_.pop_back();
        auto s = std::make_unique<stream>(io_);
        auto family = address.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6();
        s->socket.open(family, ec);
        if (!ec) s->socket.bind(asio::ip::udp::endpoint(address, port), ec);
        if (!ec) s->rtcp_socket.open(family, ec);
        if (!ec)
            s->rtcp_socket.bind(
                asio::ip::udp::endpoint(address, static_cast<std::uint16_t>(port + 1)), ec);
        if (ec) {
            free_ports_.insert(free_ports_.begin(), port);
            continue;
        }
        s->socket.non_blocking(true, ec); // recvmmsg with MSG_DONTWAIT drains it
        s->id = next_id_++;
        s->port = port;
        stream& ref = *s;
        streams_.emplace(ref.id, std::move(s));
        receive(ref);
        receive_rtcp(ref);
        arm_rtcp(ref);
        return ref.id;
    }
    ++stats_.ports_exhausted;
    return std::nullopt;
}

std::uint16_t media_context::port_of(stream_id id) const noexcept {
    const stream* s = find(id);
    return s == nullptr ? 0 : s->port;
}

bool media_context::is_open(stream_id id) const noexcept {
    return find(id) != nullptr;
}

void media_context::set_remote(stream_id id, const socket_address& remote, bool symmetric) {
    stream* s = find(id);
    if (s == nullptr) return;
    s->symmetric = symmetric;
    asio::ip::udp::endpoint said(to_asio(remote), remote.port);
    if (said != s->sdp_remote) s->learned = false; // a new address in the SDP: learn again
    s->sdp_remote = said;
    if (s->learned && symmetric) return;
    s->remote = said;
    s->have_remote = remote.port != 0;
}

void media_context::set_format(stream_id id, const stream_format& format) {
    stream* s = find(id);
    if (s == nullptr) return;
    bool codec_changed = s->format.codec != format.codec || !s->encoder;
    bool changed = s->formatted && (s->format.codec != format.codec ||
                                    s->format.payload_type != format.payload_type);
    s->formatted = true;
    s->format = format;
    if (s->format.ptime_ms == 0 || s->format.ptime_ms > max_ptime_ms) s->format.ptime_ms = 20;
    if (codec_changed) s->encoder = make_encoder(format.codec);
    if (changed && s->format_changed) {
        auto tell = s->format_changed; // last: it may replace the handler, or close the stream
        tell();
    }
}

void media_context::set_direction(stream_id id, bool we_send, bool peer_sends) {
    stream* s = find(id);
    if (s == nullptr) return;
    s->we_send = we_send;
    if (peer_sends && !s->peer_sends) s->last_packet = std::chrono::steady_clock::now();
    s->peer_sends = peer_sends;
}

void media_context::echo(stream_id id) {
    stream* s = find(id);
    if (s == nullptr) return;
    unbridge(id);
    s->source.reset();
    s->played = nullptr;
    s->echoing = true;
}

void media_context::play(stream_id id, std::unique_ptr<audio_source> source,
                         std::function<void()> done) {
    stream* s = find(id);
    if (s == nullptr) return;
    unbridge(id);
    s->echoing = false;
    s->source = std::move(source);
    s->played = std::move(done);
    if (!s->encoder) s->encoder = make_encoder(s->format.codec);
    start_sending(*s);
}

unsigned media_context::audio_rate_of(stream_id id) const noexcept {
    const stream* s = find(id);
    return audio_rate(s == nullptr ? audio_codec::pcmu : s->format.codec);
}

void media_context::stop(stream_id id) noexcept {
    stream* s = find(id);
    if (s == nullptr) return;
    s->echoing = false;
    s->source.reset();
    s->played = nullptr;
}

bool media_context::record(stream_id id, const std::string& path, std::string& error) {
    stream* s = find(id);
    if (s == nullptr) {
        error = "the call has no open audio stream";
        return false;
    }
    auto writer = sound_file_writer::create(path, audio_rate(s->format.codec), error);
    if (!writer) return false;
    s->recorder_rate = audio_rate(s->format.codec);
    s->recorder = std::move(writer);
    return true;
}

void media_context::stop_recording(stream_id id) noexcept {
    if (stream* s = find(id)) s->recorder.reset(); // the writer completes the file
}

void media_context::on_format_change(stream_id id, std::function<void()> changed) {
    if (stream* s = find(id)) s->format_changed = std::move(changed);
}

void media_context::on_dtmf(stream_id id, std::function<void(char)> heard) {
    if (stream* s = find(id)) s->dtmf = std::move(heard);
}

void media_context::set_timeout(stream_id id, std::chrono::milliseconds after,
                                std::function<void()> expired) {
    stream* s = find(id);
    if (s == nullptr) return;
    s->timeout = after;
    s->expired = std::move(expired);
    s->last_packet = std::chrono::steady_clock::now();
    if (after.count() > 0 && !s->timeout_armed) arm_timeout(*s);
}

void media_context::arm_timeout(stream& s) {
    // Checked once a second (or at the timeout when shorter): coarse on purpose, one timer
    // per stream and no work per packet beyond a time stamp.
    auto period = std::min<std::chrono::milliseconds>(s.timeout, std::chrono::seconds(1));
    s.timeout_armed = true;
    ++s.pending;
    s.timeout_timer.expires_after(period);
    s.timeout_timer.async_wait([this, &s](const asio::error_code& ec) {
        --s.pending;
        s.timeout_armed = false;
        if (ec || s.closing) {
            finished(s);
            return;
        }
        if (s.timeout.count() == 0) return;
        auto now = std::chrono::steady_clock::now();
        if (!s.peer_sends) s.last_packet = now; // on hold: silence is expected
        if (now - s.last_packet >= s.timeout) {
            s.timeout = std::chrono::milliseconds(0);
            if (auto expired = std::move(s.expired)) expired();
            return;
        }
        arm_timeout(s);
    });
}

void media_context::receive(stream& s) {
    ++s.pending;
    s.socket.async_wait(asio::socket_base::wait_read, [this, &s](const asio::error_code& ec) {
        if (!ec && !s.closing) read_batch(s); // still pending: a callback's close cannot free s
        --s.pending;
        if (ec || s.closing) {
            finished(s);
            return;
        }
        receive(s);
    });
}

void media_context::read_batch(stream& s) {
    // Batched I/O: every datagram waiting on the socket in one recvmmsg (up to the batch), the
    // echoes of the batch in one sendmmsg. The batch buffers belong to the context: handlers
    // run one at a time on the shard's thread.
    batch& b = *batch_;
    // Bounded: other streams get their turn. What is left waits for no new datagram: the wait
    // receive() arms next is level-checked (Asio's epoll reactor re-arms it with
    // EPOLL_CTL_MOD, which reports a socket that is still readable at once).
    for (int round = 0; round < 4; ++round) {
        for (std::size_t i = 0; i < batch_size; ++i) {
            b.iov[i] = {b.data[i].data(), b.data[i].size()};
            b.in[i] = {};
            b.in[i].msg_hdr.msg_iov = &b.iov[i];
            b.in[i].msg_hdr.msg_iovlen = 1;
            b.in[i].msg_hdr.msg_name = &b.from[i];
            b.in[i].msg_hdr.msg_namelen = sizeof b.from[i];
        }
        int got = ::recvmmsg(s.socket.native_handle(), b.in.data(),
                             static_cast<unsigned>(batch_size), MSG_DONTWAIT, nullptr);
        if (got <= 0) break;
        b.echoes = 0;
        for (int i = 0; i < got && !s.closing; ++i) {
            auto k = static_cast<std::size_t>(i);
            asio::ip::udp::endpoint from;
            std::memcpy(from.data(), &b.from[k], b.in[k].msg_hdr.msg_namelen);
            from.resize(b.in[k].msg_hdr.msg_namelen);
            handle_packet(s, std::span<std::uint8_t>(b.data[k].data(), b.in[k].msg_len), from);
        }
        if (b.echoes != 0 && !s.closing) {
            int sent = ::sendmmsg(s.socket.native_handle(), b.out.data(),
                                  static_cast<unsigned>(b.echoes), MSG_DONTWAIT);
            // Only what went out counts, for the stats and for our RTCP sender reports: the
            // first `sent` echoes (sendmmsg stops at the first that fails).
            for (int i = 0; i < sent; ++i) {
                auto k = static_cast<std::size_t>(i);
                std::size_t n = b.out_iov[k].iov_len;
                ++stats_.packets_out;
                ++s.packets_sent;
                s.octets_sent += static_cast<std::uint32_t>(n - std::min<std::size_t>(n, 12));
                s.last_sent_timestamp = b.out_timestamp[k];
            }
        }
        if (static_cast<std::size_t>(got) < batch_size) break;
    }
}

void media_context::handle_packet(stream& s, std::span<std::uint8_t> bytes,
                                  const asio::ip::udp::endpoint& from_address) {
    ++stats_.packets_in;
    const std::size_t n = bytes.size();
    auto packet = parse_rtp(bytes);
    if (!packet || looks_like_rtcp(bytes)) {
        ++stats_.malformed; // noise, or RTCP multiplexed on the port: nothing to do with it
        return;
    }
    if (s.learned && s.symmetric && from_address != s.remote) {
        ++stats_.foreign; // not the source we latched on to (see below)
        return;
    }
    s.last_packet = std::chrono::steady_clock::now();
    if (!s.format.event_payload_type ||
        packet->header.payload_type != *s.format.event_payload_type) {
        auto since =
            std::chrono::duration_cast<std::chrono::microseconds>(s.last_packet.time_since_epoch());
        auto clock =
            static_cast<std::uint64_t>(since.count()) * rtp_clock(s.format.codec) / 1'000'000;
        s.received.on_packet(packet->header, static_cast<std::uint32_t>(clock));
        s.peer_ssrc = packet->header.ssrc;
        s.have_peer_ssrc = true;
    }
    // Symmetric RTP: answer where the packets come from (NATs rewrite the SDP's address),
    // learned from the first packet and then kept: packets from anywhere else are dropped, so
    // nobody else can take the stream over ("RTP bleed"). Without it (rtp_symmetric = no)
    // packets go where the SDP said, once it said.
    if (!s.learned && (s.symmetric || !s.have_remote)) {
        s.remote = from_address;
        s.have_remote = true;
        s.learned = true;
    }
    if (s.bridged != 0) {
        if (stream* other = find(s.bridged)) relay(s, *other, *packet, bytes);
    } else if (s.echoing && s.we_send) {
        // Queued for the batch's sendmmsg: the packet goes back as it came, from the batch
        // buffer it is in.
        batch& b = *batch_;
        std::size_t k = b.echoes++;
        b.out_iov[k] = {bytes.data(), n};
        b.out[k] = {};
        b.out[k].msg_hdr.msg_iov = &b.out_iov[k];
        b.out[k].msg_hdr.msg_iovlen = 1;
        std::memcpy(&b.to[k], s.remote.data(), s.remote.size());
        b.out[k].msg_hdr.msg_name = &b.to[k];
        b.out[k].msg_hdr.msg_namelen = static_cast<socklen_t>(s.remote.size());
        b.out_timestamp[k] = packet->header.timestamp; // counted as sent once it is (read_batch)
    }
    const std::uint8_t pt = packet->header.payload_type;
    if (s.format.event_payload_type && pt == *s.format.event_payload_type) {
        auto event = parse_telephone_event(packet->payload);
        if (!event || s.last_event_timestamp == packet->header.timestamp) return;
        s.last_event_timestamp = packet->header.timestamp; // the first packet of an event
        char digit = dtmf_digit(event->event);
        if (digit == 0) return;
        ++stats_.dtmf_events;
        if (s.dtmf) {
            auto heard = s.dtmf; // the callback may change the stream's handlers
            heard(digit);
        }
        return;
    }
    if (s.recorder) {
        auto codec = codec_of(s, pt);
        audio_decoder* decoder = codec ? decoder_for(s, *codec) : nullptr;
        if (decoder == nullptr) return;
        std::array<std::int16_t, max_packet * 2> pcm{};
        std::size_t samples = decoder->decode(packet->payload, pcm);
        samples = convert_rate(pcm, samples, audio_rate(*codec), s.recorder_rate);
        s.recorder->write(std::span<const std::int16_t>(pcm.data(), samples));
    }
}

void media_context::bridge(stream_id a, stream_id b) {
    stream* x = find(a);
    stream* y = find(b);
    if (x == nullptr || y == nullptr || a == b) return;
    for (stream* s : {x, y}) {
        if (s->bridged != 0) unbridge(s->id);
        s->echoing = false;
        s->source.reset();
        s->played = nullptr;
    }
    x->bridged = b;
    y->bridged = a;
}

void media_context::unbridge(stream_id id) noexcept {
    stream* s = find(id);
    if (s == nullptr || s->bridged == 0) return;
    // The format change handlers belong to the bridge: what they would pass on has nowhere to go.
    if (stream* other = find(s->bridged)) {
        other->bridged = 0;
        other->format_changed = nullptr;
    }
    s->bridged = 0;
    s->format_changed = nullptr;
}

std::optional<audio_codec> media_context::codec_of(const stream& s, std::uint8_t pt) noexcept {
    if (pt == s.format.payload_type) return s.format.codec;
    for (const auto& [type, codec] : s.format.accepted)
        if (type == pt) return codec;
    return std::nullopt;
}

audio_decoder* media_context::decoder_for(stream& s, audio_codec codec) {
    auto& slot = s.decoders[static_cast<std::size_t>(codec) % s.decoders.size()];
    if (!slot) slot = make_decoder(codec);
    return slot.get();
}

std::optional<stream_format> media_context::format_of(stream_id id) const noexcept {
    const stream* s = find(id);
    if (s == nullptr) return std::nullopt;
    return s->format;
}

void media_context::relay(stream& from, stream& to, const rtp_packet_view& packet,
                          std::span<const std::uint8_t> bytes) {
    const std::size_t n = bytes.size();
    if (!to.we_send || !to.have_remote) return;
    std::uint8_t pt = packet.header.payload_type;
    std::array<std::uint8_t, max_packet> out{};
    std::size_t size = 0;
    if (from.format.event_payload_type && pt == *from.format.event_payload_type) {
        if (!to.format.event_payload_type) return; // the other leg takes no events
        std::memcpy(out.data(), bytes.data(), n);
        out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | *to.format.event_payload_type);
        size = n;
    } else if (auto codec = codec_of(from, pt)) {
        if (*codec == to.format.codec) {
            std::memcpy(out.data(), bytes.data(), n);
            out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | to.format.payload_type);
            size = n;
        } else {
            // Different codecs: decode, match the rate (G.722 carries 16 kHz audio, G.711 8 kHz),
            // encode. Timestamps stay: all three run an 8 kHz RTP clock.
            audio_decoder* decoder = decoder_for(from, *codec);
            if (decoder == nullptr || !to.encoder) return;
            std::array<std::int16_t, max_packet * 2> pcm{};
            std::size_t samples = decoder->decode(packet.payload, pcm);
            samples = convert_rate(pcm, samples, audio_rate(*codec), audio_rate(to.format.codec));
            rtp_header h = packet.header;
            h.payload_type = to.format.payload_type;
            std::size_t head = write_rtp_header(h, out);
            size = head + to.encoder->encode(std::span<const std::int16_t>(pcm.data(), samples),
                                             std::span<std::uint8_t>(out).subspan(head));
            ++stats_.transcoded;
        }
    } else {
        return; // comfort noise and others: not relayed
    }
    asio::error_code ec;
    to.socket.send_to(asio::buffer(out.data(), size), to.remote, 0, ec);
    if (!ec) {
        ++stats_.relayed;
        ++stats_.packets_out;
        ++to.packets_sent;
        to.octets_sent += static_cast<std::uint32_t>(size - std::min<std::size_t>(size, 12));
        to.last_sent_timestamp = packet.header.timestamp;
    }
}

void media_context::receive_rtcp(stream& s) {
    ++s.pending;
    s.rtcp_socket.async_receive_from(
        asio::buffer(s.rtcp_buffer), s.rtcp_from,
        [this, &s](const asio::error_code& ec, std::size_t n) {
            --s.pending;
            if (ec || s.closing) {
                finished(s);
                return;
            }
            ++stats_.rtcp_in;
            if (auto summary = parse_rtcp(std::span<const std::uint8_t>(s.rtcp_buffer.data(), n))) {
                if (summary->sender_report) {
                    s.last_sr = summary->ntp_middle;
                    s.last_sr_at = std::chrono::steady_clock::now();
                }
            }
            receive_rtcp(s);
        });
}

void media_context::arm_rtcp(stream& s) {
    ++s.pending;
    s.rtcp_timer.expires_after(settings_.rtcp_interval);
    s.rtcp_timer.async_wait([this, &s](const asio::error_code& ec) {
        --s.pending;
        if (ec || s.closing) {
            finished(s);
            return;
        }
        send_rtcp(s);
        arm_rtcp(s);
    });
}

void media_context::send_rtcp(stream& s) {
    if (!s.have_remote) return;
    // RFC 3550 §4: NTP time (seconds since 1900 in the high word).
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    std::uint64_t seconds = static_cast<std::uint64_t>(micros / 1'000'000) + 2'208'988'800ULL;
    std::uint64_t fraction = (static_cast<std::uint64_t>(micros % 1'000'000) << 32) / 1'000'000;
    std::uint32_t dlsr = 0;
    if (s.last_sr != 0) {
        auto waited = std::chrono::steady_clock::now() - s.last_sr_at;
        dlsr = static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(waited).count() * 65536 /
            1'000'000); // in 1/65536 s
    }
    char cname[32];
    std::snprintf(cname, sizeof cname, "parley-%08x", s.ssrc);
    rtcp_report_input in{.ssrc = s.ssrc,
                         .cname = cname,
                         .we_sent = s.packets_sent != s.packets_sent_at_report,
                         .ntp_timestamp = (seconds << 32) | fraction,
                         .rtp_timestamp = s.last_sent_timestamp,
                         .packets_sent = s.packets_sent,
                         .octets_sent = s.octets_sent,
                         .have_peer = s.have_peer_ssrc,
                         .peer_ssrc = s.peer_ssrc,
                         .fraction_lost = s.received.fraction_lost_since_last(),
                         .cumulative_lost = s.received.cumulative_lost(),
                         .extended_highest_sequence = s.received.extended_highest(),
                         .jitter = s.received.jitter(),
                         .last_sr = s.last_sr,
                         .delay_since_last_sr = dlsr};
    s.packets_sent_at_report = s.packets_sent;
    std::array<std::uint8_t, 256> out{};
    std::size_t n = write_rtcp_report(in, out);
    if (n == 0) return;
    // Where the peer's RTCP comes from once it sent any, else its RTP port + 1 (RFC 3550 §11).
    asio::ip::udp::endpoint to =
        s.rtcp_from.port() != 0
            ? s.rtcp_from
            : asio::ip::udp::endpoint(s.remote.address(),
                                      static_cast<std::uint16_t>(s.remote.port() + 1));
    asio::error_code ec;
    s.rtcp_socket.send_to(asio::buffer(out.data(), n), to, 0, ec);
    if (!ec) ++stats_.rtcp_out;
}

void media_context::start_sending(stream& s) {
    if (s.sending) return;
    s.sending = true;
    s.marker = true;
    s.next_send = std::chrono::steady_clock::now();
    send_tick(s);
}

void media_context::send_tick(stream& s) {
    if (!s.source) {
        s.sending = false;
        return;
    }
    const std::uint32_t ptime = s.format.ptime_ms;
    const std::size_t samples = audio_rate(s.format.codec) * ptime / 1000;
    std::array<std::int16_t, 16000 * max_ptime_ms / 1000> pcm{};
    std::size_t got = s.source->read(std::span<std::int16_t>(pcm.data(), samples));
    if (got == 0) {
        // Finished: back to idle, then tell whoever asked (who may start something else).
        s.source.reset();
        s.sending = false;
        if (auto done = std::move(s.played)) done();
        return;
    }
    // A short last read is padded with silence: every packet has the full ptime.
    if (s.we_send && s.have_remote && s.encoder) {
        std::array<std::uint8_t, 12 + 16000 * max_ptime_ms / 1000> packet{};
        rtp_header h{.payload_type = s.format.payload_type,
                     .marker = s.marker,
                     .sequence = s.sequence,
                     .timestamp = s.timestamp,
                     .ssrc = s.ssrc};
        std::size_t head = write_rtp_header(h, packet);
        std::size_t body = s.encoder->encode(std::span<const std::int16_t>(pcm.data(), samples),
                                             std::span<std::uint8_t>(packet).subspan(head));
        asio::error_code ec;
        s.socket.send_to(asio::buffer(packet.data(), head + body), s.remote, 0, ec);
        if (!ec) {
            ++stats_.packets_out;
            ++s.packets_sent;
            s.octets_sent += static_cast<std::uint32_t>(body);
            s.last_sent_timestamp = s.timestamp;
        }
        ++s.sequence;
        s.marker = false;
    }
    // The timestamp advances whether or not we sent (RFC 3550 §5.1: it follows the clock).
    s.timestamp += rtp_clock(s.format.codec) * ptime / 1000;
    s.next_send += std::chrono::milliseconds(ptime);
    auto now = std::chrono::steady_clock::now();
    if (s.next_send + std::chrono::milliseconds(5 * ptime) < now)
        s.next_send = now; // far behind (the loop stalled): do not burst to catch up
    ++s.pending;
    s.send_timer.expires_at(s.next_send);
    s.send_timer.async_wait([this, &s](const asio::error_code& ec) {
        --s.pending;
        if (ec || s.closing) {
            s.sending = false;
            finished(s);
            return;
        }
        send_tick(s);
    });
}

void media_context::close(stream_id id) noexcept {
    auto it = streams_.find(id);
    if (it == streams_.end() || it->second->closing) return;
    stream& s = *it->second;
    unbridge(id);
    s.closing = true;
    s.source.reset();
    s.played = nullptr;
    s.dtmf = nullptr;
    s.expired = nullptr;
    s.format_changed = nullptr;
    s.recorder.reset();
    asio::error_code ec;
    s.socket.close(ec); // pending operations complete with operation_aborted, then it goes
    s.rtcp_socket.close(ec);
    s.rtcp_timer.cancel();
    s.send_timer.cancel();
    s.timeout_timer.cancel();
    finished(s);
}

void media_context::finished(stream& s) noexcept {
    if (!s.closing || s.pending != 0) return;
    free_ports_.insert(free_ports_.begin(), s.port);
    streams_.erase(s.id);
}

} // namespace parley::media
