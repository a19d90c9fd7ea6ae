// SIP parse and serialize microbenchmarks. Run: build/release/bench/sip_bench
// Instruction counts (stable on a noisy machine):
//   valgrind --tool=callgrind build/release/bench/sip_bench --benchmark_filter=parse_invite
#include "sip_messages.hpp"

#include <parley/sip/message.hpp>
#include <parley/sip/message_writer.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <ctime>
#include <memory>

namespace {

using namespace parley;

// The core clock while the benchmark runs: a chain of dependent 64-bit multiplications takes
// three cycles each on every x86-64 core of the last decade (Intel since Sandy Bridge, AMD since
// Zen), so multiplications per second of this thread's CPU time (not wall time: a probe
// preempted on a busy machine would read low), times three, is the clock. A chain of adds is no
// probe: Intel's Golden Cove retires dependent immediate adds faster than one a cycle (it read
// 5 to 8 GHz on a 2.1 GHz Sapphire Rapids VM). VM clocks move with the host's load (3.4 to
// 3.7 GHz seen on one, 2.1 to 2.5 on another), so times are also reported as cycles per parse.
double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double probe_ghz() {
    constexpr std::uint64_t rounds = 2'000'000; // 8 million multiplications, about 10 ms
    std::uint64_t x = 3;
    const double start = thread_seconds();
    for (std::uint64_t i = 0; i < rounds; ++i) {
#if defined(__x86_64__)
        asm volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0" : "+r"(x));
#else
        for (int k = 0; k < 4; ++k) benchmark::DoNotOptimize(x *= x);
#endif
    }
    const double took = thread_seconds() - start;
    benchmark::DoNotOptimize(x);
    return 3.0 * 4.0 * static_cast<double>(rounds) / took / 1e9;
}

void parse(benchmark::State& state, const std::string& bytes) {
    auto m = std::make_unique<message>();
    const double ghz_before = probe_ghz();
    for (auto _ : state) {
        auto r = parse_message(bytes, *m);
        benchmark::DoNotOptimize(r);
        if (!r) state.SkipWithError("parse failed");
    }
    const double ghz = (ghz_before + probe_ghz()) / 2;
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
    state.counters["bytes"] = static_cast<double>(bytes.size());
    state.counters["GHz"] = ghz;
    // CPU seconds per parse times the clock: cycles per parse.
    state.counters["cycles"] =
        benchmark::Counter(1.0 / (ghz * 1e9), benchmark::Counter::kIsIterationInvariantRate |
                                                  benchmark::Counter::kInvert);
}

void parse_invite(benchmark::State& s) {
    parse(s, bench::invite);
}
void parse_200_ok(benchmark::State& s) {
    parse(s, bench::ok_with_sdp);
}
void parse_ack(benchmark::State& s) {
    parse(s, bench::ack);
}
void parse_bye(benchmark::State& s) {
    parse(s, bench::bye);
}

void parse_invite_copy(benchmark::State& state) {
    auto m = std::make_unique<message>();
    for (auto _ : state) {
        auto r = parse_message(bench::invite, *m, {.buffer = buffer_use::copy});
        benchmark::DoNotOptimize(r);
    }
}

void serialize_parsed_invite(benchmark::State& state) {
    auto m = std::make_unique<message>();
    if (!parse_message(bench::invite, *m)) state.SkipWithError("parse failed");
    for (auto _ : state) {
        std::string out = serialize(*m);
        benchmark::DoNotOptimize(out);
    }
}

void build_200_ok(benchmark::State& state) {
    auto m = std::make_unique<message>();
    if (!parse_message(bench::invite, *m)) state.SkipWithError("parse failed");
    for (auto _ : state) {
        std::string out = response_to(*m, 200, {}, "a6c85cf")
                              .header(header_id::contact, "<sip:bob@192.0.2.4:5060>")
                              .header(header_id::allow, "INVITE, ACK, CANCEL, OPTIONS, BYE")
                              .header(header_id::supported, "100rel, timer, replaces")
                              .body("application/sdp", bench::sdp_offer)
                              .finish();
        benchmark::DoNotOptimize(out);
    }
}

void build_bye(benchmark::State& state) {
    for (auto _ : state) {
        std::string out =
            message_writer::request("BYE", "sip:bob@192.0.2.4:5060")
                .header(header_id::via,
                        "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKnashds10")
                .header(header_id::max_forwards, "70")
                .header(header_id::to, "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf")
                .header(header_id::from, "\"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774")
                .header(header_id::call_id, "a84b4c76e66710@pc33.atlanta.example.com")
                .header(header_id::cseq, "314160 BYE")
                .finish();
        benchmark::DoNotOptimize(out);
    }
}

} // namespace

BENCHMARK(parse_invite);
BENCHMARK(parse_200_ok);
BENCHMARK(parse_ack);
BENCHMARK(parse_bye);
BENCHMARK(parse_invite_copy);
BENCHMARK(serialize_parsed_invite);
BENCHMARK(build_200_ok);
BENCHMARK(build_bye);
