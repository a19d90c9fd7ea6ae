// network: one generator thread's source sockets, on raw non-blocking sockets and epoll rather
// than the stack's transport. The transport binds one UDP port per process; a load generator
// needs several source ports (so an SO_REUSEPORT server spreads the load over its sockets) and
// batches on both sides: sends are queued while a loop iteration runs and go out with one
// sendmmsg() per socket at flush(); receives come in recvmmsg() batches, and what a received
// UDP batch produced is flushed before the next batch is read.
//
// UDP sockets are connect()ed to the target: the kernel then skips a route lookup per send and
// reports an unreachable target (ICMP port unreachable) as ECONNREFUSED, which fails the calls
// at once instead of after Timer B. TCP uses one connection per "socket", framed with the
// stack's next_frame(). Single-threaded: everything here runs on the owning generator thread.
#pragma once

#include "options.hpp"

#include <parley/sip/message.hpp>
#include <parley/transport/address.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::load {

/// What the network hands up: a whole message (datagram or framed TCP message) and its flow.
class network_user {
public:
    virtual ~network_user() = default;
    /// `bytes` are valid only during the call; `framing` says how to parse them.
    virtual void on_packet(std::string_view bytes, const flow& source,
                           transport_framing framing) noexcept = 0;
    /// A batch of packets is about to be delivered (the receiver reads its clock once per batch).
    virtual void on_batch_start() noexcept {}
    /// The socket or connection of `f` failed (refused, reset, closed).
    virtual void on_flow_error(const flow& f) noexcept = 0;
};

struct network_counters {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t send_errors = 0;
};

class network {
public:
    network(const load_options& options, network_user& user);
    ~network();
    network(const network&) = delete;
    network& operator=(const network&) = delete;

    /// Opens (and for TCP connects) every socket; returns an error message, or "" on success.
    std::string open();

    std::size_t size() const noexcept { return sockets_.size(); }
    /// The flow of socket `index`: what a request sent from it carries in its flow.
    const flow& flow_of(std::size_t index) const noexcept { return sockets_[index].path; }
    /// The local address of socket `index` (for Via and Contact).
    const socket_address& local_of(std::size_t index) const noexcept {
        return sockets_[index].path.local;
    }
    bool usable(std::size_t index) const noexcept { return sockets_[index].fd >= 0; }

    /// Queues `bytes` for the socket `destination` names (flow_of). false when that socket is
    /// closed. Nothing leaves before flush().
    bool send(const flow& destination, std::string_view bytes);
    /// Sends every queued message (sendmmsg per UDP socket, write per TCP connection).
    void flush();
    /// Waits at most `timeout` for input and delivers what arrived.
    void poll(std::chrono::nanoseconds timeout);

    const network_counters& counters() const noexcept { return counters_; }

private:
    struct socket_state {
        int fd = -1;
        flow path;
        // UDP: queued datagrams, contiguous, with their lengths.
        std::string queued;
        std::vector<std::uint32_t> lengths;
        // TCP: bytes not yet written, and bytes read but not yet framed.
        std::string unwritten;
        std::string unread;
        bool want_write = false;
    };

    std::string open_one(std::size_t index, const socket_address& bind);
    void flush_udp(socket_state& s);
    void flush_tcp(socket_state& s);
    void read_udp(socket_state& s);
    void read_tcp(socket_state& s);
    void fail(socket_state& s);
    void update_interest(socket_state& s, bool want_write);
    socket_state* find(const flow& f) noexcept;

    const load_options& options_;
    network_user& user_;
    int epoll_ = -1;
    /// epoll_pwait2 (nanosecond timeouts, Linux 5.11) answered ENOSYS — an older kernel, or
    /// valgrind, which does not know it: epoll_wait with millisecond timeouts from then on.
    bool millisecond_waits_ = false;
    std::vector<socket_state> sockets_;
    std::vector<std::uint16_t> by_port_; ///< local port → socket index + 1 (UDP lookup)
    std::vector<char> receive_buffers_;
    network_counters counters_;
};

} // namespace parley::load
