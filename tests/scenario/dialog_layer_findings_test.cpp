// Defects of the dialog and transaction layers found by the scenario runs, each reduced to the
// smallest test that shows it. They are DISABLED_ until the owning layer fixes them (the fix
// belongs in lib/dialog or lib/transaction, with this test moved next to it and enabled).
#include <parley/dialog/dialog_set.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley::test {
namespace {

std::unique_ptr<message> parse(const std::string& text) {
    auto m = std::make_unique<message>();
    auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason;
    return m;
}

const std::string invite = "INVITE sip:bob@10.0.0.9:5060 SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfork\r\n"
                           "Max-Forwards: 70\r\n"
                           "From: <sip:alice@10.0.0.1:5060>;tag=alice-1\r\n"
                           "To: <sip:bob@10.0.0.9:5060>\r\n"
                           "Call-ID: call-1@alice\r\n"
                           "CSeq: 1 INVITE\r\n"
                           "Contact: <sip:alice@10.0.0.1:5060>\r\n"
                           "Content-Length: 0\r\n\r\n";

std::string response(int status, std::string_view to_tag, std::string_view contact) {
    return "SIP/2.0 " + std::to_string(status) +
           " X\r\n"
           "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfork\r\n"
           "From: <sip:alice@10.0.0.1:5060>;tag=alice-1\r\n"
           "To: <sip:bob@10.0.0.9:5060>;tag=" +
           std::string(to_tag) +
           "\r\n"
           "Call-ID: call-1@alice\r\n"
           "CSeq: 1 INVITE\r\n"
           "Contact: " +
           std::string(contact) + "\r\nContent-Length: 0\r\n\r\n";
}

// Found by randomized.udp_forked_to_two_uas_with_loss (the run prints the first seed): the
// INVITE forks to bob and carol; both ring (two early dialogs); carol's 487 (after our CANCEL)
// reaches the UAC first, then bob's 200, which crossed the CANCEL.
//
// RFC 3261 §13.2.2.4 (and §16.7 step 10: a proxy forwards every 2xx, even after a final
// response): a 2xx creates or confirms its dialog, which the UAC ACKs and then may BYE.
// dialog_set::on_response() terminates every early dialog on the non-2xx final (right, §13.2.2.3)
// but on the later 2xx from one of them finds that dialog, calls confirm() (which only moves
// early -> confirmed) and reports outcome::confirmed with the dialog still terminated: the
// update says "this dialog is the call" while the dialog says it is over. A TU that checks the
// state before ACKing would leave the 2xx unacknowledged (the UAS retransmits it for 64*T1 and
// then tears the call down). Expected: the dialog is confirmed (state confirmed); arguably the
// outcome should be extra_2xx, since the INVITE has already failed.
TEST(dialog_layer_findings, DISABLED_dialog_set_2xx_after_non_2xx_final_confirms_its_dialog) {
    auto request = parse(invite);
    dialog_set set("<sip:alice@10.0.0.1:5060>");
    auto ringing = set.on_response(*request, *parse(response(180, "bob-1", "<sip:bob@10.0.0.2>")));
    ASSERT_TRUE(ringing);
    EXPECT_EQ(ringing->what, dialog_set::outcome::early_created);
    auto failed =
        set.on_response(*request, *parse(response(487, "carol-1", "<sip:carol@10.0.0.3>")));
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->what, dialog_set::outcome::failed);
    auto ok = set.on_response(*request, *parse(response(200, "bob-1", "<sip:bob@10.0.0.2>")));
    ASSERT_TRUE(ok);
    ASSERT_NE(ok->affected, nullptr);
    EXPECT_EQ(ok->affected->state(), dialog_state::confirmed); // fails: terminated
}

} // namespace
} // namespace parley::test
