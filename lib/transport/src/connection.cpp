// TCP and TLS connections: accept, RFC 3261 §18.3 stream framing, RFC 5626 keep-alives,
// idle timeout, queue budget, deferred destruction.
#include "transport_impl.hpp"

#include <parley/sip/stream_framer.hpp>

#include <asio/connect.hpp>
#include <asio/write.hpp>

namespace parley {

connection::connection(shard_state& home, std::uint64_t id, transport_protocol protocol,
                       asio::ip::tcp::socket socket, asio::ssl::context* tls)
    : home_(home), id_(id) {
    flow_.protocol = protocol;
    flow_.connection = id;
    if (protocol == transport_protocol::tls && tls != nullptr) {
        tls_.emplace(std::move(socket), *tls);
        socket_ = &tls_->next_layer();
    } else {
        plain_.emplace(std::move(socket));
        socket_ = &*plain_;
    }
    asio::error_code ec;
    auto local = socket_->local_endpoint(ec);
    if (!ec) flow_.local = to_socket_address(local.address(), local.port());
    auto remote = socket_->remote_endpoint(ec);
    if (!ec) flow_.remote = to_socket_address(remote.address(), remote.port());
    idle_.bind<&connection::on_idle_timer>(this);
    last_activity_ = steady_clock::now();
}

connection::~connection() = default;

template <class Fn>
void connection::async_read(Fn&& fn) {
    ++pending_;
    if (in_.size() - in_used_ < 16384) in_.resize(in_used_ + 65536);
    auto buffer = asio::buffer(in_.data() + in_used_, in_.size() - in_used_);
    if (tls_)
        tls_->async_read_some(buffer, std::forward<Fn>(fn));
    else
        plain_->async_read_some(buffer, std::forward<Fn>(fn));
}

template <class Fn>
void connection::async_write(const std::string& bytes, Fn&& fn) {
    ++pending_;
    if (tls_)
        asio::async_write(*tls_, asio::buffer(bytes), std::forward<Fn>(fn));
    else
        asio::async_write(*plain_, asio::buffer(bytes), std::forward<Fn>(fn));
}

void connection::finished_op() {
    --pending_;
    if (closing_ && pending_ == 0) home_.owner.erase_connection(home_, id_);
}

void connection::start_accepted() {
    home_.home.timers().schedule_after(idle_, home_.owner.options.connection_idle_timeout);
    if (!tls_) {
        ready_ = true;
        read_some();
        return;
    }
    ++pending_;
    tls_->async_handshake(asio::ssl::stream_base::server, [this](const asio::error_code& ec) {
        if (!ec && !closing_) {
            ready_ = true;
            read_some();
            write_next();
        } else {
            close("TLS handshake failed");
        }
        finished_op();
    });
}

void connection::start_connect(const socket_address& remote) {
    flow_.remote = remote;
    home_.home.timers().schedule_after(idle_, home_.owner.options.connection_idle_timeout);
    ++pending_;
    socket_->async_connect(asio::ip::tcp::endpoint(to_asio(remote), remote.port),
                           [this](const asio::error_code& ec) {
                               if (ec || closing_) {
                                   close("connect failed");
                                   finished_op();
                                   return;
                               }
                               asio::error_code local_ec;
                               auto local = socket_->local_endpoint(local_ec);
                               if (!local_ec)
                                   flow_.local = to_socket_address(local.address(), local.port());
                               if (!tls_) {
                                   ready_ = true;
                                   read_some();
                                   write_next();
                                   finished_op();
                                   return;
                               }
                               ++pending_;
                               tls_->async_handshake(asio::ssl::stream_base::client,
                                                     [this](const asio::error_code& hs) {
                                                         if (!hs && !closing_) {
                                                             ready_ = true;
                                                             read_some();
                                                             write_next();
                                                         } else {
                                                             close("TLS handshake failed");
                                                         }
                                                         finished_op();
                                                     });
                               finished_op();
                           });
}

void connection::read_some() {
    if (closing_) return;
    async_read([this](const asio::error_code& ec, std::size_t n) {
        if (ec)
            close("connection closed by peer");
        else
            on_read(n);
        finished_op();
    });
}

void connection::on_read(std::size_t n) {
    if (closing_) return;
    last_activity_ = steady_clock::now();
    in_used_ += n;
    transport::impl& t = home_.owner;
    std::size_t consumed = 0;
    std::size_t messages = 0;
    while (messages < t.options.max_messages_per_read) {
        std::string_view pending(in_.data() + consumed, in_used_ - consumed);
        frame f = next_frame(pending, t.options.limits);
        if (f.kind == frame_kind::need_more) break;
        if (f.kind == frame_kind::error) {
            // Unframeable: a 400 when the parser could say why, then the connection goes.
            if (f.failure.status != 0) t.deliver(home_, pending, flow_, transport_framing::stream);
            close("framing error");
            return;
        }
        if (f.kind == frame_kind::keepalive_ping) {
            // RFC 5626 §3.5.1: answer a CRLFCRLF ping with a CRLF pong.
            ++home_.stats.keepalives_answered;
            send("\r\n");
        } else if (f.kind == frame_kind::message) {
            ++messages;
            t.deliver(home_, pending.substr(0, f.length), flow_, transport_framing::stream);
            if (closing_) return;
        }
        consumed += f.length;
    }
    // Keep only the unconsumed tail at the front of the buffer.
    if (consumed > 0) {
        in_.erase(0, consumed);
        in_used_ -= consumed;
    }
    if (in_used_ > t.options.limits.max_message_size) {
        close("message too large");
        return;
    }
    if (messages == t.options.max_messages_per_read) {
        // Budget spent: let other connections run, then continue with what is buffered.
        ++pending_;
        home_.home.post([this] {
            on_read(0);
            finished_op();
        });
        return;
    }
    read_some();
}

void connection::send(std::string bytes) {
    if (closing_) return;
    queued_bytes_ += bytes.size();
    if (queued_bytes_ > home_.owner.options.max_queued_bytes) {
        close("send queue over budget (slow reader)");
        return;
    }
    out_.push_back(std::move(bytes));
    if (ready_) write_next();
}

void connection::write_next() {
    if (writing_ || out_.empty() || closing_) return;
    writing_ = true;
    async_write(out_.front(), [this](const asio::error_code& ec, std::size_t) {
        writing_ = false;
        if (ec) {
            close("write failed");
        } else {
            last_activity_ = steady_clock::now();
            ++home_.stats.sent;
            queued_bytes_ -= out_.front().size();
            out_.pop_front();
            write_next();
        }
        finished_op();
    });
}

void connection::on_idle_timer() {
    auto idle_for = steady_clock::now() - last_activity_;
    auto limit = home_.owner.options.connection_idle_timeout;
    if (idle_for >= limit) {
        close("idle timeout");
        return;
    }
    home_.home.timers().schedule_after(idle_, limit - idle_for);
}

void connection::close(const char* /*why*/) {
    if (closing_) return;
    closing_ = true;
    idle_.cancel();
    asio::error_code ec;
    socket_->close(ec); // cancels pending operations; their handlers finish the job
    ++home_.stats.connections_closed;
    home_.owner.user.on_transport_error(home_.home, flow_);
    if (stands_in_for_ != 0) {
        flow replaced = flow_;
        replaced.connection = stands_in_for_;
        home_.owner.user.on_transport_error(home_.home, replaced);
    }
    if (pending_ == 0) {
        // Erase after the current handler returns: we may be inside a member function.
        shard_state* home = &home_;
        std::uint64_t id = id_;
        home_.home.post([home, id] { home->owner.erase_connection(*home, id); });
        ++pending_; // blocks a second erase from finished_op
    }
}

void transport::impl::erase_connection(shard_state& s, std::uint64_t id) {
    auto it = s.connections.find(id);
    if (it == s.connections.end()) return;
    s.by_remote.erase({it->second->route().protocol, it->second->route().remote});
    s.connections.erase(it);
    connection_count.fetch_sub(1, std::memory_order_relaxed);
}

void transport::impl::start_accept(shard_state& s, transport_protocol protocol) {
    auto& acceptor = protocol == transport_protocol::tls ? *s.tls_acceptor : *s.tcp_acceptor;
    acceptor.async_accept(s.home.io(), [this, &s, protocol](const asio::error_code& ec,
                                                            asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            if (connection_count.fetch_add(1, std::memory_order_relaxed) >=
                options.max_connections) {
                connection_count.fetch_sub(1, std::memory_order_relaxed);
                ++s.stats.connections_refused;
                asio::error_code ignored;
                socket.close(ignored);
            } else {
                ++s.stats.connections_accepted;
                std::uint64_t id = make_connection_id(s.home.index(), s.next_connection++);
                auto c = std::make_unique<connection>(s, id, protocol, std::move(socket),
                                                      tls_context.get());
                connection& ref = *c;
                s.connections.emplace(id, std::move(c));
                s.by_remote[{protocol, ref.route().remote}] = id;
                ref.start_accepted();
            }
        }
        start_accept(s, protocol);
    });
}

