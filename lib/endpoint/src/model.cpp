// Section readers: one per type=, each turning options into typed fields. A bad value is an
// error naming what was expected; an unknown option is a warning (the option is ignored).
#include "model.hpp"

#include "values.hpp"

#include <parley/base/text.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace parley {

namespace {

using namespace config_values;

template <class Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<std::string_view, Enum>, N>& table,
                           std::string_view text) noexcept {
    for (const auto& [name, value] : table)
        if (text::iequals(name, text)) return value;
    return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, codec>, 7> codec_names{{
    {"ulaw", codec::ulaw},
    {"alaw", codec::alaw},
    {"g722", codec::g722},
    {"g729", codec::g729},
    {"gsm", codec::gsm},
    {"opus", codec::opus},
    {"telephone-event", codec::telephone_event},
}};

constexpr std::array<std::pair<std::string_view, identify_method>, 4> identify_names{{
    {"username", identify_method::username},
    {"auth_username", identify_method::auth_username},
    {"ip", identify_method::ip},
    {"header", identify_method::header},
}};

constexpr std::array<std::pair<std::string_view, digest_hash>, 2> algorithm_names{{
    {"sha-256", digest_hash::sha_256},
    {"md5", digest_hash::md5},
}};

constexpr std::array<std::pair<std::string_view, log_level>, 6> log_level_names{{
    {"trace", log_level::trace},
    {"debug", log_level::debug},
    {"info", log_level::info},
    {"warning", log_level::warning},
    {"error", log_level::error},
    {"off", log_level::off},
}};

constexpr std::array<std::pair<std::string_view, reliable_provisional>, 4> rel100_names{{
    {"no", reliable_provisional::no},
    {"yes", reliable_provisional::yes},
    {"required", reliable_provisional::required},
    {"peer_supported", reliable_provisional::peer_supported},
}};

constexpr std::array<std::pair<std::string_view, timers_refresher>, 3> refresher_names{{
    {"auto", timers_refresher::automatic},
    {"uac", timers_refresher::uac},
    {"uas", timers_refresher::uas},
}};
constexpr std::array<std::pair<std::string_view, session_timers_mode>, 4> timers_names{{
    {"no", session_timers_mode::no},
    {"yes", session_timers_mode::yes},
    {"required", session_timers_mode::required},
    {"always", session_timers_mode::always},
}};

constexpr std::array<std::pair<std::string_view, dtmf_mode>, 5> dtmf_names{{
    {"rfc4733", dtmf_mode::rfc4733},
    {"inband", dtmf_mode::inband},
    {"info", dtmf_mode::info},
    {"auto", dtmf_mode::auto_},
    {"auto_info", dtmf_mode::auto_info},
}};

constexpr std::array<std::pair<std::string_view, transport_protocol>, 3> protocol_names{{
    {"udp", transport_protocol::udp},
    {"tcp", transport_protocol::tcp},
    {"tls", transport_protocol::tls},
}};

// Asterisk section types Parley does not implement: warned about and skipped, so an existing
// pjsip.conf still loads.
constexpr std::array<std::string_view, 9> foreign_types{
    "registration",        "contact",          "domain_alias",       "acl",
    "phoneprov",           "outbound-publish", "inbound-publishing", "resource_list",
    "asterisk-publication"};

const std::string all_codecs_text = "ulaw, alaw, g722, g729, gsm, opus, telephone-event or all";

const std::string identify_methods_text =
    "a list of distinct methods from username, auth_username, ip, header";

// endpoint_identifier_order and an endpoint's identify_by: distinct methods, at least one.
std::optional<std::vector<identify_method>> parse_identify_methods(std::string_view text) {
    std::vector<identify_method> methods;
    for (std::string_view item : split_list(text)) {
        auto m = lookup(identify_names, item);
        if (!m || std::find(methods.begin(), methods.end(), *m) != methods.end())
            return std::nullopt;
        methods.push_back(*m);
    }
    if (methods.empty()) return std::nullopt;
    return methods;
}

} // namespace

std::string_view to_string(codec c) noexcept {
    for (const auto& [name, value] : codec_names)
        if (value == c) return name;
    return "";
}

std::optional<codec> codec_from_name(std::string_view name) noexcept {
    return lookup(codec_names, name);
}

std::string_view to_string(identify_method m) noexcept {
    for (const auto& [name, value] : identify_names)
        if (value == m) return name;
    return "";
}

