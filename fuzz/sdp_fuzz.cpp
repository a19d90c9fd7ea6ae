// Fuzz target for the SDP layer: parse; if it parses, serialize, re-parse and require the same
// model and the same bytes (the round trip is stable); copy and compare; then run the input
// through the offer/answer helpers and the negotiator against itself (as offer and as answer).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <parley/sdp/description.hpp>
#include <parley/sdp/negotiator.hpp>
#include <parley/sdp/offer_answer.hpp>

namespace {
[[noreturn]] void fatal() {
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace parley::sdp;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto parsed = session_description::parse(input);
    if (!parsed) {
        if (parsed.error_value().offset > size) fatal();
        if (parsed.error_value().status != 400) fatal();
        return 0;
    }
    const session_description& d = *parsed;
    std::string text = d.serialize();
    auto again = session_description::parse(text);
    if (!again || !(*again == d)) fatal();
    if (again->serialize() != text) fatal();
    session_description copy = d;
    if (!(copy == d) || copy.serialize() != text) fatal();

    // Offer/answer: answer our own offer stream by stream.
    session_description answer;
    answer.set_origin(d.origin());
    answer.set_session_name("-");
    static const std::vector<codec> local{{"PCMU", 8000}, {"PCMA", 8000}, {"opus", 48000, 2}};
    for (std::size_t i = 0; i < d.media().size(); ++i) {
        const media_description& offered = d.media()[i];
        auto matches = intersect_formats(offered, local);
        if (offered.is_declined() || matches.empty()) {
            add_declined_stream(answer, offered);
            continue;
        }
        std::vector<std::string_view> formats{offered.formats[0]};
        media_editor m = answer.add_media(offered.media, 9, offered.proto, formats);
        apply_formats(m, matches);
        m.set_direction(answer_direction(d.effective_direction(i), direction::sendrecv));
    }
    if (!validate_answer(d, answer)) fatal();
    negotiator n;
    if (!n.receive_remote_offer(d) || !n.set_local_answer(answer) || !n.negotiate()) fatal();
    if (!n.set_local_offer(copy) || !n.receive_remote_answer(copy) || !n.negotiate()) fatal();
    (void)validate_new_offer(d, answer);
    return 0;
}
