// rtp_media: the "audio" SDP handler of real calls. It negotiates PCMU, PCMA, G.722 and RFC 4733
// telephone-event in the session's media_preferences order (else media_settings::codecs) with
// the offer's payload types and RFC 3264 direction rules, opens one RTP stream per accepted
// m-line in the calling shard's media_context, and keeps the stream's remote address, codec,
// packet time and direction up to date as offers and answers complete. What a stream does
// (echo, playback, record, DTMF, timeout) is the application's choice, through audio_of().
//
// Ownership: one handler serves every shard; it finds the calling shard's context through
// media_context::current(). Each stream belongs to its session through a cookie, which closes
// it when the session stops the stream or ends. Sessions whose media preferences say
// open_media = false are left to a signalling-only handler registered after this one.
#pragma once

#include <parley/media/media_context.hpp>
#include <parley/session/sdp_handler.hpp>

#include <optional>

namespace parley {
class session;
}

namespace parley::media {

class rtp_media final : public sdp_handler {
public:
    stream_verdict answer_stream(session& s, const sdp::session_description& offer,
                                 std::size_t index,
                                 sdp::session_description& answer) noexcept override;
    stream_verdict offer_stream(session& s, sdp::session_description& offer, std::size_t index,
                                const sdp::media_description* previous) noexcept override;
    void apply_stream(session& s, const sdp::session_description& local,
                      const sdp::session_description& remote, std::size_t index) noexcept override;
    void stop_stream(session& s, std::size_t index) noexcept override;
};

/// A session's RTP audio stream on its shard.
struct audio_stream {
    media_context* context = nullptr;
    media_context::stream_id id = 0;
};
/// The first open audio stream of `s` (the one the call's applications use); nullopt when the
/// session has none (declined, signalling only, or not negotiated yet).
std::optional<audio_stream> audio_of(session& s) noexcept;

} // namespace parley::media
