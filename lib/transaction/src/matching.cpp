#include "matching.hpp"

#include <parley/base/text.hpp>
#include <parley/sip/message_writer.hpp>

#include <charconv>

namespace parley {
namespace {

void append_number(std::string& out, std::uint64_t v) {
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, v);
    out.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

} // namespace

std::string_view raw_top_via(const message& m) noexcept {
    const header_field* first = m.find(header_id::via);
    if (first == nullptr) return {};
    std::string_view top;
    // Stop at the first element: the callback fails on purpose after recording it.
    (void)for_each_list_element(first->value, 0,
                                [&](std::string_view element, std::size_t) -> result<void> {
                                    top = element;
                                    return fail(0, "stop");
                                });
    return top;
}

void make_client_key(std::string& out, std::string_view branch, std::string_view method) {
    out.clear();
    out.append(branch).push_back('\0');
    out.append(method);
}

void make_server_key(std::string& out, const message& request, std::string_view method) {
    out.clear();
    const via& top = request.top_via();
    if (top.has_rfc3261_branch()) {
        // RFC 3261 §17.2.3: branch, sent-by (host compared case-insensitively) and method.
        out.append(top.branch).push_back('\0');
        std::size_t host_at = out.size();
        out.append(top.host); // then lowered in place: no capacity check per character
        for (std::size_t i = host_at; i < out.size(); ++i) out[i] = text::to_lower(out[i]);
        out.push_back(':');
        append_number(out, top.port);
        out.push_back('\0');
        out.append(method);
        return;
    }
    // RFC 3261 §17.2.3, RFC 2543 fallback: Request-URI, From tag, Call-ID, CSeq number and
    // the top Via, all as written.
    out.push_back('\1');
    out.append(request.request_uri().text).push_back('\0');
    out.append(request.from().tag).push_back('\0');
    out.append(request.call_id()).push_back('\0');
    append_number(out, request.cseq().number);
    out.push_back('\0');
    out.append(raw_top_via(request)).push_back('\0');
    out.append(method);
}

std::string build_from_invite(const message& invite, std::string_view method, std::string_view to) {
    message_writer w = message_writer::request(method, invite.request_uri().text);
    w.header(header_id::via, raw_top_via(invite));
    invite.for_each(header_id::route,
                    [&](const header_field& route) { w.header(header_id::route, route.value); });
    w.header(header_id::max_forwards, "70");
    w.header(header_id::from, invite.from().text);
    w.header(header_id::to, to);
    w.header(header_id::call_id, invite.call_id());
    std::string cseq;
    append_number(cseq, invite.cseq().number);
    cseq.push_back(' ');
    cseq.append(method);
    w.header(header_id::cseq, cseq);
    return w.finish();
}

} // namespace parley
