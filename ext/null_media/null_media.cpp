#include <parley/ext/null_media.hpp>

#include <parley/session/session.hpp>

#include <string_view>

namespace parley::ext {

null_media::null_media(null_media_options options) : options_(std::move(options)) {}

std::uint16_t null_media::port_for(const session& s) const noexcept {
    return static_cast<std::uint16_t>(options_.first_port + 2 * (s.id() % options_.port_span));
}

stream_verdict null_media::answer_stream(session& s, const sdp::session_description& offer,
                                         std::size_t index,
                                         sdp::session_description& answer) noexcept {
    if (options_.only_without_media && s.media().open_media) return stream_verdict::not_handled;
    const sdp::media_description& offered = offer.media()[index];
    // Only RTP audio; anything else is for another handler (or declined).
    if (offered.port == 0 || !offered.is_rtp() ||
        offered.proto.find("SAVP") != std::string_view::npos)
        return stream_verdict::not_handled;
    const media_preferences& wants = s.media();
    auto matches =
        sdp::intersect_formats(offered, wants.codecs ? *wants.codecs : options_.codecs,
                               {.events = wants.telephone_event ? sdp::telephone_event::include
                                                                : sdp::telephone_event::exclude});
    if (matches.empty()) return stream_verdict::not_handled;
    const std::string& address = wants.address.empty() ? options_.address : wants.address;
    // RFC 3264 §6.1: sendonly is answered recvonly, recvonly sendonly, inactive inactive.
    sdp::add_rtp_answer(answer, offer, index, port_for(s), address, matches,
                        wants.hold ? sdp::direction::sendonly : sdp::direction::sendrecv);
    return stream_verdict::handled;
}

stream_verdict null_media::offer_stream(session& s, sdp::session_description& offer,
                                        std::size_t index,
                                        const sdp::media_description* previous) noexcept {
    (void)index;
    (void)previous;
    if (options_.only_without_media && s.media().open_media) return stream_verdict::not_handled;
    const media_preferences& wants = s.media();
    if (wants.codecs && wants.codecs->empty()) return stream_verdict::not_handled;
    auto m = sdp::add_audio_offer(
        offer, port_for(s), wants.address.empty() ? options_.address : wants.address,
        wants.codecs ? *wants.codecs : options_.codecs,
        {.events = wants.telephone_event ? sdp::telephone_event::include
                                         : sdp::telephone_event::exclude});
    if (wants.hold) m.set_direction(sdp::direction::sendonly);
    return stream_verdict::handled;
}

} // namespace parley::ext
