// Tests of parley-load's pure parts: histogram percentiles, command-line parsing and its
// errors, and the shape of the JSON report.
#include "histogram.hpp"
#include "options.hpp"
#include "report.hpp"
#include "stats.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace parley::load {
namespace {

TEST(histogram, empty_reports_zero) {
    latency_histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(50), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
}

TEST(histogram, small_values_are_exact) {
    latency_histogram h;
    for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v);
    EXPECT_EQ(h.percentile(50), 500u);
    EXPECT_EQ(h.percentile(90), 900u);
    EXPECT_EQ(h.percentile(99), 990u);
    EXPECT_EQ(h.percentile(99.9), 999u);
    EXPECT_EQ(h.percentile(100), 1000u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 1000u);
    EXPECT_DOUBLE_EQ(h.mean(), 500.5);
}

TEST(histogram, large_values_within_one_part_in_a_thousand) {
    latency_histogram h;
    std::mt19937_64 random(7);
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 100'000; ++i) {
        std::uint64_t v = 1'000 + random() % 50'000'000; // 1 µs .. 50 ms in ns
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (double p : {50.0, 90.0, 99.0, 99.9}) {
        auto rank = static_cast<std::size_t>(std::ceil(p / 100 * values.size()));
        double exact = static_cast<double>(values[rank - 1]);
        double got = static_cast<double>(h.percentile(p));
        EXPECT_GE(got, exact) << p; // the bucket's upper edge: never below the true value
        EXPECT_LE(got, exact * (1 + 1.0 / 1024) + 1) << p;
    }
}

TEST(histogram, microsecond_resolution_below_a_millisecond) {
    latency_histogram h;
    h.record(999'400); // 999.4 µs
    EXPECT_NEAR(static_cast<double>(h.percentile(50)), 999'400.0, 1000.0);
}

TEST(histogram, huge_values_are_clamped_to_the_maximum_seen) {
    latency_histogram h;
    h.record(std::uint64_t{1} << 60);
    EXPECT_EQ(h.percentile(50), std::uint64_t{1} << 60);
}

TEST(histogram, merge_adds_counts_and_bounds) {
    latency_histogram a, b;
    for (int i = 0; i < 10; ++i) a.record(100);
    for (int i = 0; i < 10; ++i) b.record(300);
    a.merge(b);
    EXPECT_EQ(a.count(), 20u);
    EXPECT_EQ(a.percentile(50), 100u);
    EXPECT_EQ(a.percentile(51), 300u);
    EXPECT_EQ(a.min(), 100u);
    EXPECT_EQ(a.max(), 300u);
}

parse_outcome parse(std::vector<std::string_view> args) {
    return parse_arguments(args);
}

std::string error_of(std::vector<std::string_view> args) {
    auto out = parse(std::move(args));
    auto* e = std::get_if<usage_error>(&out);
    return e ? e->message : "(no error)";
}

TEST(command_line, defaults_with_a_target) {
    auto out = parse({"127.0.0.1:5070"});
    auto* o = std::get_if<load_options>(&out);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->target.port, 5070);
    EXPECT_EQ(o->target_text, "127.0.0.1:5070");
    EXPECT_EQ(o->protocol, transport_protocol::udp);
    EXPECT_EQ(o->scenario, scenario_kind::basic);
    EXPECT_EQ(o->rate, 1000);
    EXPECT_FALSE(o->calls);
    EXPECT_EQ(o->duration, std::chrono::seconds(10)); // bounded even when nothing is given
    EXPECT_EQ(o->threads, 1u);
    EXPECT_EQ(o->format, output_format::table);
}

TEST(command_line, every_option) {
    auto out = parse({"-t",          "tcp",       "--scenario=reinvite",
                      "-r",          "2500.5",    "-m",
                      "300",         "-d",        "1.5",
                      "-l",          "500",       "--hold",
                      "20",          "--threads", "2",
                      "--sockets",   "8",         "--t1",
                      "100",         "--drain",   "3",
                      "--json",      "--bind",    "127.0.0.2",
                      "--from-user", "a",         "--to-user",
                      "b",           "[::1]:5080"});
    // An IPv6 target with an IPv4 bind address is refused...
    EXPECT_NE(std::get_if<usage_error>(&out), nullptr);
    out = parse({"-t",          "tcp",       "--scenario=reinvite",
                 "-r",          "2500.5",    "-m",
                 "300",         "-d",        "1.5",
                 "-l",          "500",       "--hold",
                 "20",          "--threads", "2",
                 "--sockets",   "8",         "--t1",
                 "100",         "--drain",   "3",
                 "--json",      "--bind",    "127.0.0.2",
                 "--from-user", "a",         "--to-user",
                 "b",           "10.0.0.1"});
    auto* o = std::get_if<load_options>(&out);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->protocol, transport_protocol::tcp);
    EXPECT_EQ(o->scenario, scenario_kind::reinvite);
    EXPECT_DOUBLE_EQ(o->rate, 2500.5);
    EXPECT_EQ(o->calls, 300u);
    EXPECT_EQ(o->duration, std::chrono::milliseconds(1500));
    EXPECT_EQ(o->max_concurrent, 500u);
    EXPECT_EQ(o->hold, std::chrono::milliseconds(20));
    EXPECT_EQ(o->threads, 2u);
    EXPECT_EQ(o->sockets, 8u);
    EXPECT_EQ(o->t1, std::chrono::milliseconds(100));
    EXPECT_EQ(o->drain, std::chrono::milliseconds(3000));
    EXPECT_EQ(o->format, output_format::json);
    EXPECT_EQ(o->bind_address, "127.0.0.2");
    EXPECT_EQ(o->user, "a");
    EXPECT_EQ(o->to_user, "b");
    EXPECT_EQ(o->target.port, 5060); // default port
}

