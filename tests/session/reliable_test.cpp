// RFC 3262 reliable provisional responses and PRACK, as UAS and as UAC, and the Require /
// Supported negotiation of a new INVITE (420, 421): one rule per test, on a manual clock.
#include "session_fixture.hpp"

#include <parley/sip/header_values.hpp>

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

constexpr std::string_view offer_sdp = "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 "
                                       "127.0.0.1\nt=0 0\nm=audio 20000 RTP/AVP 0\n";
constexpr std::string_view answer_sdp = "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 "
                                        "127.0.0.1\nt=0 0\nm=audio 20000 RTP/AVP 0\n";
constexpr std::string_view contact = "Contact: <sip:alice@127.0.0.1:5062>\n";

struct reliable_fixture : session_fixture {
    void with(session_layer_options options) {
        layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, app,
                                                std::move(options));
        tu.to = layer.get();
        app.layer = layer.get();
    }
    void SetUp() override {
        session_fixture::SetUp();
        app.what = policy::ring_then_wait;
    }
    std::string prack(std::string_view to_tag, int cseq, std::string_view rack,
                      std::string_view branch, std::string_view body = {}) {
        std::string p = in_dialog("PRACK", to_tag, cseq, branch, body);
        p.insert(p.find("Max-Forwards"), "RAck: " + std::string(rack) + "\n");
        return p;
    }
};

TEST_F(reliable_fixture, a_required_100rel_makes_the_180_reliable_until_its_prack) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string ringing = last_sent();
    std::string to_tag = last_to_tag();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    EXPECT_EQ(header_of(ringing, "Require"), "100rel");
    std::string rseq = header_of(ringing, "RSeq");
    ASSERT_FALSE(rseq.empty());
    EXPECT_NE(header_of(ringing, "Supported").find("100rel"), std::string::npos);
    EXPECT_EQ(layer->stats().reliable_provisionals, 1u);
    // §3: retransmitted at T1, 2*T1, ... (no T2 cap) until the PRACK.
    advance(milliseconds(500));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    advance(milliseconds(1000));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    deliver(prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    advance(seconds(8));
    EXPECT_TRUE(sent_lines().empty()) << "never again once PRACKed";
}

TEST_F(reliable_fixture, the_2xx_waits_for_the_prack_of_the_reliable_183) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string ringing = last_sent();
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(prack(to_tag, 2, header_of(ringing, "RSeq") + " 1 INVITE", "z9hG4bKpr0"));
    sent_lines();
    ASSERT_TRUE(layer->progress(app.last));
    std::string progress = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 183 Session Progress"});
    EXPECT_NE(progress.find("m=audio 30000"), std::string::npos) << "the answer, reliably";
    ASSERT_TRUE(layer->answer(app.last));
    EXPECT_TRUE(sent_lines().empty()) << "§3: no 2xx before the PRACK";
    deliver(prack(to_tag, 3, header_of(progress, "RSeq") + " 1 INVITE", "z9hG4bKpr1"));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 200 OK"}));
    EXPECT_EQ(header_of(ok, "CSeq"), "1 INVITE");
    EXPECT_EQ(ok.find("m=audio"), std::string::npos)
        << "the exchange completed in the 183: no SDP in the 2xx";
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    EXPECT_EQ(app.events, (lines{"incoming", "confirmed"}));
}

TEST_F(reliable_fixture, a_second_provisional_waits_for_the_first_prack) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string ringing = last_sent();
    std::string to_tag = last_to_tag();
    sent_lines();
    ASSERT_TRUE(layer->progress(app.last));
    EXPECT_TRUE(sent_lines().empty()) << "§3: one unacknowledged reliable provisional at a time";
    std::string rseq = header_of(ringing, "RSeq");
    deliver(prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1"));
    std::string progress = last_sent();
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 183 Session Progress"}));
    EXPECT_EQ(header_of(progress, "RSeq"), std::to_string(std::stoul(rseq) + 1));
}

