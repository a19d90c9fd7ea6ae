// Outgoing sessions: the UAC half of the INVITE life cycle.
#include "session_fixture.hpp"

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

std::string remote_answer() {
    return "v=0\no=bob 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
           "m=audio 40000 RTP/AVP 0\na=sendrecv\n";
}

struct outgoing_fixture : session_fixture {
    std::vector<std::string> progress;
    std::string invite_text;

    void SetUp() override {
        session_fixture::SetUp();
        app.what = policy::answer;
    }
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
    /// The callee's response to our INVITE.
    void respond(int status, std::string_view tag, std::string_view body = {}) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(invite_text, *m, {.buffer = buffer_use::copy}));
        std::string r = "SIP/2.0 " + std::to_string(status) +
                        " X\nVia: " + std::string(m->find(header_id::via)->value) +
                        "\nFrom: " + std::string(m->from().text) +
                        "\nTo: " + std::string(m->to().text) +
                        (tag.empty() ? "" : ";tag=" + std::string(tag)) +
                        "\nCall-ID: " + std::string(m->call_id()) +
                        "\nCSeq: 1 INVITE\n"
                        "Contact: <sip:bob@127.0.0.1:5062>\n";
        if (!body.empty()) r += "Content-Type: application/sdp\n";
        r += "\n";
        r += body;
        deliver(r);
    }
};

TEST_F(outgoing_fixture, a_call_rings_is_answered_acked_and_confirmed) {
    start();
    EXPECT_TRUE(invite_text.starts_with("INVITE sip:bob@127.0.0.1:5062 SIP/2.0\r\n"));
    EXPECT_NE(invite_text.find("m=audio 30000 RTP/AVP 0"), std::string::npos)
        << "the handlers' offer";
    respond(180, "b1");
    respond(200, "b1", remote_answer());
    lines sent = sent_lines();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], "ACK sip:bob@127.0.0.1:5062 SIP/2.0");
    EXPECT_EQ(app.events, lines{"confirmed"});
    EXPECT_EQ(audio->applied, 1);
    // A retransmitted 2xx gets the same ACK again (RFC 6026 §7.2).
    respond(200, "b1", remote_answer());
    EXPECT_EQ(sent_lines(), lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    // The callee hangs up.
    deliver("BYE sip:parley@127.0.0.1:5060 SIP/2.0\nVia: SIP/2.0/UDP "
            "127.0.0.1:5062;branch=z9hG4bKbye1\n"
            "From: <sip:bob@127.0.0.1:5062>;tag=b1\nTo: <sip:parley@127.0.0.1>;tag=" +
            [&] {
                auto m = std::make_unique<message>();
                (void)parse_message(invite_text, *m, {.buffer = buffer_use::copy});
                return std::string(m->from().tag) + "\nCall-ID: " + std::string(m->call_id());
            }() +
            "\nCSeq: 1 BYE\n\n");
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(outgoing_fixture, after_our_invite_transaction_ends_the_call_goes_on_without_its_state) {
    session_handle h = start();
    respond(200, "b1", remote_answer());
    sent_lines();
    // RFC 6026: the INVITE client transaction leaves Accepted after 64*T1; the session drops
    // what only that transaction's responses needed (the parsed INVITE, the forks).
    advance(std::chrono::seconds(40));
    EXPECT_EQ(layer->size(), 1u);
    respond(200, "b1", remote_answer()); // a late copy of the 2xx: still ACKed
    EXPECT_EQ(sent_lines(), lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    respond(200, "c1", remote_answer()); // another fork's, now stray: nothing matches it
    EXPECT_TRUE(sent_lines().empty());
    ASSERT_TRUE(layer->send_reinvite(h)); // the dialog works as before
    lines sent = sent_lines();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], "INVITE sip:bob@127.0.0.1:5062 SIP/2.0");
    ASSERT_TRUE(layer->terminate(h));
    EXPECT_EQ(layer->size(), 1u) << "the BYE waits for the re-INVITE";
}

TEST_F(outgoing_fixture, a_rejection_ends_the_session_with_its_status) {
    session_handle h = start();
    respond(486, "b1");
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events,
              lines{"ended:" + std::to_string(static_cast<int>(end_reason::remote_rejected))});
    (void)h;
}

