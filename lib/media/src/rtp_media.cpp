#include <parley/media/rtp_media.hpp>

#include <parley/base/text.hpp>
#include <parley/session/session.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

namespace parley::media {

namespace {

/// Per-stream state of a session: closes its RTP stream when the cookie goes.
struct stream_cookie final : cookie {
    media_context* context;
    media_context::stream_id stream;
    bool we_offered = false; ///< the last local m-line was an offer: the remote one is the answer
    stream_cookie(media_context* c, media_context::stream_id s) : context(c), stream(s) {}
    ~stream_cookie() override { context->close(stream); }
};

constexpr std::size_t max_streams_looked_up = 8;
constexpr std::size_t max_stream_index = 64; ///< m-lines at this index and beyond are declined

/// The cookie of stream `index`: "media.rtp.<index>" (made once: looked up on every call).
std::string_view cookie_name(std::size_t index) {
    static const std::array<std::string, max_stream_index> names = [] {
        std::array<std::string, max_stream_index> out;
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = "media.rtp." + std::to_string(i);
        return out;
    }();
    return index < names.size() ? std::string_view(names[index]) : std::string_view("media.rtp.x");
}

/// The session's stream for m-line `index`, opened on first use; 0 when no port is free.
media_context::stream_id stream_for(session& s, media_context& context, std::size_t index) {
    if (index >= max_stream_index) return 0; // declined: more audio m-lines than we run
    // A re-offer of a stream we already run keeps its socket.
    if (auto* existing = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index))))
        return existing->stream;
    auto opened = context.open();
    if (!opened) return 0;
    s.cookies().add(cookie_name(index), std::make_unique<stream_cookie>(&context, *opened));
    return *opened;
}

bool sends(sdp::direction d) noexcept {
    return d == sdp::direction::sendrecv || d == sdp::direction::sendonly;
}

bool is_telephone_event(const sdp::media_description& m, std::uint8_t pt) {
    auto map = m.find_rtpmap(pt);
    if (!map) return false;
    return text::iequals(map->encoding_name, "telephone-event");
}

bool listed(const sdp::media_description& m, std::uint8_t pt) {
    for (std::size_t i = 0; i < m.formats.size(); ++i)
        if (m.payload_type(i) == pt) return true;
    return false;
}

/// What the exchange settled, read from the answer (RFC 3264 §6.1, §7: its payload types are
/// the offer's, its first format the one to send): the first codec we know is the one we
/// send, every codec we know in it may arrive, and its telephone-event is the DTMF type.
std::optional<stream_format> negotiated_format(const sdp::media_description& answer,
                                               const sdp::media_description& offer,
                                               const sdp::media_description& remote) {
    std::optional<stream_format> out;
    std::optional<std::uint8_t> events;
    std::vector<std::pair<std::uint8_t, audio_codec>> accepted;
    for (std::size_t i = 0; i < answer.formats.size(); ++i) {
        auto pt = answer.payload_type(i);
        if (!pt || !listed(offer, *pt)) continue;
        if (is_telephone_event(answer, *pt)) {
            if (!events) events = *pt;
            continue;
        }
        auto map = answer.find_rtpmap(*pt);
        if (!map) continue;
        auto codec = codec_from_name(map->encoding_name);
        if (!codec) continue;
        accepted.emplace_back(*pt, *codec);
        if (!out) out = stream_format{.codec = *codec, .payload_type = *pt};
    }
    if (!out) return std::nullopt;
    out->event_payload_type = events;
    out->accepted = std::move(accepted);
    if (auto ptime = remote.ptime()) out->ptime_ms = *ptime;
    return out;
}

bool receives(sdp::direction d) noexcept {
    return d == sdp::direction::sendrecv || d == sdp::direction::recvonly;
}

} // namespace

stream_verdict rtp_media::answer_stream(session& s, const sdp::session_description& offer,
                                        std::size_t index,
                                        sdp::session_description& answer) noexcept {
    media_context* context = media_context::current();
    if (context == nullptr || !s.media().open_media) return stream_verdict::not_handled;
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
    media_context::stream_id stream = stream_for(s, *context, index);
    if (stream == 0) return stream_verdict::not_handled; // no port: declined, not a failure
    if (auto* c = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index))))
        c->we_offered = false;
    sdp::add_rtp_answer(answer, offer, index, context->port_of(stream),
                        wants.address.empty() ? context->settings().address : wants.address,
                        matches, wants.hold ? sdp::direction::sendonly : sdp::direction::sendrecv);
    return stream_verdict::handled;
}

stream_verdict rtp_media::offer_stream(session& s, sdp::session_description& offer,
                                       std::size_t index,
                                       const sdp::media_description* previous) noexcept {
    (void)previous;
    media_context* context = media_context::current();
    if (context == nullptr || !s.media().open_media) return stream_verdict::not_handled;
    if (s.media().codecs && s.media().codecs->empty()) return stream_verdict::not_handled;
    media_context::stream_id stream = stream_for(s, *context, index);
    if (stream == 0) return stream_verdict::not_handled;
    if (auto* c = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index))))
        c->we_offered = true;
    const media_preferences& wants = s.media();
    auto m =
        sdp::add_audio_offer(offer, context->port_of(stream),
                             wants.address.empty() ? context->settings().address : wants.address,
                             wants.codecs ? *wants.codecs : context->settings().codecs,
                             {.events = wants.telephone_event ? sdp::telephone_event::include
                                                              : sdp::telephone_event::exclude});
    if (wants.hold) m.set_direction(sdp::direction::sendonly);
    return stream_verdict::handled;
}

void rtp_media::apply_stream(session& s, const sdp::session_description& local,
                             const sdp::session_description& remote, std::size_t index) noexcept {
    auto* c = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(index)));
    if (c == nullptr || index >= local.media().size() || index >= remote.media().size()) return;
    const sdp::media_description& ours = local.media()[index];
    const sdp::media_description& theirs = remote.media()[index];
    if (auto format = c->we_offered ? negotiated_format(theirs, ours, theirs)
                                    : negotiated_format(ours, theirs, theirs))
        c->context->set_format(c->stream, *format);
    // We send when we said we send and they said they receive; they send likewise.
    sdp::direction mine = local.effective_direction(index);
    sdp::direction peer = remote.effective_direction(index);
    c->context->set_direction(c->stream, sends(mine) && receives(peer),
                              sends(peer) && receives(mine));
    const sdp::connection_field* where = remote.effective_connection(index);
    if (where == nullptr || where->address == "0.0.0.0") { // RFC 2543 hold: nowhere to send
        c->context->set_direction(c->stream, false, false);
        return;
    }
    if (auto address = socket_address::from_numeric(where->address, remote.media()[index].port))
        c->context->set_remote(c->stream, *address, s.media().symmetric_rtp);
}

void rtp_media::stop_stream(session& s, std::size_t index) noexcept {
    s.cookies().remove(cookie_name(index));
}

std::optional<audio_stream> audio_of(session& s) noexcept {
    // Only as many as the session has streams (none for a signalling-only session).
    std::size_t streams = std::min(s.stream_count(), max_streams_looked_up);
    for (std::size_t i = 0; i < streams; ++i)
        if (auto* c = dynamic_cast<stream_cookie*>(s.cookies().get(cookie_name(i))))
            if (c->context->is_open(c->stream)) return audio_stream{c->context, c->stream};
    return std::nullopt;
}

} // namespace parley::media
