#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <parley/sdp/negotiator.hpp>
#include <parley/sdp/offer_answer.hpp>

namespace {

using namespace parley::sdp;

session_description parsed(std::string_view text) {
    auto d = session_description::parse(text);
    EXPECT_TRUE(d) << (d ? "" : d.error_value().reason);
    return d ? std::move(*d) : session_description{};
}

session_description ours(std::uint64_t version, std::string_view media) {
    std::string text = "v=0\r\no=parley 42 " + std::to_string(version) +
                       " IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
    text += media;
    return parsed(text);
}
session_description theirs(std::uint64_t version, std::string_view media) {
    std::string text = "v=0\r\no=peer 7 " + std::to_string(version) +
                       " IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n";
    text += media;
    return parsed(text);
}

constexpr std::string_view audio = "m=audio 4000 RTP/AVP 0 8\r\n";
constexpr std::string_view audio_video = "m=audio 4000 RTP/AVP 0 8\r\nm=video 5000 RTP/AVP 31\r\n";
constexpr std::string_view audio_answer = "m=audio 6000 RTP/AVP 0\r\n";

void expect_error(const parley::result<void>& r, std::uint16_t status, const char* reason) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, status);
    EXPECT_STREQ(r.error_value().reason, reason);
}

// Drives a negotiator through one round where we offer.
void complete_local_round(negotiator& n, session_description offer, session_description answer) {
    ASSERT_TRUE(n.set_local_offer(std::move(offer)));
    ASSERT_TRUE(n.receive_remote_answer(std::move(answer)));
    ASSERT_TRUE(n.negotiate());
}

TEST(sdp_negotiator, starts_null_with_nothing_active) {
    negotiator n;
    EXPECT_EQ(n.state(), negotiator_state::null);
    EXPECT_EQ(n.active_local(), nullptr);
    EXPECT_EQ(n.active_remote(), nullptr);
    EXPECT_EQ(n.pending_local(), nullptr);
    EXPECT_EQ(to_string(n.state()), "null");
}

TEST(sdp_negotiator, local_offer_remote_answer_negotiate) {
    negotiator n;
    ASSERT_TRUE(n.set_local_offer(ours(1, audio)));
    EXPECT_EQ(n.state(), negotiator_state::local_offer);
    ASSERT_NE(n.pending_local(), nullptr);
    EXPECT_EQ(n.pending_local()->origin().session_version, 1u); // the first offer keeps its o=
    ASSERT_TRUE(n.receive_remote_answer(theirs(1, audio_answer)));
    EXPECT_EQ(n.state(), negotiator_state::wait_negotiate);
    EXPECT_EQ(n.active_local(), nullptr);
    ASSERT_TRUE(n.negotiate());
    EXPECT_EQ(n.state(), negotiator_state::done);
    ASSERT_NE(n.active_local(), nullptr);
    ASSERT_NE(n.active_remote(), nullptr);
    EXPECT_EQ(n.active_local()->media()[0].port, 4000);
    EXPECT_EQ(n.active_remote()->media()[0].port, 6000);
    EXPECT_EQ(n.pending_local(), nullptr);
    EXPECT_EQ(n.pending_remote(), nullptr);
}

TEST(sdp_negotiator, remote_offer_local_answer_negotiate) {
    negotiator n;
    ASSERT_TRUE(n.receive_remote_offer(theirs(1, audio)));
    EXPECT_EQ(n.state(), negotiator_state::remote_offer);
    ASSERT_NE(n.pending_remote(), nullptr);
    ASSERT_TRUE(n.set_local_answer(ours(9, audio_answer)));
    EXPECT_EQ(n.state(), negotiator_state::wait_negotiate);
    ASSERT_TRUE(n.negotiate());
    EXPECT_EQ(n.state(), negotiator_state::done);
    EXPECT_EQ(n.active_local()->origin().session_version, 9u);
    EXPECT_EQ(n.active_remote()->origin().username, "peer");
}

TEST(sdp_negotiator, invalid_operations_in_null) {
    negotiator n;
    expect_error(n.set_local_answer(ours(1, audio)), 500, "SDP: no remote offer to answer");
    expect_error(n.receive_remote_answer(theirs(1, audio)), 400,
                 "SDP: answer received without a pending offer");
    expect_error(n.negotiate(), 500, "SDP: nothing to negotiate");
    expect_error(n.cancel_offer(), 500, "SDP: no pending offer to cancel");
    EXPECT_EQ(n.state(), negotiator_state::null);
}

