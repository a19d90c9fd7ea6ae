// parley-make-sound: synthesizes the demo sound parleyd's playback-demo extension plays, so the
// repository carries no binary audio. The build runs it (target parley_sounds) to make
// ${PARLEY_SOUNDS_DIR}/demo.wav: about 4 s of a soft bell-like melody, 16-bit mono WAV at 8 kHz
// (the rate of G.711, so playing it needs no resampling).
//
//   parley-make-sound <output.wav>
//
// The output is deterministic: the same bytes on every build.
#include <parley/media/audio_source.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

namespace {

constexpr unsigned rate = 8000;

struct note {
    double start;     ///< seconds
    double frequency; ///< Hz
    double velocity;  ///< 0..1
};

/// Adds one note: a sine with a little second and third harmonic, a 10 ms attack and an
/// exponential decay (the upper harmonics decay faster, as a struck bar's do).
void add_note(std::vector<double>& mix, const note& n, double length) {
    auto first = static_cast<std::size_t>(n.start * rate);
    auto count = static_cast<std::size_t>(length * rate);
    for (std::size_t i = 0; i < count && first + i < mix.size(); ++i) {
        double t = static_cast<double>(i) / rate;
        double attack = std::min(1.0, t / 0.010);
        double release = std::min(1.0, (length - t) / 0.050); // no click at the note's end
        double phase = 2 * std::numbers::pi * n.frequency * t;
        double v = std::exp(-t / 0.45) * std::sin(phase) +
                   0.20 * std::exp(-t / 0.20) * std::sin(2 * phase) +
                   0.08 * std::exp(-t / 0.10) * std::sin(3 * phase);
        mix[first + i] += n.velocity * attack * release * v;
    }
}

double pitch(int semitones_from_a4) {
    return 440.0 * std::pow(2.0, semitones_from_a4 / 12.0);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: parley-make-sound <output.wav>\n");
        return 2;
    }

    // C major, up and down, then a soft chord: C5 E5 G5 C6 | B5 G5 D5 | C5 + E5 + G5.
    const int c5 = 3, d5 = 5, e5 = 7, g5 = 10, b5 = 14, c6 = 15;
    std::vector<note> notes = {
        {0.00, pitch(c5), 0.9}, {0.35, pitch(e5), 0.8}, {0.70, pitch(g5), 0.8},
        {1.05, pitch(c6), 0.9}, {1.60, pitch(b5), 0.7}, {1.95, pitch(g5), 0.7},
        {2.30, pitch(d5), 0.8}, {2.85, pitch(c5), 0.6}, {2.87, pitch(e5), 0.5},
        {2.89, pitch(g5), 0.5},
    };
    const double total = 4.2;
    std::vector<double> mix(static_cast<std::size_t>(total * rate), 0.0);
    for (const note& n : notes) add_note(mix, n, std::min(1.3, total - n.start));

    // Normalize the peak to -3 dBFS.
    double peak = 0;
    for (double v : mix) peak = std::max(peak, std::abs(v));
    double gain = peak > 0 ? 32767.0 * std::pow(10.0, -3.0 / 20) / peak : 0;
    std::vector<std::int16_t> pcm(mix.size());
    std::transform(mix.begin(), mix.end(), pcm.begin(), [gain](double v) {
        return static_cast<std::int16_t>(std::lround(std::clamp(v * gain, -32768.0, 32767.0)));
    });

    std::string error;
    auto writer = parley::media::sound_file_writer::create(argv[1], rate, error);
    if (!writer) {
        std::fprintf(stderr, "parley-make-sound: %s\n", error.c_str());
        return 1;
    }
    writer->write(pcm);
    if (writer->failed()) {
        std::fprintf(stderr, "parley-make-sound: writing %s failed\n", argv[1]);
        return 1;
    }
    return 0;
}
