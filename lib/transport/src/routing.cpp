#include <parley/transport/routing.hpp>

#include <parley/base/text.hpp>

#include <algorithm>
#include <charconv>

namespace parley {

std::optional<flow> response_destination(const via& top_via, const flow& source) noexcept {
    std::uint16_t sent_by_port = top_via.port != 0 ? top_via.port : default_port(source.protocol);
    if (is_reliable(source.protocol)) {
        // §18.2.2: on the connection the request came on while it is open (the transport sends
        // on `connection` whatever the address says); once it has closed, on a new one to the
        // address it came from (the "received" address) at the sent-by port, or the
        // transport's default port: the source port of a client's connection is not one it
        // listens on.
        flow out = source;
        out.remote.port = sent_by_port;
        return out;
    }
    flow out = source;
    out.connection = 0;
    if (!top_via.maddr.empty()) {
        // §18.2.2: maddr wins; port from sent-by (default 5060).
        auto maddr = socket_address::from_numeric(top_via.maddr, sent_by_port);
        if (!maddr) return std::nullopt;
        out.remote = *maddr;
        return out;
    }
    // With `received` (which §18.2.1 would stamp whenever the source differs) the response goes
    // to the source address; RFC 3581 §4: with rport, also to the source port.
    out.remote = source.remote;
    if (!top_via.rport) out.remote.port = sent_by_port;
    return out;
}

std::string stamp_top_via(std::string_view raw_value, const via& top_via, const flow& source) {
    // Rebuild "SIP/2.0/<transport> <sent-by>" followed by the parameters, replacing a bare
    // rport and any old received with the values seen by this hop.
    // Compare addresses as bytes: the common case (a numeric sent-by equal to the source, no
    // rport) keeps the value as it is without formatting any address.
    bool same_host = false;
    if (top_via.host_type == host_kind::ipv4 || top_via.host_type == host_kind::ipv6) {
        auto sent_by = socket_address::from_numeric(top_via.host, 0);
        same_host =
            sent_by && sent_by->family == source.remote.family && sent_by->ip == source.remote.ip;
    }
    if (same_host && !top_via.rport && top_via.received.empty())
        return std::string(text::trim(raw_value));
    std::string out;
    std::string source_host = source.remote.host_text();
    out.reserve(raw_value.size() + source_host.size() + 16); // ";received=" and an rport value
    bool need_received = !same_host;
    // sent-protocol and sent-by hold no ';', so the first one starts the parameters.
    std::size_t params_at = std::min(raw_value.find(';'), raw_value.size());
    // Keep sent-protocol and sent-by as written (minus trailing LWS before ';').
    out.append(text::trim(raw_value.substr(0, params_at)));
    std::size_t pos = 0;
    param p;
    while (top_via.params.next(pos, p)) {
        if (text::iequals(p.name, "received")) continue;
        out.push_back(';');
        if (text::iequals(p.name, "rport")) {
            char port[8];
            auto written = std::to_chars(port, port + sizeof port, source.remote.port);
            out.append("rport=").append(port, written.ptr);
            continue;
        }
        out.append(p.name);
        if (p.has_value) out.append("=").append(p.value);
    }
    if (need_received || top_via.rport) out.append(";received=").append(source_host);
    return out;
}

} // namespace parley
