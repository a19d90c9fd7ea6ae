// RTP echo on loopback (ctest runs inside a network namespace with only `lo`).
#include <parley/media/rtp.hpp>
#include <parley/media/rtp_media.hpp>

#include <parley/session/session.hpp>

#include <asio/ip/udp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
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
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.echo(*stream);
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

TEST_F(fixture, a_burst_longer_than_one_read_is_drained_without_another_packet) {
    // One readiness event reads at most 4 rounds of 32 datagrams, then other streams get their
    // turn; what is left must still be read without waiting for the next datagram to arrive.
    auto stream = context.open();
    ASSERT_TRUE(stream);
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), context.port_of(*stream));
    constexpr std::uint16_t burst = 4 * 32 + 32 + 5;
    for (std::uint16_t i = 0; i < burst; ++i)
        client.send_to(asio::buffer(rtp_packet(i).substr(0, 12)), to); // headers only: small
    // Loopback delivers in a softirq that may lag the sends: let every datagram land first, so
    // the loop sees one readiness edge for the whole burst.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (context.stats().packets_in < burst && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
    EXPECT_EQ(context.stats().packets_in, burst);
    context.close(*stream);
    io.poll();
    EXPECT_EQ(context.live_streams(), 0u) << "the continuation let go of the stream too";
}

TEST_F(fixture, a_format_change_handler_belongs_to_its_bridge) {
    auto a = context.open();
    auto b = context.open();
    auto c = context.open();
    ASSERT_TRUE(a && b && c);
    for (auto id : {*a, *b, *c}) context.set_format(id, {.codec = audio_codec::pcmu});
    int changes_a = 0;
    int changes_b = 0;
    auto watch = [&] {
        context.on_format_change(*a, [&] { ++changes_a; });
        context.on_format_change(*b, [&] { ++changes_b; });
    };
    context.bridge(*a, *b);
    watch();
    context.set_format(*a, {.codec = audio_codec::pcma, .payload_type = 8});
    EXPECT_EQ(changes_a, 1);
    // Unbridged: neither stream passes its changes to a bridge that is gone.
    context.unbridge(*a);
    context.set_format(*a, {.codec = audio_codec::pcmu});
    context.set_format(*b, {.codec = audio_codec::pcma, .payload_type = 8});
    EXPECT_EQ(changes_a, 1);
    EXPECT_EQ(changes_b, 0);
    // A new bridge (a transfer: b now talks to c) ends a's, and with it a's handler.
    context.bridge(*a, *b);
    watch();
    context.bridge(*b, *c);
    context.set_format(*a, {.codec = audio_codec::pcma, .payload_type = 8});
    EXPECT_EQ(changes_a, 1);
    // The other leg closing ends the bridge too.
    context.bridge(*a, *c);
    watch();
    context.close(*c);
    context.set_format(*a, {.codec = audio_codec::pcmu});
    EXPECT_EQ(changes_a, 1);
}

TEST_F(fixture, closing_returns_the_port_once_the_receive_is_done) {
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.close(*stream);
    io.poll(); // the aborted receive completes
    EXPECT_EQ(context.live_streams(), 0u);
}

TEST(media_context_limits, ports_run_out_cleanly) {
    asio::io_context io;
    media_context context(io, {.address = "127.0.0.1", .port_min = 41200, .port_max = 41202});
    auto first = context.open();
    ASSERT_TRUE(first);
    EXPECT_FALSE(context.open()) << "one even port in [41200, 41202)";
    EXPECT_EQ(context.stats().ports_exhausted, 1u);
    context.close(*first);
    io.poll();
    EXPECT_TRUE(context.open()) << "the port came back";
}

TEST_F(fixture, the_audio_handler_answers_with_its_port_and_closes_at_session_end) {
    media_context::bind_current(&context);
    extension_registry registry;
    auto r = registry.add_sdp_handler("audio", std::make_shared<rtp_media>());
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
        auto audio = audio_of(s);
        ASSERT_TRUE(audio);
        EXPECT_EQ(audio->context, &context);
    }
    io.poll();
    EXPECT_EQ(context.live_streams(), 0u) << "the session's end closed its stream";
    media_context::bind_current(nullptr);
}

std::vector<std::uint8_t> bytes_of(const std::string& s) {
    return {s.begin(), s.end()};
}

