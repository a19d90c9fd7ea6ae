// The voice codecs a call's RTP can carry: G.711 µ-law (PCMU) and A-law (PCMA), ITU-T G.711,
// and G.722 at 64 kbit/s (SB-ADPCM, ITU-T G.722 mode 1). PCM is 16-bit signed mono at
// audio_rate(codec): 8 kHz for G.711, 16 kHz for G.722.
//
// Ownership: the G.711 functions are pure. An encoder or decoder made by make_encoder() /
// make_decoder() owns its codec state (G.722 adapts to the signal, so one stream direction needs
// its own encoder and the other its own decoder) and is used by one thread at a time; nothing is
// shared between instances. encode() and decode() never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace parley::media {

enum class audio_codec : std::uint8_t {
    pcmu, ///< G.711 µ-law, 8 kHz, 1 byte per sample (RFC 3551 payload type 0)
    pcma, ///< G.711 A-law, 8 kHz, 1 byte per sample (RFC 3551 payload type 8)
    g722, ///< G.722 64 kbit/s, 16 kHz, 1 byte per 2 samples (RFC 3551 payload type 9)
};

/// The codec of an SDP rtpmap encoding name ("PCMU", "PCMA", "G722", any case); nullopt for
/// anything else.
std::optional<audio_codec> codec_from_name(std::string_view encoding);
/// The SDP encoding name of `c` ("PCMU", "PCMA", "G722").
std::string_view codec_name(audio_codec c) noexcept;
/// The static RTP payload type of `c` (RFC 3551 §6: 0, 8, 9).
std::uint8_t static_payload_type(audio_codec c) noexcept;

/// Sample rate of the codec's PCM: 8000, 8000, 16000.
unsigned audio_rate(audio_codec c) noexcept;
/// RTP timestamp clock: 8000 for all three. RFC 3551 §4.5.2: G.722's RTP clock is 8000 Hz
/// although it samples at 16 kHz, an error kept for compatibility.
unsigned rtp_clock(audio_codec c) noexcept;

/// ITU-T G.711 µ-law: 14-bit magnitude with bias 0x84, all bits inverted on the wire.
std::uint8_t linear_to_ulaw(std::int16_t s) noexcept;
std::int16_t ulaw_to_linear(std::uint8_t b) noexcept;
/// ITU-T G.711 A-law: 13-bit segmented magnitude, even bits toggled (0x55) on the wire.
std::uint8_t linear_to_alaw(std::int16_t s) noexcept;
std::int16_t alaw_to_linear(std::uint8_t b) noexcept;

class audio_encoder {
public:
    virtual ~audio_encoder() = default;
    /// Encodes PCM at audio_rate(codec) into `out`; returns bytes written (out must hold enough:
    /// 1 byte per sample for G.711, 1 byte per 2 samples for G.722). Writes no more than
    /// out.size() bytes: input that does not fit is dropped. G.722 encodes sample pairs; an odd
    /// last sample is dropped, so feed it even-sized frames.
    virtual std::size_t encode(std::span<const std::int16_t> pcm,
                               std::span<std::uint8_t> out) noexcept = 0;
};

class audio_decoder {
public:
    virtual ~audio_decoder() = default;
    /// Decodes a payload into PCM at audio_rate(codec); returns samples written (bounded by
    /// out.size()).
    virtual std::size_t decode(std::span<const std::uint8_t> payload,
                               std::span<std::int16_t> out) noexcept = 0;
};

std::unique_ptr<audio_encoder> make_encoder(audio_codec c);
std::unique_ptr<audio_decoder> make_decoder(audio_codec c);

} // namespace parley::media
