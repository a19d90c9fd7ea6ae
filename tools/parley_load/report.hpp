// report: the figures of a finished run, as a human table (default) or one JSON object
// (--json). Both are built from the same summary, so they never disagree. Pure: strings out.
#pragma once

#include "options.hpp"
#include "stats.hpp"

#include <string>
#include <vector>

namespace parley::load {

struct report_input {
    const load_options& options;
    const run_stats& total;                   ///< every thread merged
    const std::vector<thread_usage>& threads; ///< each generator thread's CPU and wall time
};

/// A thread whose CPU use exceeds this fraction of its wall time is the bottleneck: the
/// figures then measure the generator, not the server, and the report says so.
inline constexpr double saturation_threshold = 0.9;

struct summary {
    double offered_rate = 0;       ///< calls/s asked for
    double generation_seconds = 0; ///< first start → last start, plus one call interval
    double achieved_rate = 0;      ///< completed / generation_seconds
    double elapsed_seconds = 0;    ///< first start → end of the drain
    double cpu_seconds = 0;        ///< user + system of every generator thread
    double cpu_core_fraction = 0;  ///< cpu_seconds / elapsed_seconds (1.0 = one core busy)
    double cpu_microseconds_per_call = 0;
    double busiest_thread_fraction = 0;
    bool generator_saturated = false;
};

summary summarize(const report_input& in);
std::string format_table(const report_input& in);
std::string format_json(const report_input& in);

} // namespace parley::load
