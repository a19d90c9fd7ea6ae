#include "network.hpp"

#include <parley/sip/stream_framer.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace parley::load {
namespace {

constexpr std::size_t batch = 64;              // datagrams per recvmmsg / sendmmsg
constexpr std::size_t datagram_buffer = 65536; // the largest UDP payload
constexpr std::size_t read_batches = 16;       // per socket per poll: fairness between sockets
constexpr int socket_buffer = 4 * 1024 * 1024; // SO_RCVBUF/SO_SNDBUF: room for bursts
constexpr std::size_t tcp_read_size = 256 * 1024;

socklen_t to_sockaddr(const socket_address& a, sockaddr_storage& out) {
    std::memset(&out, 0, sizeof out);
    if (a.family == socket_address::family_type::ipv4) {
        auto& in = reinterpret_cast<sockaddr_in&>(out);
        in.sin_family = AF_INET;
        in.sin_port = htons(a.port);
        std::memcpy(&in.sin_addr, a.ip.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto& in6 = reinterpret_cast<sockaddr_in6&>(out);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(a.port);
    std::memcpy(&in6.sin6_addr, a.ip.data(), 16);
    return sizeof(sockaddr_in6);
}

socket_address from_sockaddr(const sockaddr_storage& s) {
    socket_address a;
    if (s.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(s);
        a.family = socket_address::family_type::ipv4;
        a.port = ntohs(in.sin_port);
        std::memcpy(a.ip.data(), &in.sin_addr, 4);
    } else if (s.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(s);
        a.family = socket_address::family_type::ipv6;
        a.port = ntohs(in6.sin6_port);
        std::memcpy(a.ip.data(), &in6.sin6_addr, 16);
    }
    return a;
}

std::string describe(const char* what, const socket_address& a) {
    return std::string(what) + " " + a.to_string() + ": " + std::strerror(errno);
}

void set_buffers(int fd) {
    // FORCE variants pass the sysctl caps when we may (root); otherwise the plain ones.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &socket_buffer, sizeof socket_buffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &socket_buffer, sizeof socket_buffer);
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &socket_buffer, sizeof socket_buffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &socket_buffer, sizeof socket_buffer);
}

} // namespace

network::network(const load_options& options, network_user& user)
    : options_(options), user_(user), by_port_(65536, 0) {}

network::~network() {
    for (auto& s : sockets_)
        if (s.fd >= 0) ::close(s.fd);
    if (epoll_ >= 0) ::close(epoll_);
}

std::string network::open() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return std::string("epoll_create1: ") + std::strerror(errno);
    auto bind = socket_address::from_numeric(options_.bind_address, 0);
    sockets_.resize(options_.sockets);
    for (std::size_t i = 0; i < sockets_.size(); ++i)
        if (auto e = open_one(i, *bind); !e.empty()) return e;
    if (options_.protocol == transport_protocol::udp)
        receive_buffers_.resize(batch * datagram_buffer);
    return {};
}

std::string network::open_one(std::size_t index, const socket_address& bind) {
    socket_state& s = sockets_[index];
    bool udp = options_.protocol == transport_protocol::udp;
    int family = options_.target.family == socket_address::family_type::ipv4 ? AF_INET : AF_INET6;
    s.fd = ::socket(family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (s.fd < 0) return std::string("socket: ") + std::strerror(errno);
    set_buffers(s.fd);
    sockaddr_storage address;
    socklen_t length = to_sockaddr(bind, address);
    if (::bind(s.fd, reinterpret_cast<sockaddr*>(&address), length) != 0)
        return describe(udp ? "UDP bind" : "TCP bind", bind);
    length = to_sockaddr(options_.target, address);
    // Loopback and LAN connects complete at once; a blocking connect keeps start-up simple.
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&address), length) != 0)
        return describe(udp ? "UDP connect" : "TCP connect", options_.target);
    if (!udp) {
        int one = 1;
        ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ::fcntl(s.fd, F_SETFL, ::fcntl(s.fd, F_GETFL) | O_NONBLOCK);
    sockaddr_storage local;
    socklen_t local_length = sizeof local;
    ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &local_length);
    s.path.protocol = options_.protocol;
    s.path.remote = options_.target;
    s.path.local = from_sockaddr(local);
    s.path.connection = udp ? 0 : index + 1;
    if (udp) by_port_[s.path.local.port] = static_cast<std::uint16_t>(index + 1);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = index;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &event) != 0)
        return std::string("epoll_ctl: ") + std::strerror(errno);
    return {};
}

network::socket_state* network::find(const flow& f) noexcept {
    if (f.protocol == transport_protocol::udp) {
        std::uint16_t i = by_port_[f.local.port];
        return i == 0 ? nullptr : &sockets_[i - 1];
    }
    if (f.connection == 0 || f.connection > sockets_.size()) return nullptr;
    return &sockets_[f.connection - 1];
}

bool network::send(const flow& destination, std::string_view bytes) {
    socket_state* s = find(destination);
    if (s == nullptr || s->fd < 0) {
        ++counters_.send_errors;
        return false;
    }
    if (destination.protocol == transport_protocol::udp) {
        s->queued.append(bytes);
        s->lengths.push_back(static_cast<std::uint32_t>(bytes.size()));
    } else {
        s->unwritten.append(bytes);
    }
    ++counters_.sent;
    return true;
}

void network::flush() {
    for (auto& s : sockets_) {
        if (s.fd < 0) continue;
        if (!s.lengths.empty()) flush_udp(s);
        if (!s.unwritten.empty() && !s.want_write) flush_tcp(s);
    }
}

