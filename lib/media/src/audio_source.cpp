#include <parley/media/audio_source.hpp>

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace parley::media {

namespace {

std::uint64_t samples_in(std::chrono::milliseconds span, unsigned rate) noexcept {
    return span.count() <= 0 ? 0 : static_cast<std::uint64_t>(span.count()) * rate / 1000;
}

/// libsndfile's reason for the last failed sf_open (a process-wide slot: good enough for a
/// message, as opening happens at call set-up).
std::string sndfile_reason(SNDFILE* file) {
    const char* reason = sf_strerror(file);
    return reason ? reason : "unknown error";
}

class tone final : public audio_source {
public:
    tone(const std::vector<unsigned>& frequencies, unsigned rate, std::uint64_t total,
         double amplitude, std::uint64_t on, std::uint64_t off)
        : total_(total), amplitude_(amplitude), on_(on), period_(off > 0 ? on + off : 0),
          ramp_(std::min<std::uint64_t>(rate / 250, on / 2)) { // 4 ms
        for (unsigned f : frequencies) {
            step_.push_back(2 * std::numbers::pi * f / rate);
            phase_.push_back(0);
        }
    }

    std::size_t read(std::span<std::int16_t> out) noexcept override {
        std::size_t n = out.size();
        if (total_ != 0)
            n = static_cast<std::size_t>(std::min<std::uint64_t>(n, total_ - position_));
        for (std::size_t i = 0; i < n; ++i, ++position_) out[i] = next();
        return n;
    }

private:
    std::int16_t next() noexcept {
        double gain = 1;
        if (period_ != 0) {
            std::uint64_t in_period = position_ % period_;
            if (in_period == 0) std::fill(phase_.begin(), phase_.end(), 0.0); // each burst alike
            if (in_period >= on_) return 0;
            // Short ramps at the burst's edges, so the cadence does not click.
            if (ramp_ > 0) {
                std::uint64_t edge = std::min(in_period, on_ - 1 - in_period);
                if (edge < ramp_) gain = static_cast<double>(edge) / static_cast<double>(ramp_);
            }
        }
        double sum = 0;
        for (std::size_t t = 0; t < step_.size(); ++t) {
            sum += std::sin(phase_[t]);
            phase_[t] = std::fmod(phase_[t] + step_[t], 2 * std::numbers::pi);
        }
        double v = std::clamp(std::round(sum * amplitude_ * gain), -32768.0, 32767.0);
        return static_cast<std::int16_t>(v);
    }

    std::vector<double> step_;  ///< radians per sample, per frequency
    std::vector<double> phase_; ///< radians, per frequency
    std::uint64_t total_;       ///< samples; 0 = endless
    std::uint64_t position_ = 0;
    double amplitude_;
    std::uint64_t on_;
    std::uint64_t period_; ///< on + off; 0 = continuous
    std::uint64_t ramp_;
};

/// A sound file read through a fixed buffer, mixed to mono, linearly resampled. Output sample k
/// sits at input position k * file_rate / rate; between input samples i and i + 1 it is their
/// weighted mean, and after the last input sample it holds that sample until position i + 1.
class file_source final : public audio_source {
public:
    file_source(SNDFILE* file, const SF_INFO& info, unsigned rate)
        : file_(file), channels_(static_cast<std::size_t>(info.channels)),
          file_rate_(static_cast<unsigned>(info.samplerate)), rate_(rate),
          buffer_(buffer_frames * channels_) {
        have_current_ = next_input(current_);
        have_next_ = next_input(next_);
    }
    ~file_source() override { sf_close(file_); }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;

    std::size_t read(std::span<std::int16_t> out) noexcept override {
        std::size_t n = 0;
        while (n < out.size() && have_current_) {
            std::uint64_t position = produced_ * file_rate_;
            std::uint64_t index = position / rate_;
            std::int64_t fraction = static_cast<std::int64_t>(position % rate_);
            while (current_index_ < index) {
                if (!have_next_) {
                    have_current_ = false; // past the last input sample: finished
                    return n;
                }
                current_ = next_;
                have_next_ = next_input(next_);
                ++current_index_;
            }
            std::int64_t v = current_;
            if (have_next_ && fraction != 0) v += (next_ - current_) * fraction / rate_;
            out[n++] = static_cast<std::int16_t>(v);
            ++produced_;
        }
        return n;
    }

private:
    static constexpr std::size_t buffer_frames = 1024;

    /// The next input frame mixed to mono; false at the end of the file (or on a read error).
    bool next_input(std::int64_t& sample) noexcept {
        if (buffer_at_ == buffered_) {
            if (input_done_) return false;
            sf_count_t got = sf_readf_int(file_, buffer_.data(), buffer_frames);
            if (got <= 0) {
                input_done_ = true;
                return false;
            }
            buffered_ = static_cast<std::size_t>(got);
            buffer_at_ = 0;
        }
        // libsndfile scales every format to full 32-bit ints: average the channels and round
        // back to 16 bits.
        std::int64_t sum = 0;
        for (std::size_t c = 0; c < channels_; ++c) sum += buffer_[buffer_at_ * channels_ + c];
        ++buffer_at_;
        std::int64_t mono = sum / static_cast<std::int64_t>(channels_);
        sample = std::clamp<std::int64_t>((mono + 0x8000) >> 16, -32768, 32767);
        return true;
    }

    SNDFILE* file_;
    std::size_t channels_;
    unsigned file_rate_;
    unsigned rate_;
    std::vector<int> buffer_;
    std::size_t buffered_ = 0; ///< frames in buffer_
    std::size_t buffer_at_ = 0;
    bool input_done_ = false;
    std::int64_t current_ = 0; ///< input sample current_index_
    std::int64_t next_ = 0;    ///< input sample current_index_ + 1
    bool have_current_ = false;
    bool have_next_ = false;
    std::uint64_t current_index_ = 0;
    std::uint64_t produced_ = 0; ///< output samples so far
};

} // namespace

std::unique_ptr<audio_source> make_tone(std::vector<unsigned> frequencies, unsigned rate,
                                        std::chrono::milliseconds duration, double level_dbfs,
                                        std::chrono::milliseconds on,
                                        std::chrono::milliseconds off) {
    if (rate == 0) rate = 8000;
    double amplitude = 32767.0 * std::pow(10.0, level_dbfs / 20.0);
    // A tone above Nyquist would alias into something else: leave it out.
    std::erase_if(frequencies, [rate](unsigned f) { return f == 0 || f >= rate / 2; });
    return std::make_unique<tone>(frequencies, rate, samples_in(duration, rate), amplitude,
                                  samples_in(on, rate), samples_in(off, rate));
}

std::unique_ptr<audio_source> open_sound_file(const std::string& path, unsigned rate,
                                              std::string& error) {
    if (rate == 0) {
        error = "cannot read sound file '" + path + "': the requested sample rate is 0";
        return nullptr;
    }
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    if (!file) {
        error = "cannot open sound file '" + path + "': " + sndfile_reason(nullptr);
        return nullptr;
    }
    if (info.channels < 1 || info.samplerate < 1) {
        sf_close(file);
        error = "cannot read sound file '" + path + "': no channels or no sample rate";
        return nullptr;
    }
    return std::make_unique<file_source>(file, info, rate);
}

struct sound_file_writer::file {
    explicit file(SNDFILE* h) noexcept : handle(h) {}
    ~file() { sf_close(handle); } // writes the WAV header's final sizes
    file(const file&) = delete;
    file& operator=(const file&) = delete;
    SNDFILE* handle;
};

sound_file_writer::sound_file_writer(std::unique_ptr<file> f) noexcept : file_(std::move(f)) {}
sound_file_writer::~sound_file_writer() = default;

std::unique_ptr<sound_file_writer> sound_file_writer::create(const std::string& path, unsigned rate,
                                                             std::string& error) {
    SF_INFO info{};
    info.samplerate = static_cast<int>(rate);
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    if (rate == 0 || !sf_format_check(&info)) {
        error =
            "cannot create sound file '" + path + "': invalid sample rate " + std::to_string(rate);
        return nullptr;
    }
    SNDFILE* handle = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!handle) {
        error = "cannot create sound file '" + path + "': " + sndfile_reason(nullptr);
        return nullptr;
    }
    return std::unique_ptr<sound_file_writer>(
        new sound_file_writer(std::make_unique<file>(handle)));
}

void sound_file_writer::write(std::span<const std::int16_t> pcm) noexcept {
    if (pcm.empty() || failed_) return;
    sf_count_t written =
        sf_writef_short(file_->handle, pcm.data(), static_cast<sf_count_t>(pcm.size()));
    if (written > 0) samples_written_ += static_cast<std::uint64_t>(written);
    if (written != static_cast<sf_count_t>(pcm.size())) failed_ = true;
}

std::uint64_t sound_file_writer::samples_written() const noexcept {
    return samples_written_;
}

bool sound_file_writer::failed() const noexcept {
    return failed_;
}

} // namespace parley::media
