#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::load {
namespace {

constexpr std::uint64_t sub_count = std::uint64_t{1} << latency_histogram::sub_bucket_bits;
constexpr std::uint64_t linear_limit = 2 * sub_count; // below it, one bucket per nanosecond
constexpr std::size_t bucket_count =
    linear_limit +
    (latency_histogram::max_exponent - latency_histogram::sub_bucket_bits) * sub_count;

} // namespace

latency_histogram::latency_histogram() : buckets_(bucket_count, 0) {}

std::size_t latency_histogram::index_of(std::uint64_t value) noexcept {
    if (value < linear_limit) return static_cast<std::size_t>(value);
    unsigned exponent = static_cast<unsigned>(std::bit_width(value)) - 1; // >= sub_bucket_bits + 1
    if (exponent >= max_exponent) return bucket_count - 1;
    unsigned shift = exponent - sub_bucket_bits;
    std::uint64_t mantissa = value >> shift; // in [sub_count, 2 * sub_count)
    return static_cast<std::size_t>(linear_limit + (exponent - sub_bucket_bits - 1) * sub_count +
                                    (mantissa - sub_count));
}

std::uint64_t latency_histogram::upper_edge(std::size_t index) noexcept {
    if (index < linear_limit) return index;
    std::uint64_t offset = index - linear_limit;
    unsigned shift = static_cast<unsigned>(offset / sub_count) + 1;
    std::uint64_t mantissa = sub_count + offset % sub_count;
    return ((mantissa + 1) << shift) - 1;
}

void latency_histogram::record(std::uint64_t nanoseconds) noexcept {
    ++buckets_[index_of(nanoseconds)];
    ++count_;
    min_ = std::min(min_, nanoseconds);
    max_ = std::max(max_, nanoseconds);
    sum_ += static_cast<long double>(nanoseconds);
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

double latency_histogram::mean() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t latency_histogram::percentile(double percent) const noexcept {
    if (count_ == 0) return 0;
    percent = std::clamp(percent, 0.0, 100.0);
    auto rank =
        static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_) - 1e-9));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::clamp(upper_edge(i), min_, max_);
    }
    return max_;
}

} // namespace parley::load
