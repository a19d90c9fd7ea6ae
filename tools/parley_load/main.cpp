// parley-load: a SIP UAC load generator built on Parley's transaction and dialog layers.
// `parley-load --help` for the usage; docs/parley-load.md for what each figure means.
//
// main() parses the options, opens every thread's sockets (so a bad target fails before any
// load), runs one generator per thread, and on the way out merges their counters into one
// report. SIGINT stops starting calls (the running ones drain); a second SIGINT stops at once.
#include "generator.hpp"
#include "options.hpp"
#include "report.hpp"

#include <csignal>
#include <cstdio>
#include <malloc.h>
#include <memory>
#include <thread>
#include <vector>

namespace parley::load {
namespace {

stop_flag stop_requested{0};

extern "C" void on_interrupt(int) {
    stop_requested.fetch_add(1, std::memory_order_relaxed);
}

int run(int argc, char** argv) {
    parse_outcome parsed = parse_command_line(argc, argv);
    if (std::holds_alternative<help_requested>(parsed)) {
        std::fwrite(usage_text().data(), 1, usage_text().size(), stdout);
        return 0;
    }
    if (auto* e = std::get_if<usage_error>(&parsed)) {
        std::fprintf(stderr, "parley-load: %s\nTry 'parley-load --help'.\n", e->message.c_str());
        return 2;
    }
    const load_options& options = std::get<load_options>(parsed);
    // glibc keeps small freed blocks in "fast bins" and merges them all at once when a larger
    // block is asked for. Once the 64*T1 lingering transactions start ending, that merge (and
    // the sorting of what it frees) took the generator away for 20-60 ms every few seconds
    // at 20,000 calls/s (perf: malloc_consolidate, _int_malloc), and every call in flight
    // meanwhile was timed as slow. Without fast bins blocks are merged as they are freed.
    ::mallopt(M_MXFAST, 0);

    std::vector<std::unique_ptr<generator>> generators;
    for (unsigned i = 0; i < options.threads; ++i) {
        thread_share share{.index = i,
                           .rate = options.rate / options.threads,
                           .max_concurrent = options.max_concurrent / options.threads};
        if (options.calls)
            share.calls = *options.calls / options.threads + (i < *options.calls % options.threads);
        if (share.calls && *share.calls == 0) continue; // fewer calls than threads
        generators.push_back(std::make_unique<generator>(options, share, stop_requested));
        if (auto e = generators.back()->open(); !e.empty()) {
            std::fprintf(stderr, "parley-load: %s\n", e.c_str());
            return 1;
        }
    }
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    std::vector<std::thread> threads;
    for (auto& g : generators) threads.emplace_back([&g] { g->run(); });
    for (auto& t : threads) t.join();

    run_stats total;
    std::vector<thread_usage> usage;
    for (auto& g : generators) {
        total.merge(g->stats());
        usage.push_back(g->stats().usage);
    }
    report_input in{.options = options, .total = total, .threads = usage};
    std::string text = options.format == output_format::json ? format_json(in) : format_table(in);
    std::fwrite(text.data(), 1, text.size(), stdout);
    summary s = summarize(in);
    if (s.generator_saturated && options.format == output_format::json)
        std::fprintf(stderr,
                     "parley-load: WARNING: a generator thread used %.0f%% of a core: the "
                     "generator is the bottleneck; add --threads\n",
                     s.busiest_thread_fraction * 100);
    return total.failed == 0 && total.unfinished == 0 && total.completed > 0 ? 0 : 1;
}

} // namespace
} // namespace parley::load

int main(int argc, char** argv) {
    return parley::load::run(argc, argv);
}
