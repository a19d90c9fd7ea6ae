#include <parley/session/identity.hpp>

#include <parley/base/text.hpp>
#include <parley/sip/header_values.hpp>

namespace parley {
namespace {

std::string decode_display(const name_addr& a) {
    if (a.display_name.empty()) return {};
    if (a.display_name_quoted) return unquote(a.display_name);
    return std::string(a.display_name);
}

std::string number_of(const uri& u) {
    if (u.scheme == uri_scheme::tel) return std::string(u.user);
    std::string user = unescape(u.user);
    // A "user=phone" number may carry parameters after ';' (RFC 3966 inside a SIP user).
    if (std::size_t semi = user.find(';'); semi != std::string::npos) user.resize(semi);
    return user;
}

bool is_anonymous(const name_addr& a) {
    return text::iequals(a.display_name, "Anonymous") ||
           text::iequals(a.address.user, "anonymous") ||
           text::iequals(a.address.host, "anonymous.invalid");
}

party_identity from_address(const name_addr& a, identity_source source) {
    party_identity id;
    id.display_name = decode_display(a);
    id.number = number_of(a.address);
    id.uri = std::string(a.address.text);
    id.source = source;
    id.anonymous = is_anonymous(a);
    if (id.anonymous) id.presented = presentation::restricted;
    return id;
}

/// RFC 3323 §4.2 / RFC 3325 §9.3: id, header and user ask for the identity to be withheld.
presentation privacy_of(const message& request) {
    auto privacy = find_privacy(request);
    if (!privacy) return presentation::allowed; // malformed Privacy: ignore it, as Asterisk does
    for (std::string_view token : *privacy)
        if (text::iequals(token, "id") || text::iequals(token, "header") ||
            text::iequals(token, "user"))
            return presentation::restricted;
    return presentation::allowed;
}

bool usable(const uri& u) {
    return u.is_sip() || u.scheme == uri_scheme::tel;
}

} // namespace

std::optional<party_identity> identity_from_request(const message& request, identity_trust trust) {
    presentation privacy = privacy_of(request);
    if (trust == identity_trust::trusted) {
        // RFC 3325 §9.1: the first P-Asserted-Identity that is a SIP or tel URI.
        if (auto pai = find_p_asserted_identity(request); pai && !pai->empty()) {
            for (const name_addr& a : *pai) {
                if (!usable(a.address)) continue;
                party_identity id = from_address(a, identity_source::p_asserted_identity);
                if (privacy == presentation::restricted) id.presented = presentation::restricted;
                return id;
            }
        }
        if (auto rpid = find_remote_party_id(request); rpid && !rpid->empty()) {
            const remote_party_id& r = (*rpid)[0];
            if (usable(r.address.address)) {
                party_identity id = from_address(r.address, identity_source::remote_party_id);
                if (text::iequals(r.privacy, "full") || text::iequals(r.privacy, "name") ||
                    text::iequals(r.privacy, "uri"))
                    id.presented = presentation::restricted;
                if (text::iequals(r.screen, "yes")) id.screened = screening::passed;
                return id;
            }
        }
    }
    if (!usable(request.from().address) && request.from().address.scheme != uri_scheme::other)
        return std::nullopt;
    party_identity id = from_address(request.from(), identity_source::from);
    if (privacy == presentation::restricted) id.presented = presentation::restricted;
    return id;
}

} // namespace parley
