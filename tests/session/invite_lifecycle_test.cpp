// The INVITE life cycle of the session layer, one rule per test, on a manual clock.
#include "session_fixture.hpp"

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

const std::string ok_ack_body;

std::string sdp_with(std::string_view direction, std::string_view address = "127.0.0.1") {
    return "v=0\no=alice 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 " + std::string(address) +
           "\nt=0 0\nm=audio 20000 RTP/AVP 0\na=" + std::string(direction) + "\n";
}

TEST_F(session_fixture, basic_call_answers_200_with_sdp_and_our_tag) {
    deliver(invite());
    EXPECT_FALSE(last_to_tag().empty());
    EXPECT_NE(last_sent().find("Contact: <sip:parley@127.0.0.1:5060>"), std::string::npos);
    EXPECT_NE(last_sent().find("m=audio 30000 RTP/AVP 0"), std::string::npos);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    ASSERT_EQ(layer->size(), 1u);
    EXPECT_EQ(audio->applied, 1);
    EXPECT_EQ(app.events, lines{"incoming"});
}

TEST_F(session_fixture, the_2xx_is_retransmitted_until_the_ack_then_bye_ends_the_call) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    ASSERT_FALSE(to_tag.empty());
    sent_lines();
    // RFC 3261 §13.3.1.4: T1, then 2*T1 ...
    advance(milliseconds(500));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    advance(milliseconds(1000));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    EXPECT_EQ(app.events, (lines{"incoming", "confirmed"}));
    advance(milliseconds(4000));
    EXPECT_TRUE(sent_lines().empty()) << "no retransmission after the ACK";
    deliver(in_dialog("BYE", to_tag, 2, "z9hG4bKbye1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(),
              "ended:" + std::to_string(static_cast<int>(end_reason::remote_hangup)));
    EXPECT_EQ(audio->stopped, 1);
}

