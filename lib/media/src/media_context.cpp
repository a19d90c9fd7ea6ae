#include <parley/media/rtp_echo.hpp>

#include <cstring>

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
} // namespace

struct media_context::stream {
    std::uint64_t id = 0;
    std::uint16_t port = 0;
    asio::ip::udp::socket socket;
    std::array<char, 2048> buffer{};
    asio::ip::udp::endpoint from;
    asio::ip::udp::endpoint remote;
    bool have_remote = false;
    bool learned = false;  ///< the remote came from a received packet (symmetric RTP)
    bool symmetric = true; ///< answer where packets come from, not where the SDP said
    bool closing = false;
    int pending = 0;
    explicit stream(asio::io_context& io) : socket(io) {}
};

media_context::media_context(asio::io_context& io, media_settings settings)
    : io_(io), settings_(std::move(settings)) {
    // Even ports for RTP (RFC 3550 §11), handed out lowest last so reuse is spread out.
    for (unsigned p = settings_.port_max; p-- > settings_.port_min;)
        if (p % 2 == 0) free_ports_.push_back(static_cast<std::uint16_t>(p));
}

media_context::~media_context() {
    for (auto& [id, s] : streams_) {
        asio::error_code ec;
        s->socket.close(ec);
    }
}

media_context* media_context::current() noexcept {
    return current_context;
}
void media_context::bind_current(media_context* context) noexcept {
    current_context = context;
}

std::optional<std::uint64_t> media_context::open_echo() {
    asio::error_code ec;
    auto address = asio::ip::make_address(settings_.address, ec);
    if (ec) return std::nullopt;
    // A port may be taken by another process: try others (bounded; the range is large).
    for (int attempt = 0; attempt < 64 && !free_ports_.empty(); ++attempt) {
        std::uint16_t port = free_ports_.back();
        free_ports_.pop_back();
        auto s = std::make_unique<stream>(io_);
        s->socket.open(address.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
        if (!ec) s->socket.bind(asio::ip::udp::endpoint(address, port), ec);
        if (ec) {
            free_ports_.insert(free_ports_.begin(), port);
            continue;
        }
        s->id = next_id_++;
        s->port = port;
        stream& ref = *s;
        streams_.emplace(ref.id, std::move(s));
        receive(ref);
        return ref.id;
    }
    ++stats_.ports_exhausted;
    return std::nullopt;
}

std::uint16_t media_context::port_of(std::uint64_t id) const noexcept {
    auto it = streams_.find(id);
    return it == streams_.end() ? 0 : it->second->port;
}

void media_context::set_remote(std::uint64_t id, const socket_address& remote, bool symmetric) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    it->second->symmetric = symmetric;
    if (it->second->learned && symmetric) return;
    it->second->remote = asio::ip::udp::endpoint(to_asio(remote), remote.port);
    it->second->have_remote = remote.port != 0;
}

void media_context::receive(stream& s) {
    ++s.pending;
    s.socket.async_receive_from(
        asio::buffer(s.buffer), s.from, [this, &s](const asio::error_code& ec, std::size_t n) {
            --s.pending;
            if (ec || s.closing) {
                finished(s);
                return;
            }
            ++stats_.packets_in;
            // Symmetric RTP: answer where the packets come from (NATs rewrite the SDP's address).
            // Without it (rtp_symmetric = no) packets go where the SDP said, once it said.
            if (s.symmetric || !s.have_remote) {
                s.remote = s.from;
                s.have_remote = true;
                s.learned = true;
            }
            if (n >= 12) { // an RTP header at least (RFC 3550 §5.1); anything shorter is noise
                asio::error_code send_ec;
                s.socket.send_to(asio::buffer(s.buffer.data(), n), s.remote, 0, send_ec);
                if (!send_ec) ++stats_.packets_out;
            }
            receive(s);
        });
}

void media_context::close(std::uint64_t id) noexcept {
    auto it = streams_.find(id);
    if (it == streams_.end() || it->second->closing) return;
    stream& s = *it->second;
    s.closing = true;
    asio::error_code ec;
    s.socket.close(ec); // the pending receive completes with operation_aborted, then it goes
    finished(s);
}

void media_context::finished(stream& s) noexcept {
    if (!s.closing || s.pending != 0) return;
    free_ports_.insert(free_ports_.begin(), s.port);
    streams_.erase(s.id);
}

} // namespace parley::media
