// Our refreshes (re-INVITE, UPDATE with and without an offer) and RFC 4028 session timers on
// them, both directions: one rule per test, on a manual clock.
#include "session_fixture.hpp"

#include <parley/sip/header_values.hpp>

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

constexpr std::string_view peer_sdp = "v=0\no=alice 1 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 "
                                      "127.0.0.1\nt=0 0\nm=audio 20000 RTP/AVP 0\n";

struct refresh_fixture : session_fixture {
    std::string to_tag;
    void with(session_layer_options options) {
        layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, app,
                                                std::move(options));
        tu.to = layer.get();
        app.layer = layer.get();
    }
    /// An incoming call, answered and ACKed, with the caller's extra headers.
    void establish(std::string_view extra) {
        deliver(invite("call-1", peer_sdp,
                       "Contact: <sip:alice@127.0.0.1:5062>\n" + std::string(extra)));
        to_tag = last_to_tag();
        deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
        sent_lines();
    }
    /// The peer's response to a request we sent.
    void answer(const std::string& request, int status, std::string_view extra = {},
                std::string_view body = {}) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(request, *m, {.buffer = buffer_use::copy}));
        std::string r = "SIP/2.0 " + std::to_string(status) +
                        " X\nVia: " + std::string(m->find(header_id::via)->value) +
                        "\nFrom: " + std::string(m->from().text) +
                        "\nTo: " + std::string(m->to().text) +
                        "\nCall-ID: " + std::string(m->call_id()) +
                        "\nCSeq: " + std::to_string(m->cseq().number) + " " +
                        std::string(m->cseq().method_text) +
                        "\nContact: <sip:alice@127.0.0.1:5062>\n" + std::string(extra);
        if (!body.empty()) r += "Content-Type: application/sdp\n";
        r += "\n";
        r += body;
        deliver(r);
    }
    /// With our last refresh answered with an error: answers every retry (one each 5 s) with
    /// 500 until we hang up; the BYE's bytes ("" if none came) and the retries before it.
    std::pair<std::string, int> fail_refreshes_until_bye() {
        for (int retries = 0; retries < 400; ++retries) {
            advance(seconds(5));
            std::string last = last_sent();
            lines sent = sent_lines();
            EXPECT_EQ(sent.size(), 1u);
            if (sent.empty() || sent[0].starts_with("BYE")) return {last, retries};
            answer(last, 500);
            sent_lines(); // an UPDATE needs no ACK
        }
        return {"", 400};
    }
};

session_layer_options timers(session_timer_mode mode) {
    return {.timers = {.mode = mode, .session_expires = 600, .min_se = 90}};
}