TEST_F(session_fixture, the_2xx_is_retransmitted_over_tcp_too) {
    // RFC 3261 §13.3.1.4: a proxy may carry our 2xx on over UDP, so it is retransmitted until
    // the ACK whatever our transport.
    peer.protocol = transport_protocol::tcp;
    std::string request = invite();
    request.replace(request.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
    deliver(request);
    std::string to_tag = last_to_tag();
    ASSERT_FALSE(to_tag.empty());
    sent_lines();
    advance(milliseconds(500));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    ASSERT_FALSE(sender.flows.empty());
    EXPECT_EQ(sender.flows.back().protocol, transport_protocol::tcp);
    std::string ack = in_dialog("ACK", to_tag, 1, "z9hG4bKack1");
    ack.replace(ack.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
    deliver(ack);
    EXPECT_EQ(app.events, (lines{"incoming", "confirmed"}));
    advance(milliseconds(4000));
    EXPECT_TRUE(sent_lines().empty()) << "no retransmission after the ACK";
}

TEST_F(session_fixture, the_2xx_retransmissions_follow_the_2xx_of_each_invite) {
    // The caller sends from port 40000 but names 5062 in its Via without rport: the 2xx goes to
    // 5062 (RFC 3261 §18.2.2) and so does every retransmission of it.
    peer.remote = *socket_address::from_numeric("127.0.0.1", 40000);
    deliver(invite());
    std::string to_tag = last_to_tag();
    ASSERT_FALSE(to_tag.empty());
    ASSERT_FALSE(sender.flows.empty());
    EXPECT_EQ(sender.flows.back().remote.to_string(), "127.0.0.1:5062");
    sent_lines();
    advance(milliseconds(500));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(sender.flows.back().remote.to_string(), "127.0.0.1:5062");
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    // A re-INVITE from elsewhere, with rport: its 2xx and their retransmissions go back to
    // where it came from (RFC 3581 §4).
    peer.remote = *socket_address::from_numeric("127.0.0.9", 41000);
    std::string reinvite = in_dialog("INVITE", to_tag, 2, "z9hG4bKre1", sdp_with("sendrecv"));
    reinvite.replace(reinvite.find(";branch="), 0, ";rport");
    deliver(reinvite);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(sender.flows.back().remote.to_string(), "127.0.0.9:41000");
    advance(milliseconds(500));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(sender.flows.back().remote.to_string(), "127.0.0.9:41000");
    deliver(in_dialog("ACK", to_tag, 2, "z9hG4bKack2"));
    advance(milliseconds(4000));
    EXPECT_TRUE(sent_lines().empty()) << "no retransmission after the ACK";
}

TEST_F(session_fixture, no_ack_in_64_t1_ends_the_call_with_bye) {
    deliver(invite());
    sent_lines();
    advance(seconds(33));
    std::string bye = last_sent();
    lines sent = sent_lines();
    ASSERT_FALSE(sent.empty());
    EXPECT_EQ(sent.back(), "BYE sip:alice@127.0.0.1:5062 SIP/2.0");
    // The BYE's answer ends the session.
    auto m = std::make_unique<message>();
    ASSERT_TRUE(parse_message(bye, *m, {.buffer = buffer_use::copy}));
    std::string ok = "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" +
                     std::string(m->top_via().branch) + "\nFrom: " + std::string(m->from().text) +
                     "\nTo: " + std::string(m->to().text) +
                     "\nCall-ID: call-1\nCSeq: " + std::to_string(m->cseq().number) + " BYE\n\n";
    deliver(ok);
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(), "ended:" + std::to_string(static_cast<int>(end_reason::no_ack)));
}

TEST_F(session_fixture, our_requests_in_the_dialog_go_to_the_first_route_not_the_contact) {
    // The caller is behind a Record-Routing proxy (RFC 3261 §12.2.1.1, §8.1.2): our BYE names
    // the Contact in its Request-URI but goes to the proxy, with the Route it asked for.
    deliver(invite("call-1",
                   "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                   "m=audio 20000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n",
                   "Contact: <sip:alice@127.0.0.2:5064>\nRecord-Route: <sip:127.0.0.3:5070;lr>\n"));
    std::string to_tag = last_to_tag();
    ASSERT_FALSE(to_tag.empty());
    sent_lines();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    ASSERT_TRUE(layer->terminate(app.last));
    std::string bye = last_sent();
    EXPECT_EQ(sent_lines(), lines{"BYE sip:alice@127.0.0.2:5064 SIP/2.0"});
    EXPECT_EQ(header_of(bye, "Route"), "<sip:127.0.0.3:5070;lr>");
    ASSERT_FALSE(sender.flows.empty());
    EXPECT_EQ(sender.flows.back().remote.to_string(), "127.0.0.3:5070");
}

TEST_F(session_fixture, without_a_route_set_our_requests_go_to_the_contact) {
    deliver(invite("call-1",
                   "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                   "m=audio 20000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n",
                   "Contact: <sip:alice@127.0.0.2:5064>\n"));
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    ASSERT_TRUE(layer->terminate(app.last));
    EXPECT_EQ(sent_lines(), lines{"BYE sip:alice@127.0.0.2:5064 SIP/2.0"});
    ASSERT_FALSE(sender.flows.empty());
    EXPECT_EQ(sender.flows.back().remote.to_string(), "127.0.0.2:5064");
}

TEST_F(session_fixture, invite_without_contact_is_400) {
    deliver(invite("call-1", ok_ack_body, ""));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 400 Missing Contact Header"});
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(session_fixture, invalid_sdp_is_400_with_the_reason) {
    deliver(invite("call-1", "v=0\ns=-\n"));
    lines sent = sent_lines();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].starts_with("SIP/2.0 400 SDP")) << sent[0];
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.size(), 0u) << "the application never sees a broken offer";
}

