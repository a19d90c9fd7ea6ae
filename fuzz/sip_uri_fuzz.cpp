// Fuzz target: URI, name-addr and Via parsers. Invariants: never crash; an accepted URI is
// equivalent to itself and its parameters can be walked.
#include <parley/sip/headers.hpp>
#include <parley/sip/uri.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto u = parley::parse_uri(text)) {
        if (!parley::uri_equivalent(*u, *u)) std::abort();
        std::size_t count = 0;
        u->params.for_each([&](const parley::param&) { return ++count < 1000; });
        (void)u->host_reference();
        (void)parley::unescape(u->user);
    }
    if (auto n = parley::parse_name_addr(text)) (void)n->params.find("tag");
    (void)parley::parse_via(text);
    (void)parley::parse_contact(text);
    (void)parley::parse_cseq(text);
    (void)parley::parse_media_type(text);
    (void)parley::for_each_list_element(
        text, 0, [](std::string_view, std::size_t) { return parley::result<void>{}; });
    return 0;
}