TEST_F(refresh_fixture, we_refresh_by_update_without_sdp_when_the_caller_allows_update) {
    with(timers(session_timer_mode::always));
    establish("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    advance(seconds(300));
    std::string update = last_sent();
    EXPECT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    EXPECT_EQ(header_of(update, "Session-Expires"), "600;refresher=uac") << "§7.4: we are its UAC";
    EXPECT_EQ(header_of(update, "Content-Length"), "0") << "a refresh, not a media change";
    answer(update, 200, "Session-Expires: 600;refresher=uac\n");
    advance(seconds(299));
    EXPECT_TRUE(sent_lines().empty()) << "the 2xx restarted the timer";
    advance(seconds(1));
    EXPECT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
}

TEST_F(refresh_fixture, refreshes_that_keep_failing_end_the_session_when_its_interval_runs_out) {
    // RFC 4028 §10: the session interval is the longest a session lives without a refresh. Our
    // refreshes all get 500: they are retried, and when the interval is over we hang up.
    with(timers(session_timer_mode::always));
    establish("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    const time_point started = wheel.now();
    advance(seconds(300));
    std::string last = last_sent();
    ASSERT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    answer(last, 500);
    auto [bye, retries] = fail_refreshes_until_bye();
    int refreshes = 1 + retries;
    ASSERT_FALSE(bye.empty()) << "never hung up";
    EXPECT_EQ(wheel.now() - started, seconds(600)) << "at the end of the interval, not later";
    EXPECT_EQ(header_of(bye, "Reason"), "SIP;cause=408;text=\"Session timer expired\"");
    EXPECT_EQ(refreshes, 1 + 300 / 5 - 1) << "one every 5 s in between";
}

TEST_F(refresh_fixture, a_peer_offer_while_our_bodyless_update_is_in_flight_is_no_glare) {
    // RFC 3311 §5.2 and RFC 3261 §14.2 answer 491 only to an offer crossing an offer (or an
    // INVITE) of ours: our session-timer UPDATE carries none.
    with(timers(session_timer_mode::always));
    establish("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    advance(seconds(300));
    std::string refresh = last_sent();
    ASSERT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", peer_sdp));
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_NE(ok.find("m=audio"), std::string::npos) << "the answer in the UPDATE's 2xx";
    deliver(in_dialog("INVITE", to_tag, 3, "z9hG4bKri1", peer_sdp));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"}) << "a re-INVITE is answered too";
    // Our UPDATE ends normally.
    answer(refresh, 200, "Session-Expires: 600;refresher=uac\n");
    EXPECT_EQ(layer->size(), 1u);
}

TEST_F(refresh_fixture, a_422_to_a_failing_refresh_does_not_move_the_hang_up_later) {
    // The 422's Min-SE is for the next refresh; the interval running is still 600 s.
    with(timers(session_timer_mode::always));
    establish("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    const time_point started = wheel.now();
    advance(seconds(300));
    std::string last = last_sent();
    ASSERT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    answer(last, 422, "Min-SE: 1200\n");
    std::string bye = fail_refreshes_until_bye().first;
    ASSERT_FALSE(bye.empty());
    EXPECT_EQ(wheel.now() - started, seconds(600));
}

TEST_F(refresh_fixture,
       a_failed_refresh_of_ours_after_the_peer_took_over_refreshing_is_not_retried) {
    with(timers(session_timer_mode::always));
    establish("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    advance(seconds(300));
    std::string refresh = last_sent();
    ASSERT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    // The peer refreshes meanwhile and takes the refresher role (RFC 4028 §9).
    std::string theirs = in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", peer_sdp);
    theirs.insert(theirs.find("Max-Forwards"), "Session-Expires: 600;refresher=uac\n");
    deliver(theirs);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    answer(refresh, 500); // our UPDATE fails after all
    advance(seconds(60));
    EXPECT_EQ(sent_lines(), lines{}) << "no retry, no BYE: the peer refreshes now";
    EXPECT_EQ(layer->size(), 1u);
}

TEST_F(refresh_fixture, a_peer_offer_while_our_update_offer_is_in_flight_gets_491) {
    establish("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n");
    ASSERT_TRUE(layer->send_refresh(app.last, refresh_method::update));
    ASSERT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", peer_sdp));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 491 Request Pending"});
    deliver(in_dialog("INVITE", to_tag, 3, "z9hG4bKri1", peer_sdp));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 491 Request Pending"});
}

TEST_F(refresh_fixture, without_update_in_allow_our_refresh_is_a_reinvite_stating_the_interval) {
    with(timers(session_timer_mode::always));
    establish("");
    advance(seconds(300));
    std::string reinvite = last_sent();
    EXPECT_EQ(sent_lines(), lines{"INVITE sip:alice@127.0.0.1:5062 SIP/2.0"});
    EXPECT_EQ(header_of(reinvite, "Session-Expires"), "600;refresher=uac");
    EXPECT_EQ(header_of(reinvite, "Supported"), "timer");
    EXPECT_NE(reinvite.find("m=audio"), std::string::npos);
}

TEST_F(refresh_fixture, a_refresh_from_the_caller_may_change_the_interval) {
    with(timers(session_timer_mode::on));
    establish("Supported: timer\nSession-Expires: 120;refresher=uac\n");
    std::string update = in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1");
    update.insert(update.find("Max-Forwards"), "Session-Expires: 300;refresher=uac\n"
                                               "Supported: timer\n");
    deliver(update);
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(header_of(ok, "Session-Expires"), "300;refresher=uac");
    advance(seconds(200));
    EXPECT_TRUE(sent_lines().empty()) << "the new interval, not the old 120 s";
    advance(seconds(68)); // 300 - min(32, 100)
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0], "BYE sip:alice@127.0.0.1:5062 SIP/2.0");
}

TEST_F(refresh_fixture, the_preference_for_refreshing_ourselves_applies_when_the_caller_says_none) {
    auto options = timers(session_timer_mode::on);
    options.timers.we_prefer_to_refresh = true;
    with(options);
    deliver(
        invite("call-1", peer_sdp,
               "Contact: <sip:alice@127.0.0.1:5062>\nSupported: timer\nSession-Expires: 600\n"));
    EXPECT_EQ(header_of(last_sent(), "Session-Expires"), "600;refresher=uas");
    deliver(invite("call-2", peer_sdp,
                   "Contact: <sip:alice@127.0.0.1:5062>\nSupported: timer\n"
                   "Session-Expires: 600;refresher=uac\n",
                   "z9hG4bKinv2"));
    EXPECT_EQ(header_of(last_sent(), "Session-Expires"), "600;refresher=uac")
        << "the caller's choice stands";
}

TEST_F(refresh_fixture, a_refresh_asking_too_small_an_interval_gets_422) {
    with(timers(session_timer_mode::on));
    establish("Supported: timer\nSession-Expires: 120;refresher=uac\n");
    std::string reinvite = in_dialog("INVITE", to_tag, 2, "z9hG4bKr1", peer_sdp);
    reinvite.insert(reinvite.find("Max-Forwards"), "Session-Expires: 30\nSupported: timer\n");
    deliver(reinvite);
    std::string refused = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 422 Session Interval Too Small"});
    EXPECT_EQ(header_of(refused, "Min-SE"), "90");
    deliver(in_dialog("ACK", to_tag, 2, "z9hG4bKr1")); // the 422's ACK
    // The refused refresh changed nothing: the caller still refreshes every 120 s at most.
    advance(seconds(87));
    EXPECT_TRUE(sent_lines().empty());
    // §9: a caller that does not support timers cannot retry after a 422: we raise it instead.
    std::string raised = in_dialog("INVITE", to_tag, 3, "z9hG4bKr2", peer_sdp);
    raised.insert(raised.find("Max-Forwards"), "Session-Expires: 30\n");
    deliver(raised);
    std::string ok = last_sent();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(header_of(ok, "Session-Expires"), "90;refresher=uas") << "we refresh it";
}

TEST_F(refresh_fixture, an_update_with_an_offer_from_the_api_gets_its_answer) {
    establish("");
    std::vector<std::uint16_t> heard;
    ASSERT_TRUE(layer->send_refresh(
        app.last, refresh_method::update,
        [&](session_handle, session&, std::uint16_t status) { heard.push_back(status); }));
    std::string update = last_sent();
    EXPECT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    EXPECT_NE(update.find("m=audio 30000"), std::string::npos);
    int applied = audio->applied;
    answer(update, 200, {}, peer_sdp);
    EXPECT_EQ(heard, std::vector<std::uint16_t>{200});
    EXPECT_EQ(audio->applied, applied + 1);
    EXPECT_TRUE(sent_lines().empty()) << "no ACK for an UPDATE";
}

TEST_F(refresh_fixture, a_491_to_our_update_is_retried_after_the_rfc3261_interval) {
    establish("");
    ASSERT_TRUE(layer->send_refresh(app.last, refresh_method::update));
    std::string update = last_sent();
    sent_lines();
    answer(update, 491);
    EXPECT_TRUE(sent_lines().empty());
    advance(seconds(2)); // we are the UAS of the dialog: 0-2 s
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0], "UPDATE sip:alice@127.0.0.1:5062 SIP/2.0") << "the same method again";
}