TEST_F(fixture, plays_a_source_as_paced_rtp_in_the_negotiated_codec_then_reports_done) {
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.set_format(*stream, {.codec = audio_codec::pcma, .payload_type = 8, .ptime_ms = 20});
    context.set_remote(*stream,
                       *socket_address::from_numeric("127.0.0.1", client.local_endpoint().port()));
    bool done = false;
    // 100 ms of tone: five packets of 160 samples.
    context.play(*stream, make_tone({1000}, 8000, std::chrono::milliseconds(100)),
                 [&] { done = true; });
    auto got = receive(5);
    ASSERT_EQ(got.size(), 5u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        auto bytes = bytes_of(got[i]);
        auto p = parse_rtp(bytes);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->header.payload_type, 8);
        EXPECT_EQ(p->payload.size(), 160u);
        EXPECT_EQ(p->header.marker, i == 0) << "the first packet starts a talk spurt";
        auto first = parse_rtp(bytes_of(got[0]));
        EXPECT_EQ(static_cast<std::uint16_t>(p->header.sequence - first->header.sequence), i);
        EXPECT_EQ(p->header.timestamp - first->header.timestamp, 160u * i);
        EXPECT_EQ(p->header.ssrc, first->header.ssrc);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
    EXPECT_TRUE(done);
}

std::string event_packet(std::uint8_t pt, std::uint32_t timestamp, std::uint16_t sequence,
                         char digit, bool end) {
    std::vector<std::uint8_t> p(16);
    write_rtp_header({.payload_type = pt, .sequence = sequence, .timestamp = timestamp}, p);
    write_telephone_event({.event = *dtmf_event(digit), .end = end, .volume = 10, .duration = 400},
                          std::span<std::uint8_t>(p).subspan(12));
    return {p.begin(), p.end()};
}

TEST_F(fixture, reports_each_rfc4733_event_once_however_often_it_is_repeated) {
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.set_format(*stream, {.payload_type = 0, .event_payload_type = 101});
    std::string digits;
    context.on_dtmf(*stream, [&](char d) { digits += d; });
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), context.port_of(*stream));
    std::uint16_t seq = 1;
    for (char d : std::string("1#9")) {
        std::uint32_t ts = 8000u * static_cast<std::uint32_t>(seq);
        for (int i = 0; i < 3; ++i)
            client.send_to(asio::buffer(event_packet(101, ts, seq++, d, false)), to);
        for (int i = 0; i < 3; ++i)
            client.send_to(asio::buffer(event_packet(101, ts, seq++, d, true)), to);
    }
    client.send_to(asio::buffer(event_packet(96, 1, seq++, '5', true)), to); // not the event PT
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (context.stats().packets_in < 19 && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
    EXPECT_EQ(digits, "1#9");
    EXPECT_EQ(context.stats().dtmf_events, 3u);
}

TEST_F(fixture, records_decoded_audio_to_a_wav_file) {
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.set_format(*stream, {.codec = audio_codec::pcmu, .payload_type = 0});
    std::string path = ::testing::TempDir() + "parley_record_test.wav";
    std::string error;
    ASSERT_TRUE(context.record(*stream, path, error)) << error;
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), context.port_of(*stream));
    for (std::uint16_t i = 0; i < 10; ++i) client.send_to(asio::buffer(rtp_packet(i)), to);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (context.stats().packets_in < 10 && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
    context.stop_recording(*stream);
    auto source = open_sound_file(path, 8000, error);
    ASSERT_TRUE(source) << error;
    std::vector<std::int16_t> pcm(4000);
    EXPECT_EQ(source->read(pcm), 1600u) << "ten packets of 160 samples";
    std::remove(path.c_str());
    EXPECT_FALSE(context.record(*stream, "/nonexistent-folder/x.wav", error));
    EXPECT_NE(error.find("/nonexistent-folder/x.wav"), std::string::npos) << error;
}

TEST_F(fixture, says_once_when_no_rtp_arrived_in_time_unless_the_peer_holds) {
    auto stream = context.open();
    ASSERT_TRUE(stream);
    int expired = 0;
    context.set_direction(*stream, true, false); // the peer holds: no timeout
    context.set_timeout(*stream, std::chrono::milliseconds(100), [&] { ++expired; });
    io.run_for(std::chrono::milliseconds(300));
    io.restart();
    EXPECT_EQ(expired, 0);
    context.set_direction(*stream, true, true);
    io.run_for(std::chrono::milliseconds(400));
    io.restart();
    EXPECT_EQ(expired, 1);
    io.run_for(std::chrono::milliseconds(200));
    io.restart();
    EXPECT_EQ(expired, 1) << "once";
}

