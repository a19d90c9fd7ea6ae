#include <parley/media/codec.hpp>

#include "g722.hpp"

#include <algorithm>
#include <bit>
#include <cctype>

namespace parley::media {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

// ITU-T G.711 µ-law. The magnitude (clipped so that it plus the bias fits 15 bits) is biased by
// 0x84 so every segment boundary becomes a power of two: the segment is the position of the top
// bit, the 4-bit mantissa the bits below it.
constexpr int ulaw_bias = 0x84;
constexpr int ulaw_clip = 32635;

// ITU-T G.711 A-law: the wire toggles the even bits (0x55); the sign bit set means positive.
constexpr std::uint8_t alaw_toggle = 0x55;

class g711_encoder final : public audio_encoder {
public:
    explicit g711_encoder(audio_codec c) noexcept : codec_(c) {}
    std::size_t encode(std::span<const std::int16_t> pcm,
                       std::span<std::uint8_t> out) noexcept override {
        std::size_t n = std::min(pcm.size(), out.size());
        if (codec_ == audio_codec::pcmu)
            for (std::size_t i = 0; i < n; ++i) out[i] = linear_to_ulaw(pcm[i]);
        else
            for (std::size_t i = 0; i < n; ++i) out[i] = linear_to_alaw(pcm[i]);
        return n;
    }

private:
    audio_codec codec_;
};

class g711_decoder final : public audio_decoder {
public:
    explicit g711_decoder(audio_codec c) noexcept : codec_(c) {}
    std::size_t decode(std::span<const std::uint8_t> payload,
                       std::span<std::int16_t> out) noexcept override {
        std::size_t n = std::min(payload.size(), out.size());
        if (codec_ == audio_codec::pcmu)
            for (std::size_t i = 0; i < n; ++i) out[i] = ulaw_to_linear(payload[i]);
        else
            for (std::size_t i = 0; i < n; ++i) out[i] = alaw_to_linear(payload[i]);
        return n;
    }

private:
    audio_codec codec_;
};

} // namespace

std::optional<audio_codec> codec_from_name(std::string_view encoding) {
    for (auto c : {audio_codec::pcmu, audio_codec::pcma, audio_codec::g722})
        if (equals_ignoring_case(encoding, codec_name(c))) return c;
    return std::nullopt;
}

std::string_view codec_name(audio_codec c) noexcept {
    switch (c) {
    case audio_codec::pcmu: return "PCMU";
    case audio_codec::pcma: return "PCMA";
    case audio_codec::g722: return "G722";
    }
    return "PCMU";
}

std::uint8_t static_payload_type(audio_codec c) noexcept {
    switch (c) {
    case audio_codec::pcmu: return 0;
    case audio_codec::pcma: return 8;
    case audio_codec::g722: return 9;
    }
    return 0;
}

unsigned audio_rate(audio_codec c) noexcept {
    return c == audio_codec::g722 ? 16000 : 8000;
}

unsigned rtp_clock(audio_codec) noexcept {
    return 8000;
}

std::uint8_t linear_to_ulaw(std::int16_t s) noexcept {
    int value = s;
    std::uint8_t sign = 0;
    if (value < 0) {
        value = -value;
        sign = 0x80;
    }
    value = std::min(value, ulaw_clip) + ulaw_bias; // 0x84 ..= 0x7FFF
    // The biased value has its top bit at 7..14: that is segment 0..7.
    int segment = std::bit_width(static_cast<unsigned>(value)) - 8;
    int mantissa = (value >> (segment + 3)) & 0x0F;
    return static_cast<std::uint8_t>(~(sign | (segment << 4) | mantissa));
}

std::int16_t ulaw_to_linear(std::uint8_t b) noexcept {
    int code = static_cast<std::uint8_t>(~b);
    int segment = (code >> 4) & 0x07;
    int mantissa = code & 0x0F;
    // The middle of the code's interval, bias removed.
    int magnitude = (((mantissa << 3) + ulaw_bias) << segment) - ulaw_bias;
    return static_cast<std::int16_t>((code & 0x80) ? -magnitude : magnitude);
}

std::uint8_t linear_to_alaw(std::int16_t s) noexcept {
    // A-law quantizes 13 bits: the magnitude of a negative sample is taken as -s - 1 (one's
    // complement), so -1..-8 share the code of 0..7 with the sign cleared.
    int value = s;
    std::uint8_t sign = 0x80;
    if (value < 0) {
        value = -value - 1;
        sign = 0;
    }
    int magnitude = value >> 3; // 0 ..= 4095
    int segment = 0;
    int mantissa = 0;
    if (magnitude < 32) {
        mantissa = magnitude >> 1;
    } else {
        segment = std::bit_width(static_cast<unsigned>(magnitude)) - 5; // 1 ..= 7
        mantissa = (magnitude >> segment) & 0x0F;
    }
    return static_cast<std::uint8_t>((sign | (segment << 4) | mantissa) ^ alaw_toggle);
}

std::int16_t alaw_to_linear(std::uint8_t b) noexcept {
    int code = b ^ alaw_toggle;
    int segment = (code >> 4) & 0x07;
    int mantissa = code & 0x0F;
    // The middle of the code's interval, scaled back to 16 bits.
    int magnitude = segment == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (segment - 1);
    return static_cast<std::int16_t>((code & 0x80) ? magnitude : -magnitude);
}

std::unique_ptr<audio_encoder> make_encoder(audio_codec c) {
    if (c == audio_codec::g722) return std::make_unique<g722_encoder>();
    return std::make_unique<g711_encoder>(c);
}

std::unique_ptr<audio_decoder> make_decoder(audio_codec c) {
    if (c == audio_codec::g722) return std::make_unique<g722_decoder>();
    return std::make_unique<g711_decoder>(c);
}

} // namespace parley::media