TEST_F(refresh_fixture, a_late_2xx_copy_of_our_reinvite_is_acked_after_a_later_request) {
    establish("");
    ASSERT_TRUE(layer->send_reinvite(app.last));
    std::string reinvite = last_sent();
    sent_lines();
    answer(reinvite, 200, {}, peer_sdp);
    EXPECT_EQ(sent_lines(), lines{"ACK sip:alice@127.0.0.1:5062 SIP/2.0"});
    ASSERT_TRUE(layer->send_refresh(app.last, refresh_method::update_no_sdp));
    EXPECT_EQ(sent_lines(), lines{"UPDATE sip:alice@127.0.0.1:5062 SIP/2.0"});
    // Our ACK was lost: the peer retransmits its 2xx, and still gets the ACK (RFC 3261
    // §13.2.2.4), although the UPDATE went out since.
    answer(reinvite, 200, {}, peer_sdp);
    EXPECT_EQ(sent_lines(), lines{"ACK sip:alice@127.0.0.1:5062 SIP/2.0"});
}

// ---- as UAC -------------------------------------------------------------------------------------

struct uac_timer_fixture : refresh_fixture {
    std::string invite_text;
    void place() {
        auto h = layer->call({.request_uri = "sip:bob@127.0.0.1:5062",
                              .from = "<sip:parley@127.0.0.1>",
                              .destination = peer});
        ASSERT_TRUE(h);
        invite_text = last_sent();
        sent_lines();
    }
    /// The callee's response to our latest INVITE, with a To tag.
    void callee(int status, std::string_view extra, std::string_view body = {}) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(invite_text, *m, {.buffer = buffer_use::copy}));
        std::string r = "SIP/2.0 " + std::to_string(status) +
                        " X\nVia: " + std::string(m->find(header_id::via)->value) +
                        "\nFrom: " + std::string(m->from().text) +
                        "\nTo: " + std::string(m->to().text) +
                        ";tag=b1\nCall-ID: " + std::string(m->call_id()) +
                        "\nCSeq: " + std::to_string(m->cseq().number) +
                        " INVITE\nContact: <sip:bob@127.0.0.1:5062>\n" + std::string(extra);
        if (!body.empty()) r += "Content-Type: application/sdp\n";
        r += "\n";
        r += body;
        deliver(r);
    }
};