TEST(media_rtcp, reports_what_it_sent_and_received_on_the_next_port) {
    asio::io_context io;
    media_context context(io, {.address = "127.0.0.1",
                               .port_min = 41400,
                               .port_max = 41500,
                               .rtcp_interval = std::chrono::milliseconds(100)});
    // The peer: RTP on P, RTCP on P + 1 (RFC 3550 §11).
    asio::ip::udp::socket rtcp{io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::uint16_t peer_rtp = static_cast<std::uint16_t>(rtcp.local_endpoint().port() - 1);
    asio::ip::udp::socket rtp{io};
    rtp.open(asio::ip::udp::v4());
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.set_format(*stream, {.codec = audio_codec::pcmu, .payload_type = 0});
    context.set_remote(*stream, *socket_address::from_numeric("127.0.0.1", peer_rtp), false);
    context.play(*stream, make_tone({440}, 8000, std::chrono::milliseconds(200)));
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), context.port_of(*stream));
    for (std::uint16_t i = 0; i < 5; ++i) {
        std::string p = rtp_packet(i);
        p[8] = 0x12; // the peer's SSRC: 0x12ffffff (the rest of the packet is 0xff)
        rtp.send_to(asio::buffer(p), to);
    }
    rtcp.non_blocking(true);
    std::optional<rtcp_summary> report;
    std::vector<std::uint8_t> bytes(1500);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(20));
        io.restart();
        asio::error_code ec;
        std::size_t n = rtcp.receive(asio::buffer(bytes), 0, ec);
        if (ec) continue;
        auto parsed = parse_rtcp(std::span<const std::uint8_t>(bytes.data(), n));
        ASSERT_TRUE(parsed) << "a well-formed compound RTCP packet";
        if (parsed->sender_report) {
            report = parsed;
            // The report block about the peer: SSRC after the 28-byte SR header.
            std::uint32_t about = (std::uint32_t{bytes[28]} << 24) |
                                  (std::uint32_t{bytes[29]} << 16) |
                                  (std::uint32_t{bytes[30]} << 8) | bytes[31];
            EXPECT_EQ(about, 0x12ffffffu);
            EXPECT_EQ(bytes[0] & 0x1f, 1) << "one report block";
            break;
        }
    }
    ASSERT_TRUE(report) << "an SR arrived on the peer's RTCP port";
    EXPECT_GE(context.stats().rtcp_out, 1u);
}

TEST(media_rtcp, echoes_that_could_not_be_sent_are_not_reported_as_sent) {
    asio::io_context io;
    media_context context(io, {.address = "127.0.0.1",
                               .port_min = 41500,
                               .port_max = 41600,
                               .rtcp_interval = std::chrono::milliseconds(100)});
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.echo(*stream);
    // Echoes go where the SDP said (no symmetric RTP): the broadcast address, which a socket
    // without SO_BROADCAST cannot send to, so every sendmmsg fails.
    context.set_remote(*stream, *socket_address::from_numeric("255.255.255.255", 5004), false);
    asio::ip::udp::socket rtp{io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    asio::ip::udp::socket rtcp{io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    // Our reports go back to where the peer's RTCP comes from.
    std::uint16_t port = context.port_of(*stream);
    rtcp.send_to(asio::buffer(std::string(8, '\0')),
                 asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"),
                                         static_cast<std::uint16_t>(port + 1)));
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
    for (std::uint16_t i = 0; i < 5; ++i) rtp.send_to(asio::buffer(rtp_packet(i)), to);
    rtcp.non_blocking(true);
    std::optional<rtcp_summary> report;
    std::vector<std::uint8_t> bytes(1500);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!report && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(20));
        io.restart();
        asio::error_code ec;
        std::size_t n = rtcp.receive(asio::buffer(bytes), 0, ec);
        if (!ec && context.stats().packets_in == 5)
            report = parse_rtcp(std::span<const std::uint8_t>(bytes.data(), n));
    }
    ASSERT_TRUE(report) << "a report after the five packets arrived";
    EXPECT_EQ(context.stats().packets_out, 0u);
    EXPECT_FALSE(report->sender_report) << "nothing was sent: a receiver report";
}

