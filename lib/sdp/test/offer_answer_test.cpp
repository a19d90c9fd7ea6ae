#include <gtest/gtest.h>

#include <vector>

#include <parley/sdp/offer_answer.hpp>

namespace {

using namespace parley::sdp;

session_description parsed(std::string_view text) {
    auto d = session_description::parse(text);
    EXPECT_TRUE(d) << (d ? "" : d.error_value().reason);
    return d ? std::move(*d) : session_description{};
}

constexpr std::string_view offer_text = "v=0\r\n"
                                        "o=alice 1 1 IN IP4 192.0.2.10\r\n"
                                        "s=-\r\n"
                                        "c=IN IP4 192.0.2.10\r\n"
                                        "t=0 0\r\n"
                                        "m=audio 49170 RTP/AVP 0 8 9 96 101\r\n"
                                        "a=rtpmap:96 opus/48000/2\r\n"
                                        "a=fmtp:96 useinbandfec=1\r\n"
                                        "a=rtpmap:101 telephone-event/8000\r\n"
                                        "a=fmtp:101 0-16\r\n"
                                        "m=video 51372 RTP/AVP 31\r\n";

TEST(sdp_offer_answer, answer_direction_table_rfc3264_6_1) {
    // offered sendonly -> recvonly, or inactive when we do not want to receive
    EXPECT_EQ(answer_direction(direction::sendonly, direction::sendrecv), direction::recvonly);
    EXPECT_EQ(answer_direction(direction::sendonly, direction::recvonly), direction::recvonly);
    EXPECT_EQ(answer_direction(direction::sendonly, direction::sendonly), direction::inactive);
    EXPECT_EQ(answer_direction(direction::sendonly, direction::inactive), direction::inactive);
    // offered recvonly -> sendonly, or inactive
    EXPECT_EQ(answer_direction(direction::recvonly, direction::sendrecv), direction::sendonly);
    EXPECT_EQ(answer_direction(direction::recvonly, direction::recvonly), direction::inactive);
    // offered sendrecv -> what we prefer
    EXPECT_EQ(answer_direction(direction::sendrecv, direction::sendrecv), direction::sendrecv);
    EXPECT_EQ(answer_direction(direction::sendrecv, direction::sendonly), direction::sendonly);
    EXPECT_EQ(answer_direction(direction::sendrecv, direction::recvonly), direction::recvonly);
    EXPECT_EQ(answer_direction(direction::sendrecv, direction::inactive), direction::inactive);
    // offered inactive -> inactive
    EXPECT_EQ(answer_direction(direction::inactive, direction::sendrecv), direction::inactive);
}

TEST(sdp_offer_answer, reverse_hold_and_resume) {
    EXPECT_EQ(reverse(direction::sendonly), direction::recvonly);
    EXPECT_EQ(reverse(direction::recvonly), direction::sendonly);
    EXPECT_EQ(reverse(direction::sendrecv), direction::sendrecv);
    EXPECT_EQ(reverse(direction::inactive), direction::inactive);
    // RFC 3264 §8.4: hold
    EXPECT_EQ(hold_direction(direction::sendrecv), direction::sendonly);
    EXPECT_EQ(hold_direction(direction::recvonly), direction::inactive);
    EXPECT_EQ(hold_direction(direction::sendonly), direction::sendonly);
    EXPECT_EQ(hold_direction(direction::inactive), direction::inactive);
    // resume undoes hold
    EXPECT_EQ(resume_direction(direction::sendonly), direction::sendrecv);
    EXPECT_EQ(resume_direction(direction::inactive), direction::recvonly);
    EXPECT_EQ(resume_direction(hold_direction(direction::sendrecv)), direction::sendrecv);
}

TEST(sdp_offer_answer, hold_offer_and_its_answer) {
    // The peer holds us (sendonly); we answer recvonly. Old style: c=0.0.0.0.
    session_description hold =
        parsed("v=0\r\no=bob 1 2 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
               "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n");
    EXPECT_EQ(hold.effective_direction(0), direction::sendonly);
    EXPECT_TRUE(hold.is_connection_hold(0));
    EXPECT_EQ(answer_direction(hold.effective_direction(0), direction::sendrecv),
              direction::recvonly);
    session_description resume =
        parsed("v=0\r\no=bob 1 3 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n"
               "m=audio 4000 RTP/AVP 0\r\n");
    EXPECT_EQ(resume.effective_direction(0), direction::sendrecv);
    EXPECT_FALSE(resume.is_connection_hold(0));
}

TEST(sdp_offer_answer, intersection_follows_local_preference_and_offer_payload_types) {
    session_description offer = parsed(offer_text);
    std::vector<codec> local{{"G722", 8000}, {"opus", 48000, 2}, {"PCMU", 8000}, {"GSM", 8000}};
    auto matches = intersect_formats(offer.media()[0], local);
    ASSERT_EQ(matches.size(), 4u);
    EXPECT_EQ(matches[0].payload_type, 9); // static, no rtpmap in the offer
    EXPECT_EQ(matches[0].map.encoding_name, "G722");
    EXPECT_EQ(matches[1].payload_type, 96);
    EXPECT_EQ(matches[1].fmtp, "useinbandfec=1");
    EXPECT_EQ(matches[2].payload_type, 0);
    EXPECT_EQ(matches[3].payload_type, 101); // telephone-event appended as an extra
    EXPECT_EQ(matches[3].fmtp, "0-16");
}

TEST(sdp_offer_answer, intersection_reads_offers_with_many_formats) {
    // More formats than fit the stack table: dynamic types 102-125, then PCMA, then events.
    std::string text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                       "t=0 0\r\nm=audio 4000 RTP/AVP";
    for (int pt = 102; pt < 126; ++pt) text += " " + std::to_string(pt);
    text += " 8 101\r\n";
    for (int pt = 102; pt < 126; ++pt)
        text += "a=rtpmap:" + std::to_string(pt) + " X" + std::to_string(pt) + "/8000\r\n";
    text += "a=rtpmap:101 telephone-event/8000\r\n";
    session_description offer = parsed(text);
    std::vector<codec> local{{"PCMU", 8000}, {"X118", 8000}, {"PCMA", 8000}};
    auto m = intersect_formats(offer.media()[0], local);
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].payload_type, 118);
    EXPECT_EQ(m[1].payload_type, 8);
    EXPECT_EQ(m[2].payload_type, 101);
}

