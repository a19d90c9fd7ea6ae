// Endpoint identification by From user, auth username, source address and header.
#include <parley/endpoint/identify.hpp>

#include <parley/base/text.hpp>
#include <parley/sip/header_id.hpp>
#include <parley/sip/header_values.hpp>
#include <parley/sip/uri.hpp>

#include <algorithm>

namespace parley {

endpoint_identifier::endpoint_identifier(std::shared_ptr<const configuration> config,
                                         identifier_options options)
    : config_(std::move(config)), options_(std::move(options)) {
    for (const identify_config& id : config_->identifies())
        if (const endpoint_config* e = config_->find_endpoint(id.endpoint))
            identifies_.push_back(identify_entry{&id, e});
    for (const endpoint_config& e : config_->endpoints()) {
        if (!e.identified_by(identify_method::auth_username)) continue;
        for (const std::string& auth_name : e.auth)
            if (const auth_config* a = config_->find_auth(auth_name))
                by_auth_username_.try_emplace(a->username, &e);
    }
}

std::optional<identification> endpoint_identifier::identify(const message& request,
                                                            const flow& source) const {
    for (identify_method m : config_->system().endpoint_identifier_order) {
        const endpoint_config* found = nullptr;
        switch (m) {
        case identify_method::username: found = by_username(request); break;
        case identify_method::auth_username: found = by_auth_username(request); break;
        case identify_method::ip: found = by_ip(source.remote); break;
        case identify_method::header: found = by_header(request); break;
        }
        if (found != nullptr) return identification{found, m};
    }
    return std::nullopt;
}

const endpoint_config* endpoint_identifier::by_username(const message& request) const {
    const uri& from = request.from().address;
    std::string user = unescape(from.user);
    // "1234;phone-context=example.com": the user parameters are not part of the name.
    if (std::size_t semicolon = user.find(';'); semicolon != std::string::npos)
        user.resize(semicolon);
    if (user.empty()) return nullptr;
    // An endpoint whose identify_by leaves out username is not found by its name.
    auto by_name = [this](const std::string& name) -> const endpoint_config* {
        const endpoint_config* e = config_->find_endpoint(name);
        return e != nullptr && e->identified_by(identify_method::username) ? e : nullptr;
    };
    if (!from.host.empty())
        if (const endpoint_config* e = by_name(user + "@" + std::string(from.host))) return e;
    return by_name(user);
}

const endpoint_config* endpoint_identifier::by_auth_username(const message& request) const {
    if (by_auth_username_.empty()) return nullptr;
    // Each line on its own: an unreadable one (another realm's) does not hide a good one.
    for (header_id wanted : {header_id::authorization, header_id::proxy_authorization}) {
        for (const header_field& h : request.headers()) {
            if (h.id != wanted) continue;
            auto parsed = parse_credentials(h.value, h.value_offset);
            if (!parsed || !parsed->is_digest()) continue;
            const credentials& c = *parsed;
            std::string username = c.username.find('\\') == std::string_view::npos
                                       ? std::string(c.username)
                                       : unquote("\"" + std::string(c.username) + "\"");
            auto it = by_auth_username_.find(username);
            if (it != by_auth_username_.end()) return it->second;
        }
    }
    return nullptr;
}

const endpoint_config* endpoint_identifier::by_ip(const socket_address& source) const {
    auto same_host = [&source](const socket_address& a) {
        return a.family == source.family && a.ip == source.ip;
    };
    for (const identify_entry& entry : identifies_) {
        if (!entry.endpoint->identified_by(identify_method::ip)) continue;
        const identify_config& id = *entry.identify;
        for (const ip_network& net : id.match)
            if (net.contains(source)) return entry.endpoint;
        for (const std::string& host : id.match_hosts) {
            auto it = options_.resolved_hosts.find(host);
            if (it == options_.resolved_hosts.end()) continue;
            if (std::any_of(it->second.begin(), it->second.end(), same_host)) return entry.endpoint;
        }
    }
    return nullptr;
}

const endpoint_config* endpoint_identifier::by_header(const message& request) const {
    for (const identify_entry& entry : identifies_) {
        const std::optional<header_match>& match = entry.identify->match_header;
        if (!match || !entry.endpoint->identified_by(identify_method::header)) continue;
        header_id id = header_id_from_name(match->name);
        for (const header_field& h : request.headers()) {
            bool same_name =
                id != header_id::other ? h.id == id : text::iequals(h.name, match->name);
            if (same_name && h.value == match->value) return entry.endpoint;
        }
    }
    return nullptr;
}

} // namespace parley
