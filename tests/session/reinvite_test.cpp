// Re-INVITEs we send (the seed's send_reinvite): ACK, callback, queueing, 491 back-off, 481.
#include "session_fixture.hpp"

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

std::string answer_sdp() {
    return "v=0\no=alice 1 3 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
           "m=audio 20000 RTP/AVP 0\na=sendrecv\n";
}

struct reinvite_fixture : session_fixture {
    std::string to_tag;
    std::vector<int> outcomes;

    void confirmed_call() {
        deliver(invite());
        to_tag = last_to_tag();
        deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
        sent_lines();
    }
    session_layer::reinvite_callback record_outcome() {
        return
            [this](session_handle, session&, std::uint16_t status) { outcomes.push_back(status); };
    }
    std::string request; ///< the last request we sent, taken by take_request()
    /// Takes our last sent request (and forgets everything sent so far).
    void take_request() {
        request = last_sent();
        sent_lines();
    }
    /// The peer's response to the request taken last.
    void answer_last(int status, std::string_view body = {}) {
        auto m = std::make_unique<message>();
        ASSERT_TRUE(parse_message(request, *m, {.buffer = buffer_use::copy}));
        std::string r =
            "SIP/2.0 " + std::to_string(status) +
            " X\nVia: " + std::string(m->find(header_id::via)->value) +
            "\nFrom: " + std::string(m->from().text) + "\nTo: " + std::string(m->to().text) +
            "\nCall-ID: " + std::string(m->call_id()) +
            "\nCSeq: " + std::to_string(m->cseq().number) + " " +
            std::string(m->cseq().method_text) + "\nContact: <sip:alice@127.0.0.1:5062>\n";
        if (!body.empty()) r += "Content-Type: application/sdp\n";
        r += "\n";
        r += body;
        deliver(r);
    }
};

TEST_F(reinvite_fixture, a_reinvite_gets_its_ack_and_the_callback_hears_200) {
    confirmed_call();
    int applied = audio->applied;
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    EXPECT_EQ(sender.sent.size(), 1u);
    take_request();
    EXPECT_TRUE(request.starts_with("INVITE sip:alice@127.0.0.1:5062 SIP/2.0\r\n")) << request;
    EXPECT_NE(request.find("m=audio"), std::string::npos);
    EXPECT_NE(request.find("o=- 1 2 IN IP4"), std::string::npos) << "RFC 3264 §8: version + 1";
    answer_last(200, answer_sdp());
    lines out = sent_lines();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], "ACK sip:alice@127.0.0.1:5062 SIP/2.0");
    EXPECT_EQ(outcomes, std::vector<int>{200});
    EXPECT_EQ(audio->applied, applied + 1);
}

TEST_F(reinvite_fixture, a_reinvite_waits_for_the_ack_of_our_own_2xx) {
    deliver(invite());
    to_tag = last_to_tag();
    sent_lines();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    EXPECT_TRUE(sent_lines().empty()) << "queued: our 2xx is not acknowledged yet";
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    lines out = sent_lines();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].starts_with("INVITE ")) << out[0];
}

TEST_F(reinvite_fixture, a_491_is_retried_after_the_rfc3261_14_1_interval) {
    confirmed_call();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    take_request();
    answer_last(491);
    EXPECT_EQ(sent_lines(), lines{"ACK sip:alice@127.0.0.1:5062 SIP/2.0"})
        << "the transaction ACKs the 491";
    EXPECT_TRUE(outcomes.empty()) << "the callback waits for the retry";
    // We are not the Call-ID's owner (the peer sent the INVITE): 0-2 s.
    advance(milliseconds(2010));
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    for (const auto& l : out)
        EXPECT_TRUE(l.starts_with("INVITE ")) << l; // the retry (and its Timer A copies)
}

TEST_F(reinvite_fixture, glare_an_incoming_reinvite_while_ours_is_pending_gets_491) {
    confirmed_call();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre9", answer_sdp()));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 491 Request Pending"});
}

// A handler that answers a video stream with two m-lines: an answer no negotiator accepts (the
// core catches it before the negotiator does; either way the offer must be dropped).
struct broken_video_handler : sdp_handler {
    stream_verdict answer_stream(session&, const sdp::session_description& offer, std::size_t index,
                                 sdp::session_description& answer) noexcept override {
        const auto& offered = offer.media()[index];
        std::string_view formats[] = {"31"};
        answer.add_media(offered.media, 30002, offered.proto, formats);
        answer.add_media(offered.media, 30004, offered.proto, formats);
        return stream_verdict::handled;
    }
    stream_verdict offer_stream(session&, sdp::session_description&, std::size_t,
                                const sdp::media_description*) noexcept override {
        return stream_verdict::not_handled;
    }
};