TEST_F(session_fixture, only_unsupported_codecs_is_488) {
    audio->format = "8";
    deliver(invite());
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 488 No Acceptable Media"});
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(session_fixture, an_unknown_body_type_is_415) {
    std::string text = invite("call-1", "");
    text.replace(text.find("\n\n"), 2, "\nContent-Type: application/unknownformat\n\n");
    text += "stuff";
    deliver(text);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 415 Unsupported Media Type"});
}

TEST_F(session_fixture, a_supplement_can_reject_and_the_core_sends_the_response) {
    struct screen : supplement {
        request_verdict incoming_request(session&, const message&) noexcept override {
            return request_verdict::reject(403, "Screened");
        }
    };
    auto r = registry.add_supplement(std::make_shared<screen>(), {.methods = {method::invite}});
    // Sessions snapshot the registry when they begin: this layer sees the new supplement.
    deliver(invite());
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 403 Screened"});
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(session_fixture, delayed_offer_puts_our_offer_in_the_200_and_takes_the_answer_from_the_ack) {
    deliver(invite("call-1", ""));
    std::string ok = last_sent();
    EXPECT_NE(ok.find("m=audio 30000 RTP/AVP 0"), std::string::npos) << ok;
    std::string to_tag = last_to_tag();
    sent_lines();
    EXPECT_EQ(audio->applied, 0);
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1", sdp_with("sendrecv")));
    EXPECT_EQ(audio->applied, 1);
    EXPECT_EQ(app.events, (lines{"incoming", "confirmed"}));
}

TEST_F(session_fixture, delayed_offer_without_an_answer_in_the_ack_ends_with_bye) {
    deliver(invite("call-1", ""));
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    lines sent = sent_lines();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].starts_with("BYE ")) << sent[0];
}

TEST_F(session_fixture, cancel_before_the_answer_gets_487) {
    app.what = policy::ring_then_wait;
    deliver(invite());
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    std::string cancel =
        "CANCEL sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKinv1\n"
        "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\nCall-ID: call-1\n"
        "CSeq: 1 CANCEL\nMax-Forwards: 70\n\n";
    deliver(cancel);
    lines sent = sent_lines();
    EXPECT_EQ(sent, (lines{"SIP/2.0 200 OK", "SIP/2.0 487 Request Terminated"}));
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(),
              "ended:" + std::to_string(static_cast<int>(end_reason::cancelled)));
}

TEST_F(session_fixture, bye_for_an_unknown_dialog_is_481) {
    deliver(in_dialog("BYE", "nosuchtag", 2, "z9hG4bKbye9"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 Call/Transaction Does Not Exist"});
}

TEST_F(session_fixture, out_of_dialog_requests_get_their_answers) {
    deliver("OPTIONS sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKo1\n"
            "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\nCall-ID: o1\nCSeq: 1 "
            "OPTIONS\n\n");
    deliver("FOO sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKf1\n"
            "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\nCall-ID: f1\nCSeq: 1 "
            "FOO\n\n");
    deliver(
        "SUBSCRIBE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKs1\n"
        "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>\nCall-ID: s1\nCSeq: 1 "
        "SUBSCRIBE\n\n");
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 501 Not Implemented",
                                   "SIP/2.0 405 Method Not Allowed"}));
}

TEST_F(session_fixture, reinvite_before_the_initial_ack_is_491) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1", sdp_with("sendrecv")));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 491 Request Pending"});
    EXPECT_EQ(layer->size(), 1u) << "glare never ends the session";
}

TEST_F(session_fixture, a_second_invite_before_the_first_is_answered_gets_500_with_retry_after) {
    app.what = policy::ring_then_wait;
    deliver(invite());
    std::string to_tag = last_to_tag(); // the 180's tag: an early dialog
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1", sdp_with("sendrecv")));
    std::string answer = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 500 Previous INVITE Not Answered Yet"});
    EXPECT_NE(answer.find("Retry-After: "), std::string::npos) << "RFC 3261 §14.2";
    EXPECT_EQ(layer->size(), 1u);
}

TEST_F(session_fixture, reinvite_hold_and_resume_are_reported) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1", sdp_with("sendonly")));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(ok.find("a=recvonly"), std::string::npos)
        << "RFC 3264 §6.1: sendonly answered recvonly";
    deliver(in_dialog("ACK", to_tag, 2, "z9hG4bKack2"));
    deliver(in_dialog("INVITE", to_tag, 3, "z9hG4bKre2", sdp_with("sendrecv")));
    deliver(in_dialog("ACK", to_tag, 3, "z9hG4bKack3"));
    EXPECT_EQ(app.events, (lines{"incoming", "confirmed", "held", "resumed"}));
    // RFC 2543 hold (c=0.0.0.0) counts too.
    deliver(in_dialog("INVITE", to_tag, 4, "z9hG4bKre3", sdp_with("sendrecv", "0.0.0.0")));
    EXPECT_EQ(app.events.back(), "held");
}

