// transport: socket set-up, UDP batched receive, delivery to the owner shard, sending.
// Connections (TCP/TLS) live in connection.cpp.
#include "bad_request.hpp"
#include "transport_impl.hpp"

#include <asio/socket_base.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace parley {

socket_address to_socket_address(const asio::ip::address& a, std::uint16_t port) {
    socket_address out;
    out.port = port;
    if (a.is_v4()) {
        out.family = socket_address::family_type::ipv4;
        auto bytes = a.to_v4().to_bytes();
        std::memcpy(out.ip.data(), bytes.data(), 4);
    } else {
        out.family = socket_address::family_type::ipv6;
        auto bytes = a.to_v6().to_bytes();
        std::memcpy(out.ip.data(), bytes.data(), 16);
    }
    return out;
}

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

namespace {

constexpr std::size_t udp_batch = 16;
constexpr std::size_t udp_buffer_size = 65536;

socket_address from_sockaddr(const sockaddr_storage& s) {
    socket_address out;
    if (s.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(s);
        out.family = socket_address::family_type::ipv4;
        std::memcpy(out.ip.data(), &in.sin_addr, 4);
        out.port = ntohs(in.sin_port);
    } else if (s.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(s);
        out.family = socket_address::family_type::ipv6;
        std::memcpy(out.ip.data(), &in6.sin6_addr, 16);
        out.port = ntohs(in6.sin6_port);
    }
    return out;
}

socklen_t to_sockaddr(const socket_address& a, sockaddr_storage& s) {
    std::memset(&s, 0, sizeof s);
    if (a.family == socket_address::family_type::ipv4) {
        auto& in = reinterpret_cast<sockaddr_in&>(s);
        in.sin_family = AF_INET;
        in.sin_port = htons(a.port);
        std::memcpy(&in.sin_addr, a.ip.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto& in6 = reinterpret_cast<sockaddr_in6&>(s);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(a.port);
    std::memcpy(&in6.sin6_addr, a.ip.data(), 16);
    return sizeof(sockaddr_in6);
}

bool only_whitespace(std::string_view bytes) {
    for (char c : bytes)
        if (c != '\r' && c != '\n' && c != ' ' && c != '\t' && c != '\0') return false;
    return true;
}

} // namespace

transport::transport(shard_group& shards, transport_user& user, transport_options options)
    : impl_(std::make_unique<impl>(shards, user, std::move(options))) {}

transport::~transport() {
    stop();
}

result<void> transport::start() {
    impl& t = *impl_;
    asio::error_code ec;
    auto address = asio::ip::make_address(t.options.bind_address, ec);
    if (ec) return fail(0, "transport: bad bind address");
    if (!t.options.tls.certificate_file.empty()) {
        t.tls_context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        t.tls_context->set_options(asio::ssl::context::default_workarounds |
                                   asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                                   asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        t.tls_context->use_certificate_chain_file(t.options.tls.certificate_file, ec);
        if (ec) return fail(0, "transport: cannot read TLS certificate file");
        t.tls_context->use_private_key_file(t.options.tls.private_key_file, asio::ssl::context::pem,
                                            ec);
        if (ec) return fail(0, "transport: cannot read TLS private key file");
    }
    std::uint16_t udp_port = t.options.udp_port;
    std::uint16_t tcp_port = t.options.tcp_port;
    std::uint16_t tls_port = t.options.tls_port;
    for (std::size_t i = 0; i < t.shards.size(); ++i) {
        auto state = std::make_unique<shard_state>(t, t.shards.at(i));
        shard_state& s = *state;
        t.states.push_back(std::move(state));
        if (t.options.enable_udp) {
            // Shard 0 binds first (port 0 picks a free port); the others share its port.
            s.udp.emplace(s.home.io());
            s.udp->open(address.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
            if (ec) return fail(0, "transport: cannot open UDP socket");
            int one = 1;
            ::setsockopt(s.udp->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
            s.udp->set_option(asio::socket_base::reuse_address(true), ec);
            s.udp->set_option(asio::socket_base::receive_buffer_size(
                                  static_cast<int>(t.options.udp_receive_buffer)),
                              ec);
            s.udp->bind(asio::ip::udp::endpoint(address, udp_port), ec);
            if (ec) return fail(0, "transport: UDP bind failed (address in use or not local)");
            s.udp->non_blocking(true, ec);
            udp_port = s.udp->local_endpoint().port();
            if (i == 0) t.udp_bound = to_socket_address(address, udp_port);
            s.udp_buffers.resize(udp_batch * udp_buffer_size);
        }
        auto listen = [&](std::optional<asio::ip::tcp::acceptor>& acceptor, std::uint16_t& port,
                          socket_address& bound) -> result<void> {
            acceptor.emplace(s.home.io());
            acceptor->open(address.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), ec);
            if (ec) return fail(0, "transport: cannot open TCP socket");
            int one = 1;
            ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
            acceptor->set_option(asio::socket_base::reuse_address(true), ec);
            acceptor->bind(asio::ip::tcp::endpoint(address, port), ec);
            if (ec) return fail(0, "transport: TCP bind failed (address in use or not local)");
            acceptor->listen(asio::socket_base::max_listen_connections, ec);
            if (ec) return fail(0, "transport: TCP listen failed");
            port = acceptor->local_endpoint().port();
            if (i == 0) bound = to_socket_address(address, port);
            return {};
        };
        if (t.options.enable_tcp) PARLEY_TRY(listen(s.tcp_acceptor, tcp_port, t.tcp_bound));
        if (t.tls_context) PARLEY_TRY(listen(s.tls_acceptor, tls_port, t.tls_bound));
    }
    for (auto& s : t.states) {
        if (s->udp) t.start_udp_receive(*s);
        if (s->tcp_acceptor) t.start_accept(*s, transport_protocol::tcp);
        if (s->tls_acceptor) t.start_accept(*s, transport_protocol::tls);
    }
    return {};
}

void transport::stop() {
    if (!impl_) return;
    for (auto& s : impl_->states) {
        asio::error_code ec;
        if (s->udp) s->udp->close(ec);
        if (s->tcp_acceptor) s->tcp_acceptor->close(ec);
        if (s->tls_acceptor) s->tls_acceptor->close(ec);
        s->connections.clear();
    }
    impl_->states.clear();
}

socket_address transport::udp_address() const {
    return impl_->udp_bound;
}
socket_address transport::tcp_address() const {
    return impl_->tcp_bound;
}
socket_address transport::tls_address() const {
    return impl_->tls_bound;
}
const transport_stats& transport::stats(std::size_t index) const {
    return impl_->states.at(index)->stats;
}

send_status transport::send(shard& from, const flow& destination, std::string bytes) {
    shard_state& s = *impl_->states.at(from.index());
    if (destination.protocol == transport_protocol::udp) {
        impl_->send_udp(s, destination, bytes);
        return send_status::sent;
    }
    impl_->send_stream(s, destination, std::move(bytes));
    return send_status::queued;
}

send_status transport::send(shard& from, const flow& destination, std::string_view bytes) {
    if (destination.protocol == transport_protocol::udp) {
        impl_->send_udp(*impl_->states.at(from.index()), destination, bytes);
        return send_status::sent;
    }
    return send(from, destination, std::string(bytes));
}

void transport::impl::start_udp_receive(shard_state& s) {
    s.udp->async_wait(asio::ip::udp::socket::wait_read, [this, &s](const asio::error_code& ec) {
        if (ec) return; // closed
        receive_udp_batch(s);
        start_udp_receive(s);
    });
}

void transport::impl::receive_udp_batch(shard_state& s) {
    mmsghdr headers[udp_batch];
    iovec vectors[udp_batch];
    sockaddr_storage sources[udp_batch];
    // The answers to a batch leave together, once it is handled (and on every way out).
    struct collecting_sends {
        impl& transport;
        shard_state& state;
        explicit collecting_sends(impl& t, shard_state& s) : transport(t), state(s) {
            state.outbox.collecting = true;
        }
        ~collecting_sends() {
            transport.flush_udp(state);
            state.outbox.collecting = false;
        }
        collecting_sends(const collecting_sends&) = delete;
        collecting_sends& operator=(const collecting_sends&) = delete;
    } sends(*this, s);
    // A few batches per wakeup, then back to the loop so timers and other sockets get a turn.
    for (int round = 0; round < 4; ++round) {
        if (round > 0) flush_udp(s);
        for (std::size_t i = 0; i < udp_batch; ++i) {
            vectors[i] = {s.udp_buffers.data() + i * udp_buffer_size, udp_buffer_size};
            std::memset(&headers[i], 0, sizeof headers[i]);
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
            headers[i].msg_hdr.msg_name = &sources[i];
            headers[i].msg_hdr.msg_namelen = sizeof sources[i];
        }
        int n = ::recvmmsg(s.udp->native_handle(), headers, udp_batch, MSG_DONTWAIT, nullptr);
        if (n <= 0) return;
        for (int i = 0; i < n; ++i) {
            auto index = static_cast<std::size_t>(i);
            flow source;
            source.protocol = transport_protocol::udp;
            source.remote = from_sockaddr(sources[index]);
            source.local = udp_bound;
            if ((headers[index].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
                ++s.stats.dropped;
                continue;
            }
            std::string_view bytes(s.udp_buffers.data() + index * udp_buffer_size,
                                   headers[index].msg_len);
            if (only_whitespace(bytes)) continue; // keep-alive
            deliver(s, bytes, source, transport_framing::datagram);
        }
        if (static_cast<std::size_t>(n) < udp_batch) return;
    }
}

std::unique_ptr<message> shard_state::take_message() {
    if (spare_messages.empty()) return std::make_unique<message>();
    std::unique_ptr<message> m = std::move(spare_messages.back());
    spare_messages.pop_back();
    return m;
}

void shard_state::give_back(std::unique_ptr<message> m) {
    // Bounded: a burst handed over from other shards must not pin their memory here for good.
    constexpr std::size_t most_kept = 64;
    if (spare_messages.size() < most_kept) spare_messages.push_back(std::move(m));
}

void transport::impl::deliver(shard_state& where, std::string_view bytes, const flow& source,
                              transport_framing framing) {
    auto m = where.take_message();
    auto parsed = parse_message(
        bytes, *m, {.limits = options.limits, .framing = framing, .buffer = buffer_use::copy});
    if (!parsed) {
        auto answer = detail::answer_malformed(bytes, parsed.error_value());
        where.give_back(std::move(m));
        if (!answer) {
            ++where.stats.dropped;
            return;
        }
        ++where.stats.bad_requests_answered;
        // To the packet's source, never to a Via host we could not validate.
        if (source.protocol == transport_protocol::udp)
            send_udp(where, source, *answer);
        else
            send_stream(where, source, std::move(*answer));
        return;
    }
    ++where.stats.received;
    shard& owner = owner_of(*m);
    if (&owner == &where.home) {
        user.on_message(owner, *m, source);
        where.give_back(std::move(m));
        return;
    }
    owner.post([this, &owner, m = std::move(m), source]() mutable {
        user.on_message(owner, *m, source);
        if (owner.index() < states.size()) states[owner.index()]->give_back(std::move(m));
    });
}

shard& transport::impl::owner_of(const message& m) {
    std::size_t index = shards.index_for(m);
    if (shards.size() == 1 || m.is_response() || !m.to().tag.empty() || m.vias().empty())
        return shards.at(index);
    const bool invite = m.method() == method::invite;
    // Only an INVITE with Replaces can have left its Call-ID's shard (shard_group::index_for).
    if (invite &&
        (m.find(header_id::replaces) == nullptr || index == shards.index_for(m.call_id())))
        return shards.at(index);
    if (!invite && (m.method() != method::cancel || moved.count.load() == 0))
        return shards.at(index);
    std::string key;
    key.append(m.call_id()).append(" ").append(m.vias().front().branch);
    auto now = steady_clock::now();
    std::lock_guard guard(moved.lock);
    if (invite) {
        // Kept while a CANCEL can come: as long as Timer C lets an INVITE ring (> 3 min).
        // Bounded (anyone can send an INVITE with Replaces): past the bound, after a sweep at
        // most once a second, a CANCEL is left to the Call-ID's shard (481) as before.
        if (moved.by_key.size() >= moved_invites::most && now >= moved.next_sweep) {
            std::erase_if(moved.by_key, [&](const auto& e) { return e.second.until <= now; });
            moved.next_sweep = now + std::chrono::seconds(1);
        }
        if (moved.by_key.size() < moved_invites::most || moved.by_key.contains(key))
            moved.by_key[key] = {index, now + std::chrono::minutes(4)};
    } else if (auto it = moved.by_key.find(key);
               it != moved.by_key.end() && it->second.until > now) {
        index = it->second.shard;
    }
    moved.count.store(moved.by_key.size());
    return shards.at(index);
}

void transport::impl::send_udp(shard_state& where, const flow& destination,
                               std::string_view bytes) {
    if (!where.udp) {
        ++where.stats.send_errors;
        return;
    }
    sockaddr_storage to;
    socklen_t length = to_sockaddr(destination.remote, to);
    udp_outbox& box = where.outbox;
    if (box.collecting) {
        if (box.entries.size() == udp_batch) flush_udp(where);
        box.entries.push_back({box.bytes.size(), bytes.size(), to, length});
        box.bytes.append(bytes);
        return;
    }
    ssize_t n = ::sendto(where.udp->native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&to), length);
    if (n < 0) {
        ++where.stats.send_errors;
        return;
    }
    ++where.stats.sent;
}

void transport::impl::flush_udp(shard_state& where) {
    udp_outbox& box = where.outbox;
    std::size_t count = box.entries.size();
    if (count == 0) return;
    if (!where.udp) {
        where.stats.send_errors += count;
    } else if (count == 1) {
        const udp_outbox::entry& e = box.entries.front();
        ssize_t n = ::sendto(where.udp->native_handle(), box.bytes.data(), e.size, MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&box.entries.front().to), e.to_length);
        if (n < 0)
            ++where.stats.send_errors;
        else
            ++where.stats.sent;
    } else {
        mmsghdr headers[udp_batch];
        iovec vectors[udp_batch];
        for (std::size_t i = 0; i < count; ++i) {
            udp_outbox::entry& e = box.entries[i];
            vectors[i] = {box.bytes.data() + e.offset, e.size};
            std::memset(&headers[i], 0, sizeof headers[i]);
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
            headers[i].msg_hdr.msg_name = &e.to;
            headers[i].msg_hdr.msg_namelen = e.to_length;
        }
        // sendmmsg stops at the first datagram that fails (and reports it only when it is the
        // first): that one counts as a send error, as with sendto, and the rest go on.
        std::size_t done = 0;
        while (done < count) {
            int n = ::sendmmsg(where.udp->native_handle(), headers + done,
                               static_cast<unsigned>(count - done), MSG_DONTWAIT);
            if (n <= 0) {
                ++where.stats.send_errors;
                ++done;
                continue;
            }
            where.stats.sent += static_cast<std::uint64_t>(n);
            done += static_cast<std::size_t>(n);
        }
    }
    box.entries.clear();
    box.bytes.clear();
}

} // namespace parley