TEST(sdp_offer_answer, intersection_is_case_insensitive_and_checks_rate_and_channels) {
    session_description offer = parsed(offer_text);
    std::vector<codec> mono_opus{{"OPUS", 48000, 1}};
    EXPECT_TRUE(intersect_formats(offer.media()[0], mono_opus).empty());
    std::vector<codec> pcmu_16k{{"pcmu", 16000}};
    EXPECT_TRUE(intersect_formats(offer.media()[0], pcmu_16k).empty());
    std::vector<codec> pcma{{"pcma", 8000}};
    auto m = intersect_formats(offer.media()[0], pcma);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].payload_type, 8);
}

TEST(sdp_offer_answer, telephone_event_is_optional_and_never_alone) {
    session_description offer = parsed(offer_text);
    std::vector<codec> pcmu{{"PCMU", 8000}};
    auto without = intersect_formats(offer.media()[0], pcmu, {.events = telephone_event::exclude});
    ASSERT_EQ(without.size(), 1u);
    EXPECT_EQ(without[0].payload_type, 0);
    std::vector<codec> only_events{{"telephone-event", 8000}};
    EXPECT_TRUE(intersect_formats(offer.media()[0], only_events).empty());
    std::vector<codec> opus{{"opus", 48000, 2}}; // 48 kHz: no 48 kHz telephone-event offered
    EXPECT_EQ(intersect_formats(offer.media()[0], opus).size(), 1u);
    // ... but an 8 kHz codec accepted after it brings the 8 kHz events in.
    std::vector<codec> opus_pcmu{{"opus", 48000, 2}, {"PCMU", 8000}};
    auto m = intersect_formats(offer.media()[0], opus_pcmu);
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[2].map.encoding_name, "telephone-event");
}

TEST(sdp_offer_answer, apply_formats_writes_formats_rtpmap_and_fmtp) {
    session_description offer = parsed(offer_text);
    std::vector<codec> local{{"opus", 48000, 2}, {"PCMU", 8000}};
    auto matches = intersect_formats(offer.media()[0], local);
    session_description answer;
    std::vector<std::string_view> placeholder{"0"};
    apply_formats(answer.add_media("audio", 5000, "RTP/AVP", placeholder), matches);
    std::string text = answer.serialize();
    EXPECT_EQ(text.substr(text.find("m=")),
              "m=audio 5000 RTP/AVP 96 0 101\r\n"
              "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n"
              "a=rtpmap:0 PCMU/8000\r\n"
              "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n");
}

TEST(sdp_offer_answer, declined_stream_keeps_type_proto_and_formats_with_port_zero) {
    session_description offer = parsed(offer_text);
    session_description answer;
    media_editor m = add_declined_stream(answer, offer.media()[1]);
    EXPECT_EQ(m.get().media, "video");
    EXPECT_EQ(m.get().port, 0);
    EXPECT_TRUE(m.get().is_declined());
    EXPECT_EQ(m.get().proto, "RTP/AVP");
    ASSERT_EQ(m.get().formats.size(), 1u);
    EXPECT_EQ(m.get().formats[0], "31");
    EXPECT_TRUE(m.get().attributes.empty());
}

session_description answer_with(std::string_view media_lines) {
    std::string text =
        "v=0\r\no=bob 5 5 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n";
    text += media_lines;
    return parsed(text);
}

TEST(sdp_offer_answer, validate_answer_accepts_a_good_answer_with_a_declined_stream) {
    session_description offer = parsed(offer_text);
    auto ok = validate_answer(offer, answer_with("m=audio 5000 RTP/AVP 0\r\n"
                                                 "m=video 0 RTP/AVP 31\r\n"));
    EXPECT_TRUE(ok);
    // Matching by rtpmap also counts when the answer renumbers a dynamic payload type.
    EXPECT_TRUE(validate_answer(offer, answer_with("m=audio 5000 RTP/AVP 97\r\n"
                                                   "a=rtpmap:97 opus/48000/2\r\n"
                                                   "m=video 0 RTP/AVP 31\r\n")));
}

