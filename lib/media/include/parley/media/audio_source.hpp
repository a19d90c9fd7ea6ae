// Where played audio comes from and where recorded audio goes: tones (dial tone, ringback,
// beeps), sound files read through libsndfile (mixed to mono and resampled to the call's rate),
// and a 16-bit mono WAV writer.
//
// Ownership: each source and writer is owned by its unique_ptr and used by one thread at a
// time (a call's media runs on its shard). A file source keeps its file open until it is
// destroyed. open_sound_file() and sound_file_writer::create() do file I/O and allocate; call
// them when a call is set up, not per packet. read() and write() do not allocate (a file source
// reads through a fixed buffer).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace parley::media {

/// A source of PCM: 16-bit mono at the rate it was made for.
class audio_source {
public:
    virtual ~audio_source() = default;
    /// Fills up to out.size() samples; returns how many; 0 = finished (a finished source keeps
    /// returning 0).
    virtual std::size_t read(std::span<std::int16_t> out) noexcept = 0;
};

/// A tone: the sum of `frequencies` (Hz, 1 or 2 of them, e.g. {350, 440} dial tone; more are
/// summed too), at `rate`, for `duration` (zero = endless), each at `level_dbfs` (-13 dBFS each
/// keeps two tones at about -7 dBFS peak, well clear of clipping). Optional cadence: `on` of tone
/// then `off` of silence, repeated (0/0 = continuous); the duration counts both. An empty
/// `frequencies` gives silence.
std::unique_ptr<audio_source> make_tone(std::vector<unsigned> frequencies, unsigned rate,
                                        std::chrono::milliseconds duration,
                                        double level_dbfs = -13.0,
                                        std::chrono::milliseconds on = {},
                                        std::chrono::milliseconds off = {});

/// Opens a sound file with libsndfile (WAV and whatever libsndfile reads), mixes it down to mono
/// and resamples (linear interpolation) to `rate`. nullptr and a message in `error` (naming the
/// file and libsndfile's reason) when it cannot. The source finishes at the end of the file.
std::unique_ptr<audio_source> open_sound_file(const std::string& path, unsigned rate,
                                              std::string& error);

/// Writes 16-bit mono WAV at `rate` through libsndfile; the file is complete when the writer is
/// destroyed.
class sound_file_writer {
public:
    /// nullptr and a message in `error` (naming the file and libsndfile's reason) when the file
    /// cannot be created.
    static std::unique_ptr<sound_file_writer> create(const std::string& path, unsigned rate,
                                                     std::string& error);
    ~sound_file_writer();
    sound_file_writer(const sound_file_writer&) = delete;
    sound_file_writer& operator=(const sound_file_writer&) = delete;

    /// Appends `pcm`. A write error (disk full) is remembered in failed(); the rest is dropped.
    void write(std::span<const std::int16_t> pcm) noexcept;
    /// Samples written to the file so far.
    std::uint64_t samples_written() const noexcept;
    /// Whether a write failed.
    bool failed() const noexcept;

private:
    struct file;
    explicit sound_file_writer(std::unique_ptr<file> f) noexcept;
    std::unique_ptr<file> file_;
    std::uint64_t samples_written_ = 0;
    bool failed_ = false;
};

} // namespace parley::media