TEST_F(reinvite_fixture, an_offer_we_fail_to_answer_leaves_the_session_ready_for_the_next) {
    auto video = std::make_shared<broken_video_handler>();
    registration video_registration = registry.add_sdp_handler("video", video, "broken-video");
    layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, app);
    tu.to = layer.get();
    app.layer = layer.get();
    confirmed_call();
    std::string with_video = "v=0\no=alice 1 3 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                             "m=audio 20000 RTP/AVP 0\nm=video 20002 RTP/AVP 31\n";
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1", with_video));
    lines refused = sent_lines();
    ASSERT_FALSE(refused.empty());
    EXPECT_EQ(refused.back(), "SIP/2.0 500 SDP Handler Broke the Answer");
    deliver(in_dialog("ACK", to_tag, 2, "z9hG4bKack2"));
    // The offer was dropped: the next one is answered.
    std::string audio_only = "v=0\no=alice 1 4 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                             "m=audio 20000 RTP/AVP 0\n";
    deliver(in_dialog("INVITE", to_tag, 3, "z9hG4bKre2", audio_only));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
}

TEST_F(reinvite_fixture, a_481_ends_the_session_rfc3261_12_2_1_2) {
    confirmed_call();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    take_request();
    answer_last(481);
    EXPECT_EQ(outcomes, std::vector<int>{481});
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(app.events.back(),
              "ended:" + std::to_string(static_cast<int>(end_reason::dialog_failed)));
}

TEST_F(reinvite_fixture, other_failures_keep_the_session_and_the_queue_is_bounded) {
    confirmed_call();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    take_request();
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    auto over = layer->send_reinvite(app.last, record_outcome());
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error_value().status, 503);
    answer_last(488);
    EXPECT_EQ(outcomes, std::vector<int>{488});
    EXPECT_EQ(layer->size(), 1u);
    lines after = sent_lines();
    EXPECT_EQ(std::count_if(after.begin(), after.end(),
                            [](const std::string& l) { return l.starts_with("INVITE"); }),
              1)
        << "the next queued one goes out";
}

TEST_F(reinvite_fixture, a_bye_waits_for_our_outstanding_reinvite) {
    confirmed_call();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    take_request();
    ASSERT_TRUE(layer->terminate(app.last));
    EXPECT_TRUE(sent_lines().empty()) << "no BYE while our re-INVITE is pending";
    answer_last(200, answer_sdp());
    EXPECT_EQ(sent_lines(), (lines{"ACK sip:alice@127.0.0.1:5062 SIP/2.0",
                                   "BYE sip:alice@127.0.0.1:5062 SIP/2.0"}));
    EXPECT_EQ(outcomes, std::vector<int>{200});
}

TEST_F(reinvite_fixture, refreshes_in_flight_or_queued_hear_487_when_the_session_ends) {
    confirmed_call();
    ASSERT_TRUE(layer->send_reinvite(app.last, record_outcome()));
    take_request();
    ASSERT_TRUE(layer->send_refresh(app.last, refresh_method::update, record_outcome()));
    // A callback that calls back in finds no session: the session is gone, not half-ended.
    std::optional<std::uint16_t> again;
    ASSERT_TRUE(layer->send_reinvite(app.last, [&](session_handle h, session&, std::uint16_t s) {
        outcomes.push_back(s);
        auto r = layer->send_reinvite(h);
        again = r ? 0 : r.error_value().status;
    }));
    EXPECT_TRUE(outcomes.empty());
    deliver(in_dialog("BYE", to_tag, 2, "z9hG4bKbye1")); // the peer hangs up first
    EXPECT_EQ(layer->size(), 0u);
    EXPECT_EQ(outcomes, (std::vector<int>{487, 487, 487})) << "each exactly once";
    EXPECT_EQ(again, 481);
    answer_last(200, answer_sdp()); // the re-INVITE's late 2xx is not reported again
    EXPECT_EQ(outcomes.size(), 3u);
}

TEST_F(reinvite_fixture, a_supplement_answers_a_request_itself_through_the_session) {
    struct info_handler : supplement {
        bool respond_too = true;
        request_verdict incoming_request(session& s, const message&) noexcept override {
            if (respond_too) (void)s.respond(200, {}, {.headers = {{"X-Handled", "yes"}}});
            return request_verdict::handled();
        }
    };
    auto handler = std::make_shared<info_handler>();
    auto token = registry.add_supplement(handler, {.methods = {method::info}});
    confirmed_call(); // the session snapshots the registry with the handler in it
    deliver(in_dialog("INFO", to_tag, 2, "z9hG4bKinfo1"));
    EXPECT_NE(last_sent().find("X-Handled: yes"), std::string::npos);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    // Claimed but not answered: the core answers for it, so the transaction never hangs.
    handler->respond_too = false;
    deliver(in_dialog("INFO", to_tag, 3, "z9hG4bKinfo2"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 500 Request Not Answered"});
    // Outside a request's dispatch there is nothing to answer.
    auto* s = layer->find(app.last);
    ASSERT_NE(s, nullptr);
    EXPECT_FALSE(s->respond(200));
}

} // namespace
} // namespace parley::test
