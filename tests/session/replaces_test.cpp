// RFC 3891 Replaces as UAS: which dialog an INVITE with Replaces takes over, what it is
// refused with, and the BYE that ends the replaced session. Manual clock.
#include "session_fixture.hpp"

namespace parley::test {
namespace {

using lines = std::vector<std::string>;

struct replaces_fixture : session_fixture {
    std::string first_tag;
    session_handle first;
    /// call-1 up: INVITE, 200, ACK.
    void establish() {
        deliver(invite("call-1"));
        first_tag = last_to_tag();
        first = app.last;
        deliver(in_dialog("ACK", first_tag, 1, "z9hG4bKack1"));
        sent_lines();
    }
    void invite_replacing(std::string_view replaces, std::string_view call_id = "call-2") {
        deliver(
            invite(call_id,
                   "v=0\no=carol 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                   "m=audio 20002 RTP/AVP 0\n",
                   "Contact: <sip:carol@127.0.0.1:5062>\nReplaces: " + std::string(replaces) + "\n",
                   "z9hG4bKr" + std::string(call_id)));
    }
};

TEST_F(replaces_fixture, a_confirmed_dialog_is_replaced_and_sent_bye_once_the_new_one_is_up) {
    establish();
    invite_replacing("call-1;to-tag=" + first_tag + ";from-tag=a1");
    std::string new_tag = last_to_tag();
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 200 OK"});
    EXPECT_EQ(layer->replaces(app.last), first);
    deliver(in_dialog("ACK", new_tag, 1, "z9hG4bKack2", {}, "call-2"));
    std::string bye = last_sent();
    EXPECT_EQ(sent_lines(), lines{"BYE sip:alice@127.0.0.1:5062 SIP/2.0"});
    EXPECT_NE(bye.find("Call-ID: call-1\r\n"), std::string::npos) << bye;
    EXPECT_EQ(layer->state(first), session_state::ending);
}

TEST_F(replaces_fixture, what_cannot_be_replaced_is_refused) {
    establish();
    struct row {
        std::string replaces;
        std::string answer;
    };
    const row rows[] = {
        {"call-9;to-tag=" + first_tag + ";from-tag=a1", "SIP/2.0 481 No Dialog to Replace"},
        {"call-1;to-tag=" + first_tag + ";from-tag=zz", "SIP/2.0 481 No Dialog to Replace"},
        {"call-1;to-tag=" + first_tag + ";from-tag=a1;early-only", "SIP/2.0 486 Busy Here"},
        {"call-1;to-tag=" + first_tag, "SIP/2.0 400 Bad Replaces"},
    };
    int n = 0;
    for (const row& c : rows) {
        invite_replacing(c.replaces, "call-r" + std::to_string(++n));
        lines out = sent_lines();
        ASSERT_EQ(out.size(), 1u) << c.replaces;
        EXPECT_EQ(out[0], c.answer) << c.replaces;
    }
    EXPECT_EQ(layer->state(first), session_state::confirmed) << "left alone";
}

TEST_F(replaces_fixture, an_early_dialog_we_did_not_initiate_is_not_replaced) {
    app.what = policy::ring_then_wait;
    deliver(invite("call-1"));
    std::string tag = last_to_tag();
    sent_lines();
    invite_replacing("call-1;to-tag=" + tag + ";from-tag=a1");
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 481 No Dialog to Replace"});
}

TEST_F(replaces_fixture, a_reinvite_with_replaces_gets_488) {
    establish();
    std::string reinvite = in_dialog("INVITE", first_tag, 2, "z9hG4bKre1");
    reinvite.insert(reinvite.find("Max-Forwards"),
                    "Replaces: call-1;to-tag=" + first_tag + ";from-tag=a1\n");
    deliver(reinvite);
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 488 Replaces in a Re-INVITE"});
}

TEST_F(replaces_fixture, two_replaces_headers_get_400) {
    establish();
    invite_replacing("call-1;to-tag=" + first_tag +
                     ";from-tag=a1\nReplaces: call-1;to-tag=" + first_tag + ";from-tag=a1");
    EXPECT_EQ(sent_lines(), lines{"SIP/2.0 400 Bad Replaces"});
}

} // namespace
} // namespace parley::test
