// latency_histogram: a log-linear histogram of durations in nanoseconds, for percentiles over
// millions of samples in constant memory (no sorted vector of samples).
//
// Values below 2,048 ns have a bucket each; above, every power of two is split into 1,024 equal
// buckets, so a percentile is off by at most 1/1,024 of its value: under a microsecond below
// ~1 ms, 0.1% above. Values beyond ~9.7 hours land in the last bucket. One histogram belongs to
// one generator thread; merge() adds another thread's at the end. About 300 KiB each.
#pragma once

#include <cstdint>
#include <vector>

namespace parley::load {

class latency_histogram {
public:
    latency_histogram();

    void record(std::uint64_t nanoseconds) noexcept;
    void merge(const latency_histogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept;
    /// The value at `percent` (0 < percent <= 100): the upper edge of the bucket holding the
    /// ceil(percent/100 * count)-th smallest sample, clamped to [min, max]. 0 when empty.
    std::uint64_t percentile(double percent) const noexcept;

    static constexpr unsigned sub_bucket_bits = 10;
    static constexpr unsigned max_exponent = 45; ///< 2^45 ns ≈ 9.7 hours

private:
    static std::size_t index_of(std::uint64_t value) noexcept;
    static std::uint64_t upper_edge(std::size_t index) noexcept;

    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

} // namespace parley::load
