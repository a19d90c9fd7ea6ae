// null_media: the signalling-only "audio" SDP handler. It negotiates codecs exactly as the media
// layer will (the endpoint's codec order, the offer's payload types, telephone-event, RFC 3264
// direction rules) but opens no RTP socket: the port it answers with is derived from the session
// id. parleyd's `null` mode and the benchmarks use it to measure signalling alone; the media
// layer's RTP handler replaces it for real calls.
//
// One handler serves every session on every shard; it holds only immutable settings.
#pragma once

#include <parley/sdp/offer_answer.hpp>
#include <parley/session/sdp_handler.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace parley::ext {

struct null_media_options {
    std::string address = "127.0.0.1"; ///< c= address of our streams
    /// Codecs in preference order (telephone-event is answered when offered and a codec matched).
    std::vector<sdp::codec> codecs{{"PCMU", 8000, 1}, {"PCMA", 8000, 1}, {"G722", 8000, 1}};
    std::uint16_t first_port = 10000; ///< ports handed out: first_port + 2 * (session id % span)
    std::uint16_t port_span = 10000;
    /// Take only the sessions whose media preferences ask for no media (open_media = false),
    /// behind a real RTP handler; otherwise every RTP audio stream.
    bool only_without_media = false;
};

class null_media final : public sdp_handler {
public:
    explicit null_media(null_media_options options);

    stream_verdict answer_stream(session& s, const sdp::session_description& offer,
                                 std::size_t index,
                                 sdp::session_description& answer) noexcept override;
    stream_verdict offer_stream(session& s, sdp::session_description& offer, std::size_t index,
                                const sdp::media_description* previous) noexcept override;

private:
    std::uint16_t port_for(const session& s) const noexcept;
    null_media_options options_;
};

} // namespace parley::ext
