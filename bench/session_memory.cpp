// State kept per established session: heap bytes per call after INVITE + 200 + ACK, measured with
// mallinfo2 over 1,000 calls through a real transaction layer and session layer (the INVITE
// server transaction lingering in RFC 6026 Accepted included), then again once the lingering
// transactions are gone. Not a test: a measurement.
//   build/release/bench/session_memory
#include "session_fixture.hpp"
#include <malloc.h>
namespace parley::test {
namespace {
TEST_F(session_fixture, memory_per_session) {
    auto heap = [] { return mallinfo2().uordblks; };
    // Warm up; the fixture's own logs are cleared every call so they do not count.
    deliver(invite("warm"));
    sender.sent.clear();
    app.events.clear();
    std::size_t before = heap();
    const int n = 1000;
    for (int i = 0; i < n; ++i) {
        std::string cid = "c" + std::to_string(i);
        deliver(invite(cid,
                       "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio "
                       "20000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n",
                       "Contact: <sip:alice@127.0.0.1:5062>\n", "z9hG4bKb" + std::to_string(i)));
        std::string tag = last_to_tag();
        deliver(in_dialog("ACK", tag, 1, "z9hG4bKa" + std::to_string(i), {}, cid));
        sender.sent.clear();
        app.events.clear();
    }
    std::size_t after = heap();
    std::printf("sessions=%zu transactions=%zu heap per established call=%zu bytes\n",
                layer->size(), transactions.size(), (after - before) / n);
    // 32 s later (RFC 6026 Timer L, 64*T1) the INVITE transactions are gone: the session alone.
    advance(std::chrono::seconds(40));
    std::size_t settled = heap();
    std::printf("after the linger: sessions=%zu transactions=%zu heap per session=%zu bytes\n",
                layer->size(), transactions.size(), (settled - before) / n);
}

// The same for calls we place (a B2BUA's outgoing legs): INVITE out, 200 in, ACK out.
TEST_F(session_fixture, memory_per_outgoing_session) {
    auto heap = [] { return mallinfo2().uordblks; };
    auto place = [&](int i) {
        auto h = layer->call({.request_uri = "sip:bob@127.0.0.1:5062",
                              .from = "<sip:parley@127.0.0.1>",
                              .destination = peer});
        ASSERT_TRUE(h);
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(last_sent(), *m, {.buffer = buffer_use::copy}));
        deliver("SIP/2.0 200 OK\nVia: " + std::string(m->find(header_id::via)->value) +
                "\nFrom: " + std::string(m->from().text) + "\nTo: " + std::string(m->to().text) +
                ";tag=b" + std::to_string(i) + "\nCall-ID: " + std::string(m->call_id()) +
                "\nCSeq: 1 INVITE\nContact: <sip:bob@127.0.0.1:5062>\n"
                "Content-Type: application/sdp\n\nv=0\no=bob 1 1 IN IP4 127.0.0.1\ns=-\n"
                "c=IN IP4 127.0.0.1\nt=0 0\nm=audio 40000 RTP/AVP 0\n");
        sender.sent.clear();
        app.events.clear();
    };
    place(-1); // warm up
    std::size_t before = heap();
    const int n = 1000;
    for (int i = 0; i < n; ++i) place(i);
    std::size_t after = heap();
    std::printf("outgoing: sessions=%zu transactions=%zu heap per established call=%zu bytes\n",
                layer->size(), transactions.size(), (after - before) / n);
    advance(std::chrono::seconds(40));
    std::size_t settled = heap();
    std::printf("outgoing, after the linger: sessions=%zu transactions=%zu heap per session=%zu "
                "bytes\n",
                layer->size(), transactions.size(), (settled - before) / n);
}
} // namespace
} // namespace parley::test