TEST(command_line, ipv6_target) {
    auto out = parse({"--bind", "::1", "[::1]:5080"});
    auto* o = std::get_if<load_options>(&out);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->target.family, socket_address::family_type::ipv6);
    EXPECT_EQ(o->target.port, 5080);
}

TEST(command_line, mix_weights) {
    auto out = parse({"-s", "mix", "--mix", "basic=1,options=3", "127.0.0.1"});
    auto* o = std::get_if<load_options>(&out);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->mix_weights, (std::array<unsigned, 4>{1, 0, 0, 3}));
}

TEST(command_line, help) {
    EXPECT_TRUE(std::holds_alternative<help_requested>(parse({"--help"})));
    EXPECT_TRUE(std::holds_alternative<help_requested>(parse({"127.0.0.1", "-h"})));
    for (std::string_view option :
         {"--rate", "--calls", "--duration", "--max-concurrent", "--hold", "--threads", "--sockets",
          "--scenario", "--mix", "--transport", "--bind", "--t1", "--drain", "--json",
          "--from-user", "--to-user", "delayed-offer", "Exit status"})
        EXPECT_NE(usage_text().find(option), std::string_view::npos) << option;
}

TEST(command_line, errors_say_what_is_wrong) {
    EXPECT_EQ(error_of({}), "no target given (e.g. parley-load 127.0.0.1:5060)");
    EXPECT_NE(error_of({"example.com:5060"}).find("bad target 'example.com:5060'"),
              std::string::npos);
    EXPECT_NE(error_of({"127.0.0.1:0"}).find("bad target"), std::string::npos);
    EXPECT_NE(error_of({"127.0.0.1:70000"}).find("bad target"), std::string::npos);
    EXPECT_NE(error_of({"[::1"}).find("bad target"), std::string::npos);
    EXPECT_EQ(error_of({"-r", "fast", "127.0.0.1"}),
              "bad number for -r: 'fast' (expected calls/s, 0 < N <= 1e7)");
    EXPECT_NE(error_of({"-r", "0", "127.0.0.1"}).find("bad number for -r"), std::string::npos);
    EXPECT_NE(error_of({"-m", "-5", "127.0.0.1"}).find("bad number for -m"), std::string::npos);
    EXPECT_NE(error_of({"-m", "12x", "127.0.0.1"}).find("bad number"), std::string::npos);
    EXPECT_NE(error_of({"--threads", "0", "127.0.0.1"}).find("bad number"), std::string::npos);
    EXPECT_NE(error_of({"--hold", "1.5", "127.0.0.1"}).find("bad number"), std::string::npos);
    EXPECT_EQ(error_of({"-s", "register", "127.0.0.1"}),
              "unknown scenario 'register' (basic, delayed-offer, reinvite, options, mix)");
    EXPECT_NE(error_of({"--mix", "basic=1,foo=2", "127.0.0.1"}).find("unknown scenario"),
              std::string::npos);
    EXPECT_EQ(error_of({"--mix", "basic=0", "127.0.0.1"}), "--mix: every weight is 0");
    EXPECT_EQ(error_of({"-t", "sctp", "127.0.0.1"}), "unknown transport 'sctp' (udp, tcp)");
    EXPECT_EQ(error_of({"--frobnicate", "127.0.0.1"}), "unknown option '--frobnicate'");
    EXPECT_EQ(error_of({"127.0.0.1", "--rate"}), "--rate needs a value");
    EXPECT_NE(error_of({"127.0.0.1", "127.0.0.2"}).find("more than one target"), std::string::npos);
    EXPECT_NE(error_of({"--bind", "localhost", "127.0.0.1"}).find("bad --bind"), std::string::npos);
}

