// run_stats: what one generator thread counts during a run; merged across threads for the
// report. Plain values, written only by the thread that owns them (no atomics on the hot path).
#pragma once

#include "histogram.hpp"
#include "options.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

namespace parley::load {

/// CPU and wall time of one generator thread's loop.
struct thread_usage {
    std::chrono::nanoseconds user{0};
    std::chrono::nanoseconds system{0};
    std::chrono::nanoseconds wall{0};

    double busy_fraction() const noexcept {
        return wall.count() == 0 ? 0.0
                                 : static_cast<double>((user + system).count()) /
                                       static_cast<double>(wall.count());
    }
};

/// One second of the run (--timeline), by when the calls were due: second k holds the calls
/// due in [k, k+1) s after generation began. It tells a steady tail from pauses, and the
/// generator's own pauses (`max_late_ns`: how long after its due time a call was started;
/// the pacing tick is 1 ms, so more than that is the generator waiting for the CPU) from the
/// server's.
struct second_stats {
    std::uint64_t setups = 0;       ///< setup latencies recorded
    std::uint64_t over_1ms = 0;     ///< of them, above 1 ms
    std::uint64_t over_10ms = 0;    ///< of them, above 10 ms
    std::uint64_t max_setup_ns = 0; ///< the largest
    std::uint64_t max_late_ns = 0;  ///< the generator's largest lateness starting a call

    void merge(const second_stats& other) noexcept;
};

struct run_stats {
    // Calls.
    std::uint64_t started = 0;
    std::uint64_t completed = 0;
    std::uint64_t failed = 0;      ///< ended by an error response, a timeout or a transport error
    std::uint64_t unfinished = 0;  ///< still running when the drain time ran out
    std::uint64_t not_started = 0; ///< due while at --max-concurrent: skipped, never sent
    std::array<std::uint64_t, call_scenario_count> started_by_scenario{};
    std::array<std::uint64_t, call_scenario_count> completed_by_scenario{};

    // Failures by reason (a call counts once, under its first failure).
    std::map<std::uint16_t, std::uint64_t> failed_by_status; ///< final status >= 300
    std::uint64_t failed_timeout = 0;   ///< Timer B/F (64*T1 without a final response)
    std::uint64_t failed_transport = 0; ///< send failed or connection closed
    std::uint64_t failed_local = 0;     ///< the generator could not build or start a request

    // Retransmissions.
    std::uint64_t responses_retransmitted = 0; ///< received again: absorbed ones and repeated 2xx
    std::uint64_t requests_retransmitted = 0;  ///< sent again by our transactions (Timer A/E)

    // Traffic.
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t unparsable_received = 0;
    std::uint64_t send_errors = 0;

    // Latency: setup is the INVITE (or OPTIONS) sent → its 200 received; call is the INVITE sent
    // → the 200 to BYE received (hold time included), or OPTIONS → 200.
    latency_histogram setup_latency;
    latency_histogram call_latency;
    std::vector<second_stats> timeline; ///< filled only with --timeline

    /// The timeline's entry for `second` (grown as needed).
    second_stats& second(std::size_t index);

    // Time (steady clock): when the first call started, the last one started, the run ended.
    std::chrono::steady_clock::time_point first_start{};
    std::chrono::steady_clock::time_point last_start{};
    std::chrono::steady_clock::time_point end{};

    thread_usage usage;

    void merge(const run_stats& other);
};

} // namespace parley::load