TEST_F(session_fixture, reinvite_without_sdp_gets_an_offer_and_the_answer_comes_in_the_ack) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    int applied = audio->applied;
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1"));
    EXPECT_NE(last_sent().find("m=audio"), std::string::npos);
    deliver(in_dialog("ACK", to_tag, 2, "z9hG4bKack2", sdp_with("sendrecv")));
    EXPECT_EQ(audio->applied, applied + 1);
}

TEST_F(session_fixture, update_rfc3311_changes_the_session_or_just_refreshes_it) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", sdp_with("sendonly")));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(ok.find("a=recvonly"), std::string::npos) << "the answer is in the 2xx";
    EXPECT_NE(ok.find("Contact: "), std::string::npos) << "UPDATE is a target refresh";
    EXPECT_EQ(app.events.back(), "held");
    deliver(in_dialog("UPDATE", to_tag, 3, "z9hG4bKu2"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"}) << "no body: a refresh";
    EXPECT_EQ(layer->size(), 1u);
}

TEST_F(session_fixture, update_with_an_offer_while_ours_is_unanswered_is_491) {
    deliver(invite("call-1", "")); // delayed offer: our offer in the 200
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", sdp_with("sendrecv")));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 491 Request Pending"});
}

TEST_F(session_fixture, lower_cseq_in_dialog_is_500_and_unclaimed_requests_get_defaults) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    deliver(in_dialog("INFO", to_tag, 5, "z9hG4bKi1"));
    deliver(in_dialog("OPTIONS", to_tag, 4, "z9hG4bKo1"));
    deliver(in_dialog("SUBSCRIBE", to_tag, 6, "z9hG4bKs1"));
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 500 CSeq Out of Order",
                                   "SIP/2.0 405 Method Not Allowed"}));
}

TEST_F(session_fixture, terminate_before_the_answer_rejects_and_after_it_sends_bye) {
    app.what = policy::ring_then_wait;
    deliver(invite());
    sent_lines();
    ASSERT_TRUE(layer->terminate(app.last));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 603 Decline"});
    EXPECT_FALSE(layer->terminate(app.last)) << "a stale handle is refused, not a crash";
}

/// The default INVITE's offer, for INVITEs that add headers of their own.
constexpr std::string_view audio_offer =
    "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 20000 RTP/AVP 0\n"
    "a=rtpmap:0 PCMU/8000\n";

struct timer_fixture : session_fixture {
    void with_timers(session_timer_mode mode) {
        layer = std::make_unique<session_layer>(
            transactions, sender, wheel, registry, app,
            session_layer_options{.timers = {.mode = mode, .session_expires = 600, .min_se = 90}});
        tu.to = layer.get();
        app.layer = layer.get();
    }
};

