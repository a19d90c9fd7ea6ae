// Fuzz target: the SIP message parser (datagram and stream framing, borrow and copy modes).
// Invariants: never crash; an accepted message serializes to bytes that parse again, and
// serializing those gives the same bytes (the writer is a fixed point).
#include <parley/sip/message.hpp>
#include <parley/sip/message_writer.hpp>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto m = std::make_unique<parley::message>();
    for (auto framing : {parley::transport_framing::datagram, parley::transport_framing::stream}) {
        parley::parse_options options;
        options.framing = framing;
        if (!parley::parse_message(bytes, *m, options)) continue;
        // Touch everything the parser promised to validate.
        for (const auto& h : m->headers()) (void)parley::header_name(h.id);
        (void)parley::unescape(m->request_uri().user);
        std::string once = parley::serialize(*m);
        auto again = std::make_unique<parley::message>();
        // serialize() always writes Content-Length, which a datagram may have lacked: one more
        // header line (and a few bytes) than the parser's limits allowed.
        parley::parse_options reparse;
        reparse.limits.max_headers = options.limits.max_headers + 1;
        reparse.limits.max_message_size = options.limits.max_message_size + 32;
        reparse.buffer = parley::buffer_use::copy;
        if (!parley::parse_message(once, *again, reparse)) std::abort();
        if (parley::serialize(*again) != once) std::abort();
        if (again->vias().size() != m->vias().size()) std::abort();
        if (again->call_id() != m->call_id()) std::abort();
    }
    return 0;
}
