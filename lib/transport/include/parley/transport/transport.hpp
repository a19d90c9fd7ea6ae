// transport: the UDP, TCP and TLS listeners and connections of every shard (RFC 3261 §18).
//
// Each shard has its own UDP socket on the shared address and port (SO_REUSEPORT), receiving in
// batches (recvmmsg), and its own TCP/TLS listening socket (the kernel spreads accepts);
// a connection belongs to the shard that accepted or opened it. A received message is parsed
// once (the message owns its bytes) and handed to the transport_user on the shard that owns its
// Call-ID: directly when that is the receiving shard, else posted to it. Bad bytes never crash
// or stall a shard: a malformed request with a usable Via gets a 400 carrying the parser's reason,
// sent to the packet's source; anything else is dropped and counted.
//
// Threads: start()/stop() from the owning thread; send() from any shard's thread (a TCP/TLS send
// for a connection of another shard is posted to that shard). Callbacks run on shard threads.
#pragma once

#include <parley/base/result.hpp>
#include <parley/base/time.hpp>
#include <parley/sip/message.hpp>
#include <parley/transport/address.hpp>
#include <parley/transport/shard.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// What the transport delivers to (the transaction layer of each shard, in the end).
class transport_user {
public:
    virtual ~transport_user() = default;
    /// A parsed message for the dialog owned by `owner` (this call runs on owner's thread).
    /// It lives until the call returns: the transport reuses message objects (a parsed message
    /// is 5 KB with its arena, and one per datagram from the heap cost more than the parse's
    /// allocations together).
    virtual void on_message(shard& owner, const message& m, const flow& source) noexcept = 0;
    /// A connection closed or a send failed, so transactions riding on `f` can fail fast.
    virtual void on_transport_error(shard& where, const flow& f) noexcept {
        (void)where;
        (void)f;
    }
};

struct tls_settings {
    std::string certificate_file; ///< PEM; empty disables TLS
    std::string private_key_file; ///< PEM
};

struct transport_options {
    std::string bind_address = "127.0.0.1";
    std::uint16_t udp_port = 5060; ///< 0 = any free port (tests); shared by all shards
    std::uint16_t tcp_port = 5060; ///< 0 = any free port; 0xFFFF... use `enable_tcp`
    std::uint16_t tls_port = 5061;
    bool enable_udp = true;
    bool enable_tcp = true;
    tls_settings tls;
    parse_limits limits{};
    std::size_t udp_receive_buffer = 4 * 1024 * 1024; ///< SO_RCVBUF, sized for bursts
    std::size_t max_connections = 4096;               ///< TCP + TLS, all shards together
    duration connection_idle_timeout = seconds(120);  ///< no bytes either way: close
    std::size_t max_queued_bytes = 1024 * 1024;       ///< per connection; a slow reader is cut off
    std::size_t max_messages_per_read = 64;           ///< fairness between connections
};

/// Counters per shard; read them on that shard (or accept a slightly stale value elsewhere).
struct transport_stats {
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
    std::uint64_t bad_requests_answered = 0; ///< malformed, 400 sent
    std::uint64_t dropped = 0;               ///< malformed without a usable Via, or responses
    std::uint64_t send_errors = 0;
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused = 0; ///< over max_connections
    std::uint64_t connections_closed = 0;
    std::uint64_t keepalives_answered = 0;
};

enum class send_status : std::uint8_t { sent, queued, failed };

class transport {
public:
    transport(shard_group& shards, transport_user& user, transport_options options);
    ~transport();
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    /// Opens every socket; an error names what failed ("UDP bind 127.0.0.1:5060: Address in use").
    /// Call before shard_group::start().
    result<void> start();
    /// Closes every socket; call after the shards stopped.
    void stop();

    /// Sends `bytes` to `destination` from shard `from` (the calling thread's shard). UDP sends
    /// at once; TCP/TLS use `destination.connection` when set (posting to its owner shard) or a
    /// connection to the remote address, opened on demand.
    send_status send(shard& from, const flow& destination, std::string bytes);
    /// The same for bytes the caller keeps (a transaction's retained response): UDP sends them
    /// without a copy; TCP/TLS copy them into the connection's queue.
    send_status send(shard& from, const flow& destination, std::string_view bytes);

    /// The bound local addresses (the real ports when 0 was asked for).
    socket_address udp_address() const;
    socket_address tcp_address() const;
    socket_address tls_address() const;

    /// Counters of shard `index`.
    const transport_stats& stats(std::size_t index) const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace parley