TEST_F(outgoing_fixture, an_extra_2xx_from_another_fork_is_acked_and_sent_bye) {
    start();
    respond(200, "b1", remote_answer());
    sent_lines();
    respond(200, "c1", remote_answer());
    lines sent = sent_lines();
    EXPECT_EQ(sent,
              (lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0", "BYE sip:bob@127.0.0.1:5062 SIP/2.0"}));
    EXPECT_EQ(layer->size(), 1u) << "the first 2xx is still the call";
}

TEST_F(outgoing_fixture, cancel_before_the_answer_and_the_200_that_crosses_it_rfc5407) {
    session_handle h = start();
    respond(180, "b1");
    ASSERT_TRUE(layer->terminate(h));
    EXPECT_EQ(sent_lines(), lines{"CANCEL sip:bob@127.0.0.1:5062 SIP/2.0"});
    respond(200, "b1", remote_answer()); // crossed our CANCEL
    EXPECT_EQ(sent_lines(),
              (lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0", "BYE sip:bob@127.0.0.1:5062 SIP/2.0"}));
}

TEST_F(outgoing_fixture, cancel_ends_with_the_487) {
    session_handle h = start();
    respond(180, "b1");
    ASSERT_TRUE(layer->terminate(h));
    sent_lines();
    respond(487, "b1");
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(),
              "ended:" + std::to_string(static_cast<int>(end_reason::local_hangup)));
}

TEST_F(outgoing_fixture, delayed_offer_answers_in_the_ack) {
    start(offer_timing::delayed);
    EXPECT_EQ(invite_text.find("m=audio"), std::string::npos) << "no SDP in the INVITE";
    respond(200, "b1", remote_answer());
    std::string ack = last_sent();
    EXPECT_TRUE(ack.starts_with("ACK ")) << ack;
    EXPECT_NE(ack.find("m=audio 30000 RTP/AVP 0"), std::string::npos) << "our answer in the ACK";
    EXPECT_EQ(app.events, lines{"confirmed"});
}

TEST_F(outgoing_fixture, no_answer_is_a_timeout) {
    start();
    advance(seconds(40));
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events,
              lines{"ended:" + std::to_string(static_cast<int>(end_reason::no_answer))});
}

TEST_F(outgoing_fixture, a_2xx_with_unusable_sdp_is_acked_then_ended) {
    start();
    respond(200, "b1", "v=0\ns=-\n");
    EXPECT_EQ(sent_lines(),
              (lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0", "BYE sip:bob@127.0.0.1:5062 SIP/2.0"}));
}

struct fake_credentials final : outbound_credentials {
    int asked = 0;
    std::optional<answer> answer_challenge(session&, const message& challenge,
                                           std::string_view method,
                                           std::string_view uri) noexcept override {
        ++asked;
        EXPECT_EQ(method, "INVITE");
        EXPECT_EQ(uri, "sip:bob@127.0.0.1:5062");
        EXPECT_NE(challenge.find(header_id::www_authenticate), nullptr);
        return answer{"Authorization", "Digest username=\"parley\", response=\"x\""};
    }
};

TEST_F(outgoing_fixture, a_challenge_is_answered_with_credentials_a_bounded_number_of_times) {
    fake_credentials credentials;
    layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, app,
                                            session_layer_options{.credentials = &credentials});
    tu.to = layer.get();
    app.layer = layer.get();
    start();
    auto challenge = [&](int status) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(invite_text, *m, {.buffer = buffer_use::copy}));
        deliver("SIP/2.0 " + std::to_string(status) +
                " Unauthorized\nVia: " + std::string(m->find(header_id::via)->value) +
                "\nFrom: " + std::string(m->from().text) + "\nTo: " + std::string(m->to().text) +
                ";tag=srv\nCall-ID: " + std::string(m->call_id()) +
                "\nCSeq: " + std::to_string(m->cseq().number) +
                " INVITE\n"
                "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"abc\", algorithm=MD5\n\n");
    };
    auto last_invite = [&] {
        for (auto it = sender.sent.rbegin(); it != sender.sent.rend(); ++it)
            if (it->starts_with("INVITE ")) return *it;
        return std::string();
    };
    challenge(401);
    std::string again = last_invite();
    ASSERT_TRUE(again.starts_with("INVITE ")) << again;
    EXPECT_NE(again.find("CSeq: 2 INVITE"), std::string::npos);
    EXPECT_NE(again.find("Authorization: Digest username=\"parley\""), std::string::npos);
    invite_text = again;
    challenge(401);
    invite_text = last_invite();
    EXPECT_NE(invite_text.find("CSeq: 3 INVITE"), std::string::npos);
    challenge(401); // a third: beyond max_challenges (2), the session ends
    EXPECT_EQ(credentials.asked, 2);
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(),
              "ended:" + std::to_string(static_cast<int>(end_reason::remote_rejected)));
}

TEST_F(outgoing_fixture, redirects_are_followed_to_numeric_contacts_a_bounded_number_of_times) {
    layer = std::make_unique<session_layer>(
        transactions, sender, wheel, registry, app,
        session_layer_options{.redirects = redirect_policy::follow, .max_redirects = 2});
    tu.to = layer.get();
    app.layer = layer.get();
    start();
    auto last_invite = [&] {
        for (auto it = sender.sent.rbegin(); it != sender.sent.rend(); ++it)
            if (it->starts_with("INVITE ")) return *it;
        return std::string();
    };
    auto redirect = [&](std::string_view contact) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(invite_text, *m, {.buffer = buffer_use::copy}));
        deliver(
            "SIP/2.0 302 Moved Temporarily\nVia: " + std::string(m->find(header_id::via)->value) +
            "\nFrom: " + std::string(m->from().text) + "\nTo: " + std::string(m->to().text) +
            ";tag=r1\nCall-ID: " + std::string(m->call_id()) +
            "\nCSeq: " + std::to_string(m->cseq().number) +
            " INVITE\nContact: " + std::string(contact) + "\n\n");
    };
    redirect("<sip:carol@127.0.0.1:5070>");
    invite_text = last_invite();
    EXPECT_TRUE(invite_text.starts_with("INVITE sip:carol@127.0.0.1:5070 SIP/2.0\r\n"))
        << invite_text;
    EXPECT_NE(invite_text.find("CSeq: 2 INVITE"), std::string::npos);
    redirect("<sip:dave@127.0.0.1:5072>");
    invite_text = last_invite();
    EXPECT_TRUE(invite_text.starts_with("INVITE sip:dave@127.0.0.1:5072 SIP/2.0\r\n"));
    redirect("<sip:erin@127.0.0.1:5074>"); // a third: beyond max_redirects
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(),
              "ended:" + std::to_string(static_cast<int>(end_reason::remote_rejected)));
}

TEST_F(outgoing_fixture, by_default_a_redirect_ends_the_session_with_its_status) {
    start();
    respond(302, "r1");
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(outgoing_fixture, without_credentials_a_challenge_ends_the_session) {
    start();
    respond(407, "srv");
    EXPECT_EQ(layer->size(), 0u);
}

} // namespace
} // namespace parley::test
