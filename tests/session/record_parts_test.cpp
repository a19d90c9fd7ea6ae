// The session record's parts and the parked SDP under the flows that stress them: an application
// re-offering from inside a callback, re-offers after park(), requests in early dialogs, many
// dialogs in any order, the 2xx give-up with a refresh queued.
#include "session_fixture.hpp"

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

std::string sdp_dir(std::string_view direction, int version = 2) {
    return "v=0\no=alice 1 " + std::to_string(version) +
           " IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 20000 RTP/AVP 0\na=" +
           std::string(direction) + "\n";
}

std::string body_of(const std::string& bytes) {
    std::size_t at = bytes.find("\r\n\r\n");
    return at == std::string::npos ? std::string() : bytes.substr(at + 4);
}

/// An application that re-offers on the same session when it hears of a hold (e.g. to go
/// inactive itself): a synchronous call into the layer from on_remote_hold.
struct reoffer_on_hold_app : recording_app {
    void on_remote_hold(session_handle h, session& s, remote_hold c) noexcept override {
        recording_app::on_remote_hold(h, s, c);
        (void)layer->send_reinvite(h, {});
    }
};

struct reoffer_fixture : session_fixture {
    reoffer_on_hold_app hold_app;
    void SetUp() override {
        session_fixture::SetUp();
        layer = std::make_unique<session_layer>(transactions, sender, wheel, registry, hold_app);
        tu.to = layer.get();
        hold_app.layer = layer.get();
    }
    void TearDown() override { layer.reset(); } // before hold_app goes
};

// answer_new_offer() returns negotiator.local_text() *after* apply_media(); an application call
// made from on_remote_hold (or a media handler) that sets a new local offer changes local_text()
// to that offer, so the UPDATE's 2xx carries our new offer instead of the answer. Before the
// change it returned active_local()->serialize(), which stays the answer.
TEST_F(reoffer_fixture,
       update_2xx_carries_the_answer_even_if_the_app_reoffers_from_on_remote_hold) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    deliver(in_dialog("UPDATE", to_tag, 2, "z9hG4bKu1", sdp_dir("sendonly")));
    std::string ok;
    for (const auto& s : sender.sent)
        if (s.starts_with("SIP/2.0 200")) ok = s;
    ASSERT_FALSE(ok.empty()) << sent_lines().size();
    EXPECT_NE(body_of(ok).find("a=recvonly"), std::string::npos)
        << "RFC 3264 §6.1: the answer to a sendonly offer is recvonly; got:\n"
        << body_of(ok);
}

// The same flow through a re-INVITE: our answer is taken before apply_media(), so it is right.
TEST_F(reoffer_fixture, reinvite_2xx_carries_the_answer_when_the_app_reoffers_from_on_remote_hold) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1", sdp_dir("sendonly")));
    std::string ok;
    for (const auto& s : sender.sent)
        if (s.starts_with("SIP/2.0 200")) ok = s;
    ASSERT_FALSE(ok.empty());
    EXPECT_NE(body_of(ok).find("a=recvonly"), std::string::npos) << body_of(ok);
}

// RFC 3264 §8: a later offer of ours with the same content keeps the o= version. After
// park() the previous description is parsed back from its text; if the round trip changed
// anything, the version would be bumped for nothing.
TEST_F(session_fixture, two_identical_offers_of_ours_keep_the_version_after_park) {
    deliver(invite());
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1"));
    sent_lines();
    auto origin_of = [](const std::string& bytes) { return header_of(bytes, "o"); };
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1")); // no SDP: we offer
    std::string first = last_sent();
    deliver(in_dialog("ACK", to_tag, 2, "z9hG4bKack2", sdp_dir("sendrecv", 3)));
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 3, "z9hG4bKre2"));
    std::string second = last_sent();
    deliver(in_dialog("ACK", to_tag, 3, "z9hG4bKack3", sdp_dir("sendrecv", 3)));
    std::string o1 = body_of(first).substr(body_of(first).find("o="), 30);
    std::string o2 = body_of(second).substr(body_of(second).find("o="), 30);
    EXPECT_EQ(o1.substr(0, o1.find('\r')), o2.substr(0, o2.find('\r')))
        << "same content, same version\n"
        << body_of(first) << "\n---\n"
        << body_of(second);
    (void)origin_of;
}

