// endpoint_identity: the endpoint's identity options on its sessions (endpoint_identity.hpp).
#include <parley/endpoint/endpoint_identity.hpp>

#include <parley/endpoint/session_endpoint.hpp>
#include <parley/session/session.hpp>

#include <parley/base/text.hpp>
#include <parley/sip/headers.hpp>
#include <parley/sip/uri.hpp>

namespace parley {

namespace {

/// What we assert about ourselves to the caller: the called URI (the INVITE's To).
struct called_party {
    std::string uri;
};
constexpr std::string_view called_party_cookie = "endpoint.called";

/// `uri` with its user (for tel: its number) replaced by `number`, escaped as a URI user
/// (RFC 3261 §25.1); other schemes, and text that does not parse, stay as they are.
std::string with_number(const std::string& uri_text, std::string_view number) {
    auto u = parse_uri(uri_text);
    if (!u || (!u->is_sip() && u->scheme != uri_scheme::tel)) return uri_text;
    std::string user;
    for (char c : number) {
        if (c != ';' && text::is(c, text::unreserved | text::user_extra)) {
            user += c;
        } else {
            static constexpr char hex[] = "0123456789ABCDEF";
            auto byte = static_cast<unsigned char>(c);
            user += '%';
            user += hex[byte >> 4];
            user += hex[byte & 0xf];
        }
    }
    // The user (and any password) is replaced in place: scheme, host, port and parameters stay.
    auto offset = [&](std::string_view part) {
        return static_cast<std::size_t>(part.data() - u->text.data());
    };
    std::size_t at = 0;
    std::size_t end = 0;
    if (!u->user.empty()) {
        at = offset(u->user);
        end = at + u->user.size();
        if (!u->password.empty()) end = offset(u->password) + u->password.size();
    } else if (u->is_sip() && !u->host.empty()) { // sip:host: the user goes before the host
        at = end = offset(u->host) - (u->host_type == host_kind::ipv6 ? 1 : 0); // before '['
        user += '@';
    } else {
        return uri_text;
    }
    return uri_text.substr(0, at) + user + uri_text.substr(end);
}

} // namespace

request_verdict endpoint_identity_supplement::incoming_request(session& s,
                                                               const message& request) noexcept {
    if (request.method() != method::invite || !request.to().tag.empty())
        return request_verdict::proceed(); // the initial INVITE only
    const auto* home = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    if (home == nullptr || home->endpoint == nullptr) return request_verdict::proceed();
    const endpoint_config& e = *home->endpoint;
    auto who = identity_from_request(request, e.trust_id_inbound ? identity_trust::trusted
                                                                 : identity_trust::untrusted);
    if (who) {
        // The endpoint's callerid overrides what the request says (as in Asterisk).
        if (!e.callerid.name.empty()) who->display_name = e.callerid.name;
        // The asserted URI follows the number (what a leg asserts on with send_pai).
        if (!e.callerid.number.empty() && e.callerid.number != who->number) {
            who->number = e.callerid.number;
            who->uri = with_number(who->uri, who->number);
        }
        s.cookies().remove(caller_identity_cookie);
        s.cookies().add_value<party_identity>(caller_identity_cookie, std::move(*who));
    }
    if (e.send_pai || e.send_rpid) {
        s.cookies().remove(called_party_cookie);
        s.cookies().add_value<called_party>(called_party_cookie,
                                            called_party{std::string(request.to().address.text)});
    }
    return request_verdict::proceed();
}

void endpoint_identity_supplement::outgoing_response(session& s,
                                                     outgoing_message& response) noexcept {
    if (response.method() != "INVITE" || response.status() <= 100 || response.status() >= 300)
        return;
    const auto* home = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    const auto* us = s.cookies().get_value<called_party>(called_party_cookie);
    if (home == nullptr || home->endpoint == nullptr || us == nullptr) return;
    const endpoint_config& e = *home->endpoint;
    if (e.send_pai) response.set_header("P-Asserted-Identity", "<" + us->uri + ">");
    if (e.send_rpid)
        response.set_header("Remote-Party-ID",
                            "<" + us->uri + ">;party=called;screen=yes;privacy=off");
}

void endpoint_identity_supplement::outgoing_request(session& s,
                                                    outgoing_message& request) noexcept {
    if (request.method() != "INVITE") return;
    // A re-INVITE: the To has a tag parameter (parsed: a URI parameter named tag inside <> is
    // not one). A To that does not parse is left alone.
    if (auto to = request.header("To")) {
        auto parsed = parse_name_addr(*to);
        if (!parsed || !parsed->tag.empty()) return;
    }
    const auto* home = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    const auto* who = s.cookies().get_value<party_identity>(caller_identity_cookie);
    if (home == nullptr || home->endpoint == nullptr || who == nullptr || who->uri.empty()) return;
    const endpoint_config& e = *home->endpoint;
    if (!e.send_pai && !e.send_rpid) return;
    // RFC 3325 §5: a private identity goes only into a trust domain (trust_id_outbound).
    bool hidden = who->presented == presentation::restricted || who->anonymous;
    if (hidden && !e.trust_id_outbound) return;
    std::string name;
    if (!who->display_name.empty()) {
        name = "\"";
        for (char c : who->display_name) {
            if (c == '"' || c == '\\') name += '\\';
            name += c;
        }
        name += "\" ";
    }
    std::string uri = who->uri.front() == '<' ? who->uri : "<" + who->uri + ">";
    if (e.send_pai) request.set_header("P-Asserted-Identity", name + uri);
    if (e.send_rpid)
        request.set_header("Remote-Party-ID",
                           name + uri + ";party=calling;screen=" +
                               (who->screened == screening::passed ? "yes" : "no") +
                               ";privacy=" + (hidden ? "full" : "off"));
    if (hidden && e.send_pai) request.set_header("Privacy", "id");
}

} // namespace parley