TEST_F(reliable_fixture, a_prack_matching_nothing_gets_481_and_one_without_rack_400) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string rseq = header_of(last_sent(), "RSeq");
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(prack(to_tag, 2, std::to_string(std::stoul(rseq) + 5) + " 1 INVITE", "z9hG4bKp1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 No Such Reliable Provisional"});
    deliver(prack(to_tag, 3, rseq + " 7 INVITE", "z9hG4bKp2"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 No Such Reliable Provisional"}) << "wrong CSeq";
    deliver(in_dialog("PRACK", to_tag, 4, "z9hG4bKp3"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 400 Missing or Bad RAck"});
    deliver(prack(to_tag, 5, rseq + " 1 INVITE", "z9hG4bKp4"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    deliver(prack(to_tag, 6, rseq + " 1 INVITE", "z9hG4bKp5"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 No Such Reliable Provisional"})
        << "already acknowledged";
    EXPECT_EQ(layer->stats().prack_481, 3u);
}

TEST_F(reliable_fixture, no_prack_within_64_t1_fails_the_invite_with_a_5xx) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    sent_lines();
    advance(seconds(33));
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(), "SIP/2.0 500 Reliable Provisional Response Not Acknowledged");
    EXPECT_EQ(app.events.back(), "ended:" + std::to_string(static_cast<int>(end_reason::no_prack)));
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(reliable_fixture, without_an_offer_the_reliable_180_offers_and_the_prack_answers) {
    deliver(invite("call-1", {}, std::string(contact) + "Require: 100rel\n"));
    std::string ringing = last_sent();
    std::string to_tag = last_to_tag();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    EXPECT_NE(ringing.find("m=audio 30000"), std::string::npos) << "§5: our offer";
    deliver(prack(to_tag, 2, header_of(ringing, "RSeq") + " 1 INVITE", "z9hG4bKpr1", answer_sdp));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(audio->applied, 1) << "media starts with the answer in the PRACK";
    ASSERT_TRUE(layer->answer(app.last));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(ok.find("m=audio"), std::string::npos) << "no new offer in the 2xx";
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    EXPECT_EQ(app.events, (lines{"incoming", "confirmed"}));
}

TEST_F(reliable_fixture, a_prack_without_the_answer_to_our_offer_fails_the_invite_488) {
    deliver(invite("call-1", {}, std::string(contact) + "Require: 100rel\n"));
    std::string rseq = header_of(last_sent(), "RSeq");
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1"));
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 488 No Usable Answer in PRACK"}));
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(reliable_fixture, a_prack_may_carry_a_new_offer_once_the_first_exchange_is_done) {
    app.what = policy::wait; // no 180: the test sends the 183 itself
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    sent_lines();
    ASSERT_TRUE(layer->progress(app.last));
    std::string rseq = header_of(last_sent(), "RSeq");
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1", offer_sdp));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(ok.find("m=audio 30000"), std::string::npos) << "§5: the answer in the 200";
}

TEST_F(reliable_fixture, an_offer_in_a_prack_before_our_answer_gets_500) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string rseq = header_of(last_sent(), "RSeq"); // a 180 without our answer
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1", offer_sdp));
    std::string refused = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 500 Offer Pending"});
    EXPECT_FALSE(header_of(refused, "Retry-After").empty());
}

TEST_F(reliable_fixture, a_reliable_provisional_is_retransmitted_over_tcp_too) {
    // RFC 3262 §3 names no transport: the 18x goes again every T1, doubling, until the PRACK.
    peer.protocol = transport_protocol::tcp;
    std::string request = invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n");
    request.replace(request.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
    deliver(request);
    std::string rseq = header_of(last_sent(), "RSeq");
    std::string to_tag = last_to_tag();
    sent_lines();
    advance(milliseconds(500));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    advance(milliseconds(1000));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 180 Ringing"});
    std::string pr = prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1");
    pr.replace(pr.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
    deliver(pr);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"}) << "the PRACK's 200";
    advance(seconds(10));
    EXPECT_EQ(sent_lines(), lines{});
}

TEST_F(reliable_fixture, a_refused_prack_still_acknowledges_its_provisional) {
    // RFC 3262 §3: a PRACK matching the provisional acknowledges it whatever its body gets. The
    // 180 is not sent again and the call does not fail 64*T1 later for want of a PRACK.
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string rseq = header_of(last_sent(), "RSeq");
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(prack(to_tag, 2, rseq + " 1 INVITE", "z9hG4bKpr1", offer_sdp));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 500 Offer Pending"});
    advance(seconds(40));
    EXPECT_EQ(sent_lines(), lines{}) << "no 180 again, no 500 to the INVITE";
    // The caller retries as our Retry-After asks (a new PRACK, no offer this time): it is taken,
    // not refused with 481 (which would end the dialog, RFC 3261 §12.2.1.2); once only.
    deliver(prack(to_tag, 3, rseq + " 1 INVITE", "z9hG4bKpr2"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    deliver(prack(to_tag, 4, rseq + " 1 INVITE", "z9hG4bKpr3"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 No Such Reliable Provisional"});
    ASSERT_TRUE(layer->answer(app.last));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
}

TEST_F(reliable_fixture, an_early_update_may_offer_only_once_our_answer_went_reliably) {
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    std::string ringing = last_sent(); // a reliable 180 without our answer
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", offer_sdp));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 500 Offer Pending"}) << "RFC 3311 §5.2";
    deliver(prack(to_tag, 3, header_of(ringing, "RSeq") + " 1 INVITE", "z9hG4bKp1"));
    ASSERT_TRUE(layer->progress(app.last));
    std::string progress = last_sent();
    deliver(prack(to_tag, 4, header_of(progress, "RSeq") + " 1 INVITE", "z9hG4bKp2"));
    sent_lines();
    deliver(in_dialog("UPDATE", to_tag, 5, "z9hG4bKu2", offer_sdp));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(ok.find("m=audio 30000"), std::string::npos) << "the answer in the UPDATE's 2xx";
}

TEST_F(reliable_fixture, we_may_update_our_early_dialog_once_our_answer_was_pracked) {
    app.what = policy::wait;
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel\n"));
    ASSERT_TRUE(layer->progress(app.last));
    std::string progress = last_sent();
    std::string to_tag = last_to_tag();
    sent_lines();
    std::vector<std::uint16_t> heard;
    ASSERT_TRUE(layer->send_refresh(
        app.last, refresh_method::update,
        [&](session_handle, session&, std::uint16_t status) { heard.push_back(status); }));
    EXPECT_TRUE(sent_lines().empty()) << "waits for the PRACK of our answer";
    deliver(prack(to_tag, 2, header_of(progress, "RSeq") + " 1 INVITE", "z9hG4bKp1"));
    lines out = sent_lines();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], "SIP/2.0 200 OK");
    EXPECT_EQ(out[1], "UPDATE sip:alice@127.0.0.1:5062 SIP/2.0") << "in the early dialog";
}

TEST_F(reliable_fixture, a_bye_in_the_early_dialog_still_gets_the_invite_answered) {
    deliver(invite("call-1", offer_sdp, std::string(contact)));
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("BYE", to_tag, 2, "z9hG4bKb1"));
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 487 Request Terminated"}))
        << "RFC 3261 §15.1.2";
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(reliable_fixture, the_policy_decides_when_provisionals_go_reliably) {
    struct row {
        reliable_mode mode;
        std::string_view caller; ///< the caller's extension headers
        std::string_view first;  ///< our first response
        bool reliable;
    };
    const row rows[] = {
        {reliable_mode::supported, "Supported: 100rel\n", "SIP/2.0 180 Ringing", false},
        {reliable_mode::supported, "Require: 100rel\n", "SIP/2.0 180 Ringing", true},
        {reliable_mode::peer_supported, "Supported: 100rel\n", "SIP/2.0 180 Ringing", true},
        {reliable_mode::peer_supported, "", "SIP/2.0 180 Ringing", false},
        {reliable_mode::required, "Supported: 100rel\n", "SIP/2.0 180 Ringing", true},
        {reliable_mode::required, "", "SIP/2.0 421 Extension Required", false},
        {reliable_mode::off, "Require: 100rel\n", "SIP/2.0 420 Bad Extension", false},
        {reliable_mode::off, "Supported: 100rel\n", "SIP/2.0 180 Ringing", false},
    };
    int n = 0;
    for (const row& r : rows) {
        with({.reliable_provisionals = r.mode});
        sent_lines(); // the previous layer answered its ringing INVITE (487) as it went
        std::string call = "call-p" + std::to_string(++n);
        deliver(invite(call, offer_sdp, std::string(contact) + std::string(r.caller),
                       "z9hG4bK" + call));
        std::string first = last_sent();
        lines out = sent_lines();
        ASSERT_EQ(out.size(), 1u) << n;
        EXPECT_EQ(out[0], r.first) << n;
        EXPECT_EQ(!header_of(first, "RSeq").empty(), r.reliable) << n;
        if (r.first.find("421") != std::string_view::npos) {
            EXPECT_EQ(header_of(first, "Require"), "100rel");
        }
        if (r.first.find("420") != std::string_view::npos) {
            EXPECT_EQ(header_of(first, "Unsupported"), "100rel");
        }
    }
}

TEST_F(reliable_fixture, the_policy_source_chooses_per_invite) {
    struct by_user final : session_policy_source {
        session_policy policy_for(const message& invite, session&) noexcept override {
            session_policy p;
            if (invite.request_uri().user == "bob") p.reliable = reliable_mode::off;
            return p;
        }
    } source;
    with({.policies = &source});
    deliver(invite("call-1", offer_sdp, std::string(contact) + "Require: 100rel, timer\n"));
    std::string refused = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 420 Bad Extension"});
    EXPECT_EQ(header_of(refused, "Unsupported"), "100rel, timer");
}

// ---- as UAC -------------------------------------------------------------------------------------

struct uac_fixture : reliable_fixture {
    std::string invite_text;
    session_handle start(offer_timing timing = offer_timing::in_invite) {
        auto h = layer->call({.request_uri = "sip:bob@127.0.0.1:5062",
                              .from = "<sip:parley@127.0.0.1>",
                              .destination = peer,
                              .offer = timing});
        EXPECT_TRUE(h);
        invite_text = last_sent();
        sent_lines();
        return h ? *h : session_handle{};
    }
    void respond(int status, std::string_view tag, std::string_view extra,
                 std::string_view body = {}) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(invite_text, *m, {.buffer = buffer_use::copy}));
        std::string r =
            "SIP/2.0 " + std::to_string(status) +
            " X\nVia: " + std::string(m->find(header_id::via)->value) +
            "\nFrom: " + std::string(m->from().text) + "\nTo: " + std::string(m->to().text) +
            ";tag=" + std::string(tag) + "\nCall-ID: " + std::string(m->call_id()) +
            "\nCSeq: 1 INVITE\nContact: <sip:bob@127.0.0.1:5062>\n" + std::string(extra);
        if (!body.empty()) r += "Content-Type: application/sdp\n";
        r += "\n";
        r += body;
        deliver(r);
    }
};

TEST_F(uac_fixture, each_reliable_provisional_is_pracked_once_in_rseq_order) {
    start();
    EXPECT_EQ(header_of(invite_text, "Supported"), "100rel");
    respond(180, "b1", "Require: 100rel\nRSeq: 7\n");
    std::string prack = last_sent();
    EXPECT_EQ(sent_lines(), lines{"PRACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    EXPECT_EQ(header_of(prack, "RAck"), "7 1 INVITE");
    EXPECT_EQ(header_of(prack, "CSeq"), "2 PRACK");
    respond(180, "b1", "Require: 100rel\nRSeq: 7\n");
    EXPECT_TRUE(sent_lines().empty()) << "§4: a retransmission is discarded";
    respond(183, "b1", "Require: 100rel\nRSeq: 9\n");
    EXPECT_TRUE(sent_lines().empty()) << "§4: out of order: not PRACKed";
    respond(183, "b1", "Require: 100rel\nRSeq: 8\n", answer_sdp);
    EXPECT_EQ(header_of(last_sent(), "RAck"), "8 1 INVITE");
    EXPECT_EQ(sent_lines(), lines{"PRACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    respond(180, "b2", "Require: 100rel\nRSeq: 100\n");
    EXPECT_EQ(header_of(last_sent(), "RAck"), "100 1 INVITE") << "another fork: its own order";
    sent_lines();
    respond(200, "b1", "", answer_sdp);
    std::string ack = last_sent();
    EXPECT_EQ(sent_lines(), lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    EXPECT_EQ(header_of(ack, "CSeq"), "1 ACK");
    EXPECT_EQ(app.events, lines{"confirmed"});
}

TEST_F(uac_fixture, without_our_offer_the_reliable_183_offers_and_our_prack_answers) {
    start(offer_timing::delayed);
    respond(183, "b1", "Require: 100rel\nRSeq: 1\n", offer_sdp);
    std::string prack = last_sent();
    EXPECT_EQ(sent_lines(), lines{"PRACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    EXPECT_NE(prack.find("m=audio 30000"), std::string::npos) << "§5: our answer in the PRACK";
    EXPECT_EQ(audio->applied, 1);
    respond(200, "b1", "");
    std::string ack = last_sent();
    EXPECT_EQ(sent_lines(), lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    EXPECT_EQ(ack.find("m=audio"), std::string::npos) << "the exchange is done: no SDP";
    EXPECT_EQ(app.events, lines{"confirmed"});
}

TEST_F(uac_fixture, a_sharded_layer_places_calls_with_call_ids_it_owns) {
    std::vector<std::string> asked;
    with({.owns_call_id = [&](std::string_view id) {
        asked.emplace_back(id);
        return asked.size() == 3; // the third one drawn belongs to "this shard"
    }});
    start();
    ASSERT_EQ(asked.size(), 3u);
    EXPECT_EQ(header_of(invite_text, "Call-ID"), asked[2]);
    with({.owns_call_id = [](std::string_view) { return false; }});
    auto h = layer->call({.request_uri = "sip:bob@127.0.0.1:5062",
                          .from = "<sip:parley@127.0.0.1>",
                          .destination = peer});
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error_value().status, 500) << "bounded: no endless draw";
}

TEST_F(uac_fixture, a_call_carries_the_headers_the_application_gives) {
    auto h = layer->call({.request_uri = "sip:bob@127.0.0.1:5062",
                          .from = "<sip:parley@127.0.0.1>",
                          .destination = peer,
                          .headers = {{"Referred-By", "<sip:alice@127.0.0.1>"},
                                      {"Replaces", "abc@h;to-tag=1;from-tag=2"}}});
    ASSERT_TRUE(h);
    std::string sent = last_sent();
    EXPECT_EQ(header_of(sent, "Referred-By"), "<sip:alice@127.0.0.1>");
    EXPECT_EQ(header_of(sent, "Replaces"), "abc@h;to-tag=1;from-tag=2");
}

TEST_F(uac_fixture, the_callee_may_update_its_early_dialog) {
    start();
    respond(183, "b1", "Require: 100rel\nRSeq: 1\n", answer_sdp);
    sent_lines(); // our PRACK
    auto ours = std::make_unique<message>();
    ASSERT_TRUE(parse_message(invite_text, *ours, {.buffer = buffer_use::copy}));
    auto from_callee = [&](std::string_view method, int cseq, std::string_view body) {
        std::string r = std::string(method) +
                        " sip:parley@127.0.0.1:5060 SIP/2.0\nVia: SIP/2.0/UDP "
                        "127.0.0.1:5062;branch=z9hG4bKc" +
                        std::to_string(cseq) +
                        "\nFrom: <sip:bob@127.0.0.1:5062>;tag=b1\nTo: <sip:parley@127.0.0.1>;tag=" +
                        std::string(ours->from().tag) +
                        "\nCall-ID: " + std::string(ours->call_id()) +
                        "\nCSeq: " + std::to_string(cseq) + " " + std::string(method) +
                        "\nContact: <sip:bob@127.0.0.1:5062>\nMax-Forwards: 70\n";
        if (!body.empty()) r += "Content-Type: application/sdp\n";
        r += "\n";
        r += body;
        deliver(r);
    };
    from_callee("UPDATE", 2, offer_sdp);
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(ok.find("m=audio 30000"), std::string::npos) << "our answer in the 200";
    from_callee("INFO", 3, {});
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    // A request on an early dialog we never saw is still 481.
    std::string stray = "INFO sip:parley@127.0.0.1:5060 SIP/2.0\nVia: SIP/2.0/UDP "
                        "127.0.0.1:5062;branch=z9hG4bKc9\nFrom: <sip:bob@127.0.0.1:5062>;tag=zz\n"
                        "To: <sip:parley@127.0.0.1>;tag=" +
                        std::string(ours->from().tag) +
                        "\nCall-ID: " + std::string(ours->call_id()) +
                        "\nCSeq: 9 INFO\nMax-Forwards: 70\n\n";
    deliver(stray);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 Call/Transaction Does Not Exist"});
    respond(200, "b1", "");
    EXPECT_EQ(sent_lines(), lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    EXPECT_EQ(app.events, lines{"confirmed"});
}

TEST_F(uac_fixture, replacing_our_early_dialog_cancels_our_invite) {
    app.what = policy::answer;
    start();
    respond(180, "b1", "");
    auto ours = std::make_unique<message>();
    ASSERT_TRUE(parse_message(invite_text, *ours, {.buffer = buffer_use::copy}));
    // RFC 3891 §3: an INVITE replacing an early dialog we initiated is accepted, and the
    // replaced one is CANCELled once the new one is up.
    deliver(invite("call-9", offer_sdp,
                   std::string(contact) + "Replaces: " + std::string(ours->call_id()) +
                       ";to-tag=" + std::string(ours->from().tag) + ";from-tag=b1\n",
                   "z9hG4bKrep"));
    std::string tag = last_to_tag();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    deliver(in_dialog("ACK", tag, 1, "z9hG4bKrepack", {}, "call-9"));
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0], "CANCEL sip:bob@127.0.0.1:5062 SIP/2.0");
}

TEST_F(uac_fixture, with_100rel_off_we_neither_advertise_nor_prack) {
    with({.reliable_provisionals = reliable_mode::off});
    start();
    EXPECT_EQ(header_of(invite_text, "Supported"), "");
    respond(180, "b1", "Require: 100rel\nRSeq: 7\n");
    EXPECT_TRUE(sent_lines().empty());
}

} // namespace
} // namespace parley::test