TEST_F(fixture, the_negotiated_codec_is_the_first_of_ours_the_peer_listed) {
    media_context::bind_current(&context);
    extension_registry registry;
    auto r = registry.add_sdp_handler("audio", std::make_shared<rtp_media>());
    // The peer offers G.722 (9) and PCMA (8), events as 96, ptime 30.
    auto offer = sdp::session_description::parse(
        "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 9 8 96\r\na=rtpmap:96 telephone-event/8000\r\na=ptime:30\r\n");
    ASSERT_TRUE(offer);
    session s(registry.snapshot(), {.id = 1});
    s.edit_media().codecs = std::make_shared<const std::vector<sdp::codec>>(
        std::vector<sdp::codec>{{"PCMA", 8000, 1}, {"G722", 8000, 1}});
    auto answer = s.answer_offer(*offer);
    ASSERT_TRUE(answer);
    s.apply_negotiated(*answer, *offer);
    auto audio = audio_of(s);
    ASSERT_TRUE(audio);
    client.non_blocking(false);
    context.set_remote(audio->id,
                       *socket_address::from_numeric("127.0.0.1", client.local_endpoint().port()));
    context.play(audio->id,
                 make_tone({440}, context.audio_rate_of(audio->id), std::chrono::milliseconds(30)));
    auto got = receive(1);
    ASSERT_EQ(got.size(), 1u);
    auto p = parse_rtp(bytes_of(got[0]));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->header.payload_type, 8) << "PCMA: our first that the peer listed";
    EXPECT_EQ(p->payload.size(), 240u) << "the peer's ptime of 30 ms";
    media_context::bind_current(nullptr);
}

TEST_F(fixture, as_offerer_it_sends_the_first_codec_of_the_answer_and_takes_all_it_accepted) {
    media_context::bind_current(&context);
    extension_registry registry;
    auto r = registry.add_sdp_handler("audio", std::make_shared<rtp_media>());
    session s(registry.snapshot(), {.id = 1});
    auto offer = s.create_offer();
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->media()[0].formats[0], "0") << "we offer PCMU first";
    // The answer prefers PCMA (RFC 3264: the offerer sends the answer's first format).
    auto answer = sdp::session_description::parse(
        "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio " +
        std::to_string(client.local_endpoint().port()) +
        " RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
    ASSERT_TRUE(answer);
    s.apply_negotiated(*offer, *answer);
    auto audio = audio_of(s);
    ASSERT_TRUE(audio);
    auto format = context.format_of(audio->id);
    ASSERT_TRUE(format);
    EXPECT_EQ(format->payload_type, 8);
    EXPECT_EQ(format->codec, audio_codec::pcma);
    EXPECT_EQ(format->accepted.size(), 2u) << "PCMA and PCMU may both arrive";
    EXPECT_EQ(format->event_payload_type, std::optional<std::uint8_t>(101));
    media_context::bind_current(nullptr);
}

TEST_F(fixture, once_latched_it_drops_rtp_from_anywhere_else) {
    auto stream = context.open();
    ASSERT_TRUE(stream);
    context.echo(*stream);
    asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), context.port_of(*stream));
    client.send_to(asio::buffer(rtp_packet(1)), to);
    ASSERT_EQ(receive(1).size(), 1u);
    asio::ip::udp::socket intruder{io,
                                   asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    intruder.send_to(asio::buffer(rtp_packet(2)), to);
    client.send_to(asio::buffer(rtp_packet(3)), to);
    auto got = receive(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], rtp_packet(3)) << "the latched caller is still served";
    EXPECT_EQ(context.stats().foreign, 1u);
}

TEST_F(fixture, sessions_that_want_no_media_are_left_to_the_next_handler) {
    media_context::bind_current(&context);
    extension_registry registry;
    auto r = registry.add_sdp_handler("audio", std::make_shared<rtp_media>());
    auto offer = sdp::session_description::parse(
        "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 0\r\n");
    ASSERT_TRUE(offer);
    session s(registry.snapshot(), {.id = 1});
    s.edit_media().open_media = false;
    auto answer = s.answer_offer(*offer);
    EXPECT_EQ(context.live_streams(), 0u);
    EXPECT_FALSE(audio_of(s));
    media_context::bind_current(nullptr);
}

} // namespace
} // namespace parley::media
