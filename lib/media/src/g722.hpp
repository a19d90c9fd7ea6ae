// G.722 64 kbit/s sub-band ADPCM (ITU-T G.722 mode 1), private to the media library: reached
// through make_encoder()/make_decoder() in codec.hpp.
//
// Ownership: an encoder and a decoder each own their state (QMF delay line and the two bands'
// adaptive predictors and scale factors); nothing is shared. One thread at a time.
#pragma once

#include <parley/media/codec.hpp>

#include <array>
#include <cstdint>

namespace parley::media {

/// One sub-band's ADPCM state: the log scale factor and the adaptive predictor (two poles, six
/// zeros) the encoder and decoder both run on the quantized difference, so they stay in step.
struct g722_band {
    int log_scale = 0;                  ///< NBL / NBH
    int scale = 0;                      ///< DETL / DETH, the quantizer step derived from log_scale
    int estimate = 0;                   ///< SL / SH: the predicted signal for the next sample
    int zero_part = 0;                  ///< SZL / SZH: the zero section's share of `estimate`
    std::array<int, 3> pole{};          ///< A1, A2 (index 0 unused)
    std::array<int, 7> zero{};          ///< B1..B6 (index 0 unused)
    std::array<int, 7> difference{};    ///< DLT(k)..DLT(k-6)
    std::array<int, 3> reconstructed{}; ///< RLT(k)..RLT(k-2)
    std::array<int, 3> partial{};       ///< PLT(k)..PLT(k-2)

    /// Block 4: reconstruct, adapt the predictor on `quantized_difference`, predict the next.
    void adapt(int quantized_difference) noexcept;
};

class g722_encoder final : public audio_encoder {
public:
    g722_encoder() noexcept;
    std::size_t encode(std::span<const std::int16_t> pcm,
                       std::span<std::uint8_t> out) noexcept override;

private:
    std::uint8_t encode_pair(int first, int second) noexcept;

    std::array<int, 24> history_{}; ///< transmit QMF input, newest first
    g722_band lower_;
    g722_band upper_;
};

class g722_decoder final : public audio_decoder {
public:
    g722_decoder() noexcept;
    std::size_t decode(std::span<const std::uint8_t> payload,
                       std::span<std::int16_t> out) noexcept override;

private:
    std::array<int, 12> sum_history_{};        ///< receive QMF: RL + RH, newest first
    std::array<int, 12> difference_history_{}; ///< receive QMF: RL - RH, newest first
    g722_band lower_;
    g722_band upper_;
};

} // namespace parley::media
