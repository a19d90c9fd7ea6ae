// G.722 SB-ADPCM at 64 kbit/s, following the block structure of ITU-T G.722 (its block names in
// the comments): the transmit QMF splits 16 kHz PCM into a lower and an upper band at 8 kHz;
// the lower band is coded with 6 bits (adaptive quantizer QUANTL), the upper band with 2
// (QUANTH); both bands adapt a pole-zero predictor (block 4) on the quantized difference, which
// the decoder reproduces bit for bit. Arithmetic is the Recommendation's fixed point: the results
// must match other implementations exactly, so no step may be "simplified".
#include "g722.hpp"

#include <algorithm>

namespace parley::media {

namespace {

// Transmit and receive QMF coefficients h0..h23, symmetric; they sum to 2^13.
constexpr std::array<int, 24> qmf_coefficients = {3,    -11,  -11,  53,   12,   -156, 32,   362,
                                                  -210, -805, 951,  3876, 3876, 951,  -805, -210,
                                                  362,  32,   -156, 12,   53,   -11,  -11,  3};

// QUANTL: decision levels of the 6-bit quantizer (times DETL / 2^12), and the code of the
// interval found for a negative and a non-negative difference.
constexpr std::array<int, 32> q6_levels = {
    0,   35,  72,  110,  150,  190,  233,  276,  323,  370,  422,  473,  530,  587,  650, 714,
    786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0,   0};
constexpr std::array<int, 32> q6_negative_code = {0,  63, 62, 31, 30, 29, 28, 27, 26, 25, 24,
                                                  23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13,
                                                  12, 11, 10, 9,  8,  7,  6,  5,  4,  0};
constexpr std::array<int, 32> q6_positive_code = {0,  61, 60, 59, 58, 57, 56, 55, 54, 53, 52,
                                                  51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
                                                  40, 39, 38, 37, 36, 35, 34, 33, 32, 0};

// INVQAL: the 4-bit inverse quantizer that feeds the lower band's predictor (the code's top 4
// bits), and INVQBL: the 6-bit one that makes the decoder's output in mode 1.
constexpr std::array<int, 16> qm4 = {0,     -20456, -12896, -8968, -6288, -4240, -2584, -1200,
                                     20456, 12896,  8968,   6288,  4240,  2584,  1200,  0};
constexpr std::array<int, 64> qm6 = {
    -136,   -136,   -136,  -136,  -24808, -21904, -19008, -16704, -14984, -13512, -12280,
    -11192, -10232, -9360, -8576, -7856,  -7192,  -6576,  -6000,  -5456,  -4944,  -4464,
    -4008,  -3576,  -3168, -2776, -2400,  -2032,  -1688,  -1360,  -1040,  -728,   24808,
    21904,  19008,  16704, 14984, 13512,  12280,  11192,  10232,  9360,   8576,   7856,
    7192,   6576,   6000,  5456,  4944,   4464,   4008,   3576,   3168,   2776,   2400,
    2032,   1688,   1360,  1040,  728,    432,    136,    -432,   -136};

// LOGSCL: log scale factor increments, indexed through the 4-bit code's magnitude class.
constexpr std::array<int, 8> lower_log_step = {-60, -30, 58, 172, 334, 538, 1198, 3042};
constexpr std::array<int, 16> lower_magnitude_class = {0, 7, 6, 5, 4, 3, 2, 1,
                                                       7, 6, 5, 4, 3, 2, 1, 0};
constexpr int lower_log_scale_max = 18432;

// QUANTH / INVQAH / LOGSCH: the upper band's 2-bit quantizer (one decision level, 564 / 2^12
// of DETH), its inverse and its scale factor increments.
constexpr int upper_level = 564;
constexpr std::array<int, 3> upper_negative_code = {0, 1, 0};
constexpr std::array<int, 3> upper_positive_code = {0, 3, 2};
constexpr std::array<int, 4> qm2 = {-7408, -1616, 7408, 1616};
constexpr std::array<int, 3> upper_log_step = {0, -214, 798};
constexpr std::array<int, 4> upper_magnitude_class = {2, 1, 2, 1};
constexpr int upper_log_scale_max = 22528;

// SCALEL / SCALEH: the antilog table, 2^(i/32) scaled by 2^11.
constexpr std::array<int, 32> antilog = {
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
    2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008};

int saturate(int v) noexcept {
    return std::clamp(v, -32768, 32767);
}
int limit_band(int v) noexcept {
    return std::clamp(v, -16384, 16383);
}

/// SCALEL (offset 8) / SCALEH (offset 10): the quantizer scale from the log scale factor.
int scale_of(int log_scale, int offset) noexcept {
    int mantissa = antilog[static_cast<std::size_t>((log_scale >> 6) & 31)];
    int shift = offset - (log_scale >> 11);
    int value = shift < 0 ? mantissa << -shift : mantissa >> shift;
    return value << 2;
}

/// LOGSCL / LOGSCH: leak the log scale factor by 127/128 and step it by the code's class.
void adapt_scale(g722_band& band, int step, int maximum, int offset) noexcept {
    band.log_scale = std::clamp(((band.log_scale * 127) >> 7) + step, 0, maximum);
    band.scale = scale_of(band.log_scale, offset);
}

g722_band initial_band(int offset) noexcept {
    g722_band band;
    band.scale = scale_of(0, offset); // DETL = 32, DETH = 8
    return band;
}

/// INVQAL, LOGSCL + SCALEL and block 4 of the lower band for 6-bit code `code`.
void adapt_lower(g722_band& band, int code) noexcept {
    auto top = static_cast<std::size_t>(code >> 2);
    int difference = (band.scale * qm4[top]) >> 15; // INVQAL
    adapt_scale(band, lower_log_step[static_cast<std::size_t>(lower_magnitude_class[top])],
                lower_log_scale_max, 8);
    band.adapt(difference);
}

/// INVQAH, LOGSCH + SCALEH and block 4 of the upper band for 2-bit code `code`.
void adapt_upper(g722_band& band, int code) noexcept {
    auto index = static_cast<std::size_t>(code);
    int difference = (band.scale * qm2[index]) >> 15;
    adapt_scale(band, upper_log_step[static_cast<std::size_t>(upper_magnitude_class[index])],
                upper_log_scale_max, 10);
    band.adapt(difference);
}

} // namespace

void g722_band::adapt(int d) noexcept {
    // RECONS and PARREC: the reconstructed signal and the partially reconstructed one.
    difference[0] = d;
    reconstructed[0] = saturate(estimate + d);
    partial[0] = saturate(zero_part + d);

    // Signs as G.722 takes them: zero counts as positive.
    bool p0 = partial[0] < 0, p1 = partial[1] < 0, p2 = partial[2] < 0;

    // UPPOL2: A2 leaks by 1 - 2^-7, moves 2^-7 towards sgn(p0 p2), and against f(A1) sgn(p0 p1)
    // where f(A1) = 4 A1 limited to ±2; |A2| <= 0.75.
    int f = saturate(pole[1] * 4);
    int pull = std::min(p0 == p1 ? -f : f, 32767);
    int a2 = (p0 == p2 ? 128 : -128) + (pull >> 7) + ((pole[2] * 32512) >> 15);
    a2 = std::clamp(a2, -12288, 12288);

    // UPPOL1: A1 leaks by 1 - 2^-8 and moves 3 * 2^-8 towards sgn(p0 p1); |A1| <= 1 - 2^-4 - A2.
    int a1 = saturate((p0 == p1 ? 192 : -192) + ((pole[1] * 32640) >> 15));
    int a1_limit = saturate(15360 - a2);
    a1 = std::clamp(a1, -a1_limit, a1_limit);

    // UPZERO: each Bi leaks by 1 - 2^-8 and moves 2^-7 towards sgn(d(k) d(k-i)), not at all
    // when d(k) is zero.
    int step = d == 0 ? 0 : 128;
    bool d0 = d < 0;
    std::array<int, 7> next_zero{};
    for (std::size_t i = 1; i < 7; ++i) {
        int move = (difference[i] < 0) == d0 ? step : -step;
        next_zero[i] = saturate(move + ((zero[i] * 32640) >> 15));
    }

    // DELAYA.
    for (std::size_t i = 6; i > 0; --i) {
        difference[i] = difference[i - 1];
        zero[i] = next_zero[i];
    }
    for (std::size_t i = 2; i > 0; --i) {
        reconstructed[i] = reconstructed[i - 1];
        partial[i] = partial[i - 1];
    }
    pole[1] = a1;
    pole[2] = a2;

    // FILTEP, FILTEZ, PREDIC: the next sample's estimate.
    int pole_part = saturate(((pole[1] * saturate(2 * reconstructed[1])) >> 15) +
                             ((pole[2] * saturate(2 * reconstructed[2])) >> 15));
    int zeros = 0;
    for (std::size_t i = 6; i > 0; --i) zeros += (zero[i] * saturate(2 * difference[i])) >> 15;
    zero_part = saturate(zeros);
    estimate = saturate(pole_part + zero_part);
}

g722_encoder::g722_encoder() noexcept : lower_(initial_band(8)), upper_(initial_band(10)) {}

std::uint8_t g722_encoder::encode_pair(int first, int second) noexcept {
    // Transmit QMF: the newest 24 input samples through the low-pass h (lower band) and its
    // mirror (upper band), one output pair per input pair.
    std::copy_backward(history_.begin(), history_.end() - 2, history_.end());
    history_[0] = second;
    history_[1] = first;
    int even = 0;
    int odd = 0;
    for (std::size_t i = 0; i < 24; i += 2) {
        even += qmf_coefficients[i] * history_[i];
        odd += qmf_coefficients[i + 1] * history_[i + 1];
    }
    int lower_signal = limit_band((even + odd) >> 14);
    int upper_signal = limit_band((even - odd) >> 14);

    // SUBTRA + QUANTL: the lower band's difference signal into 6 bits.
    int lower_error = saturate(lower_signal - lower_.estimate);
    int magnitude = lower_error >= 0 ? lower_error : -(lower_error + 1);
    std::size_t level = 1;
    while (level < 30 && magnitude >= ((q6_levels[level] * lower_.scale) >> 12)) ++level;
    int lower_code = lower_error < 0 ? q6_negative_code[level] : q6_positive_code[level];
    adapt_lower(lower_, lower_code);

    // SUBTRA + QUANTH: the upper band's into 2 bits.
    int upper_error = saturate(upper_signal - upper_.estimate);
    magnitude = upper_error >= 0 ? upper_error : -(upper_error + 1);
    std::size_t upper_index = magnitude >= ((upper_level * upper_.scale) >> 12) ? 2 : 1;
    int upper_code =
        upper_error < 0 ? upper_negative_code[upper_index] : upper_positive_code[upper_index];
    adapt_upper(upper_, upper_code);

    // The octet: upper band code in the two most significant bits.
    return static_cast<std::uint8_t>((upper_code << 6) | lower_code);
}

std::size_t g722_encoder::encode(std::span<const std::int16_t> pcm,
                                 std::span<std::uint8_t> out) noexcept {
    std::size_t pairs = std::min(pcm.size() / 2, out.size());
    for (std::size_t i = 0; i < pairs; ++i) out[i] = encode_pair(pcm[2 * i], pcm[2 * i + 1]);
    return pairs;
}

g722_decoder::g722_decoder() noexcept : lower_(initial_band(8)), upper_(initial_band(10)) {}

std::size_t g722_decoder::decode(std::span<const std::uint8_t> payload,
                                 std::span<std::int16_t> out) noexcept {
    std::size_t octets = std::min(payload.size(), out.size() / 2);
    for (std::size_t n = 0; n < octets; ++n) {
        int lower_code = payload[n] & 0x3F;
        int upper_code = payload[n] >> 6;

        // INVQBL (mode 1: all 6 bits), RECONS, LIMIT.
        int lower_signal = limit_band(
            lower_.estimate + ((lower_.scale * qm6[static_cast<std::size_t>(lower_code)]) >> 15));
        adapt_lower(lower_, lower_code);
        // INVQAH, RECONS, LIMIT.
        int upper_signal = limit_band(
            upper_.estimate + ((upper_.scale * qm2[static_cast<std::size_t>(upper_code)]) >> 15));
        adapt_upper(upper_, upper_code);

        // Receive QMF: interpolate the two bands back to 16 kHz.
        std::copy_backward(sum_history_.begin(), sum_history_.end() - 1, sum_history_.end());
        std::copy_backward(difference_history_.begin(), difference_history_.end() - 1,
                           difference_history_.end());
        sum_history_[0] = lower_signal + upper_signal;
        difference_history_[0] = lower_signal - upper_signal;
        int first = 0;
        int second = 0;
        for (std::size_t i = 0; i < 12; ++i) {
            first += qmf_coefficients[2 * i] * difference_history_[i];
            second += qmf_coefficients[2 * i + 1] * sum_history_[i];
        }
        out[2 * n] = static_cast<std::int16_t>(saturate(first >> 11));
        out[2 * n + 1] = static_cast<std::int16_t>(saturate(second >> 11));
    }
    return octets * 2;
}

} // namespace parley::media
