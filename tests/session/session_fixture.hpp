// A session_layer on a real transaction_layer, fed raw messages, with every byte it sends
// recorded: the narrowest place to pin each INVITE life-cycle rule. Manual clock.
#pragma once

#include "test_audio_handler.hpp"
#include "tu_relay.hpp"

#include <parley/sdp/offer_answer.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/sip/message.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace parley::test {

using audio_handler = test_audio_handler;

enum class policy { answer, ring_then_wait, reject_486, wait };

struct recording_app : session_events {
    session_layer* layer = nullptr;
    policy what = policy::answer;
    std::vector<std::string> events;
    session_handle last;
    void on_incoming(session_handle h, session&, const message&) noexcept override {
        events.push_back("incoming");
        last = h;
        if (what == policy::answer)
            (void)layer->answer(h);
        else if (what == policy::ring_then_wait)
            (void)layer->ring(h);
        else if (what == policy::reject_486)
            (void)layer->reject(h, 486);
    }
    void on_confirmed(session_handle, session&) noexcept override { events.push_back("confirmed"); }
    void on_remote_hold(session_handle, session&, remote_hold c) noexcept override {
        events.push_back(c == remote_hold::held ? "held" : "resumed");
    }
    void on_ended(session_handle, session&, end_reason why) noexcept override {
        events.push_back("ended:" + std::to_string(static_cast<int>(why)));
    }
};

struct recording_sender : message_sender {
    std::vector<std::string> sent;
    std::vector<flow> flows; ///< where each was sent (not cleared by sent_lines)
    send_result send(const flow& to, std::string_view bytes) noexcept override {
        sent.emplace_back(bytes);
        flows.push_back(to);
        return send_result::sent;
    }
};

using relay = tu_relay;

struct session_fixture : ::testing::Test {
    timer_wheel wheel{time_point{}};
    recording_sender sender;
    relay tu;
    transaction_layer transactions{sender, tu, wheel};
    extension_registry registry;
    std::shared_ptr<audio_handler> audio = std::make_shared<audio_handler>();
    registration audio_registration = registry.add_sdp_handler("audio", audio, "test-audio");
    recording_app app;
    std::unique_ptr<session_layer> layer;
    flow peer;

    void SetUp() override {
        layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, app);
        tu.to = layer.get();
        app.layer = layer.get();
        peer.protocol = transport_protocol::udp;
        peer.remote = *socket_address::from_numeric("127.0.0.1", 5062);
    }

    /// Parses `text` (LF line ends turned into CRLF; Content-Length filled in) and delivers it.
    void deliver(std::string text) {
        std::string bytes;
        for (char c : text) {
            if (c == '\n')
                bytes += "\r\n";
            else
                bytes += c;
        }
        std::size_t end = bytes.find("\r\n\r\n");
        std::size_t body = end == std::string::npos ? 0 : bytes.size() - end - 4;
        bytes.insert(end + 2, "Content-Length: " + std::to_string(body) + "\r\n");
        auto m = std::make_unique<message>();
        auto r = parse_message(bytes, *m, {.buffer = buffer_use::copy});
        ASSERT_TRUE(r) << r.error_value().reason << "\n" << bytes;
        transactions.receive(*m, peer);
    }
    void advance(duration d) { wheel.advance(wheel.now() + d); }

    /// The status lines (or request lines) of everything sent since the last call.
    std::vector<std::string> sent_lines() {
        std::vector<std::string> lines;
        for (const auto& s : sender.sent) lines.push_back(s.substr(0, s.find("\r\n")));
        sender.sent.clear();
        return lines;
    }
    std::string last_sent() const {
        return sender.sent.empty() ? std::string() : sender.sent.back();
    }
    /// The To tag of the last response sent.
    std::string last_to_tag() const {
        std::string s = last_sent();
        auto m = std::make_unique<message>();
        if (!parse_message(s, *m, {.buffer = buffer_use::copy})) return {};
        return std::string(m->to().tag);
    }
};

/// A header's value in raw bytes we sent ("" when absent).
inline std::string header_of(const std::string& bytes, std::string_view name) {
    std::string key = "\r\n" + std::string(name) + ": ";
    std::size_t at = bytes.find(key);
    if (at == std::string::npos) return {};
    at += key.size();
    return bytes.substr(at, bytes.find("\r\n", at) - at);
}

inline std::string
invite(std::string_view call_id = "call-1",
       std::string_view body =
           "v=0\n"
           "o=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 20000 RTP/AVP 0\n"
           "a=rtpmap:0 PCMU/8000\n",
       std::string_view extra = "Contact: <sip:alice@127.0.0.1:5062>\n",
       std::string_view branch = "z9hG4bKinv1") {
    std::string s = "INVITE sip:bob@127.0.0.1 SIP/2.0\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=" +
                    std::string(branch) +
                    "\n"
                    "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\n"
                    "Call-ID: " +
                    std::string(call_id) + "\nCSeq: 1 INVITE\nMax-Forwards: 70\n" +
                    std::string(extra);
    if (!body.empty()) s += "Content-Type: application/sdp\n";
    s += "\n";
    s += body;
    return s;
}

inline std::string in_dialog(std::string_view method, std::string_view to_tag, int cseq,
                             std::string_view branch, std::string_view body = {},
                             std::string_view call_id = "call-1",
                             std::string_view cseq_method = {}) {
    std::string s = std::string(method) +
                    " sip:bob@127.0.0.1 SIP/2.0\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=" +
                    std::string(branch) +
                    "\n"
                    "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>;tag=" +
                    std::string(to_tag) +
                    "\n"
                    "Call-ID: " +
                    std::string(call_id) + "\nCSeq: " + std::to_string(cseq) + " " +
                    std::string(cseq_method.empty() ? method : cseq_method) +
                    "\n"
                    "Contact: <sip:alice@127.0.0.1:5062>\nMax-Forwards: 70\n";
    if (!body.empty()) s += "Content-Type: application/sdp\n";
    s += "\n";
    s += body;
    return s;
}

} // namespace parley::test