configuration_builder::configuration_builder(std::string source) {
    config_.source_ = std::move(source);
}

void configuration_builder::error(const config_location& where, const std::string& section,
                                  const std::string& option, std::string message) {
    diagnostics_.push_back(
        config_diagnostic{config_severity::error, where, section, option, std::move(message)});
}

void configuration_builder::warning(const config_location& where, const std::string& section,
                                    const std::string& option, std::string message) {
    diagnostics_.push_back(
        config_diagnostic{config_severity::warning, where, section, option, std::move(message)});
}

namespace {

// The last type= wins (a template usually supplies it); "" when there is none.
const config_option* type_option(const config_section& section) {
    const config_option* found = nullptr;
    for (const config_option& o : section.options)
        if (o.key == "type") found = &o;
    return found;
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

} // namespace

void configuration_builder::add_section(const config_section& section) {
    const config_option* type = type_option(section);
    if (type == nullptr && !section.options.empty() &&
        std::all_of(section.options.begin(), section.options.end(),
                    [](const config_option& o) { return o.key == "exten" || o.key == "same"; })) {
        add_context(section);
        return;
    }
    if (type == nullptr) {
        error(section.where, section.name, "type",
              "expected a \"type =\" option (transport, endpoint, aor, auth, identify, global "
              "or system), or only \"exten =>\" and \"same =>\" lines (a dialplan context)");
        return;
    }
    const std::string& t = type->value;
    if (t == "global" || t == "system") {
        bool& seen = t == "global" ? saw_global_ : saw_system_;
        if (seen)
            error(section.where, section.name, "type",
                  "a second type=" + t + " section; expected at most one");
        seen = true;
        add_system(section);
    } else if (t == "transport") {
        add_transport(section);
    } else if (t == "endpoint") {
        add_endpoint(section);
    } else if (t == "aor") {
        add_aor(section);
    } else if (t == "auth") {
        add_auth(section);
    } else if (t == "identify") {
        add_identify(section);
    } else if (std::find(foreign_types.begin(), foreign_types.end(), t) != foreign_types.end()) {
        warning(type->where, section.name, "type",
                "type=" + t + " is not supported by Parley; the section is ignored");
    } else {
        error(type->where, section.name, "type",
              "expected transport, endpoint, aor, auth, identify, global or system, got " +
                  quoted(t));
    }
}

// Checks that `name` is not already used by a section of the same type.
template <class Config>
static bool is_duplicate(const std::vector<Config>& existing, const config_section& section,
                         std::string& message) {
    for (const Config& c : existing) {
        if (c.name != section.name) continue;
        message = "a second section of this type named " + quoted(section.name) +
                  " (the first is at " + c.where.file + ":" + std::to_string(c.where.line) + ")";
        return true;
    }
    return false;
}

void configuration_builder::add_system(const config_section& section) {
    system_settings& s = config_.system_;
    for (const config_option& o : section.options) {
        auto bad = [&](const std::string& expected) {
            error(o.where, section.name, o.key,
                  "expected " + expected + ", got " + quoted(o.value));
        };
        const std::string& k = o.key;
        if (k == "type") continue;
        if (k == "shards") {
            if (auto n = parse_number(o.value, 0, 1024))
                s.shards = *n;
            else
                bad("a number of shards from 0 (one per core) to 1024");
        } else if (k == "log_level") {
            if (auto l = lookup(log_level_names, o.value))
                s.log_level = *l;
            else
                bad("trace, debug, info, warning, error or off");
        } else if (k == "user_agent") {
            s.user_agent = o.value;
        } else if (k == "sounds_dir" || k == "recordings_dir") {
            if (o.value.empty())
                bad("a folder");
            else
                (k == "sounds_dir" ? s.sounds_dir : s.recordings_dir) = o.value;
        } else if (k == "default_expires") {
            if (auto n = parse_number(o.value, 1, UINT32_MAX))
                s.default_expires = *n;
            else
                bad("a number of seconds >= 1");
        } else if (k == "default_realm") {
            if (!o.value.empty() && o.value.find('"') == std::string::npos)
                s.default_realm = o.value;
            else
                bad("a realm without double quotes");
        } else if (k == "auth_check_uri") {
            if (auto b = parse_bool(o.value))
                s.auth_check_uri = *b;
            else
                bad("yes or no (also true/false, on/off, 1/0)");
        } else if (k == "nonce_lifetime") {
            if (auto n = parse_number(o.value, 1, 86400))
                s.nonce_lifetime = std::chrono::seconds(*n);
            else
                bad("a number of seconds from 1 to 86400");
        } else if (k == "max_transactions" || k == "max_dialogs" || k == "max_sessions") {
            auto n = parse_number(o.value, 1, UINT32_MAX);
            if (!n)
                bad("a number >= 1");
            else if (k == "max_transactions")
                s.max_transactions = *n;
            else if (k == "max_dialogs")
                s.max_dialogs = *n;
            else
                s.max_sessions = *n;
        } else if (k == "endpoint_identifier_order") {
            if (auto order = parse_identify_methods(o.value))
                s.endpoint_identifier_order = std::move(*order);
            else
                bad(identify_methods_text);
        } else if (k == "default_auth_algorithms_uas") {
            std::vector<digest_hash> algorithms;
            bool good = true;
            for (std::string_view item : split_list(o.value)) {
                auto h = lookup(algorithm_names, item);
                if (!h || std::find(algorithms.begin(), algorithms.end(), *h) != algorithms.end())
                    good = false;
                else
                    algorithms.push_back(*h);
            }
            if (good && !algorithms.empty())
                s.auth_algorithms_uas = std::move(algorithms);
            else
                bad("a list of distinct digest algorithms from SHA-256, MD5");
        } else {
            warning(o.where, section.name, k, "unknown option for type=global/system; ignored");
        }
    }
}

void configuration_builder::add_transport(const config_section& section) {
    std::string duplicate;
    if (is_duplicate(config_.transports_, section, duplicate))
        return error(section.where, section.name, "", duplicate);
    transport_config t;
    t.name = section.name;
    t.where = section.where;
    std::optional<std::uint16_t> port;
    std::optional<socket_address> bind;
    for (const config_option& o : section.options) {
        auto bad = [&](const std::string& expected) {
            error(o.where, section.name, o.key,
                  "expected " + expected + ", got " + quoted(o.value));
        };
        const std::string& k = o.key;
        if (k == "type") continue;
        if (k == "protocol") {
            if (auto p = lookup(protocol_names, o.value))
                t.protocol = *p;
            else
                bad("udp, tcp or tls");
        } else if (k == "bind") {
            if (auto hp = parse_bind(o.value)) {
                bind = hp->address;
                port = hp->port;
            } else {
                bad("an IP address with an optional port (0.0.0.0:5060, [::]:5060)");
            }
        } else if (k == "cert_file") {
            t.cert_file = o.value;
        } else if (k == "priv_key_file") {
            t.priv_key_file = o.value;
        } else if (k == "external_signaling_address" || k == "external_media_address") {
            if (!is_host_name(o.value) && !socket_address::from_numeric(o.value, 0))
                bad("a host name or IP address (no port)");
            else if (k == "external_signaling_address")
                t.external_signaling_address = o.value;
            else
                t.external_media_address = o.value;
        } else if (k == "external_signaling_port") {
            if (auto n = parse_number(o.value, 1, 65535))
                t.external_signaling_port = static_cast<std::uint16_t>(*n);
            else
                bad("a port from 1 to 65535");
        } else if (k == "local_net") {
            for (std::string_view item : split_list(o.value)) {
                if (auto net = ip_network::parse(item))
                    t.local_net.push_back(*net);
                else
                    bad("a network (192.168.0.0/16, 10.0.0.0/255.0.0.0, fd00::/8)");
            }
        } else {
            warning(o.where, section.name, k, "unknown option for type=transport; ignored");
        }
    }
    t.bind = bind.value_or(*socket_address::from_numeric("0.0.0.0", 0));
    t.bind.port = port.value_or(default_port(t.protocol));
    config_.transports_.push_back(std::move(t));
}

namespace {

// allow/disallow in pjsip order: each line edits the list left by the lines before it.
bool apply_codecs(std::vector<codec>& codecs, std::string_view value, bool allow) {
    for (std::string_view item : split_list(value)) {
        if (text::iequals(item, "all")) {
            if (!allow) {
                codecs.clear();
                continue;
            }
            for (const auto& [name, c] : codec_names)
                if (std::find(codecs.begin(), codecs.end(), c) == codecs.end()) codecs.push_back(c);
            continue;
        }
        auto c = codec_from_name(item);
        if (!c) return false;
        auto at = std::find(codecs.begin(), codecs.end(), *c);
        if (allow && at == codecs.end()) codecs.push_back(*c);
        if (!allow && at != codecs.end()) codecs.erase(at);
    }
    return true;
}

} // namespace

std::shared_ptr<const std::vector<sdp::codec>> sdp_codecs_of(const std::vector<codec>& codecs) {
    auto list = std::make_shared<std::vector<sdp::codec>>();
    list->reserve(codecs.size());
    for (codec c : codecs) {
        switch (c) {
        case codec::ulaw: list->push_back({"PCMU", 8000, 1}); break;
        case codec::alaw: list->push_back({"PCMA", 8000, 1}); break;
        case codec::g722: list->push_back({"G722", 8000, 1}); break;
        case codec::g729: list->push_back({"G729", 8000, 1}); break;
        case codec::gsm: list->push_back({"GSM", 8000, 1}); break;
        case codec::opus: list->push_back({"opus", 48000, 2}); break;
        case codec::telephone_event: break; // dtmf_mode decides RFC 4733, as in Asterisk
        }
    }
    return list;
}

void configuration_builder::add_endpoint(const config_section& section) {
    std::string duplicate;
    if (is_duplicate(config_.endpoints_, section, duplicate))
        return error(section.where, section.name, "", duplicate);
    endpoint_config e;
    e.name = section.name;
    e.where = section.where;
    const config_option* sess_expires_option = nullptr;
    const config_option* identify_by_option = nullptr;
    auto refer = [&](const char* type, std::string_view name, const config_option& o) {
        references_.push_back(reference{type, std::string(name), o.where, section.name, o.key});
    };
    auto names = [&](std::vector<std::string>& out, const char* type, const config_option& o) {
        out.clear(); // a later line replaces the list, as in pjsip
        for (std::string_view item : split_list(o.value)) {
            out.emplace_back(item);
            refer(type, item, o);
        }
    };
    for (const config_option& o : section.options) {
        auto bad = [&](const std::string& expected) {
            error(o.where, section.name, o.key,
                  "expected " + expected + ", got " + quoted(o.value));
        };
        auto flag = [&](bool& out) {
            if (auto b = parse_bool(o.value))
                out = *b;
            else
                bad("yes or no (also true/false, on/off, 1/0)");
        };
        const std::string& k = o.key;
        if (k == "type") continue;
        if (k == "transport") {
            e.transport = o.value;
            if (!o.value.empty()) refer("transport", o.value, o);
        } else if (k == "context") {
            if (!o.value.empty())
                e.context = o.value;
            else
                bad("a context (route) name");
        } else if (k == "allow" || k == "disallow") {
            if (!apply_codecs(e.codecs, o.value, k == "allow"))
                bad("codec names from " + all_codecs_text);
        } else if (k == "aors") {
            names(e.aors, "aor", o);
        } else if (k == "auth") {
            names(e.auth, "auth", o);
        } else if (k == "outbound_auth") {
            names(e.outbound_auth, "auth", o);
        } else if (k == "identify_by") {
            if (auto methods = parse_identify_methods(o.value)) {
                e.identify_by = std::move(*methods);
                identify_by_option = &o;
            } else {
                bad(identify_methods_text);
            }
        } else if (k == "from_user") {
            e.from_user = o.value;
        } else if (k == "from_domain") {
            if (o.value.empty() || is_host_name(o.value))
                e.from_domain = o.value;
            else
                bad("a domain name");
        } else if (k == "callerid") {
            if (auto id = parse_caller_id(o.value))
                e.callerid = *id;
            else
                bad("\"Name\" <number>, Name <number>, <number> or number");
        } else if (k == "trust_id_inbound") {
            flag(e.trust_id_inbound);
        } else if (k == "trust_id_outbound") {
            flag(e.trust_id_outbound);
        } else if (k == "send_pai") {
            flag(e.send_pai);
        } else if (k == "send_rpid") {
            flag(e.send_rpid);
        } else if (k == "100rel") {
            if (auto v = lookup(rel100_names, o.value))
                e.rel100 = *v;
            else
                bad("no, yes, required or peer_supported");
        } else if (k == "timers") {
            if (auto v = lookup(timers_names, o.value))
                e.timers = *v;
            else
                bad("no, yes, required or always");
        } else if (k == "timers_refresher") {
            if (auto v = lookup(refresher_names, o.value))
                e.timers_refresher = *v;
            else
                bad("auto, uac or uas");
        } else if (k == "timers_min_se") {
            // RFC 4028 §4: Min-SE is never below 90 seconds.
            if (auto n = parse_number(o.value, 90, UINT32_MAX))
                e.timers_min_se = *n;
            else
                bad("a number of seconds >= 90");
        } else if (k == "timers_sess_expires") {
            if (auto n = parse_number(o.value, 90, UINT32_MAX)) {
                e.timers_sess_expires = *n;
                sess_expires_option = &o;
            } else {
                bad("a number of seconds >= 90");
            }
        } else if (k == "dtmf_mode") {
            if (auto v = lookup(dtmf_names, o.value))
                e.dtmf_mode = *v;
            else
                bad("rfc4733, inband, info, auto or auto_info");
        } else if (k == "rtp_symmetric") {
            flag(e.rtp_symmetric);
        } else if (k == "allow_transfer") {
            flag(e.allow_transfer);
        } else if (k == "max_audio_streams") {
            if (auto n = parse_number(o.value, 1, 64))
                e.max_audio_streams = *n;
            else
                bad("a number from 1 to 64");
        } else if (k == "rtp_timeout") {
            if (auto n = parse_number(o.value, 0, 86400))
                e.rtp_timeout = *n;
            else
                bad("a number of seconds from 0 (never) to 86400");
        } else {
            warning(o.where, section.name, k, "unknown option for type=endpoint; ignored");
        }
    }
    if (e.timers_sess_expires < e.timers_min_se) {
        config_location where = sess_expires_option ? sess_expires_option->where : section.where;
        error(where, section.name, "timers_sess_expires",
              "expected a value >= timers_min_se (" + std::to_string(e.timers_min_se) + "), got " +
                  quoted(std::to_string(e.timers_sess_expires)));
    }
    if (identify_by_option == nullptr) {
        // Anyone can write a From user or an Authorization username: an endpoint that asks for
        // no password is found only by an identify section (source address, header).
        if (e.auth.empty())
            e.identify_by = {identify_method::ip, identify_method::header};
        else
            e.identify_by = {identify_method::username, identify_method::auth_username,
                             identify_method::ip, identify_method::header};
    } else if (e.auth.empty() && e.identified_by(identify_method::username)) {
        warning(identify_by_option->where, section.name, "identify_by",
                "the endpoint has no auth=, so anyone who writes its name in From is taken for "
                "it; add \"auth =\" or identify it by ip");
    }
    if (e.codecs.empty())
        warning(section.where, section.name, "allow",
                "the endpoint allows no codec, so calls with media will fail; expected e.g. "
                "\"allow = ulaw,alaw\"");
    e.sdp_codecs = sdp_codecs_of(e.codecs);
    config_.endpoints_.push_back(std::move(e));
}

void configuration_builder::add_aor(const config_section& section) {
    std::string duplicate;
    if (is_duplicate(config_.aors_, section, duplicate))
        return error(section.where, section.name, "", duplicate);
    aor_config a;
    a.name = section.name;
    a.where = section.where;
    for (const config_option& o : section.options) {
        auto bad = [&](const std::string& expected) {
            error(o.where, section.name, o.key,
                  "expected " + expected + ", got " + quoted(o.value));
        };
        if (o.key == "type") continue;
        if (o.key == "contact") {
            for (std::string_view item : split_list(o.value)) {
                if (item.starts_with("sip:") || item.starts_with("sips:"))
                    a.contact.emplace_back(item);
                else
                    bad("a SIP URI (sip:user@host or sips:...)");
            }
        } else if (o.key == "max_contacts") {
            if (auto n = parse_number(o.value, 0, 65535))
                a.max_contacts = *n;
            else
                bad("a number from 0 to 65535");
        } else {
            warning(o.where, section.name, o.key, "unknown option for type=aor; ignored");
        }
    }
    config_.aors_.push_back(std::move(a));
}

void configuration_builder::add_auth(const config_section& section) {
    std::string duplicate;
    if (is_duplicate(config_.auths_, section, duplicate))
        return error(section.where, section.name, "", duplicate);
    auth_config a;
    a.name = section.name;
    a.where = section.where;
    bool has_password = false;
    bool has_md5_cred = false; // a bad md5_cred is reported once, not again as missing
    for (const config_option& o : section.options) {
        auto bad = [&](const std::string& expected) {
            error(o.where, section.name, o.key,
                  "expected " + expected + ", got " + quoted(o.value));
        };
        const std::string& k = o.key;
        if (k == "type") continue;
        if (k == "auth_type") {
            if (text::iequals(o.value, "userpass"))
                a.type = auth_type::userpass;
            else if (text::iequals(o.value, "md5"))
                a.type = auth_type::md5;
            else
                bad("userpass or md5");
        } else if (k == "username") {
            a.username = o.value;
        } else if (k == "password") {
            a.password = o.value;
            has_password = true;
        } else if (k == "md5_cred") {
            has_md5_cred = true;
            bool hex = o.value.size() == 32 && std::all_of(o.value.begin(), o.value.end(),
                                                           [](char c) { return text::is_hex(c); });
            if (!hex) {
                bad("32 hexadecimal digits (MD5 of username:realm:password)");
                continue;
            }
            a.md5_cred = o.value;
            for (char& c : a.md5_cred) c = text::to_lower(c);
        } else if (k == "realm") {
            if (o.value.find('"') == std::string::npos)
                a.realm = o.value;
            else
                bad("a realm without double quotes");
        } else {
            warning(o.where, section.name, k, "unknown option for type=auth; ignored");
        }
    }
    if (a.username.empty())
        error(section.where, section.name, "username", "expected a \"username =\" option");
    if (a.type == auth_type::userpass && !has_password)
        error(section.where, section.name, "password",
              "expected a \"password =\" option (auth_type = userpass)");
    if (a.type == auth_type::md5 && !has_md5_cred)
        error(section.where, section.name, "md5_cred",
              "expected a \"md5_cred =\" option (auth_type = md5)");
    config_.auths_.push_back(std::move(a));
}

void configuration_builder::add_context(const config_section& section) {
    std::string duplicate;
    if (is_duplicate(config_.contexts_, section, duplicate))
        return error(section.where, section.name, "", duplicate);
    dialplan_context context;
    context.name = section.name;
    context.where = section.where;
    for (const config_option& o : section.options)
        (void)parse_dialplan_line(o, section.name, context, diagnostics_);
    config_.contexts_.push_back(std::move(context));
}

void configuration_builder::add_identify(const config_section& section) {
    std::string duplicate;
    if (is_duplicate(config_.identifies_, section, duplicate))
        return error(section.where, section.name, "", duplicate);
    identify_config id;
    id.name = section.name;
    id.where = section.where;
    bool has_match = false; // a bad match is reported once, not again as missing
    for (const config_option& o : section.options) {
        auto bad = [&](const std::string& expected) {
            error(o.where, section.name, o.key,
                  "expected " + expected + ", got " + quoted(o.value));
        };
        const std::string& k = o.key;
        if (k == "type") continue;
        if (k == "endpoint") {
            id.endpoint = o.value;
            references_.push_back(reference{"endpoint", o.value, o.where, section.name, k});
        } else if (k == "match") {
            has_match = true;
            for (std::string_view item : split_list(o.value)) {
                if (auto net = ip_network::parse(item))
                    id.match.push_back(*net);
                else if (is_host_name(item))
                    id.match_hosts.emplace_back(item);
                else
                    bad("an IP address, a network (10.0.0.0/8, fd00::/8) or a host name");
            }
        } else if (k == "match_header") {
            has_match = true;
            auto m = parse_header_match(o.value);
            if (!m)
                bad("\"Header-Name: value\"");
            else if (m->value.size() >= 2 && m->value.front() == '/' && m->value.back() == '/')
                bad("an exact header value (regular expressions are not supported)");
            else
                id.match_header = std::move(*m);
        } else {
            warning(o.where, section.name, k, "unknown option for type=identify; ignored");
        }
    }
    if (id.endpoint.empty())
        error(section.where, section.name, "endpoint", "expected an \"endpoint =\" option");
    if (!has_match)
        error(section.where, section.name, "match",
              "expected at least one \"match =\" or a \"match_header =\" option");
    config_.identifies_.push_back(std::move(id));
}

} // namespace parley
