// The session layer behind the distributor (session_service) with the OPTIONS service, on a
// real transaction layer: who answers what, the endpoint reaching the application, dialogs
// routed to the session layer, and the dialog limit. Manual clock.
#include <parley/endpoint/distributor.hpp>
#include <parley/endpoint/session_service.hpp>
#include <parley/sdp/offer_answer.hpp>

#include <gtest/gtest.h>

#include "test_audio_handler.hpp"
#include "test_support.hpp"

#include <memory>
#include <string>
#include <vector>

namespace parley {
namespace {

const std::string open_config = R"(
[udp]
type = transport
bind = 127.0.0.1:5060

[open]
type = endpoint
allow = ulaw

[open]
type = identify
endpoint = open
match = 127.0.0.0/8
)";

using audio_handler = test::test_audio_handler;

using test::recording_sender;

/// Answers every call, and notes the endpoint the distributor identified.
struct answering_app : session_events {
    session_layer* layer = nullptr;
    session_service* service = nullptr;
    std::vector<std::string> events;
    void on_incoming(session_handle h, session&, const message&) noexcept override {
        const request_context* c = service->current_context();
        events.push_back("incoming:" +
                         (c != nullptr && c->endpoint != nullptr ? c->endpoint->name : "?"));
        (void)layer->answer(h);
    }
    void on_confirmed(session_handle, session&) noexcept override { events.push_back("up"); }
    void on_ended(session_handle, session&, end_reason) noexcept override {
        events.push_back("ended");
    }
};

using relay = test::tu_relay;

struct session_service_fixture : ::testing::Test {
    timer_wheel wheel{time_point{}};
    recording_sender sender;
    relay tu;
    transaction_layer transactions{sender, tu, wheel};
    extension_registry registry;
    registration audio =
        registry.add_sdp_handler("audio", std::make_shared<audio_handler>(), "test-audio");
    answering_app app;
    std::unique_ptr<session_layer> sessions;
    std::unique_ptr<session_service> session_adapter;
    std::unique_ptr<distributor> pipeline;
    std::unique_ptr<options_service> options;
    flow peer;

    void SetUp() override { build({}); }
    void build(overload_limits limits, std::string_view endpoint_options = {},
               std::string_view transport_options = {}) {
        std::string text = open_config;
        if (!endpoint_options.empty())
            text.insert(text.find("allow = ulaw\n") + 13, std::string(endpoint_options));
        if (!transport_options.empty())
            text.insert(text.find("bind = 127.0.0.1:5060\n") + 22, std::string(transport_options));
        auto loaded = parse_configuration(text, "open.conf");
        ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
        options.reset();
        pipeline.reset();
        session_adapter.reset();
        sessions = std::make_unique<session_layer>(transactions, sender, wheel, registry, app);
        session_adapter = std::make_unique<session_service>(*sessions);
        pipeline = std::make_unique<distributor>(
            transactions, wheel, std::make_shared<endpoint_identifier>(loaded.config),
            distributor_options{.key = digest_authenticator::generate_key(), .limits = limits});
        options = std::make_unique<options_service>(*pipeline);
        pipeline->add_service(*session_adapter, {.priority = 10});
        pipeline->add_service(*options, {.priority = 20});
        tu.to = pipeline.get();
        app.layer = sessions.get();
        app.service = session_adapter.get();
        peer.protocol = transport_protocol::udp;
        peer.remote = *socket_address::from_numeric("127.0.0.1", 5062);
    }

    void deliver(std::string text, std::string body = "") {
        std::string bytes;
        for (char c : text) bytes += c == '\n' ? std::string("\r\n") : std::string(1, c);
        if (!body.empty()) bytes += "Content-Type: application/sdp\r\n";
        bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        auto m = std::make_unique<message>();
        auto r = parse_message(bytes, *m, {.buffer = buffer_use::copy});
        ASSERT_TRUE(r) << r.error_value().reason << "\n" << bytes;
        transactions.receive(*m, peer);
    }
    std::string request(std::string_view method, std::string_view branch,
                        std::string_view to_tag = "", int cseq = 1) {
        std::string cseq_method(method);
        return std::string(method) +
               " sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=" +
               std::string(branch) +
               "\nFrom: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>" +
               (to_tag.empty() ? "" : ";tag=" + std::string(to_tag)) +
               "\nCall-ID: call-1\nCSeq: " + std::to_string(cseq) + " " + cseq_method +
               "\nContact: <sip:alice@127.0.0.1:5062>\nMax-Forwards: 70\n";
    }
    std::vector<std::string> sent_lines() {
        std::vector<std::string> lines;
        for (const auto& s : sender.sent) lines.push_back(s.substr(0, s.find("\r\n")));
        if (!sender.sent.empty()) last_ = sender.sent.back();
        sender.sent.clear();
        return lines;
    }
    std::string to_tag() const {
        std::size_t to = last_.find("\r\nTo:");
        std::size_t tag = last_.find(";tag=", to);
        return last_.substr(tag + 5, last_.find("\r\n", tag) - tag - 5);
    }

