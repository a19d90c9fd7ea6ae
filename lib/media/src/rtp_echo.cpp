#include <parley/media/rtp_echo.hpp>

#include <parley/session/session.hpp>

#include <string>

namespace parley::media {

namespace {

/// Per-stream state of a session: closes its RTP stream when the cookie goes.
struct stream_cookie final : cookie {
    media_context* context;
    std::uint64_t stream;
    stream_cookie(media_context* c, std::uint64_t s) : context(c), stream(s) {}
    ~stream_cookie() override { context->close(stream); }
};

std::string cookie_name(std::size_t index) {
    return "media.rtp." + std::to_string(index);
}

sdp::connection_field connection_for(const std::string& address) {
    return {"IN", address.find(':') == std::string::npos ? "IP4" : "IP6", address};
}

} // namespace

stream_verdict rtp_echo::answer_stream(session& s, const sdp::session_description& offer,
                                       std::size_t index,
                                       sdp::session_description& answer) noexcept {
    media_context* context = media_context::current();
    if (context == nullptr) return stream_verdict::not_handled;
    const sdp::media_description& offered = offer.media()[index];
    if (offered.port == 0 || !offered.is_rtp() ||
        offered.proto.find("SAVP") != std::string_view::npos)
        return stream_verdict::not_handled; // SRTP and others are for another handler
    const media_preferences& wants = s.media();
    auto matches =
        sdp::intersect_formats(offered, wants.codecs ? *wants.codecs : context->settings().codecs,
                               {.events = wants.telephone_event ? sdp::telephone_event::include
                                                                : sdp::telephone_event::exclude});
    if (matches.empty()) return stream_verdict::not_handled;
    // A re-offer of a stream we already run keeps its socket.
    auto* existing = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index)));
    std::uint64_t stream = existing != nullptr ? existing->stream : 0;
    if (stream == 0) {
        auto opened = context->open_echo();
        if (!opened) return stream_verdict::not_handled; // no port: declined, not a failure
        stream = *opened;
        s.cookies().add(cookie_name(index), std::make_unique<stream_cookie>(context, stream));
    }
    std::string_view placeholder[] = {"0"};
    auto m = answer.add_media(offered.media, context->port_of(stream), offered.proto, placeholder);
    sdp::apply_formats(m, matches);
    m.add_connection(
        connection_for(wants.address.empty() ? context->settings().address : wants.address));
    if (auto ptime = offered.ptime()) m.add_attribute("ptime", std::to_string(*ptime));
    m.set_direction(
        sdp::answer_direction(offer.effective_direction(index), sdp::direction::sendrecv));
    return stream_verdict::handled;
}

stream_verdict rtp_echo::offer_stream(session& s, sdp::session_description& offer,
                                      std::size_t index,
                                      const sdp::media_description* previous) noexcept {
    (void)previous;
    media_context* context = media_context::current();
    if (context == nullptr) return stream_verdict::not_handled;
    if (s.media().codecs && s.media().codecs->empty()) return stream_verdict::not_handled;
    auto* existing = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index)));
    std::uint64_t stream = existing != nullptr ? existing->stream : 0;
    if (stream == 0) {
        auto opened = context->open_echo();
        if (!opened) return stream_verdict::not_handled;
        stream = *opened;
        s.cookies().add(cookie_name(index), std::make_unique<stream_cookie>(context, stream));
    }
    const media_preferences& wants = s.media();
    sdp::add_audio_offer(offer, context->port_of(stream),
                         wants.address.empty() ? context->settings().address : wants.address,
                         wants.codecs ? *wants.codecs : context->settings().codecs,
                         {.events = wants.telephone_event ? sdp::telephone_event::include
                                                          : sdp::telephone_event::exclude});
    return stream_verdict::handled;
}

void rtp_echo::apply_stream(session& s, const sdp::session_description& local,
                            const sdp::session_description& remote, std::size_t index) noexcept {
    (void)local;
    auto* c = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index)));
    if (c == nullptr) return;
    const sdp::connection_field* where = remote.effective_connection(index);
    if (where == nullptr || where->address == "0.0.0.0") return; // RFC 2543 hold: nowhere to send
    if (auto address = socket_address::from_numeric(where->address, remote.media()[index].port))
        c->context->set_remote(c->stream, *address, s.media().symmetric_rtp);
}

void rtp_echo::stop_stream(session& s, std::size_t index) noexcept {
    s.cookies().remove(cookie_name(index));
}

} // namespace parley::media
