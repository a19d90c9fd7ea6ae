// The SDP handler chaining rules of the seed, each with a test.
#include <parley/session/session.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace parley {
namespace {

sdp::session_description parse_sdp(const std::string& text) {
    auto d = sdp::session_description::parse(text);
    EXPECT_TRUE(d) << d.error_value().reason;
    return std::move(*d);
}

std::string offer_text(std::initializer_list<std::string> media_lines) {
    std::string s = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
    for (const auto& m : media_lines) s += m + "\r\n";
    return s;
}

/// Accepts an offered stream only when it carries `format`; offers that one format itself.
struct format_handler : sdp_handler {
    std::string name;
    std::string format;
    std::vector<std::string>& log;
    std::uint16_t port;
    format_handler(std::string n, std::string f, std::vector<std::string>& l,
                   std::uint16_t p = 30000)
        : name(std::move(n)), format(std::move(f)), log(l), port(p) {}

    stream_verdict answer_stream(session&, const sdp::session_description& offer, std::size_t index,
                                 sdp::session_description& answer) noexcept override {
        log.push_back(name + ":answer:" + std::to_string(index));
        const auto& offered = offer.media()[index];
        if (std::find(offered.formats.begin(), offered.formats.end(), format) ==
            offered.formats.end())
            return stream_verdict::not_handled;
        std::string_view formats[] = {format};
        answer.add_media(offered.media, port, offered.proto, formats)
            .add_connection({"IN", "IP4", "127.0.0.1"});
        return stream_verdict::handled;
    }
    stream_verdict offer_stream(session&, sdp::session_description& offer, std::size_t index,
                                const sdp::media_description* previous) noexcept override {
        log.push_back(name + ":offer:" + std::to_string(index) + (previous ? ":again" : ":new"));
        std::string_view formats[] = {format};
        offer.add_media("audio", port, "RTP/AVP", formats)
            .add_connection({"IN", "IP4", "127.0.0.1"});
        return stream_verdict::handled;
    }
    void apply_stream(session&, const sdp::session_description&, const sdp::session_description&,
                      std::size_t index) noexcept override {
        log.push_back(name + ":apply:" + std::to_string(index));
    }
    void stop_stream(session&, std::size_t index) noexcept override {
        log.push_back(name + ":stop:" + std::to_string(index));
    }
};

struct failing_handler : sdp_handler {
    stream_verdict answer_stream(session&, const sdp::session_description&, std::size_t,
                                 sdp::session_description&) noexcept override {
        return stream_verdict::failed;
    }
    stream_verdict offer_stream(session&, sdp::session_description&, std::size_t,
                                const sdp::media_description*) noexcept override {
        return stream_verdict::failed;
    }
};

struct fixture : ::testing::Test {
    std::vector<std::string> log;
    extension_registry registry;
    std::vector<registration> registrations;
    void add(std::string_view type, std::shared_ptr<sdp_handler> h) {
        registrations.push_back(registry.add_sdp_handler(type, std::move(h)));
    }
};

TEST_F(fixture, not_handled_passes_to_the_next_handler_of_the_type) {
    auto pcma = std::make_shared<format_handler>("pcma", "8", log);
    auto pcmu = std::make_shared<format_handler>("pcmu", "0", log);
    add("audio", pcma);
    add("audio", pcmu);
    session s(registry.snapshot(), {.id = 7});
    auto answer = s.answer_offer(parse_sdp(offer_text({"m=audio 49170 RTP/AVP 0"})));
    ASSERT_TRUE(answer) << answer.error_value().reason;
    EXPECT_EQ(log, (std::vector<std::string>{"pcma:answer:0", "pcmu:answer:0"}));
    ASSERT_EQ(answer->media().size(), 1u);
    EXPECT_EQ(answer->media()[0].formats[0], "0");
    EXPECT_EQ(s.stream_handler(0), pcmu.get());
    EXPECT_EQ(answer->origin().session_id, "7");
    EXPECT_TRUE(answer->connection().has_value()) << "session-level c= filled in";
}

TEST_F(fixture, a_stream_without_a_handler_is_declined_and_the_answer_keeps_count_and_order) {
    add("audio", std::make_shared<format_handler>("pcmu", "0", log));
    session s(registry.snapshot(), {.id = 1});
    auto answer = s.answer_offer(parse_sdp(offer_text(
        {"m=audio 49170 RTP/AVP 0", "m=video 51372 RTP/AVP 31", "m=application 9 UDP/BFCP *"})));
    ASSERT_TRUE(answer) << answer.error_value().reason;
    ASSERT_EQ(answer->media().size(), 3u);
    EXPECT_EQ(answer->media()[0].port, 30000);
    EXPECT_EQ(answer->media()[1].media, "video");
    EXPECT_EQ(answer->media()[1].port, 0);
    EXPECT_EQ(answer->media()[2].media, "application");
    EXPECT_EQ(answer->media()[2].port, 0);
    // The answer survives a serialize/parse round trip (it is a valid SDP).
    EXPECT_TRUE(sdp::session_description::parse(answer->serialize()));
}

TEST_F(fixture, audio_streams_beyond_the_sessions_limit_are_declined) {
    add("audio", std::make_shared<format_handler>("pcmu", "0", log));
    session s(registry.snapshot(), {.id = 1});
    s.edit_media().max_audio_streams = 1; // the endpoint's max_audio_streams
    auto answer = s.answer_offer(parse_sdp(offer_text(
        {"m=audio 49170 RTP/AVP 0", "m=audio 49172 RTP/AVP 0", "m=video 5 RTP/AVP 31"})));
    ASSERT_TRUE(answer) << answer.error_value().reason;
    ASSERT_EQ(answer->media().size(), 3u);
    EXPECT_NE(answer->media()[0].port, 0);
    EXPECT_EQ(answer->media()[1].port, 0) << "the second audio stream is over the limit";
    EXPECT_EQ(s.stream_handler(1), nullptr);
}

TEST_F(fixture, failed_abandons_the_negotiation_with_488_and_changes_nothing) {
    add("audio", std::make_shared<format_handler>("pcmu", "0", log));
    add("video", std::make_shared<failing_handler>());
    session s(registry.snapshot(), {.id = 1});
    auto answer =
        s.answer_offer(parse_sdp(offer_text({"m=audio 49170 RTP/AVP 0", "m=video 5 RTP/AVP 31"})));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error_value().status, 488);
    EXPECT_EQ(s.stream_count(), 0u);
}

