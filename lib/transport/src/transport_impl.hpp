// Private state of `transport`: what each shard holds (UDP socket and batch buffers, listening
// sockets, its connections) and the connection objects. Only transport's own sources see this.
#pragma once

#include <parley/base/timer_wheel.hpp>
#include <parley/transport/transport.hpp>

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ssl.hpp>

#include <sys/socket.h>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley {

struct shard_state;

/// One TCP or TLS connection, owned by the shard that accepted or opened it. Async operations
/// hold a plain pointer; the connection is erased only when none is pending (`pending_`), so a
/// completion handler never sees a freed connection.
class connection {
public:
    connection(shard_state& home, std::uint64_t id, transport_protocol protocol,
               asio::ip::tcp::socket socket, asio::ssl::context* tls);
    ~connection();

    std::uint64_t id() const noexcept { return id_; }
    const flow& route() const noexcept { return flow_; }
    bool closing() const noexcept { return closing_; }

    /// Server side: TLS handshake if any, then reading.
    void start_accepted();
    /// Client side: connect to `remote`, TLS handshake if any, then flush what was queued.
    void start_connect(const socket_address& remote);
    /// Queues bytes; the connection is cut off when the queue passes max_queued_bytes.
    void send(std::string bytes);
    /// This connection was opened for bytes addressed to connection `closed`, which had gone
    /// (RFC 3261 §18.2.2): its own failure is reported for that one's flow too, which is the
    /// flow the senders (a server transaction's responses) still name.
    void stands_in_for(std::uint64_t closed) noexcept { stands_in_for_ = closed; }
    void close(const char* why);

private:
    void read_some();
    void on_read(std::size_t n);
    void write_next();
    void on_idle_timer();
    void finished_op();
    template <class Fn>
    void async_read(Fn&& fn);
    template <class Fn>
    void async_write(const std::string& bytes, Fn&& fn);

    shard_state& home_;
    std::uint64_t id_;
    flow flow_;
    std::uint64_t stands_in_for_ = 0; ///< the closed connection this one replaced, if any
    asio::ip::tcp::socket* socket_;   ///< the TCP socket (inside tls_ when TLS)
    std::optional<asio::ip::tcp::socket> plain_;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
    std::string in_;
    std::size_t in_used_ = 0;
    std::deque<std::string> out_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool ready_ = false; ///< connected (and TLS handshake done)
    bool closing_ = false;
    int pending_ = 0;
    time_point last_activity_;
    timer idle_;
};

/// What a shard sends over UDP while it handles one received batch: the datagrams back to back,
/// sent together with one sendmmsg when the batch has been handled (a batch of one goes out
/// with sendto). Outside a batch (timers, posted work, TCP) sends go out at once.
struct udp_outbox {
    struct entry {
        std::size_t offset;
        std::size_t size;
        sockaddr_storage to;
        socklen_t to_length;
    };
    bool collecting = false;
    std::string bytes;
    std::vector<entry> entries;
};

struct shard_state {
    transport::impl& owner;
    shard& home;
    std::optional<asio::ip::udp::socket> udp;
    std::vector<char> udp_buffers;
    udp_outbox outbox;
    std::optional<asio::ip::tcp::acceptor> tcp_acceptor;
    std::optional<asio::ip::tcp::acceptor> tls_acceptor;
    std::unordered_map<std::uint64_t, std::unique_ptr<connection>> connections;
    std::map<std::pair<transport_protocol, socket_address>, std::uint64_t> by_remote;
    std::uint64_t next_connection = 1;
    transport_stats stats;
    /// Message objects to parse into, reused: taken by deliver(), given back on this shard's
    /// thread once its user returned (a message handed to another shard joins that one's).
    std::vector<std::unique_ptr<message>> spare_messages;
    std::unique_ptr<message> take_message();
    void give_back(std::unique_ptr<message> m);

    shard_state(transport::impl& o, shard& h) : owner(o), home(h) {}
};

struct transport::impl {
    shard_group& shards;
    transport_user& user;
    transport_options options;
    std::vector<std::unique_ptr<shard_state>> states;
    socket_address udp_bound, tcp_bound, tls_bound;
    std::atomic<std::size_t> connection_count{0};
    std::unique_ptr<asio::ssl::context> tls_context;
    /// INVITEs with Replaces that went to another shard than their Call-ID's (RFC 3891, by
    /// the replaced dialog's mark): their CANCEL, which has the INVITE's Call-ID and top Via
    /// branch but no Replaces and no To tag (RFC 3261 §9.1), follows them. Shared by the shards
    /// behind a lock, but touched only for such INVITEs and, while one is kept, for CANCELs.
    struct moved_invites {
        std::mutex lock;
        std::atomic<std::size_t> count{0};
        struct entry {
            std::size_t shard;
            steady_clock::time_point until;
        };
        static constexpr std::size_t most = 4096;
        std::unordered_map<std::string, entry> by_key; ///< Call-ID, SP, top Via branch
        steady_clock::time_point next_sweep{};
    } moved;

    /// The shard that owns `m` (shard_group::index_for), CANCELs of moved INVITEs included.
    shard& owner_of(const message& m);

    impl(shard_group& s, transport_user& u, transport_options o)
        : shards(s), user(u), options(std::move(o)) {}

    /// Parses bytes from `source` and hands the message to its owner shard; answers or drops
    /// what does not parse.
    void deliver(shard_state& where, std::string_view bytes, const flow& source,
                 transport_framing framing);
    void send_udp(shard_state& where, const flow& destination, std::string_view bytes);
    /// Sends what the outbox holds.
    void flush_udp(shard_state& where);
    void send_stream(shard_state& where, const flow& destination, std::string bytes);
    /// A stream send that no connection can carry (no TLS context, the connection limit):
    /// counted, and reported to the user as a transport error for `destination` once the
    /// sender's own call has returned.
    void unsendable(shard_state& where, const flow& destination);
    void start_udp_receive(shard_state& s);
    void receive_udp_batch(shard_state& s);
    void start_accept(shard_state& s, transport_protocol protocol);
    void erase_connection(shard_state& s, std::uint64_t id);

    /// Connection ids carry their shard in the top byte, so any shard knows the owner.
    static std::uint64_t make_connection_id(std::size_t shard_index, std::uint64_t serial) {
        return (static_cast<std::uint64_t>(shard_index) << 56) | serial;
    }
    static std::size_t shard_of(std::uint64_t connection_id) {
        return static_cast<std::size_t>(connection_id >> 56);
    }
};

socket_address to_socket_address(const asio::ip::address& a, std::uint16_t port);
asio::ip::address to_asio(const socket_address& a);

} // namespace parley