TEST_F(timer_fixture, rfc4028_too_small_an_interval_gets_422_with_min_se) {
    with_timers(session_timer_mode::on);
    deliver(invite("call-1", audio_offer,
                   "Contact: <sip:alice@127.0.0.1:5062>\nSupported: timer\nSession-Expires: 60\n"));
    std::string answer = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 422 Session Interval Too Small"});
    EXPECT_NE(answer.find("Min-SE: 90\r\n"), std::string::npos);
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(timer_fixture, rfc4028_the_caller_refreshes_and_silence_ends_the_call) {
    with_timers(session_timer_mode::on);
    deliver(invite("call-1", audio_offer,
                   "Contact: <sip:alice@127.0.0.1:5062>\nSupported: timer\nSession-Expires: "
                   "120;refresher=uac\n"));
    std::string ok = last_sent();
    EXPECT_NE(ok.find("Session-Expires: 120;refresher=uac\r\n"), std::string::npos) << ok;
    EXPECT_NE(ok.find("Require: timer\r\n"), std::string::npos);
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    // A refresh (UPDATE) at 60 s restarts the clock...
    advance(seconds(60));
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1"));
    EXPECT_NE(last_sent().find("Session-Expires: 120;refresher=uac\r\n"), std::string::npos)
        << "§9: the refresh's 2xx keeps the timer on";
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    advance(seconds(60));
    EXPECT_TRUE(sent_lines().empty()) << "still within the interval after the refresh";
    // ...then silence: after 120 - min(32, 40) = 88 s without one, BYE with a Reason (§10).
    advance(seconds(30));
    std::string bye = last_sent();
    EXPECT_TRUE(bye.starts_with("BYE ")) << bye;
    EXPECT_NE(bye.find("Reason: SIP;cause=408;text=\"Session timer expired\""), std::string::npos);
}

TEST_F(timer_fixture, rfc4028_always_we_refresh_a_caller_without_timers) {
    with_timers(session_timer_mode::always);
    deliver(invite());
    std::string ok = last_sent();
    EXPECT_NE(ok.find("Session-Expires: 600;refresher=uas\r\n"), std::string::npos) << ok;
    EXPECT_EQ(ok.find("Require: timer"), std::string::npos) << "the caller does not support it";
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    advance(seconds(300)); // half the interval: our refresh
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    EXPECT_TRUE(out[0].starts_with("INVITE ")) << out[0];
}

TEST_F(session_fixture, supplements_send_requests_in_the_dialog_and_hear_their_final_status) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    session* s = layer->find(app.last);
    ASSERT_NE(s, nullptr);
    std::vector<std::uint16_t> heard;
    response_extras extras;
    extras.headers.emplace_back("Event", "refer;id=1");
    extras.content_type = "message/sipfrag";
    extras.body = "SIP/2.0 100 Trying\r\n";
    ASSERT_TRUE(s->send_request(
        "NOTIFY", extras, [&](std::uint16_t status, const message*) { heard.push_back(status); }));
    std::string notify = last_sent();
    EXPECT_EQ(sent_lines(), lines{"NOTIFY sip:alice@127.0.0.1:5062 SIP/2.0"});
    EXPECT_NE(notify.find("CSeq: 1 NOTIFY\r\n"), std::string::npos) << notify;
    EXPECT_NE(notify.find("Event: refer;id=1\r\n"), std::string::npos);
    // The peer answers it.
    auto sent = std::make_unique<message>();
    ASSERT_TRUE(parse_message(notify, *sent, {.buffer = buffer_use::copy}));
    deliver("SIP/2.0 200 OK\nVia: " + std::string(sent->find(header_id::via)->value) +
            "\nFrom: " + std::string(sent->from().text) + "\nTo: " + std::string(sent->to().text) +
            "\nCall-ID: call-1\nCSeq: 1 NOTIFY\n\n");
    EXPECT_EQ(heard, std::vector<std::uint16_t>{200});
    // The layer sends INVITE, ACK, CANCEL, PRACK and BYE itself.
    EXPECT_EQ(s->send_request("BYE").error_value().status, 500);
    // A timeout is a 408 for the callback and does not end the session (RFC 5057).
    ASSERT_TRUE(s->send_request("INFO", {}, [&](std::uint16_t status, const message* m) {
        heard.push_back(status);
        EXPECT_EQ(m, nullptr);
    }));
    advance(seconds(40));
    EXPECT_EQ(heard, (std::vector<std::uint16_t>{200, 408}));
    EXPECT_EQ(layer->size(), 1u);
}

TEST_F(session_fixture, a_notify_matching_no_subscription_gets_481) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    deliver(in_dialog("NOTIFY", to_tag, 2, "z9hG4bKn1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 Subscription Does Not Exist"});
    EXPECT_EQ(layer->size(), 1u);
}

TEST_F(session_fixture, the_session_limit_answers_503_with_retry_after) {
    layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, app,
                                            session_layer_options{.max_sessions = 1});
    tu.to = layer.get();
    app.layer = layer.get();
    app.what = policy::ring_then_wait;
    deliver(invite("call-1"));
    deliver(invite("call-2", {}, "Contact: <sip:alice@127.0.0.1:5062>\n", "z9hG4bKinv2"));
    EXPECT_NE(last_sent().find("Retry-After: 5"), std::string::npos);
    lines sent = sent_lines();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1], "SIP/2.0 503 Service Unavailable");
}

} // namespace
} // namespace parley::test