TEST(sdp_negotiator, invalid_operations_in_local_offer) {
    negotiator n;
    ASSERT_TRUE(n.set_local_offer(ours(1, audio)));
    expect_error(n.set_local_offer(ours(1, audio)), 500,
                 "SDP: cannot offer while an offer is pending");
    // RFC 3261 §14.2: offers crossed: glare.
    expect_error(n.receive_remote_offer(theirs(1, audio)), 491,
                 "SDP: offer received while our offer is pending");
    expect_error(n.set_local_answer(ours(1, audio)), 500, "SDP: no remote offer to answer");
    expect_error(n.negotiate(), 500, "SDP: nothing to negotiate");
    EXPECT_EQ(n.state(), negotiator_state::local_offer);
}

TEST(sdp_negotiator, invalid_operations_in_remote_offer) {
    negotiator n;
    ASSERT_TRUE(n.receive_remote_offer(theirs(1, audio)));
    expect_error(n.set_local_offer(ours(1, audio)), 500,
                 "SDP: cannot offer while an offer is pending");
    expect_error(n.receive_remote_offer(theirs(2, audio)), 500,
                 "SDP: offer received before answering the last");
    expect_error(n.receive_remote_answer(theirs(1, audio)), 400,
                 "SDP: answer received without a pending offer");
    expect_error(n.negotiate(), 500, "SDP: nothing to negotiate");
    EXPECT_EQ(n.state(), negotiator_state::remote_offer);
}

TEST(sdp_negotiator, invalid_operations_in_wait_negotiate) {
    negotiator n;
    ASSERT_TRUE(n.set_local_offer(ours(1, audio)));
    ASSERT_TRUE(n.receive_remote_answer(theirs(1, audio_answer)));
    expect_error(n.set_local_offer(ours(2, audio)), 500,
                 "SDP: cannot offer while an offer is pending");
    expect_error(n.receive_remote_offer(theirs(2, audio)), 500,
                 "SDP: offer received before answering the last");
    expect_error(n.set_local_answer(ours(1, audio)), 500, "SDP: no remote offer to answer");
    expect_error(n.receive_remote_answer(theirs(1, audio)), 400,
                 "SDP: answer received without a pending offer");
    expect_error(n.cancel_offer(), 500, "SDP: no pending offer to cancel");
    EXPECT_EQ(n.state(), negotiator_state::wait_negotiate);
}

TEST(sdp_negotiator, invalid_operations_in_done) {
    negotiator n;
    complete_local_round(n, ours(1, audio), theirs(1, audio_answer));
    expect_error(n.set_local_answer(ours(1, audio)), 500, "SDP: no remote offer to answer");
    expect_error(n.receive_remote_answer(theirs(1, audio)), 400,
                 "SDP: answer received without a pending offer");
    expect_error(n.negotiate(), 500, "SDP: nothing to negotiate");
    expect_error(n.cancel_offer(), 500, "SDP: no pending offer to cancel");
    EXPECT_EQ(n.state(), negotiator_state::done);
}

TEST(sdp_negotiator, cancel_first_offer_returns_to_null) {
    negotiator n;
    ASSERT_TRUE(n.set_local_offer(ours(1, audio)));
    ASSERT_TRUE(n.cancel_offer());
    EXPECT_EQ(n.state(), negotiator_state::null);
    EXPECT_EQ(n.pending_local(), nullptr);
    ASSERT_TRUE(n.receive_remote_offer(theirs(1, audio)));
    ASSERT_TRUE(n.cancel_offer()); // we rejected their offer (e.g. 488)
    EXPECT_EQ(n.state(), negotiator_state::null);
}

TEST(sdp_negotiator, cancel_reoffer_keeps_the_previous_agreement) {
    negotiator n;
    complete_local_round(n, ours(1, audio), theirs(1, audio_answer));
    session_description reoffer = n.next_offer_base();
    reoffer.edit_media(0).set_direction(direction::sendonly);
    ASSERT_TRUE(n.set_local_offer(std::move(reoffer)));
    ASSERT_TRUE(n.cancel_offer()); // e.g. the re-INVITE got 488
    EXPECT_EQ(n.state(), negotiator_state::done);
    EXPECT_EQ(n.active_local()->effective_direction(0), direction::sendrecv);
    EXPECT_EQ(n.active_remote()->media()[0].port, 6000);
}