TEST(sdp_offer_answer, validate_answer_rejects_count_order_and_format_mismatches) {
    session_description offer = parsed(offer_text);
    auto fewer = validate_answer(offer, answer_with("m=audio 5000 RTP/AVP 0\r\n"));
    ASSERT_FALSE(fewer);
    EXPECT_EQ(fewer.error_value().status, 488);
    EXPECT_STREQ(fewer.error_value().reason, "SDP: answer m-line count differs from offer");
    EXPECT_EQ(fewer.error_value().offset, 1u);

    auto swapped = validate_answer(offer, answer_with("m=video 0 RTP/AVP 31\r\n"
                                                      "m=audio 5000 RTP/AVP 0\r\n"));
    ASSERT_FALSE(swapped);
    EXPECT_EQ(swapped.error_value().status, 488);
    EXPECT_STREQ(swapped.error_value().reason, "SDP: answer m-line order differs from offer");
    EXPECT_EQ(swapped.error_value().offset, 0u);

    auto foreign = validate_answer(offer, answer_with("m=audio 5000 RTP/AVP 18\r\n"
                                                      "m=video 0 RTP/AVP 31\r\n"));
    ASSERT_FALSE(foreign);
    EXPECT_STREQ(foreign.error_value().reason, "SDP: answer stream has no offered format");

    session_description offer_declined = parsed(offer_text);
    offer_declined.edit_media(1).set_port(0);
    auto revived = validate_answer(offer_declined, answer_with("m=audio 5000 RTP/AVP 0\r\n"
                                                               "m=video 6000 RTP/AVP 31\r\n"));
    ASSERT_FALSE(revived);
    EXPECT_STREQ(revived.error_value().reason, "SDP: answer accepts a declined stream");
    EXPECT_EQ(revived.error_value().offset, 1u);
}

TEST(sdp_offer_answer, validate_new_offer_never_removes_m_lines) {
    session_description previous = parsed(offer_text);
    session_description same = previous;
    EXPECT_TRUE(validate_new_offer(previous, same));
    session_description declined = previous;
    declined.edit_media(1).set_port(0);
    EXPECT_TRUE(validate_new_offer(previous, declined));
    session_description appended = previous;
    std::vector<std::string_view> formats{"0"};
    appended.add_media("audio", 7000, "RTP/AVP", formats);
    EXPECT_TRUE(validate_new_offer(previous, appended));
    session_description removed =
        parsed("v=0\r\no=alice 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
               "m=audio 49170 RTP/AVP 0\r\n");
    auto e = validate_new_offer(previous, removed);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error_value().status, 488);
    EXPECT_STREQ(e.error_value().reason, "SDP: new offer removes m-lines");
}

TEST(add_audio_offer, static_types_dynamic_ones_and_telephone_event) {
    session_description d;
    const codec codecs[] = {{"PCMU", 8000, 1}, {"G722", 8000, 1}, {"opus", 48000, 2}};
    add_audio_offer(d, 4000, "192.0.2.10", codecs);
    ASSERT_EQ(d.media().size(), 1u);
    const auto& m = d.media()[0];
    EXPECT_EQ(m.port, 4000);
    ASSERT_EQ(m.formats.size(), 4u);
    EXPECT_EQ(m.formats[0], "0");
    EXPECT_EQ(m.formats[1], "9");
    EXPECT_EQ(m.formats[2], "96");
    EXPECT_EQ(m.formats[3], "101");
    EXPECT_EQ(m.find_rtpmap(96)->encoding_name, "opus");
    EXPECT_EQ(m.find_rtpmap(101)->encoding_name, "telephone-event");
    EXPECT_EQ(m.declared_direction(), direction::sendrecv);
    EXPECT_EQ(m.connections[0].address, "192.0.2.10");
}

TEST(add_rtp_answer, formats_address_ptime_and_the_answered_direction) {
    session_description offer =
        parsed("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
               "m=audio 49170 RTP/AVP 8 0\r\na=ptime:30\r\na=sendonly\r\n");
    const codec ours[] = {{"PCMU", 8000, 1}, {"PCMA", 8000, 1}};
    auto matches = intersect_formats(offer.media()[0], ours);
    session_description answer;
    add_rtp_answer(answer, offer, 0, 5000, "2001:db8::1", matches);
    const auto& m = answer.media()[0];
    EXPECT_EQ(m.port, 5000);
    EXPECT_EQ(m.formats[0], "0") << "our order";
    EXPECT_EQ(m.ptime(), std::optional<std::uint32_t>(30));
    EXPECT_EQ(m.connections[0].address_type, "IP6");
    EXPECT_EQ(m.declared_direction(), direction::recvonly) << "sendonly is answered recvonly";
    session_description holding;
    add_rtp_answer(holding, offer, 0, 5000, "192.0.2.20", matches, direction::sendonly);
    EXPECT_EQ(holding.media()[0].declared_direction(), direction::inactive)
        << "both sides only send: nothing flows";
}

} // namespace
