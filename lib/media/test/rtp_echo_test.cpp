// RTP echo on loopback (ctest runs inside a network namespace with only `lo`).
#include <parley/media/rtp_echo.hpp>

#include <parley/session/session.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace parley::media {
namespace {

std::string rtp_packet(std::uint16_t sequence) {
    std::string p(172, '\xff'); // 12-byte header + 160 bytes of PCMU silence
    p[0] = '\x80';
    p[1] = 0; // PT 0
    p[2] = static_cast<char>(sequence >> 8);
    p[3] = static_cast<char>(sequence & 0xff);
    return p;
}

struct fixture : ::testing::Test {
    asio::io_context io;
    media_context context{io, {.address = "127.0.0.1", .port_min = 41000, .port_max = 41100}};
    asio::ip::udp::socket client{io,
                                 asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};

    /// Runs the loop until `count` datagrams arrived at the client (or 2 s passed).
    std::vector<std::string> receive(std::size_t count) {
        std::vector<std::string> got;
        client.non_blocking(true);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
            io.poll();
            char buffer[2048];
            asio::error_code ec;
            std::size_t n = client.receive(asio::buffer(buffer), 0, ec);
            if (!ec)
                got.emplace_back(buffer, n);
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            io.restart();
        }
        return got;
    }
};

TEST_F(fixture, echoes_rtp_back_to_its_source_and_ignores_noise) {
    auto stream = context.open_echo();
    ASSERT_TRUE(stream);
    std::uint16_t port = context.port_of(*stream);
    EXPECT_EQ(port % 2, 0) << "RTP on an even port (RFC 3550 §11)";
    EXPECT_GE(port, 41000);
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
    client.send_to(asio::buffer(std::string("short")), to); // not RTP: dropped
    for (std::uint16_t i = 0; i < 3; ++i) client.send_to(asio::buffer(rtp_packet(i)), to);
    auto got = receive(3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[2], rtp_packet(2));
    EXPECT_EQ(context.stats().packets_in, 4u);
    EXPECT_EQ(context.stats().packets_out, 3u);
}

TEST_F(fixture, closing_returns_the_port_once_the_receive_is_done) {
    auto stream = context.open_echo();
    ASSERT_TRUE(stream);
    context.close(*stream);
    io.poll(); // the aborted receive completes
    EXPECT_EQ(context.live_streams(), 0u);
}

TEST(media_context_limits, ports_run_out_cleanly) {
    asio::io_context io;
    media_context context(io, {.address = "127.0.0.1", .port_min = 41200, .port_max = 41202});
    auto first = context.open_echo();
    ASSERT_TRUE(first);
    EXPECT_FALSE(context.open_echo()) << "one even port in [41200, 41202)";
    EXPECT_EQ(context.stats().ports_exhausted, 1u);
    context.close(*first);
    io.poll();
    EXPECT_TRUE(context.open_echo()) << "the port came back";
}

TEST_F(fixture, the_audio_handler_answers_with_its_port_and_closes_at_session_end) {
    media_context::bind_current(&context);
    extension_registry registry;
    auto r = registry.add_sdp_handler("audio", std::make_shared<rtp_echo>());
    auto offer = sdp::session_description::parse(
        "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n");
    ASSERT_TRUE(offer);
    {
        session s(registry.snapshot(), {.id = 1});
        auto answer = s.answer_offer(*offer);
        ASSERT_TRUE(answer) << answer.error_value().reason;
        const auto& m = answer->media()[0];
        EXPECT_GE(m.port, 41000);
        EXPECT_EQ(m.formats[0], "0") << "our order: PCMU first";
        EXPECT_EQ(m.declared_direction(), sdp::direction::recvonly) << "sendonly answered recvonly";
        EXPECT_EQ(context.live_streams(), 1u);
        s.apply_negotiated(*answer, *offer);
    }
    io.poll();
    EXPECT_EQ(context.live_streams(), 0u) << "the session's end closed its stream";
    media_context::bind_current(nullptr);
}

} // namespace
} // namespace parley::media