TEST(report, json_has_every_figure) {
    auto parsed = parse({"--json", "-m", "3", "127.0.0.1:5060"});
    const auto& o = std::get<load_options>(parsed);
    run_stats total;
    total.started = 3;
    total.completed = 2;
    total.failed = 1;
    total.failed_by_status[503] = 1;
    total.setup_latency.record(120'000);
    total.setup_latency.record(80'000);
    total.call_latency.record(250'000);
    total.first_start = std::chrono::steady_clock::time_point{} + std::chrono::seconds(1);
    total.last_start = total.first_start + std::chrono::milliseconds(2);
    total.end = total.first_start + std::chrono::milliseconds(10);
    std::vector<thread_usage> threads{{.user = std::chrono::milliseconds(5),
                                       .system = std::chrono::milliseconds(5),
                                       .wall = std::chrono::milliseconds(10)}};
    report_input in{.options = o, .total = total, .threads = threads};
    std::string json = format_json(in);
    for (std::string_view key :
         {"\"scenario\": \"basic\"", "\"transport\": \"udp\"", "\"target\": \"127.0.0.1:5060\"",
          "\"offered_rate\": 1000.000", "\"achieved_rate\": ",
          "\"calls\": {\"started\": 3, "
          "\"completed\": 2, \"failed\": 1, \"unfinished\": 0, \"not_started\": 0}",
          "\"failures\": {\"status\": {\"503\": 1}, \"timeout\": 0, \"transport_error\": 0",
          "\"retransmissions\": {\"responses_received\": 0, \"requests_sent\": 0}",
          "\"latency_us\": {\"setup\": {\"count\": 2, \"min\": 80.0, \"mean\": 100.0, "
          "\"p50\": 80.1, \"p90\": 120.0", // upper bucket edge: 80,063 ns
          "\"p99_9\": ", "\"call\": {\"count\": 1", "\"saturated\": true", "\"threads\": [1.0000]"})
        EXPECT_NE(json.find(key), std::string::npos) << key << "\n" << json;
    // Balanced braces and brackets, one line.
    int depth = 0;
    for (char c : json) {
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
        EXPECT_GE(depth, 0);
    }
    EXPECT_EQ(depth, 0);
    EXPECT_EQ(json.find('\n'), json.size() - 1);

    std::string table = format_table(in);
    EXPECT_NE(table.find("status 503"), std::string::npos) << table;
    EXPECT_NE(table.find("WARNING"), std::string::npos) << table;
    // 2 completed over 2 ms of starts plus one interval (1 ms): 666.7 calls/s.
    EXPECT_NEAR(summarize(in).achieved_rate, 666.67, 0.01);
    EXPECT_EQ(json.find("timeline"), std::string::npos) << "only with --timeline";
}

TEST(report, timeline_rows_per_second_merged_across_threads) {
    auto parsed = parse({"--timeline", "--json", "127.0.0.1"});
    const auto& o = std::get<load_options>(parsed);
    ASSERT_TRUE(o.timeline);
    run_stats a;
    a.second(0) = {.setups = 10,
                   .over_1ms = 2,
                   .over_10ms = 1,
                   .max_setup_ns = 12'000'000,
                   .max_late_ns = 300'000};
    run_stats b;
    b.second(0) = {.setups = 5, .over_1ms = 1, .max_setup_ns = 2'000'000, .max_late_ns = 4'500'000};
    b.second(2).setups = 7; // a thread may have a row the other lacks
    a.merge(b);
    ASSERT_EQ(a.timeline.size(), 3u);
    EXPECT_EQ(a.timeline[0].setups, 15u);
    EXPECT_EQ(a.timeline[0].over_1ms, 3u);
    EXPECT_EQ(a.timeline[0].over_10ms, 1u);
    EXPECT_EQ(a.timeline[0].max_setup_ns, 12'000'000u);
    EXPECT_EQ(a.timeline[0].max_late_ns, 4'500'000u);
    EXPECT_EQ(a.timeline[1].setups, 0u);
    EXPECT_EQ(a.timeline[2].setups, 7u);
    std::vector<thread_usage> threads{{.wall = std::chrono::seconds(1)}};
    report_input in{.options = o, .total = a, .threads = threads};
    std::string json = format_json(in);
    EXPECT_NE(json.find("\"timeline\": [{\"second\": 0, \"setups\": 15, \"over_1ms\": 3, "
                        "\"over_10ms\": 1, \"max_setup_us\": 12000.0, \"max_late_us\": 4500.0}, "
                        "{\"second\": 1, \"setups\": 0"),
              std::string::npos)
        << json;
    std::string table = format_table(in);
    EXPECT_NE(table.find("max late µs"), std::string::npos) << table;
    EXPECT_NE(table.find("12000.0"), std::string::npos) << table;
}

} // namespace
} // namespace parley::load