void network::flush_udp(socket_state& s) {
    mmsghdr headers[batch];
    iovec vectors[batch];
    std::size_t offset = 0;
    std::size_t next = 0;
    while (next < s.lengths.size()) {
        std::size_t n = std::min(batch, s.lengths.size() - next);
        std::size_t at = offset;
        for (std::size_t i = 0; i < n; ++i) {
            vectors[i] = {s.queued.data() + at, s.lengths[next + i]};
            headers[i] = {};
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
            at += s.lengths[next + i];
        }
        int sent = ::sendmmsg(s.fd, headers, static_cast<unsigned>(n), MSG_DONTWAIT);
        if (sent <= 0) {
            if (sent < 0 && errno == ECONNREFUSED) {
                // The ICMP error of an earlier datagram: the target has no listener.
                user_.on_flow_error(s.path);
            }
            // A full socket buffer drops the datagram: UDP may lose it anyway, and the
            // transactions retransmit. Count it and move on.
            ++counters_.send_errors;
            sent = 1;
        }
        for (int i = 0; i < sent; ++i) offset += s.lengths[next + static_cast<std::size_t>(i)];
        next += static_cast<std::size_t>(sent);
    }
    s.queued.clear();
    s.lengths.clear();
}

void network::flush_tcp(socket_state& s) {
    while (!s.unwritten.empty()) {
        ssize_t n = ::send(s.fd, s.unwritten.data(), s.unwritten.size(), MSG_NOSIGNAL);
        if (n > 0) {
            s.unwritten.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            update_interest(s, true); // resume on EPOLLOUT
            return;
        }
        if (n < 0 && errno == EINTR) continue;
        fail(s);
        return;
    }
    if (s.want_write) update_interest(s, false);
}

void network::update_interest(socket_state& s, bool want_write) {
    s.want_write = want_write;
    epoll_event event{};
    event.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
    event.data.u64 = static_cast<std::uint64_t>(&s - sockets_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, s.fd, &event);
}

void network::fail(socket_state& s) {
    if (s.fd < 0) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, s.fd, nullptr);
    ::close(s.fd);
    s.fd = -1;
    s.unwritten.clear();
    s.unread.clear();
    s.queued.clear();
    s.lengths.clear();
    user_.on_flow_error(s.path);
}

void network::poll(std::chrono::nanoseconds timeout) {
    epoll_event events[64];
    timespec wait{};
    if (timeout.count() > 0) {
        wait.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
        wait.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
    }
    int n = -1;
    if (!millisecond_waits_) {
        n = ::epoll_pwait2(epoll_, events, 64, &wait, nullptr);
        if (n < 0 && errno == ENOSYS) millisecond_waits_ = true;
    }
    if (millisecond_waits_) {
        // Rounded up, so a wait never ends before its deadline (the caller loops anyway).
        auto ms = std::min<std::int64_t>((timeout.count() + 999'999) / 1'000'000, 60'000);
        n = ::epoll_wait(epoll_, events, 64, timeout.count() > 0 ? static_cast<int>(ms) : 0);
    }
    for (int i = 0; i < n; ++i) {
        socket_state& s = sockets_[events[i].data.u64];
        if (s.fd < 0) continue;
        if (options_.protocol == transport_protocol::udp) {
            read_udp(s);
            continue;
        }
        if (events[i].events & EPOLLOUT) flush_tcp(s);
        if (s.fd >= 0 && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) read_tcp(s);
    }
}

void network::read_udp(socket_state& s) {
    mmsghdr headers[batch];
    iovec vectors[batch];
    for (std::size_t round = 0; round < read_batches; ++round) {
        for (std::size_t i = 0; i < batch; ++i) {
            vectors[i] = {receive_buffers_.data() + i * datagram_buffer, datagram_buffer};
            headers[i] = {};
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        int n = ::recvmmsg(s.fd, headers, batch, MSG_DONTWAIT, nullptr);
        if (n < 0) {
            if (errno == ECONNREFUSED) user_.on_flow_error(s.path);
            return;
        }
        user_.on_batch_start();
        for (int i = 0; i < n; ++i) {
            ++counters_.received;
            std::string_view bytes(receive_buffers_.data() +
                                       static_cast<std::size_t>(i) * datagram_buffer,
                                   headers[i].msg_len);
            user_.on_packet(bytes, s.path, transport_framing::datagram);
        }
        // What the batch produced (ACKs, BYEs, calls the pacing timer started) leaves now, not
        // after every socket's backlog: a call's setup is timed from when it was started, so
        // a request held here would count as the server's latency.
        flush();
        if (static_cast<std::size_t>(n) < batch) return;
    }
}

void network::read_tcp(socket_state& s) {
    std::size_t before = s.unread.size();
    s.unread.resize(before + tcp_read_size);
    ssize_t n = ::recv(s.fd, s.unread.data() + before, tcp_read_size, 0);
    if (n <= 0) {
        s.unread.resize(before);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        fail(s); // closed by the peer, or reset
        return;
    }
    s.unread.resize(before + static_cast<std::size_t>(n));
    user_.on_batch_start();
    std::size_t used = 0;
    while (s.fd >= 0) {
        std::string_view rest(s.unread.data() + used, s.unread.size() - used);
        frame f = next_frame(rest);
        if (f.kind == frame_kind::need_more) break;
        if (f.kind == frame_kind::error) {
            fail(s);
            return;
        }
        if (f.kind == frame_kind::message) {
            ++counters_.received;
            user_.on_packet(rest.substr(0, f.length), s.path, transport_framing::stream);
        } else if (f.kind == frame_kind::keepalive_ping) {
            send(s.path, "\r\n"); // RFC 5626 §3.5.1 pong
        }
        used += f.length;
    }
    if (s.fd >= 0) s.unread.erase(0, used);
}

} // namespace parley::load