TEST_F(fixture, no_acceptable_stream_is_488) {
    add("audio", std::make_shared<format_handler>("pcmu", "0", log));
    session s(registry.snapshot(), {.id = 1});
    auto answer = s.answer_offer(parse_sdp(offer_text({"m=audio 49170 RTP/AVP 18"})));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error_value().status, 488);
    EXPECT_EQ(answer.error_value().reason_phrase(), "No Acceptable Media");
}

TEST_F(fixture, the_claiming_handler_stays_attached_for_later_offers) {
    auto pcmu = std::make_shared<format_handler>("pcmu", "0", log);
    auto any = std::make_shared<format_handler>("pcma-first", "8", log);
    add("audio", any);
    add("audio", pcmu);
    session s(registry.snapshot(), {.id = 1});
    ASSERT_TRUE(s.answer_offer(parse_sdp(offer_text({"m=audio 49170 RTP/AVP 0"}))));
    log.clear();
    // A re-offer offering both: the attached handler answers, the first one is not asked.
    auto again = s.answer_offer(parse_sdp(offer_text({"m=audio 49170 RTP/AVP 8 0"})));
    ASSERT_TRUE(again);
    EXPECT_EQ(log, (std::vector<std::string>{"pcmu:answer:0"}));
    EXPECT_EQ(again->media()[0].formats[0], "0");
}

TEST_F(fixture, our_offers_add_one_stream_per_type_and_reoffers_keep_declined_lines) {
    auto pcmu = std::make_shared<format_handler>("pcmu", "0", log);
    add("audio", pcmu);
    session s(registry.snapshot(), {.id = 1});
    auto offer = s.create_offer();
    ASSERT_TRUE(offer);
    ASSERT_EQ(offer->media().size(), 1u);
    EXPECT_EQ(log, (std::vector<std::string>{"pcmu:offer:0:new"}));
    // The peer's own offer grows to two streams, the second declined by us.
    auto answer = s.answer_offer(
        parse_sdp(offer_text({"m=audio 4000 RTP/AVP 0", "m=video 5000 RTP/AVP 31"})));
    ASSERT_TRUE(answer);
    log.clear();
    auto reoffer = s.create_offer(&*answer); // our description of the last exchange
    ASSERT_TRUE(reoffer);
    ASSERT_EQ(reoffer->media().size(), 2u) << "m-lines are never removed (RFC 3264 §8)";
    EXPECT_EQ(reoffer->media()[1].media, "video");
    EXPECT_EQ(reoffer->media()[1].port, 0);
    EXPECT_EQ(log, (std::vector<std::string>{"pcmu:offer:0:again"}));
}

TEST_F(fixture, an_offer_no_handler_fills_is_an_error) {
    session s(registry.snapshot(), {.id = 1});
    auto offer = s.create_offer();
    ASSERT_FALSE(offer);
    EXPECT_EQ(offer.error_value().status, 488);
}

TEST_F(fixture, apply_then_stop_when_declined_and_stop_at_end) {
    auto pcmu = std::make_shared<format_handler>("pcmu", "0", log);
    add("audio", pcmu);
    auto s = std::make_unique<session>(registry.snapshot(), session_options{.id = 1});
    auto offer = parse_sdp(offer_text({"m=audio 49170 RTP/AVP 0"}));
    auto answer = s->answer_offer(offer);
    ASSERT_TRUE(answer);
    log.clear();
    s->apply_negotiated(*answer, offer);
    EXPECT_EQ(log, (std::vector<std::string>{"pcmu:apply:0"}));
    log.clear();
    // The peer declines the stream in a later answer: the handler stops and lets it go.
    auto declined = parse_sdp(offer_text({"m=audio 0 RTP/AVP 0"}));
    s->apply_negotiated(*answer, declined);
    EXPECT_EQ(log, (std::vector<std::string>{"pcmu:stop:0"}));
    EXPECT_EQ(s->stream_handler(0), nullptr);
    // A session that ends stops what still runs.
    auto other = std::make_unique<session>(registry.snapshot(), session_options{.id = 2});
    ASSERT_TRUE(other->answer_offer(offer));
    log.clear();
    other.reset();
    EXPECT_EQ(log, (std::vector<std::string>{"pcmu:stop:0"}));
}

} // namespace
} // namespace parley
