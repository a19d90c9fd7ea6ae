// Real sockets on loopback (ctest runs inside a network namespace with only `lo` up).
// Every wait is bounded; a test that cannot get its answer fails instead of hanging.
#include <parley/transport/transport.hpp>

#include <parley/sip/headers.hpp>
#include <parley/sip/message_writer.hpp>
#include <parley/transport/routing.hpp>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace parley {
namespace {

using namespace std::chrono_literals;

struct received {
    unsigned shard_index;
    std::string call_id;
    std::string method;
    flow source;
};

/// Records deliveries and answers every request with 200 from the owner shard.
class recording_user : public transport_user {
public:
    transport* t = nullptr;
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<received> messages;
    int errors = 0;
    std::vector<flow> error_flows;

    void on_message(shard& owner, const message& m, const flow& source) noexcept override {
        {
            std::lock_guard lock(mutex);
            messages.push_back(
                {owner.index(), std::string(m.call_id()), std::string(m.method_text()), source});
        }
        changed.notify_all();
        if (t != nullptr && m.is_request()) t->send(owner, source, response_to(m, 200).finish());
    }
    void on_transport_error(shard&, const flow& f) noexcept override {
        std::lock_guard lock(mutex);
        ++errors;
        error_flows.push_back(f);
        changed.notify_all();
    }
    bool wait_for(std::size_t count) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 5s, [&] { return messages.size() >= count; });
    }
};

/// An OPTIONS with `via` as its Via value.
std::string options_request_via(std::string_view call_id, const std::string& via) {
    return message_writer::request("OPTIONS", "sip:parley@127.0.0.1")
        .header(header_id::via, via)
        .header(header_id::from, "<sip:test@127.0.0.1>;tag=1")
        .header(header_id::to, "<sip:parley@127.0.0.1>")
        .header(header_id::call_id, call_id)
        .header(header_id::cseq, "1 OPTIONS")
        .header(header_id::max_forwards, "70")
        .finish();
}

std::string options_request(std::string_view call_id, std::string_view via_host = "127.0.0.1") {
    return options_request_via(call_id, "SIP/2.0/UDP " + std::string(via_host) + ";branch=z9hG4bK" +
                                            std::string(call_id) + ";rport");
}

struct fixture : ::testing::Test {
    shard_group shards{2};
    recording_user user;
    std::unique_ptr<transport> t;
    asio::io_context client_io;

    void start(transport_options o = {}) {
        o.udp_port = 0;
        o.tcp_port = 0;
        o.tls_port = 0;
        t = std::make_unique<transport>(shards, user, o);
        user.t = t.get();
        auto r = t->start();
        ASSERT_TRUE(r) << r.error_value().reason;
        shards.start();
    }
    void TearDown() override {
        shards.stop();
        if (t) t->stop();
    }
    asio::ip::udp::endpoint udp_endpoint() {
        return {asio::ip::make_address("127.0.0.1"), t->udp_address().port};
    }
    asio::ip::tcp::endpoint tcp_endpoint() {
        return {asio::ip::make_address("127.0.0.1"), t->tcp_address().port};
    }
    /// An OPTIONS over a TCP connection that the client then closes; returns what arrived, once
    /// the close has been reported, and `response` (a 200 for it) for the caller to send to the
    /// response destination its Via (`sent-by` on 127.0.0.1) names.
    received request_over_closed_tcp(std::uint16_t sent_by_port, const std::string& call_id,
                                     std::string& via, std::string& response) {
        via = "SIP/2.0/TCP 127.0.0.1:" + std::to_string(sent_by_port) + ";branch=z9hG4bK" + call_id;
        const std::string request = options_request_via(call_id, via);
        response = "SIP/2.0 200 OK\r\nVia: " + via +
                   "\r\nFrom: <sip:test@127.0.0.1>;tag=1\r\nTo: <sip:parley@127.0.0.1>;tag=2"
                   "\r\nCall-ID: " +
                   call_id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        {
            asio::ip::tcp::socket client(client_io);
            client.connect(tcp_endpoint());
            asio::write(client, asio::buffer(request));
            EXPECT_TRUE(user.wait_for(1));
        } // closed: the server sees EOF, drops the connection and reports it
        std::unique_lock lock(user.mutex);
        EXPECT_TRUE(user.changed.wait_for(lock, 5s, [&] { return user.errors >= 1; }));
        return user.messages.empty() ? received{} : user.messages[0];
    }
    /// Receives one datagram or fails after 5 s.
    std::string receive(asio::ip::udp::socket& s) {
        std::string buffer(65536, '\0');
        for (int i = 0; i < 500; ++i) {
            asio::error_code ec;
            std::size_t n = s.receive(asio::buffer(buffer), 0, ec);
            if (!ec) return buffer.substr(0, n);
            std::this_thread::sleep_for(10ms);
        }
        return {};
    }
};