TEST(sdp_negotiator, remote_answer_with_wrong_m_lines_is_rejected_and_offer_stays) {
    negotiator n;
    ASSERT_TRUE(n.set_local_offer(ours(1, audio_video)));
    expect_error(n.receive_remote_answer(theirs(1, audio_answer)), 488,
                 "SDP: answer m-line count differs from offer");
    expect_error(
        n.receive_remote_answer(theirs(1, "m=video 0 RTP/AVP 31\r\nm=audio 6000 RTP/AVP 0\r\n")),
        488, "SDP: answer m-line order differs from offer");
    EXPECT_EQ(n.state(), negotiator_state::local_offer);
    ASSERT_TRUE(
        n.receive_remote_answer(theirs(1, "m=audio 6000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n")));
    ASSERT_TRUE(n.negotiate());
    EXPECT_TRUE(n.active_remote()->media()[1].is_declined());
}

TEST(sdp_negotiator, local_answer_must_match_the_offer) {
    negotiator n;
    ASSERT_TRUE(n.receive_remote_offer(theirs(1, audio_video)));
    expect_error(n.set_local_answer(ours(1, audio_answer)), 500,
                 "SDP: answer m-line count differs from offer");
    EXPECT_EQ(n.state(), negotiator_state::remote_offer);
    // Decline the video with the helper: port 0, m-line kept.
    session_description answer = ours(1, audio_answer);
    add_declined_stream(answer, n.pending_remote()->media()[1]);
    ASSERT_TRUE(n.set_local_answer(std::move(answer)));
    ASSERT_TRUE(n.negotiate());
    EXPECT_EQ(n.active_local()->media().size(), 2u);
    EXPECT_EQ(n.active_local()->media()[1].port, 0);
}

TEST(sdp_negotiator, reoffers_may_not_remove_m_lines) {
    negotiator n;
    complete_local_round(n, ours(1, audio_video),
                         theirs(1, "m=audio 6000 RTP/AVP 0\r\nm=video 7000 RTP/AVP 31\r\n"));
    // Ours: a local bug, 500.
    expect_error(n.set_local_offer(ours(2, audio)), 500, "SDP: new offer removes m-lines");
    EXPECT_EQ(n.state(), negotiator_state::done);
    // Theirs: 488.
    expect_error(n.receive_remote_offer(theirs(2, audio_answer)), 488,
                 "SDP: new offer removes m-lines");
    EXPECT_EQ(n.state(), negotiator_state::done);
    // Setting a stream to port 0 and appending a new one are fine (RFC 3264 §8).
    session_description reoffer = n.next_offer_base();
    reoffer.edit_media(1).set_port(0);
    std::vector<std::string_view> formats{"0"};
    reoffer.add_media("audio", 4100, "RTP/AVP", formats);
    ASSERT_TRUE(n.set_local_offer(std::move(reoffer)));
    EXPECT_EQ(n.pending_local()->media().size(), 3u);
}

