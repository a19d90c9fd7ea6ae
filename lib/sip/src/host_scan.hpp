// A host name or IPv4 address read from a text (RFC 3261 §25.1 hostname / IPv4address): the
// 32-byte host scan of byte_scan.hpp, then what kind of host it found. Inline, so that the URI
// parser and the Via parser (the two places a message's hosts are read) run it without a call.
#pragma once

#include <parley/sip/uri.hpp>

#include <parley/base/text.hpp>

#include <cstddef>
#include <string_view>

#include "byte_scan.hpp"

namespace parley::detail {

// valid_ipv4 in one pass for what a host scan found: four dot-separated parts of one to three
// digits, each at most 255 (leading zeros allowed, as valid_ipv4 allows them).
inline bool dotted_quad(const char* p, const char* end) noexcept {
    int dots = 0;
    int digits = 0;
    unsigned value = 0;
    for (; p < end; ++p) {
        char c = *p;
        if (c == '.') {
            if (digits == 0 || ++dots > 3) return false;
            digits = 0;
            value = 0;
        } else if (text::is_digit(c)) {
            value = value * 10 + unsigned(c - '0');
            if (++digits > 3 || value > 255) return false;
        } else {
            return false;
        }
    }
    return dots == 3 && digits != 0;
}

// What a host run from `start` is (RFC 3261 §25.1: labels of alphanum and '-', the top label
// starting with a letter; or four decimal octets); host_kind::none when invalid.
[[gnu::always_inline]] inline host_kind host_kind_of(const char* start,
                                                     const scan::host_run& run) noexcept {
    if (run.end == start) return host_kind::none;
    // A name's top label starts with a letter; otherwise only an IPv4 address (digits and dots
    // alone) can be valid.
    if (text::is_alpha(*run.top_label)) return run.bad_label ? host_kind::none : host_kind::name;
    return dotted_quad(start, run.end) ? host_kind::ipv4 : host_kind::none;
}

// Scans a hostname or IPv4 address from s[i] while host chars last, validating as it goes.
// Leaves i on the first byte after the host. host_kind::none when invalid.
[[gnu::always_inline]] inline host_kind scan_name_or_ipv4(std::string_view s, std::size_t& i,
                                                          const char* readable_begin) noexcept {
    const char* const start = s.data() + i;
    const detail::scan::host_run run =
        scan::scan_host_run(start, readable_begin, s.data() + s.size());
    i = static_cast<std::size_t>(run.end - s.data());
    return host_kind_of(start, run);
}

} // namespace parley::detail