// Delayed offer: the answer came in the ACK (parked from the ACK's text); a re-offer that
// removes the m-line is still refused with 488 against the parked remote description.
TEST_F(session_fixture, delayed_offer_then_a_reoffer_removing_media_is_488) {
    deliver(invite("call-1", ""));
    std::string to_tag = last_to_tag();
    deliver(in_dialog("ACK", to_tag, 1, "z9hG4bKack1", sdp_dir("sendrecv")));
    sent_lines();
    deliver(in_dialog("INVITE", to_tag, 2, "z9hG4bKre1",
                      "v=0\no=alice 1 3 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 488 Not Acceptable Here"});
    deliver(in_dialog("INVITE", to_tag, 3, "z9hG4bKre2", sdp_dir("sendonly", 4)));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
}

// UAS early dialog: requests are found through dialogs_ (user() = handle) before the answer.
TEST_F(session_fixture, requests_in_the_uas_early_dialog_find_their_session) {
    app.what = policy::ring_then_wait;
    deliver(invite());
    std::string to_tag = last_to_tag();
    sent_lines();
    deliver(in_dialog("INFO", to_tag, 2, "z9hG4bKi1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    deliver(in_dialog("UPDATE", to_tag, 3, "z9hG4bKu1"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    deliver(in_dialog("BYE", to_tag, 4, "z9hG4bKb1"));
    EXPECT_EQ(sent_lines(), (lines{"SIP/2.0 200 OK", "SIP/2.0 487 Request Terminated"}));
    EXPECT_EQ(layer->size(), 0u);
    deliver(in_dialog("INFO", to_tag, 5, "z9hG4bKi2"));
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 Call/Transaction Does Not Exist"});
}

// Many sessions: the dialog table's keys are views into each dialog; erasing in arbitrary order
// while others are looked up and the table rehashes must not read freed memory (ASan).
TEST_F(session_fixture, many_dialogs_inserted_and_erased_in_any_order) {
    std::vector<std::pair<std::string, session_handle>> calls;
    for (int i = 0; i < 200; ++i) {
        std::string id = "call-" + std::to_string(i);
        deliver(invite(id,
                       "v=0\no=alice 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\n"
                       "t=0 0\nm=audio 20000 RTP/AVP 0\n",
                       "Contact: <sip:alice@127.0.0.1:5062>\n", "z9hG4bKinv" + std::to_string(i)));
        calls.emplace_back(last_to_tag(), app.last);
        deliver(in_dialog("ACK", calls.back().first, 1, "z9hG4bKack" + std::to_string(i), {}, id));
    }
    sent_lines();
    for (int i = 0; i < 200; i += 2) {
        std::string id = "call-" + std::to_string(i);
        deliver(in_dialog("BYE", calls[i].first, 2, "z9hG4bKbye" + std::to_string(i), {}, id));
    }
    for (int i = 1; i < 200; i += 2) {
        std::string id = "call-" + std::to_string(i);
        deliver(in_dialog("INFO", calls[i].first, 2, "z9hG4bKinfo" + std::to_string(i), {}, id));
    }
    lines out = sent_lines();
    EXPECT_EQ(std::count(out.begin(), out.end(), "SIP/2.0 200 OK"), 200);
    EXPECT_EQ(layer->size(), 100u);
}

// The 2xx is never ACKed while a refresh of ours waits: give-up frees r.ok from inside its own
// timer callback and sends BYE; nothing touches the freed part afterwards (ASan).
TEST_F(session_fixture, 2xx_give_up_with_a_queued_refresh) {
    deliver(invite());
    sent_lines();
    ASSERT_TRUE(layer->send_reinvite(app.last, {}));
    sent_lines();
    advance(seconds(40));
    lines out = sent_lines();
    ASSERT_FALSE(out.empty());
    EXPECT_TRUE(out.back().starts_with("BYE ")) << out.back();
    EXPECT_EQ(std::count_if(out.begin(), out.end(),
                            [](const std::string& l) { return l.starts_with("INVITE"); }),
              0);
}

} // namespace
} // namespace parley::test