TEST(sdp_negotiator, version_increments_by_one_only_when_what_we_send_changes) {
    negotiator n;
    complete_local_round(n, ours(10, audio), theirs(1, audio_answer));
    // Same content (a session refresh): same version.
    ASSERT_TRUE(n.set_local_offer(n.next_offer_base()));
    EXPECT_EQ(n.pending_local()->origin().session_version, 10u);
    ASSERT_TRUE(n.receive_remote_answer(theirs(1, audio_answer)));
    ASSERT_TRUE(n.negotiate());
    // Changed content (hold): version + 1, whatever version the caller wrote.
    session_description hold = ours(500, audio);
    hold.edit_media(0).set_direction(hold_direction(direction::sendrecv));
    ASSERT_TRUE(n.set_local_offer(std::move(hold)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 11u);
    EXPECT_EQ(n.pending_local()->media()[0].declared_direction(), direction::sendonly);
    ASSERT_TRUE(n.receive_remote_answer(theirs(2, "m=audio 6000 RTP/AVP 0\r\na=recvonly\r\n")));
    ASSERT_TRUE(n.negotiate());
    // Resume: changed again.
    session_description resume = n.next_offer_base();
    resume.edit_media(0).set_direction(std::nullopt);
    ASSERT_TRUE(n.set_local_offer(std::move(resume)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 12u);
}

TEST(sdp_negotiator, username_and_session_id_stay_fixed) {
    negotiator n;
    complete_local_round(n, ours(1, audio), theirs(1, audio_answer));
    session_description other =
        parsed("v=0\r\no=someone-else 999 77 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n"
               "t=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n");
    ASSERT_TRUE(n.set_local_offer(std::move(other)));
    const origin_field& o = n.pending_local()->origin();
    EXPECT_EQ(o.username, "parley");
    EXPECT_EQ(o.session_id, "42");
    EXPECT_EQ(o.session_version, 2u); // the address changed: content differs
    EXPECT_EQ(o.address, "192.0.2.9");
}

TEST(sdp_negotiator, answer_version_follows_the_last_description_we_sent) {
    negotiator n;
    complete_local_round(n, ours(5, audio), theirs(1, audio_answer));
    // They re-offer; our answer equals what we sent before: version stays 5.
    ASSERT_TRUE(n.receive_remote_offer(theirs(2, audio)));
    ASSERT_TRUE(n.set_local_answer(ours(5, audio)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 5u);
    ASSERT_TRUE(n.negotiate());
    // They re-offer hold; our answer changes (recvonly): version 6.
    ASSERT_TRUE(n.receive_remote_offer(theirs(3, "m=audio 6000 RTP/AVP 0\r\na=sendonly\r\n")));
    session_description answer = ours(5, audio);
    answer.edit_media(0).set_direction(
        answer_direction(n.pending_remote()->effective_direction(0), direction::sendrecv));
    ASSERT_TRUE(n.set_local_answer(std::move(answer)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 6u);
    EXPECT_EQ(n.pending_local()->media()[0].declared_direction(), direction::recvonly);
}

TEST(sdp_negotiator, remote_reoffer_after_done_and_previously_declined_stream_reused) {
    negotiator n;
    ASSERT_TRUE(n.receive_remote_offer(theirs(1, audio_video)));
    session_description answer = ours(1, audio_answer);
    add_declined_stream(answer, n.pending_remote()->media()[1]);
    ASSERT_TRUE(n.set_local_answer(std::move(answer)));
    ASSERT_TRUE(n.negotiate());
    // RFC 3264 §8.1: the declined slot is reused by a new stream in the next offer.
    ASSERT_TRUE(
        n.receive_remote_offer(theirs(2, "m=audio 4000 RTP/AVP 0\r\nm=audio 4100 RTP/AVP 8\r\n")));
    EXPECT_EQ(n.state(), negotiator_state::remote_offer);
    ASSERT_TRUE(
        n.set_local_answer(ours(1, "m=audio 6000 RTP/AVP 0\r\nm=audio 6100 RTP/AVP 8\r\n")));
    ASSERT_TRUE(n.negotiate());
    EXPECT_EQ(n.active_local()->media()[1].port, 6100);
    EXPECT_EQ(n.active_local()->origin().session_version, 2u);
}

} // namespace

// ---- park(): the agreed descriptions kept as text between exchanges ---------------------------

TEST(sdp_negotiator, park_keeps_our_text_and_gives_back_an_equal_description) {
    negotiator n;
    std::string offer_text = "v=0\r\no=peer 7 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\n"
                             "t=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\na=sendonly\r\n";
    ASSERT_TRUE(n.receive_remote_offer(parsed(offer_text)));
    ASSERT_TRUE(n.set_local_answer(ours(3, "m=audio 6000 RTP/AVP 0\r\na=recvonly\r\n")));
    EXPECT_EQ(n.local_text(), n.pending_local()->serialize());
    ASSERT_TRUE(n.negotiate());
    session_description local = *n.active_local();
    ASSERT_NE(n.active_remote(), nullptr); // until park(): apply_negotiated reads it
    n.park();
    EXPECT_TRUE(n.parked());
    EXPECT_EQ(n.state(), negotiator_state::done);
    EXPECT_EQ(n.active_remote(), nullptr); // only its m-line count is kept
    EXPECT_TRUE(n.parked());
    ASSERT_NE(n.active_local(), nullptr); // parsed back on first use
    EXPECT_FALSE(n.parked());
    EXPECT_EQ(*n.active_local(), local);
    EXPECT_EQ(n.local_text(), local.serialize());
}

TEST(sdp_negotiator, a_parked_negotiator_takes_the_next_offer_both_ways) {
    negotiator n;
    complete_local_round(n, ours(10, audio), theirs(1, audio_answer));
    n.park();
    // Ours: stamped against the parked local (same content keeps version 10).
    ASSERT_TRUE(n.set_local_offer(n.next_offer_base()));
    EXPECT_EQ(n.pending_local()->origin().session_version, 10u);
    ASSERT_TRUE(n.receive_remote_answer(theirs(1, audio_answer)));
    ASSERT_TRUE(n.negotiate());
    n.park();
    // Theirs: checked against the parked remote (RFC 3264 §8: m-lines are never removed).
    expect_error(n.receive_remote_offer(theirs(2, "")), 488, "SDP: new offer removes m-lines");
    EXPECT_EQ(n.state(), negotiator_state::done);
    ASSERT_TRUE(n.receive_remote_offer(theirs(2, audio)));
    ASSERT_TRUE(n.set_local_answer(ours(1, audio_answer)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 11u); // the port changed
    ASSERT_TRUE(n.negotiate());
    n.park();
    // A rejected offer of theirs leaves the parked agreement in force.
    ASSERT_TRUE(n.receive_remote_offer(theirs(3, audio)));
    ASSERT_TRUE(n.cancel_offer());
    EXPECT_EQ(n.state(), negotiator_state::done);
    EXPECT_EQ(n.active_local()->media()[0].port, 6000);
}

TEST(sdp_negotiator, park_after_a_cancelled_offer_of_ours_keeps_both_texts) {
    negotiator n;
    complete_local_round(n, ours(10, audio), theirs(1, audio_answer));
    session_description agreed = *n.active_local();
    session_description hold = n.next_offer_base();
    hold.edit_media(0).set_direction(direction::sendonly);
    ASSERT_TRUE(n.set_local_offer(std::move(hold)));
    std::string cancelled(n.local_text());
    ASSERT_TRUE(n.cancel_offer());
    n.park();
    EXPECT_TRUE(n.parked());
    EXPECT_EQ(n.local_text(), cancelled); // still what we sent last
    // RFC 3264 §8: a new offer is stamped against the cancelled one (version 11)...
    ASSERT_TRUE(n.set_local_offer(n.next_offer_base()));
    EXPECT_EQ(n.pending_local()->origin().session_version, 12u); // after the cancelled 11
    EXPECT_EQ(n.pending_local()->effective_direction(0), direction::sendrecv);
    // ...and the agreement it would have changed stays in force when it is cancelled too.
    ASSERT_TRUE(n.cancel_offer());
    ASSERT_NE(n.active_local(), nullptr);
    EXPECT_EQ(*n.active_local(), agreed);
}

TEST(sdp_negotiator, an_offer_resent_after_a_cancel_and_park_keeps_its_version) {
    // A re-INVITE answered 491 is retried with the same offer: the same content keeps the
    // version of the cancelled one (RFC 3264 §8), also when the negotiator parked in between.
    negotiator n;
    complete_local_round(n, ours(10, audio), theirs(1, audio_answer));
    session_description hold = n.next_offer_base();
    hold.edit_media(0).set_direction(direction::sendonly);
    session_description again = hold;
    ASSERT_TRUE(n.set_local_offer(std::move(hold)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 11u);
    ASSERT_TRUE(n.cancel_offer());
    n.park();
    ASSERT_TRUE(n.set_local_offer(std::move(again)));
    EXPECT_EQ(n.pending_local()->origin().session_version, 11u);
}

TEST(sdp_negotiator, a_parked_remote_still_may_not_remove_m_lines) {
    // RFC 3264 §8: "the number of m lines MUST NOT decrease", checked against the peer's
    // description of the last round, of which park() keeps only the count.
    negotiator n;
    std::string two = "m=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n";
    ASSERT_TRUE(n.receive_remote_offer(theirs(1, two)));
    ASSERT_TRUE(n.set_local_answer(ours(1, "m=audio 6000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n")));
    ASSERT_TRUE(n.negotiate());
    n.park();
    expect_error(n.receive_remote_offer(theirs(2, audio)), 488, "SDP: new offer removes m-lines");
    EXPECT_TRUE(n.parked());
    EXPECT_EQ(n.state(), negotiator_state::done);
    ASSERT_TRUE(n.receive_remote_offer(theirs(2, two)));
}

TEST(sdp_negotiator, park_is_a_no_op_before_a_round_completes) {
    negotiator n;
    n.park();
    EXPECT_FALSE(n.parked());
    ASSERT_TRUE(n.set_local_offer(ours(1, audio)));
    n.park();
    EXPECT_FALSE(n.parked());
    EXPECT_NE(n.pending_local(), nullptr);
}
