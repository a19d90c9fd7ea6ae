// SDP microbenchmarks: parse and serialize a typical audio offer (4 codecs, ptime, fmtp), and
// one RFC 3264 round (receive offer, build the answer with the helpers, negotiate).
// Run: build/sdp-rel/bench/sdp_bench (figures and commands in docs/sdp.md).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <parley/sdp/description.hpp>
#include <parley/sdp/negotiator.hpp>
#include <parley/sdp/offer_answer.hpp>

namespace {

using namespace parley::sdp;

// 257 bytes, the size PJSIP's figure was measured on.
constexpr std::string_view typical_offer = "v=0\r\n"
                                           "o=- 391283747 3912837471 IN IP4 192.0.2.10\r\n"
                                           "s=-\r\n"
                                           "c=IN IP4 192.0.2.10\r\n"
                                           "t=0 0\r\n"
                                           "m=audio 49170 RTP/AVP 0 8 9 101\r\n"
                                           "a=rtpmap:0 PCMU/8000\r\n"
                                           "a=rtpmap:8 PCMA/8000\r\n"
                                           "a=rtpmap:9 G722/8000\r\n"
                                           "a=rtpmap:101 telephone-event/8000\r\n"
                                           "a=fmtp:101 0-16\r\n"
                                           "a=ptime:20\r\n"
                                           "a=sendrecv\r\n";

void sdp_parse(benchmark::State& state) {
    for (auto _ : state) {
        auto d = session_description::parse(typical_offer);
        benchmark::DoNotOptimize(d);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(typical_offer.size()));
    state.counters["bytes"] = static_cast<double>(typical_offer.size());
}
BENCHMARK(sdp_parse);

void sdp_serialize(benchmark::State& state) {
    auto d = session_description::parse(typical_offer);
    std::string out;
    for (auto _ : state) {
        out.clear();
        d->serialize_to(out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(sdp_serialize);

void sdp_copy(benchmark::State& state) {
    auto d = session_description::parse(typical_offer);
    for (auto _ : state) {
        session_description copy = *d;
        benchmark::DoNotOptimize(copy);
    }
}
BENCHMARK(sdp_copy);

// Receive the offer (already parsed), build the answer, negotiate.
void sdp_negotiate(benchmark::State& state) {
    auto offer = session_description::parse(typical_offer);
    const std::vector<codec> local{{"G722", 8000}, {"PCMA", 8000}, {"PCMU", 8000}};
    origin_field origin{.username = "parley",
                        .session_id = "42",
                        .session_version = 1,
                        .network_type = "IN",
                        .address_type = "IP4",
                        .address = "192.0.2.20"};
    for (auto _ : state) {
        negotiator n;
        if (!n.receive_remote_offer(*offer)) state.SkipWithError("offer rejected");
        const session_description& remote = *n.pending_remote();
        session_description answer;
        answer.set_origin(origin);
        answer.set_session_name("-");
        answer.set_connection(
            connection_field{.network_type = "IN", .address_type = "IP4", .address = "192.0.2.20"});
        answer.add_timing({});
        for (std::size_t i = 0; i < remote.media().size(); ++i) {
            auto matches = intersect_formats(remote.media()[i], local);
            if (matches.empty()) {
                add_declined_stream(answer, remote.media()[i]);
                continue;
            }
            std::vector<std::string_view> formats{matches[0].format};
            media_editor m = answer.add_media("audio", 4000, "RTP/AVP", formats);
            apply_formats(m, matches);
            if (auto p = remote.media()[i].ptime()) m.add_attribute("ptime", "20");
            m.set_direction(answer_direction(remote.effective_direction(i), direction::sendrecv));
        }
        if (!n.set_local_answer(std::move(answer)) || !n.negotiate())
            state.SkipWithError("negotiation failed");
        benchmark::DoNotOptimize(n);
    }
}
BENCHMARK(sdp_negotiate);

} // namespace
