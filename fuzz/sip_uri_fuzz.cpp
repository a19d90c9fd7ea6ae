// Fuzz target: URI, name-addr and Via parsers. Invariants: never crash; an accepted URI is
// equivalent to itself and its parameters can be walked; a name-addr or Via the delimiter walk
// takes, and a request line, is read by the general parser to the same model
// (lib/sip/test/delimiter_walk_diff.hpp).
#include <parley/sip/headers.hpp>
#include <parley/sip/uri.hpp>

#include <cstdint>
#include <cstdlib>

#include "../lib/sip/test/delimiter_walk_diff.hpp"

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
    for (bool contact : {false, true})
        if (parley::test::compare_walk_padded(text, contact) ==
            parley::test::walk_verdict::differed)
            std::abort();
    if (parley::test::compare_via_walk_padded(text) == parley::test::walk_verdict::differed)
        std::abort();
    if (parley::test::compare_request_line_walk_padded(text) ==
        parley::test::walk_verdict::differed)
        std::abort();
    (void)parley::parse_via(text);
    (void)parley::parse_contact(text);
    (void)parley::parse_cseq(text);
    (void)parley::parse_media_type(text);
    (void)parley::for_each_list_element(
        text, 0, [](std::string_view, std::size_t) { return parley::result<void>{}; });
    return 0;
}