TEST_F(uac_timer_fixture, our_invite_offers_an_interval_a_422_raises_it_and_the_2xx_sets_it) {
    with(timers(session_timer_mode::on));
    place();
    EXPECT_EQ(header_of(invite_text, "Session-Expires"), "600");
    EXPECT_EQ(header_of(invite_text, "Min-SE"), "90");
    EXPECT_EQ(header_of(invite_text, "Supported"), "100rel, timer");
    callee(422, "Min-SE: 1000\n");
    std::string retry;
    for (const std::string& sent : sender.sent)
        if (sent.starts_with("INVITE ")) retry = sent;
    lines out = sent_lines();
    ASSERT_EQ(out.size(), 2u) << "the 422's ACK and the new INVITE";
    EXPECT_EQ(header_of(retry, "Session-Expires"), "1000");
    EXPECT_EQ(header_of(retry, "CSeq"), "2 INVITE");
    invite_text = retry;
    callee(200, "Session-Expires: 1000;refresher=uac\nRequire: timer\n", peer_sdp);
    EXPECT_EQ(sent_lines(), lines{"ACK sip:bob@127.0.0.1:5062 SIP/2.0"});
    advance(seconds(499));
    EXPECT_TRUE(sent_lines().empty());
    advance(seconds(1));
    out = sent_lines();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], "INVITE sip:bob@127.0.0.1:5062 SIP/2.0") << "we refresh at half";
}

TEST_F(uac_timer_fixture, when_the_callee_refreshes_its_silence_ends_the_call) {
    with(timers(session_timer_mode::on));
    place();
    callee(200, "Session-Expires: 600;refresher=uas\n", peer_sdp);
    sent_lines();
    advance(seconds(567)); // 600 - 32 - 1
    EXPECT_TRUE(sent_lines().empty());
    advance(seconds(1));
    std::string bye = last_sent();
    EXPECT_TRUE(bye.starts_with("BYE ")) << bye;
    EXPECT_EQ(header_of(bye, "Reason"), "SIP;cause=408;text=\"Session timer expired\"");
}

} // namespace
} // namespace parley::test