    std::string last_;
};

const std::string offer = "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                          "m=audio 20000 RTP/AVP 0\n";

using lines = std::vector<std::string>;

TEST_F(session_service_fixture, options_out_of_a_dialog_is_answered_by_the_options_service) {
    deliver(request("OPTIONS", "z9hG4bKo1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(last_.find("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE\r\n"),
              std::string::npos)
        << last_;
    EXPECT_NE(last_.find("Accept: application/sdp\r\n"), std::string::npos);
    EXPECT_NE(last_.find("Supported: 100rel, timer, replaces\r\n"), std::string::npos);
}

TEST_F(session_service_fixture, the_endpoint_100rel_and_timers_settings_apply_to_its_calls) {
    // The defaults (100rel = yes, timers = yes): a caller asking for both gets both.
    deliver(request("INVITE", "z9hG4bKi1") +
                "Require: 100rel\nSupported: timer\nSession-Expires: 600\n",
            offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"}); // answered at once: no 1xx to PRACK
    EXPECT_NE(last_.find("Session-Expires: 600;refresher=uac\r\n"), std::string::npos) << last_;
    EXPECT_NE(last_.find("Supported: 100rel, timer, replaces\r\n"), std::string::npos) << last_;
    // An endpoint that turns them off answers 420 for what it does not do.
    build({}, "100rel = no\ntimers = no\n");
    deliver(request("INVITE", "z9hG4bKi2") + "Require: 100rel, timer\n", offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 420 Bad Extension"});
    EXPECT_NE(last_.find("Unsupported: 100rel, timer\r\n"), std::string::npos) << last_;
    // timers = required: a caller without timer support gets 421.
    build({}, "timers = required\n");
    deliver(request("INVITE", "z9hG4bKi3"), offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 421 Extension Required"});
    EXPECT_NE(last_.find("Require: timer\r\n"), std::string::npos) << last_;
}

TEST(endpoint_media, the_endpoints_codecs_dtmf_mode_symmetry_and_stream_limit) {
    endpoint_config e;
    e.codecs = {codec::alaw, codec::telephone_event, codec::ulaw, codec::opus};
    e.dtmf_mode = dtmf_mode::info;
    e.rtp_symmetric = true;
    e.max_audio_streams = 2;
    media_preferences m = media_of(e);
    ASSERT_TRUE(m.codecs);
    ASSERT_EQ(m.codecs->size(), 3u) << "telephone-event is dtmf_mode's, not a codec";
    EXPECT_EQ((*m.codecs)[0].encoding_name, "PCMA");
    EXPECT_EQ((*m.codecs)[1].encoding_name, "PCMU");
    EXPECT_EQ((*m.codecs)[2].clock_rate, 48000u);
    EXPECT_FALSE(m.telephone_event) << "dtmf_mode = info";
    EXPECT_TRUE(m.symmetric_rtp);
    EXPECT_EQ(m.max_audio_streams, 2u);
    for (dtmf_mode mode : {dtmf_mode::rfc4733, dtmf_mode::auto_, dtmf_mode::auto_info}) {
        e.dtmf_mode = mode;
        EXPECT_TRUE(media_of(e).telephone_event);
    }
    e.dtmf_mode = dtmf_mode::inband;
    EXPECT_FALSE(media_of(e).telephone_event);
    e.codecs.clear();
    ASSERT_TRUE(media_of(e).codecs);
    EXPECT_TRUE(media_of(e).codecs->empty()) << "allows nothing: accepts nothing";
}

TEST(endpoint_media, a_configured_endpoints_calls_share_one_codec_list) {
    // Built once with the configuration: media_of gives every call the same list, no copy.
    auto loaded = parse_configuration("[udp]\ntype = transport\nprotocol = udp\n"
                                      "bind = 127.0.0.1:5060\n[alice]\ntype = endpoint\n"
                                      "disallow = all\nallow = g722,alaw\n",
                                      "share.conf");
    ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
    const endpoint_config& e = loaded.config->endpoints()[0];
    ASSERT_TRUE(e.sdp_codecs);
    media_preferences first = media_of(e);
    media_preferences second = media_of(e);
    EXPECT_EQ(first.codecs.get(), e.sdp_codecs.get());
    EXPECT_EQ(second.codecs.get(), first.codecs.get());
    ASSERT_EQ(first.codecs->size(), 2u);
    EXPECT_EQ((*first.codecs)[0].encoding_name, "G722");
    EXPECT_EQ((*first.codecs)[1].encoding_name, "PCMA");
}

TEST(external_addresses, a_peer_outside_local_net_sees_the_external_ones) {
    transport_config t;
    t.external_signaling_address = "203.0.113.5";
    t.external_media_address = "203.0.113.6";
    t.local_net = {*ip_network::parse("10.0.0.0/8")};
    auto outside = *socket_address::from_numeric("198.51.100.7", 5060);
    session_policy policy;
    media_preferences media;
    apply_external_addresses(t, outside, "<sip:parleyd@10.0.0.2:5060>", "10.0.0.2:5060", policy,
                             media);
    EXPECT_EQ(policy.via_address, "203.0.113.5:5060");
    EXPECT_EQ(policy.contact, "<sip:parleyd@203.0.113.5:5060>");
    EXPECT_EQ(media.address, "203.0.113.6");
    t.external_signaling_port = 5070;
    apply_external_addresses(t, outside, "<sip:parleyd@10.0.0.2:5060>", "10.0.0.2:5060", policy,
                             media);
    EXPECT_EQ(policy.via_address, "203.0.113.5:5070");
    session_policy inside_policy;
    media_preferences inside_media;
    apply_external_addresses(t, *socket_address::from_numeric("10.1.2.3", 5060),
                             "<sip:parleyd@10.0.0.2:5060>", "10.0.0.2:5060", inside_policy,
                             inside_media);
    EXPECT_TRUE(inside_policy.contact.empty()) << "local_net: no rewriting";
    EXPECT_TRUE(inside_media.address.empty());
}

TEST_F(session_service_fixture, a_call_from_outside_local_net_gets_our_external_addresses) {
    build({}, {},
          "external_signaling_address = 203.0.113.5\nexternal_media_address = 203.0.113.6\n"
          "local_net = 10.0.0.0/8\n");
    deliver(request("INVITE", "z9hG4bKi1"), offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(last_.find("Contact: <sip:parley@203.0.113.5:5060>\r\n"), std::string::npos) << last_;
    EXPECT_NE(last_.find("o=- "), std::string::npos);
    EXPECT_NE(last_.find(" IN IP4 203.0.113.6\r\n"), std::string::npos) << "o= (and c=)";
}

TEST_F(session_service_fixture, a_call_through_the_distributor_carries_the_endpoint) {
    deliver(request("INVITE", "z9hG4bKi1"), offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(app.events, lines{"incoming:open"});
    EXPECT_EQ(session_adapter->current_context(), nullptr) << "only during the offer";
    std::string tag = to_tag();
    EXPECT_EQ(session_adapter->dialog_count(), 1u);
    // The 2xx ACK and the BYE reach the session layer through the dialog's ownership.
    deliver(request("ACK", "z9hG4bKa1", tag));
    EXPECT_EQ(app.events, (lines{"incoming:open", "up"}));
    deliver(request("OPTIONS", "z9hG4bKo2", tag, 2));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"}); // in the dialog: the session layer's
    deliver(request("BYE", "z9hG4bKb1", tag, 3));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(app.events.back(), "ended");
    EXPECT_EQ(sessions->size(), 0u);
}

TEST_F(session_service_fixture, requests_for_no_dialog_are_481_from_the_distributor) {
    deliver(request("BYE", "z9hG4bKb1", "nosuchdialog"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 Call/Transaction Does Not Exist"});
    deliver(request("BYE", "z9hG4bKb2"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 Call/Transaction Does Not Exist"});
    EXPECT_EQ(sessions->stats().no_dialog_481, 0u);
    EXPECT_EQ(pipeline->stats().no_dialog_481, 2u);
}

TEST_F(session_service_fixture, other_methods_get_405_and_unknown_ones_501) {
    deliver(request("REGISTER", "z9hG4bKr1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 405 Method Not Allowed"});
    deliver(request("FROB", "z9hG4bKf1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 501 Not Implemented"});
}

TEST_F(session_service_fixture, at_the_dialog_limit_new_calls_get_503_the_call_goes_on) {
    build({.max_dialogs = 1});
    deliver(request("INVITE", "z9hG4bKi1"), offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    std::string tag = to_tag();
    std::string second = request("INVITE", "z9hG4bKi2");
    second.replace(second.find("call-1"), 6, "call-2");
    deliver(second, offer);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 503 Service Unavailable"});
    deliver(request("BYE", "z9hG4bKb1", tag, 2));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
}

} // namespace
} // namespace parley