TEST_F(fixture, udp_delivers_to_the_call_id_owner_and_answers_go_back_rfc3581) {
    start();
    asio::ip::udp::socket client(client_io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
    client.non_blocking(true);
    const int calls = 20;
    for (int i = 0; i < calls; ++i)
        client.send_to(asio::buffer(options_request("call-" + std::to_string(i))), udp_endpoint());
    ASSERT_TRUE(user.wait_for(calls));
    std::set<unsigned> used;
    for (const auto& m : user.messages) {
        EXPECT_EQ(m.shard_index, shards.index_for(m.call_id)) << m.call_id;
        EXPECT_EQ(m.source.protocol, transport_protocol::udp);
        EXPECT_EQ(m.source.remote.port, client.local_endpoint().port());
        used.insert(m.shard_index);
    }
    EXPECT_EQ(used.size(), 2u) << "20 Call-IDs should spread over both shards";
    for (int i = 0; i < calls; ++i) {
        std::string answer = receive(client);
        ASSERT_FALSE(answer.empty()) << "response " << i;
        EXPECT_TRUE(answer.starts_with("SIP/2.0 200 OK\r\n"));
    }
}

TEST_F(fixture, a_cancel_follows_its_invite_with_replaces_to_the_replaced_dialogs_shard) {
    // RFC 3891: the INVITE goes to the shard marked in the replaced dialog's to-tag, whatever
    // its own Call-ID; its CANCEL (RFC 3261 §9.1: no Replaces, no To tag) must go there too.
    start();
    std::string call_id = "moved";
    for (int i = 0; shards.index_for(call_id) != 0; ++i) call_id = "moved-" + std::to_string(i);
    auto request = [&](std::string_view method, std::string_view extra) {
        return std::string(method) + " sip:parley@127.0.0.1 SIP/2.0\r\n" +
               "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKmoved;rport\r\n" +
               "From: <sip:test@127.0.0.1>;tag=1\r\nTo: <sip:parley@127.0.0.1>\r\n" +
               "Call-ID: " + call_id + "\r\nCSeq: 1 " + std::string(method) +
               "\r\nMax-Forwards: 70\r\n" + std::string(extra) + "Content-Length: 0\r\n\r\n";
    };
    asio::ip::udp::socket client(client_io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
    client.send_to(asio::buffer(request("INVITE", "Replaces: old@h;to-tag=ours~1;from-tag=p\r\n")),
                   udp_endpoint());
    ASSERT_TRUE(user.wait_for(1));
    client.send_to(asio::buffer(request("CANCEL", "")), udp_endpoint());
    ASSERT_TRUE(user.wait_for(2));
    std::lock_guard lock(user.mutex);
    EXPECT_EQ(user.messages[0].method, "INVITE");
    EXPECT_EQ(user.messages[0].shard_index, 1u);
    EXPECT_EQ(user.messages[1].method, "CANCEL");
    EXPECT_EQ(user.messages[1].shard_index, 1u) << "the Call-ID's shard holds no INVITE";
}

TEST_F(fixture, udp_malformed_request_gets_400_with_the_reason_at_the_source_only) {
    start();
    asio::ip::udp::socket client(client_io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
    client.non_blocking(true);
    // The Via names 192.0.2.1 (the RFC example range): the 400 must go to the packet source.
    std::string bad = options_request("bad-1", "192.0.2.1");
    bad.replace(bad.find("CSeq: 1 OPTIONS"), 15, "CSeq: 1 INVITE ");
    client.send_to(asio::buffer(bad), udp_endpoint());
    std::string answer = receive(client);
    ASSERT_FALSE(answer.empty());
    EXPECT_TRUE(answer.starts_with("SIP/2.0 400 CSeq Method Does Not Match Request\r\n")) << answer;
    // A malformed response and pure garbage are dropped and counted.
    client.send_to(asio::buffer(std::string("SIP/2.0 200 OK\r\nVia: x\r\n\r\n")), udp_endpoint());
    client.send_to(asio::buffer(std::string("\x01\x02garbage")), udp_endpoint());
    client.send_to(asio::buffer(options_request("good-after-bad")), udp_endpoint());
    ASSERT_TRUE(user.wait_for(1));
    EXPECT_EQ(user.messages[0].call_id, "good-after-bad");
}

TEST_F(fixture, tcp_frames_split_and_batched_messages_and_answers_keepalives) {
    start();
    asio::ip::tcp::socket client(client_io);
    client.connect(tcp_endpoint());
    std::string a = options_request("tcp-a");
    std::string b = options_request("tcp-b");
    std::string c = options_request("tcp-c");
    std::string stream = "\r\n\r\n" + a + b + c; // ping first, then three messages
    // Split the third message in the middle of its headers.
    std::size_t cut = stream.size() - c.size() / 2;
    asio::write(client, asio::buffer(stream.substr(0, cut)));
    std::this_thread::sleep_for(50ms);
    asio::write(client, asio::buffer(stream.substr(cut)));
    ASSERT_TRUE(user.wait_for(3));
    EXPECT_EQ(user.messages[0].source.protocol, transport_protocol::tcp);
    EXPECT_NE(user.messages[0].source.connection, 0u);
    // The pong, then three 200s on the same connection (possibly on other shards' behalf).
    std::string pong(2, '\0');
    asio::read(client, asio::buffer(pong));
    EXPECT_EQ(pong, "\r\n");
    std::string all;
    char chunk[4096];
    while (std::count(all.begin(), all.end(), '\n') < 3 * 8) {
        asio::error_code ec;
        std::size_t n = client.read_some(asio::buffer(chunk), ec);
        ASSERT_FALSE(ec) << ec.message();
        all.append(chunk, n);
        if (all.find("tcp-c") != std::string::npos && all.find("tcp-a") != std::string::npos &&
            all.find("tcp-b") != std::string::npos)
            break;
    }
    EXPECT_NE(all.find("Call-ID: tcp-a"), std::string::npos);
    EXPECT_NE(all.find("Call-ID: tcp-c"), std::string::npos);
}

TEST_F(fixture, tcp_framing_error_answers_400_and_closes) {
    start();
    asio::ip::tcp::socket client(client_io);
    client.connect(tcp_endpoint());
    std::string no_length = options_request("tcp-bad");
    no_length.erase(no_length.find("Content-Length: 0\r\n"), 19);
    asio::write(client, asio::buffer(no_length));
    std::string all;
    char chunk[4096];
    asio::error_code ec;
    while (!ec) {
        std::size_t n = client.read_some(asio::buffer(chunk), ec);
        all.append(chunk, n);
    }
    EXPECT_TRUE(all.starts_with("SIP/2.0 400 Missing Content-Length\r\n")) << all;
    EXPECT_EQ(ec, asio::error::eof);
}

// RFC 3261 §18.2.2: a response whose request's connection has closed goes on a new connection to
// the request's source address at its Via sent-by port (the client's listening port), not to
// the closed connection's ephemeral source port.
TEST_F(fixture, tcp_response_after_the_connection_closed_goes_to_the_sent_by_port) {
    start();
    user.t = nullptr; // answered below, after the client has gone
    asio::ip::tcp::acceptor listening(client_io,
                                      {asio::ip::make_address("127.0.0.1"), 0}); // the sent-by
    const std::uint16_t sent_by_port = listening.local_endpoint().port();
    std::string via, response;
    const received in = request_over_closed_tcp(sent_by_port, "tcp-reconnect", via, response);
    ASSERT_FALSE(HasFailure());
    auto top = parse_via(via);
    ASSERT_TRUE(top);
    auto destination = response_destination(*top, in.source);
    ASSERT_TRUE(destination);
    EXPECT_EQ(destination->connection, in.source.connection);
    EXPECT_EQ(destination->remote.port, sent_by_port);
    shard& owner = shards.at(in.shard_index);
    owner.post([this, &owner, d = *destination, response] { t->send(owner, d, response); });
    // The new connection arrives at the sent-by port within 5 s.
    listening.non_blocking(true);
    asio::ip::tcp::socket accepted(client_io);
    asio::error_code ec = asio::error::would_block;
    for (int i = 0; i < 500 && ec; ++i) {
        listening.accept(accepted, ec);
        if (ec) std::this_thread::sleep_for(10ms);
    }
    ASSERT_FALSE(ec) << "no connection to the sent-by port: " << ec.message();
    accepted.non_blocking(true);
    std::string all;
    char chunk[4096];
    for (int i = 0; i < 500 && all.find("\r\n\r\n") == std::string::npos; ++i) {
        std::size_t n = accepted.read_some(asio::buffer(chunk), ec);
        if (!ec)
            all.append(chunk, n);
        else
            std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(all.starts_with("SIP/2.0 200 OK\r\n")) << all;
    EXPECT_NE(all.find("Call-ID: tcp-reconnect"), std::string::npos) << all;
}

TEST_F(fixture, a_failed_reconnect_is_reported_for_the_closed_connection_too) {
    // The response's connection has closed and nothing listens at the Via sent-by port: the
    // new connection fails, and its failure names the closed connection as well, which is the
    // flow a server transaction's responses name (and match transport errors by).
    start();
    user.t = nullptr;
    std::uint16_t sent_by_port = 0;
    {
        asio::ip::tcp::acceptor probe(client_io, {asio::ip::make_address("127.0.0.1"), 0});
        sent_by_port = probe.local_endpoint().port();
    } // closed: a connection there is refused
    std::string via, response;
    const received in = request_over_closed_tcp(sent_by_port, "tcp-refused", via, response);
    ASSERT_FALSE(HasFailure());
    auto top = parse_via(via);
    ASSERT_TRUE(top);
    auto destination = response_destination(*top, in.source);
    ASSERT_TRUE(destination);
    shard& owner = shards.at(in.shard_index);
    owner.post([this, &owner, d = *destination, response] { t->send(owner, d, response); });
    std::unique_lock lock(user.mutex);
    ASSERT_TRUE(user.changed.wait_for(lock, 5s, [&] { return user.errors >= 3; }));
    EXPECT_EQ(user.errors, 3);
    const flow& own = user.error_flows[1];
    const flow& stand_in = user.error_flows[2];
    EXPECT_NE(own.connection, in.source.connection);
    EXPECT_EQ(own.remote.port, sent_by_port);
    EXPECT_EQ(stand_in.connection, in.source.connection);
    EXPECT_EQ(stand_in.remote.port, sent_by_port);
    EXPECT_EQ(stand_in.protocol, transport_protocol::tcp);
}

TEST_F(fixture, connection_limit_at_and_above) {
    transport_options o;
    o.max_connections = 1;
    start(o);
    asio::ip::tcp::socket first(client_io), second(client_io);
    first.connect(tcp_endpoint());
    asio::write(first, asio::buffer(options_request("limit-1")));
    ASSERT_TRUE(user.wait_for(1));
    second.connect(tcp_endpoint()); // the kernel accepts; the transport closes it at once
    char byte;
    asio::error_code ec;
    second.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_EQ(ec, asio::error::eof);
}

TEST_F(fixture, a_send_over_the_connection_limit_is_reported_as_a_transport_error) {
    // RFC 3261 §17.1.1.2 / §17.1.2.2: a request the transport cannot send is a transport error
    // for its client transaction, not a silence its timers find out about 32 s later.
    transport_options o;
    o.max_connections = 1;
    start(o);
    user.t = nullptr;
    asio::ip::tcp::socket first(client_io);
    first.connect(tcp_endpoint());
    asio::write(first, asio::buffer(options_request("limit-taken")));
    ASSERT_TRUE(user.wait_for(1)); // the one connection allowed is in use
    asio::ip::tcp::acceptor listening(client_io, {asio::ip::make_address("127.0.0.1"), 0});
    auto remote = socket_address::from_numeric("127.0.0.1", listening.local_endpoint().port());
    ASSERT_TRUE(remote);
    const flow to{.protocol = transport_protocol::tcp, .remote = *remote};
    shard& owner = shards.at(0);
    const std::string request = options_request("over-the-limit");
    owner.post([this, &owner, to, request] { t->send(owner, to, request); });
    std::unique_lock lock(user.mutex);
    ASSERT_TRUE(user.changed.wait_for(lock, 5s, [&] { return user.errors >= 1; }));
    EXPECT_EQ(user.error_flows[0], to);
}

TEST_F(fixture, idle_connections_are_closed) {
    transport_options o;
    o.connection_idle_timeout = 200ms;
    start(o);
    asio::ip::tcp::socket client(client_io);
    client.connect(tcp_endpoint());
    auto started = std::chrono::steady_clock::now();
    char byte;
    asio::error_code ec;
    client.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_EQ(ec, asio::error::eof);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 190ms);
}

TEST_F(fixture, slow_header_without_end_is_cut_at_the_message_limit) {
    transport_options o;
    o.limits.max_message_size = 2048;
    start(o);
    asio::ip::tcp::socket client(client_io);
    client.connect(tcp_endpoint());
    std::string endless = "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nX-Long: " + std::string(4096, 'a');
    asio::error_code ec;
    asio::write(client, asio::buffer(endless), ec);
    char chunk[4096];
    while (!ec) client.read_some(asio::buffer(chunk), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

// A throwaway self-signed certificate, written to a temporary folder.
struct throwaway_certificate {
    std::filesystem::path folder;
    std::string certificate, key;
    throwaway_certificate() {
        folder =
            std::filesystem::temp_directory_path() / ("parley-tls-" + std::to_string(::getpid()));
        std::filesystem::create_directories(folder);
        certificate = (folder / "cert.pem").string();
        key = (folder / "key.pem").string();
        EVP_PKEY* pkey = EVP_EC_gen("P-256");
        X509* x = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), 0);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, pkey);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509_sign(x, pkey, EVP_sha256());
        FILE* f = std::fopen(key.c_str(), "w");
        PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
        std::fclose(f);
        f = std::fopen(certificate.c_str(), "w");
        PEM_write_X509(f, x);
        std::fclose(f);
        X509_free(x);
        EVP_PKEY_free(pkey);
    }
    ~throwaway_certificate() { std::filesystem::remove_all(folder); }
};

TEST_F(fixture, tls_carries_sip_with_a_certificate_from_settings) {
    throwaway_certificate cert;
    transport_options o;
    o.tls = {.certificate_file = cert.certificate, .private_key_file = cert.key};
    start(o);
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none); // throwaway certificate
    asio::ssl::stream<asio::ip::tcp::socket> client(client_io, ctx);
    client.next_layer().connect({asio::ip::make_address("127.0.0.1"), t->tls_address().port});
    client.handshake(asio::ssl::stream_base::client);
    std::string request = options_request("tls-1");
    request.replace(request.find("SIP/2.0/UDP"), 11, "SIP/2.0/TLS");
    asio::write(client, asio::buffer(request));
    ASSERT_TRUE(user.wait_for(1));
    EXPECT_EQ(user.messages[0].source.protocol, transport_protocol::tls);
    std::string answer;
    char chunk[4096];
    while (answer.find("\r\n\r\n") == std::string::npos) {
        std::size_t n = client.read_some(asio::buffer(chunk));
        answer.append(chunk, n);
    }
    EXPECT_TRUE(answer.starts_with("SIP/2.0 200 OK\r\n"));
}

TEST(transport_start, bad_settings_are_clear_errors) {
    shard_group shards{1};
    recording_user user;
    transport_options o;
    o.tls = {.certificate_file = "/nonexistent/cert.pem",
             .private_key_file = "/nonexistent/key.pem"};
    transport t(shards, user, o);
    auto r = t.start();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().reason_phrase(), "transport: cannot read TLS certificate file");
    transport_options bad_address;
    bad_address.bind_address = "not-an-address";
    transport t2(shards, user, bad_address);
    EXPECT_FALSE(t2.start());
}

} // namespace
} // namespace parley
