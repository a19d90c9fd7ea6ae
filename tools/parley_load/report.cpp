#include "report.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace parley::load {
namespace {

double seconds_of(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    return std::string(buffer, static_cast<std::size_t>(std::clamp(n, 0, 511)));
}

double micros(std::uint64_t nanoseconds) {
    return static_cast<double>(nanoseconds) / 1000.0;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += printf_string("\\u%04x", c);
        } else {
            out += c;
        }
    }
    return out + "\"";
}

const char* protocol_name(transport_protocol p) {
    return p == transport_protocol::tcp ? "tcp" : p == transport_protocol::tls ? "tls" : "udp";
}

std::string latency_json(const latency_histogram& h) {
    return printf_string("{\"count\": %llu, \"min\": %.1f, \"mean\": %.1f, \"p50\": %.1f, "
                         "\"p90\": %.1f, \"p99\": %.1f, \"p99_9\": %.1f, \"max\": %.1f}",
                         static_cast<unsigned long long>(h.count()), micros(h.min()),
                         h.mean() / 1000.0, micros(h.percentile(50)), micros(h.percentile(90)),
                         micros(h.percentile(99)), micros(h.percentile(99.9)), micros(h.max()));
}

std::string latency_row(const char* label, const latency_histogram& h) {
    if (h.count() == 0)
        return printf_string("  %-22s %10s %10s %10s %10s %10s %10s\n", label, "-", "-", "-", "-",
                             "-", "-");
    return printf_string("  %-22s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n", label,
                         micros(h.percentile(50)), micros(h.percentile(90)),
                         micros(h.percentile(99)), micros(h.percentile(99.9)), micros(h.max()),
                         h.mean() / 1000.0);
}

unsigned long long ull(std::uint64_t v) {
    return static_cast<unsigned long long>(v);
}

} // namespace

summary summarize(const report_input& in) {
    const run_stats& t = in.total;
    summary s;
    s.offered_rate = in.options.rate;
    if (t.started > 0) {
        s.generation_seconds = seconds_of(t.last_start - t.first_start) + 1.0 / in.options.rate;
        s.achieved_rate = static_cast<double>(t.completed) / s.generation_seconds;
        s.elapsed_seconds = seconds_of(t.end - t.first_start);
    }
    for (const thread_usage& u : in.threads) {
        s.cpu_seconds += seconds_of(u.user + u.system);
        s.busiest_thread_fraction = std::max(s.busiest_thread_fraction, u.busy_fraction());
    }
    double wall = 0;
    for (const thread_usage& u : in.threads) wall = std::max(wall, seconds_of(u.wall));
    if (wall > 0) s.cpu_core_fraction = s.cpu_seconds / wall;
    if (t.started > 0)
        s.cpu_microseconds_per_call = s.cpu_seconds * 1e6 / static_cast<double>(t.started);
    s.generator_saturated = s.busiest_thread_fraction > saturation_threshold;
    return s;
}

std::string format_table(const report_input& in) {
    const run_stats& t = in.total;
    const load_options& o = in.options;
    summary s = summarize(in);
    std::string out;
    out += printf_string("parley-load: %s over %s to %s, %u thread%s x %u %s\n",
                         std::string(name_of(o.scenario)).c_str(), protocol_name(o.protocol),
                         o.target_text.c_str(), o.threads, o.threads == 1 ? "" : "s", o.sockets,
                         o.protocol == transport_protocol::udp ? "sockets" : "connections");
    out += printf_string("  %-22s %.0f calls/s\n", "offered rate", s.offered_rate);
    out += printf_string("  %-22s %.1f calls/s (completed over %.3f s of call starts)\n",
                         "achieved rate", s.achieved_rate, s.generation_seconds);
    out += printf_string("  %-22s %.3f s\n", "elapsed", s.elapsed_seconds);
    out += printf_string("  %-22s %llu\n", "calls started", ull(t.started));
    out += printf_string("  %-22s %llu\n", "completed", ull(t.completed));
    out += printf_string("  %-22s %llu\n", "failed", ull(t.failed));
    for (auto [status, n] : t.failed_by_status)
        out +=
            printf_string("    %-20s %llu\n", printf_string("status %u", status).c_str(), ull(n));
    if (t.failed_timeout)
        out += printf_string("    %-20s %llu\n", "timeout", ull(t.failed_timeout));
    if (t.failed_transport)
        out += printf_string("    %-20s %llu\n", "transport error", ull(t.failed_transport));
    if (t.failed_local)
        out += printf_string("    %-20s %llu\n", "local error", ull(t.failed_local));
    out += printf_string("  %-22s %llu\n", "unfinished", ull(t.unfinished));
    out += printf_string("  %-22s %llu (at --max-concurrent %llu)\n", "not started",
                         ull(t.not_started), ull(o.max_concurrent));
    if (o.scenario == scenario_kind::mix) {
        for (std::size_t i = 0; i < call_scenario_count; ++i)
            out += printf_string("    %-20s %llu started, %llu completed\n",
                                 std::string(name_of(static_cast<scenario_kind>(i))).c_str(),
                                 ull(t.started_by_scenario[i]), ull(t.completed_by_scenario[i]));
    }
    out += printf_string("  %-22s %llu responses received again, %llu requests resent\n",
                         "retransmissions", ull(t.responses_retransmitted),
                         ull(t.requests_retransmitted));
    out += printf_string("  %-22s %llu sent, %llu received, %llu unparsable, %llu send errors\n",
                         "messages", ull(t.messages_sent), ull(t.messages_received),
                         ull(t.unparsable_received), ull(t.send_errors));
    out += printf_string("  %-22s %10s %10s %10s %10s %10s %10s\n", "latency (µs)", "p50", "p90",
                         "p99", "p99.9", "max", "mean");
    out += latency_row("setup (INVITE→200)", t.setup_latency);
    out += latency_row("call (INVITE→BYE 200)", t.call_latency);
    out += printf_string("  %-22s %.1f%% of one core (%.3f s: user %.3f, system %.3f; %.1f "
                         "µs/call); busiest thread %.1f%%\n",
                         "generator CPU", s.cpu_core_fraction * 100, s.cpu_seconds,
                         seconds_of(t.usage.user), seconds_of(t.usage.system),
                         s.cpu_microseconds_per_call, s.busiest_thread_fraction * 100);
    if (s.generator_saturated)
        out += printf_string("  WARNING: a generator thread used %.0f%% of a core: the generator "
                             "is the bottleneck; add --threads\n",
                             s.busiest_thread_fraction * 100);
    if (o.timeline) {
        out += printf_string("  %-8s %10s %10s %10s %14s %14s\n", "second", "setups", "> 1 ms",
                             "> 10 ms", "max setup µs", "max late µs");
        for (std::size_t i = 0; i < t.timeline.size(); ++i) {
            const second_stats& r = t.timeline[i];
            out += printf_string("  %-8zu %10llu %10llu %10llu %14.1f %14.1f\n", i, ull(r.setups),
                                 ull(r.over_1ms), ull(r.over_10ms),
                                 static_cast<double>(r.max_setup_ns) / 1000.0,
                                 static_cast<double>(r.max_late_ns) / 1000.0);
        }
    }
    return out;
}

