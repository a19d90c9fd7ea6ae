#include "stats.hpp"

#include <algorithm>

namespace parley::load {

void second_stats::merge(const second_stats& other) noexcept {
    setups += other.setups;
    over_1ms += other.over_1ms;
    over_10ms += other.over_10ms;
    max_setup_ns = std::max(max_setup_ns, other.max_setup_ns);
    max_late_ns = std::max(max_late_ns, other.max_late_ns);
}

second_stats& run_stats::second(std::size_t index) {
    if (index >= timeline.size()) timeline.resize(index + 1);
    return timeline[index];
}

void run_stats::merge(const run_stats& other) {
    started += other.started;
    completed += other.completed;
    failed += other.failed;
    unfinished += other.unfinished;
    not_started += other.not_started;
    for (std::size_t i = 0; i < call_scenario_count; ++i) {
        started_by_scenario[i] += other.started_by_scenario[i];
        completed_by_scenario[i] += other.completed_by_scenario[i];
    }
    for (auto [status, n] : other.failed_by_status) failed_by_status[status] += n;
    failed_timeout += other.failed_timeout;
    failed_transport += other.failed_transport;
    failed_local += other.failed_local;
    responses_retransmitted += other.responses_retransmitted;
    requests_retransmitted += other.requests_retransmitted;
    messages_sent += other.messages_sent;
    messages_received += other.messages_received;
    unparsable_received += other.unparsable_received;
    send_errors += other.send_errors;
    setup_latency.merge(other.setup_latency);
    call_latency.merge(other.call_latency);
    for (std::size_t i = 0; i < other.timeline.size(); ++i) second(i).merge(other.timeline[i]);
    using tp = std::chrono::steady_clock::time_point;
    auto earliest = [](tp a, tp b) { return a == tp{} ? b : b == tp{} ? a : std::min(a, b); };
    first_start = earliest(first_start, other.first_start);
    last_start = std::max(last_start, other.last_start);
    end = std::max(end, other.end);
    usage.user += other.usage.user;
    usage.system += other.usage.system;
    usage.wall = std::max(usage.wall, other.usage.wall);
}

} // namespace parley::load
