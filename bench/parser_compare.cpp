// Parley's SIP and SDP parsers side by side with two other C parsers on the same bytes, in one
// process: sofia-sip (libsofia-sip-ua, FreeSWITCH's stack) and GNU oSIP (libosip2). Each round
// times every parser in turn, so a noisy machine moves them together; the figures are medians of
// the rounds, and each ratio is the median of the rounds' own ratios.
//
// Run: build/release/bench/parser_compare [rounds]   (default 21)
//
// What each parse includes (each library's normal way to take a received message):
//   parley      parse_message() into a reused message; views into the caller's buffer
//   parley-copy the same with buffer_use::copy (the bytes copied into the message's arena)
//   sofia-sip   msg_make(): a new msg_t, the bytes copied into it, every header parsed, destroyed
//   osip        osip_message_init + osip_message_parse + osip_message_free
// SDP: parley session_description::parse; sofia-sip sdp_parse + sdp_parser_free (strict);
// osip sdp_message_init + sdp_message_parse + sdp_message_free.
// Messages: the INVITE, 200 OK, ACK and BYE of bench/sip_messages.hpp, then its SDP offer.
// Every parser's result is checked once before timing (the routing headers are there, no error).
#include "sip_messages.hpp"

#include <parley/sdp/description.hpp>
#include <parley/sip/message.hpp>

#include "parser_compare_peers.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace parley;

double thread_ns() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

template <typename T>
void keep(T const& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

struct contender {
    const char* name;
    std::function<bool()> parse_once; // false: the parse failed or lost a routing header
    std::vector<double> ns_per_parse;
};

bool parley_sip(message& m, const std::string& bytes, buffer_use use) {
    auto r = parse_message(bytes, m, {.buffer = use});
    keep(r);
    return r.has_value();
}

bool parley_sdp(const std::string& bytes) {
    auto d = sdp::session_description::parse(bytes);
    keep(d);
    return d.has_value();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Times the contenders in alternating rounds; the first is the reference of the ratios.
bool compare(const char* title, std::vector<contender>& all, int rounds) {
    for (auto& c : all) {
        if (!c.parse_once()) {
            std::fprintf(stderr, "parser_compare: %s failed to parse the %s\n", c.name, title);
            return false;
        }
    }
    // Iterations per round: about 20 ms of the slowest contender.
    double slowest = 0;
    for (auto& c : all) {
        const double start = thread_ns();
        for (int i = 0; i < 1000; ++i) c.parse_once();
        slowest = std::max(slowest, (thread_ns() - start) / 1000);
    }
    const int iterations = std::max(100, static_cast<int>(20e6 / slowest));
    for (int r = 0; r < rounds; ++r) {
        for (auto& c : all) {
            const double start = thread_ns();
            for (int i = 0; i < iterations; ++i) c.parse_once();
            c.ns_per_parse.push_back((thread_ns() - start) / iterations);
        }
    }
    std::printf("%s: %d rounds of %d parses each, thread CPU time\n", title, rounds, iterations);
    std::printf("  %-12s %10s %14s\n", "parser", "ns (median)", "x parley");
    for (auto& c : all) {
        std::vector<double> ratios;
        for (int r = 0; r < rounds; ++r)
            ratios.push_back(c.ns_per_parse[r] / all[0].ns_per_parse[r]);
        std::printf("  %-12s %10.1f %14.2f\n", c.name, median(c.ns_per_parse), median(ratios));
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 21;
    bench::peers::init();
    auto m = std::make_unique<message>();
    struct sample {
        const char* title;
        const std::string& bytes;
    };
    bool ok = true;
    for (const sample& s :
         {sample{"INVITE with SDP", bench::invite}, sample{"200 OK with SDP", bench::ok_with_sdp},
          sample{"ACK", bench::ack}, sample{"BYE", bench::bye}}) {
        const std::string& bytes = s.bytes;
        std::vector<contender> sip{
            {"parley", [&] { return parley_sip(*m, bytes, buffer_use::borrow); }, {}},
            {"parley-copy", [&] { return parley_sip(*m, bytes, buffer_use::copy); }, {}},
            {"sofia-sip", [&] { return bench::peers::sofia_sip(bytes); }, {}},
            {"osip", [&] { return bench::peers::osip_sip(bytes); }, {}},
        };
        const std::string title =
            std::string(s.title) + " (" + std::to_string(bytes.size()) + " bytes)";
        ok = ok && compare(title.c_str(), sip, rounds);
    }
    const std::string& sdp = bench::sdp_offer;
    std::vector<contender> sdps{
        {"parley", [&] { return parley_sdp(sdp); }, {}},
        {"sofia-sip", [&] { return bench::peers::sofia_sdp(sdp); }, {}},
        {"osip", [&] { return bench::peers::osip_sdp(sdp); }, {}},
    };
    const std::string sdp_title = "SDP offer (" + std::to_string(sdp.size()) + " bytes)";
    ok = ok && compare(sdp_title.c_str(), sdps, rounds);
    bench::peers::deinit();
    return ok ? 0 : 1;
}
