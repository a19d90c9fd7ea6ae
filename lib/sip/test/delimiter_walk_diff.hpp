// The delimiter walk (lib/sip/src/delimiter_walk.hpp) held to the general name-addr and Via
// parsers: whenever the walk takes a value, the general parser must take it too and write the
// same model, view for view (same bytes of the same buffer). Used by delimiter_walk_test.cpp
// and by the sip_uri_fuzz target.
#pragma once

#include <parley/sip/headers.hpp>

#include <string>
#include <string_view>

#include "../src/delimiter_walk.hpp"

namespace parley::test {

inline bool same_view(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || a.data() == b.data());
}

inline bool same_uri(const uri& a, const uri& b) {
    return a.scheme == b.scheme && same_view(a.scheme_text, b.scheme_text) &&
           same_view(a.user, b.user) && same_view(a.password, b.password) &&
           same_view(a.host, b.host) && a.host_type == b.host_type && a.port == b.port &&
           same_view(a.params.text(), b.params.text()) && same_view(a.headers, b.headers) &&
           same_view(a.opaque, b.opaque) && same_view(a.text, b.text);
}

inline bool same_name_addr(const name_addr& a, const name_addr& b) {
    return same_view(a.display_name, b.display_name) &&
           a.display_name_quoted == b.display_name_quoted && same_uri(a.address, b.address) &&
           a.bracketed == b.bracketed && same_view(a.params.text(), b.params.text()) &&
           same_view(a.tag, b.tag) && same_view(a.text, b.text);
}

/// What the walk did with `value` against the general parser.
enum class walk_verdict { declined, agreed, differed };

/// Runs both parsers on `value`, which must sit in a buffer with at least 64 readable bytes
/// from its start (`readable_end` is that buffer's end).
inline walk_verdict compare_walk(std::string_view value, const char* readable_end, bool contact) {
    name_addr walked;
    if (!detail::delimiter_walk::name_addr(walked, value, readable_end, contact))
        return walk_verdict::declined;
    if (contact) {
        auto general = parse_contact(value);
        if (!general || general->star || general->expires != -1 || general->q != -1)
            return walk_verdict::differed;
        return same_name_addr(walked, general->address) ? walk_verdict::agreed
                                                        : walk_verdict::differed;
    }
    auto general = parse_name_addr(value);
    if (!general) return walk_verdict::differed;
    return same_name_addr(walked, *general) ? walk_verdict::agreed : walk_verdict::differed;
}

/// `value` copied into a buffer with 64 bytes after it, then compare_walk.
inline walk_verdict compare_walk_padded(std::string_view value, bool contact) {
    std::string buffer(value);
    buffer.append(64, '\n');
    std::string_view copy(buffer.data(), value.size());
    return compare_walk(copy, buffer.data() + buffer.size(), contact);
}

inline bool same_via(const via& a, const via& b) {
    return same_view(a.protocol_name, b.protocol_name) &&
           same_view(a.protocol_version, b.protocol_version) &&
           same_view(a.transport, b.transport) && same_view(a.host, b.host) &&
           a.host_type == b.host_type && a.port == b.port && same_view(a.branch, b.branch) &&
           same_view(a.received, b.received) && same_view(a.maddr, b.maddr) && a.ttl == b.ttl &&
           a.rport == b.rport && a.rport_value == b.rport_value &&
           same_view(a.params.text(), b.params.text());
}

/// The Via walk against the general Via parser, `value` in a buffer with 72 bytes after it.
inline walk_verdict compare_via_walk_padded(std::string_view value) {
    std::string buffer(value);
    buffer.append(72, '\n');
    std::string_view copy(buffer.data(), value.size());
    via walked;
    if (!detail::delimiter_walk::via(walked, copy, buffer.data() + buffer.size()))
        return walk_verdict::declined;
    auto general = parse_via(copy);
    if (!general) return walk_verdict::differed;
    return same_via(walked, *general) ? walk_verdict::agreed : walk_verdict::differed;
}

/// The request-line walk against the general reading: the method up to the first SP, the URI
/// between it and the last SP through parse_uri, "SIP/2.0" after it.
inline walk_verdict compare_request_line_walk_padded(std::string_view line) {
    std::string buffer(line);
    buffer.append(64, '\n');
    std::string_view copy(buffer.data(), line.size());
    std::string_view method;
    uri walked;
    if (!detail::delimiter_walk::request_line(copy, method, walked, buffer.data() + buffer.size()))
        return walk_verdict::declined;
    const std::size_t sp1 = copy.find(' ');
    const std::size_t sp2 = copy.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 <= sp1 + 1 || copy.size() - sp2 != 8)
        return walk_verdict::differed;
    std::string version(copy.substr(sp2 + 1));
    for (char& c : version) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    if (version != "SIP/2.0") return walk_verdict::differed;
    auto general = parse_uri(copy.substr(sp1 + 1, sp2 - sp1 - 1), sp1 + 1);
    if (!general || !same_view(method, copy.substr(0, sp1))) return walk_verdict::differed;
    return same_uri(walked, *general) ? walk_verdict::agreed : walk_verdict::differed;
}

} // namespace parley::test