std::string format_json(const report_input& in) {
    const run_stats& t = in.total;
    const load_options& o = in.options;
    summary s = summarize(in);
    std::string out = "{";
    out += "\"scenario\": " + json_string(name_of(o.scenario));
    out += ", \"transport\": " + json_string(protocol_name(o.protocol));
    out += ", \"target\": " + json_string(o.target_text);
    out += printf_string(", \"threads\": %u, \"sockets\": %u, \"hold_ms\": %lld", o.threads,
                         o.sockets, static_cast<long long>(o.hold.count()));
    out += printf_string(", \"offered_rate\": %.3f, \"achieved_rate\": %.3f", s.offered_rate,
                         s.achieved_rate);
    out += printf_string(", \"generation_s\": %.6f, \"elapsed_s\": %.6f", s.generation_seconds,
                         s.elapsed_seconds);
    out += printf_string(", \"calls\": {\"started\": %llu, \"completed\": %llu, \"failed\": %llu, "
                         "\"unfinished\": %llu, \"not_started\": %llu}",
                         ull(t.started), ull(t.completed), ull(t.failed), ull(t.unfinished),
                         ull(t.not_started));
    out += ", \"by_scenario\": {";
    for (std::size_t i = 0; i < call_scenario_count; ++i)
        out += printf_string("%s%s: {\"started\": %llu, \"completed\": %llu}", i ? ", " : "",
                             json_string(name_of(static_cast<scenario_kind>(i))).c_str(),
                             ull(t.started_by_scenario[i]), ull(t.completed_by_scenario[i]));
    out += "}, \"failures\": {\"status\": {";
    bool first = true;
    for (auto [status, n] : t.failed_by_status) {
        out += printf_string("%s\"%u\": %llu", first ? "" : ", ", status, ull(n));
        first = false;
    }
    out += printf_string("}, \"timeout\": %llu, \"transport_error\": %llu, \"local_error\": %llu}",
                         ull(t.failed_timeout), ull(t.failed_transport), ull(t.failed_local));
    out += printf_string(", \"retransmissions\": {\"responses_received\": %llu, "
                         "\"requests_sent\": %llu}",
                         ull(t.responses_retransmitted), ull(t.requests_retransmitted));
    out += printf_string(", \"messages\": {\"sent\": %llu, \"received\": %llu, \"unparsable\": "
                         "%llu, \"send_errors\": %llu}",
                         ull(t.messages_sent), ull(t.messages_received), ull(t.unparsable_received),
                         ull(t.send_errors));
    out += ", \"latency_us\": {\"setup\": " + latency_json(t.setup_latency) +
           ", \"call\": " + latency_json(t.call_latency) + "}";
    out += printf_string(", \"cpu\": {\"seconds\": %.6f, \"user_s\": %.6f, \"system_s\": %.6f, "
                         "\"core_fraction\": %.4f, "
                         "\"us_per_call\": %.2f, \"busiest_thread_fraction\": %.4f, "
                         "\"saturated\": %s, \"threads\": [",
                         s.cpu_seconds, seconds_of(t.usage.user), seconds_of(t.usage.system),
                         s.cpu_core_fraction, s.cpu_microseconds_per_call,
                         s.busiest_thread_fraction, s.generator_saturated ? "true" : "false");
    for (std::size_t i = 0; i < in.threads.size(); ++i)
        out += printf_string("%s%.4f", i ? ", " : "", in.threads[i].busy_fraction());
    out += "]}";
    if (o.timeline) {
        out += ", \"timeline\": [";
        for (std::size_t i = 0; i < t.timeline.size(); ++i) {
            const second_stats& r = t.timeline[i];
            out += printf_string("%s{\"second\": %zu, \"setups\": %llu, \"over_1ms\": %llu, "
                                 "\"over_10ms\": %llu, \"max_setup_us\": %.1f, "
                                 "\"max_late_us\": %.1f}",
                                 i ? ", " : "", i, ull(r.setups), ull(r.over_1ms), ull(r.over_10ms),
                                 static_cast<double>(r.max_setup_ns) / 1000.0,
                                 static_cast<double>(r.max_late_ns) / 1000.0);
        }
        out += "]";
    }
    out += "}\n";
    return out;
}

} // namespace parley::load
