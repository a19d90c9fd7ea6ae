// test_audio_handler: an SDP handler for audio streams offering one format (PCMU by default),
// answering with that format and the RFC 3264 §6.1 direction, counting applies and stops.
// Header-only and free of any test framework: the layer tests and the fuzz targets share it.
#pragma once

#include <parley/sdp/offer_answer.hpp>
#include <parley/session/sdp_handler.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace parley::test {

/// Accepts audio streams offering `format`; answers with that one format, sendrecv unless
/// the offer holds (RFC 3264 §6.1 direction rules through sdp::answer_direction).
struct test_audio_handler : sdp_handler {
    std::string format = "0";
    int applied = 0;
    int stopped = 0;
    stream_verdict answer_stream(session&, const sdp::session_description& offer, std::size_t index,
                                 sdp::session_description& answer) noexcept override {
        const auto& offered = offer.media()[index];
        if (std::find(offered.formats.begin(), offered.formats.end(), format) ==
            offered.formats.end())
            return stream_verdict::not_handled;
        std::string_view formats[] = {format};
        auto m = answer.add_media(offered.media, 30000, offered.proto, formats);
        m.add_connection({"IN", "IP4", "127.0.0.1"});
        m.set_direction(
            sdp::answer_direction(offer.effective_direction(index), sdp::direction::sendrecv));
        return stream_verdict::handled;
    }
    stream_verdict offer_stream(session&, sdp::session_description& offer, std::size_t,
                                const sdp::media_description*) noexcept override {
        std::string_view formats[] = {format};
        offer.add_media("audio", 30000, "RTP/AVP", formats)
            .add_connection({"IN", "IP4", "127.0.0.1"});
        return stream_verdict::handled;
    }
    void apply_stream(session&, const sdp::session_description&, const sdp::session_description&,
                      std::size_t) noexcept override {
        ++applied;
    }
    void stop_stream(session&, std::size_t) noexcept override { ++stopped; }
};

} // namespace parley::test