void transport::impl::send_stream(shard_state& where, const flow& destination, std::string bytes) {
    if (destination.connection != 0) {
        std::size_t owner_index = shard_of(destination.connection);
        if (owner_index != where.home.index()) {
            if (owner_index >= states.size()) return;
            shard_state& owner = *states[owner_index];
            owner.home.post([this, &owner, destination, bytes = std::move(bytes)]() mutable {
                send_stream(owner, destination, std::move(bytes));
            });
            return;
        }
        auto it = where.connections.find(destination.connection);
        if (it != where.connections.end() && !it->second->closing()) {
            it->second->send(std::move(bytes));
            return;
        }
        // Closed meanwhile: RFC 3261 §18.2.2 says open a new one to the same address.
    }
    auto known = where.by_remote.find({destination.protocol, destination.remote});
    if (known != where.by_remote.end()) {
        auto it = where.connections.find(known->second);
        if (it != where.connections.end() && !it->second->closing()) {
            it->second->send(std::move(bytes));
            return;
        }
    }
    if (destination.protocol == transport_protocol::tls && !tls_context) {
        unsendable(where, destination);
        return;
    }
    if (connection_count.fetch_add(1, std::memory_order_relaxed) >= options.max_connections) {
        connection_count.fetch_sub(1, std::memory_order_relaxed);
        unsendable(where, destination);
        return;
    }
    std::uint64_t id = make_connection_id(where.home.index(), where.next_connection++);
    asio::ip::tcp::socket socket(where.home.io());
    auto c = std::make_unique<connection>(where, id, destination.protocol, std::move(socket),
                                          tls_context.get());
    connection& ref = *c;
    where.connections.emplace(id, std::move(c));
    where.by_remote[{destination.protocol, destination.remote}] = id;
    if (destination.connection != 0) ref.stands_in_for(destination.connection);
    ref.send(std::move(bytes));
    ref.start_connect(destination.remote);
}

void transport::impl::unsendable(shard_state& where, const flow& destination) {
    ++where.stats.send_errors;
    // Posted: the sender (a transaction sending its request) is inside its own send call.
    where.home.post(
        [this, &where, destination] { user.on_transport_error(where.home, destination); });
}

} // namespace parley
