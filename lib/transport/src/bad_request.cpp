#include "bad_request.hpp"

#include <parley/base/text.hpp>
#include <parley/sip/header_id.hpp>
#include <parley/sip/message_writer.hpp>

namespace parley::detail {

std::optional<std::string> answer_malformed(std::string_view raw, const error& why) {
    if (why.status < 400 || raw.starts_with("SIP/")) return std::nullopt;
    std::string_view vias[8];
    std::size_t via_count = 0;
    std::string_view from, to, call_id, cseq;
    std::size_t pos = raw.find('\n');
    while (pos != std::string_view::npos && pos + 1 < raw.size()) {
        std::size_t start = pos + 1;
        std::size_t end = raw.find('\n', start);
        std::string_view line =
            raw.substr(start, (end == std::string_view::npos ? raw.size() : end) - start);
        pos = end;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break; // end of headers
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = text::trim(line.substr(colon + 1));
        // Copy only what cannot break the response: printable, no control bytes.
        bool printable = true;
        for (char c : value)
            if (text::is(c, text::ctl) && c != '\t') printable = false;
        if (!printable || value.empty()) continue;
        switch (header_id_from_name(text::trim(line.substr(0, colon)))) {
        case header_id::via:
            if (via_count < 8) vias[via_count++] = value;
            break;
        case header_id::from: from = from.empty() ? value : from; break;
        case header_id::to: to = to.empty() ? value : to; break;
        case header_id::call_id: call_id = call_id.empty() ? value : call_id; break;
        case header_id::cseq: cseq = cseq.empty() ? value : cseq; break;
        default: break;
        }
    }
    if (via_count == 0 || from.empty() || to.empty() || call_id.empty() || cseq.empty())
        return std::nullopt;
    message_writer w = message_writer::response(why.status, why.reason_phrase());
    for (std::size_t i = 0; i < via_count; ++i) w.header(header_id::via, vias[i]);
    w.header(header_id::from, from);
    w.header(header_id::to, to);
    w.header(header_id::call_id, call_id);
    w.header(header_id::cseq, cseq);
    return w.finish();
}

} // namespace parley::detail
