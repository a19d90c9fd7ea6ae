// Fuzz target: TCP stream framing. The input is a byte stream delivered in chunks whose sizes
// come from the first byte. Invariants: never crash; every frame length is within the buffer;
// a framed message that parses has exactly the framed length.
#include <parley/sip/message.hpp>
#include <parley/sip/stream_framer.hpp>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::size_t chunk = 1 + data[0] % 64;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string buffer;
    auto m = std::make_unique<parley::message>();
    parley::parse_limits limits;
    limits.max_message_size = 4096;
    for (std::size_t fed = 0; fed < input.size();) {
        std::size_t n = std::min(chunk, input.size() - fed);
        buffer.append(input.substr(fed, n));
        fed += n;
        while (true) {
            parley::frame f = parley::next_frame(buffer, limits);
            if (f.kind == parley::frame_kind::need_more) break;
            if (f.kind == parley::frame_kind::error) return 0; // the connection would close
            if (f.length == 0 || f.length > buffer.size()) std::abort();
            if (f.kind == parley::frame_kind::message) {
                auto r = parley::parse_message(
                    std::string_view(buffer).substr(0, f.length), *m,
                    {.limits = limits, .framing = parley::transport_framing::stream});
                if (r && m->bytes().size() != f.length) std::abort();
            }
            buffer.erase(0, f.length);
        }
    }
    return 0;
}
