// Whole-configuration checks (cross-references, transports), the snapshot lookups, and the
// load / parse / check entry points.
#include "model.hpp"

#include <algorithm>

namespace parley {

namespace {

template <class Config>
const Config* find_named(const std::vector<Config>& items, std::string_view name) noexcept {
    for (const Config& c : items)
        if (c.name == name) return &c;
    return nullptr;
}

} // namespace

const transport_config* configuration::find_transport(std::string_view name) const noexcept {
    return find_named(transports_, name);
}
const endpoint_config* configuration::find_endpoint(std::string_view name) const noexcept {
    return find_named(endpoints_, name);
}
const aor_config* configuration::find_aor(std::string_view name) const noexcept {
    return find_named(aors_, name);
}
const auth_config* configuration::find_auth(std::string_view name) const noexcept {
    return find_named(auths_, name);
}
const dialplan_context* configuration::find_context(std::string_view name) const noexcept {
    return find_named(contexts_, name);
}

bool configuration_builder::reference_exists(const reference& r) const noexcept {
    if (r.target_type == "transport") return config_.find_transport(r.name) != nullptr;
    if (r.target_type == "endpoint") return config_.find_endpoint(r.name) != nullptr;
    if (r.target_type == "aor") return config_.find_aor(r.name) != nullptr;
    return config_.find_auth(r.name) != nullptr;
}

void configuration_builder::validate() {
    if (config_.contexts_.empty()) {
        // No dialplan of its own: the built-in extensions (they are known to parse).
        std::vector<config_diagnostic> ignored;
        config_document builtin =
            read_config_text(builtin_dialplan_text(), "<built-in dialplan>", ignored);
        for (const config_section& section : builtin.sections) add_context(section);
    }
    for (const endpoint_config& e : config_.endpoints_)
        if (config_.find_context(e.context) == nullptr)
            warning(e.where, e.name, "context",
                    "no dialplan context named \"" + e.context +
                        "\": every call from this endpoint gets 404");
    for (const reference& r : references_)
        if (!reference_exists(r))
            error(r.where, r.section, r.option,
                  "expected the name of a type=" + r.target_type + " section, got \"" + r.name +
                      "\" (no such " + r.target_type + ")");

    if (config_.transports_.empty())
        error({config_.source_, 0}, "", "",
              "no transport configured: expected at least one section with \"type = transport\"");
    for (std::size_t i = 0; i < config_.transports_.size(); ++i) {
        const transport_config& t = config_.transports_[i];
        if (t.protocol == transport_protocol::tls &&
            (t.cert_file.empty() || t.priv_key_file.empty()))
            error(t.where, t.name, t.cert_file.empty() ? "cert_file" : "priv_key_file",
                  "expected cert_file and priv_key_file for protocol = tls");
        for (std::size_t j = 0; j < i; ++j) {
            const transport_config& earlier = config_.transports_[j];
            // UDP and TCP may share a port; two listeners of one protocol may not.
            if (earlier.protocol != t.protocol || earlier.bind != t.bind) continue;
            error(t.where, t.name, "bind",
                  "expected an address no other " + std::string(via_token(t.protocol)) +
                      " transport binds, got " + t.bind.to_string() + " (also bound by [" +
                      earlier.name + "])");
        }
    }

    // Inbound challenges always use default_realm (one realm for everybody, so a challenge
    // cannot tell known users from unknown ones). A stored md5_cred hashes in its own realm, so
    // the two must agree or that user could never log in.
    for (const endpoint_config& e : config_.endpoints_) {
        for (const std::string& name : e.auth) {
            const auth_config* a = config_.find_auth(name);
            if (a == nullptr || a->type != auth_type::md5) continue;
            const auto& algorithms = config_.system_.auth_algorithms_uas;
            if (!algorithms.empty() && algorithms.front() != digest_hash::md5)
                // A client answers the first challenge it supports (RFC 8760) and does not fall
                // back to MD5 when SHA-256 fails.
                warning(a->where, a->name, "md5_cred",
                        "md5_cred answers only MD5, but challenges offer SHA-256 first: clients "
                        "that support SHA-256 cannot log in as this user; put md5 first in "
                        "default_auth_algorithms_uas or store a password");
            if (a->realm.empty() || a->realm == config_.system_.default_realm) continue;
            error(a->where, a->name, "realm",
                  "expected the realm of an inbound md5 auth to equal default_realm \"" +
                      config_.system_.default_realm + "\" (md5_cred hashes the realm), got \"" +
                      a->realm + "\"");
        }
    }
}

config_load_result configuration_builder::finish(std::vector<config_diagnostic> earlier) {
    config_load_result out;
    earlier.insert(earlier.end(), diagnostics_.begin(), diagnostics_.end());
    for (config_diagnostic& d : earlier)
        (d.severity == config_severity::error ? out.errors : out.warnings).push_back(std::move(d));
    if (out.errors.empty()) out.config = std::make_shared<const configuration>(std::move(config_));
    return out;
}

config_load_result build_configuration(const config_document& document, std::string_view name,
                                       std::vector<config_diagnostic> diagnostics) {
    configuration_builder builder{std::string(name)};
    for (const config_section& section : document.sections)
        if (!section.is_template) builder.add_section(section);
    builder.validate();
    return builder.finish(std::move(diagnostics));
}

config_load_result load_configuration(const std::string& path, const load_options& options) {
    std::vector<config_diagnostic> diagnostics;
    config_document document = read_config_file(path, diagnostics, options.reader);
    if (!diagnostics.empty() && diagnostics.back().where.line == 0) {
        // The file itself could not be read: checking an empty model would only add noise.
        config_load_result unreadable;
        unreadable.errors = std::move(diagnostics);
        return unreadable;
    }
    return build_configuration(document, path, std::move(diagnostics));
}

config_load_result parse_configuration(std::string_view text, std::string_view name,
                                       const load_options& options) {
    std::vector<config_diagnostic> diagnostics;
    config_document document = read_config_text(text, name, diagnostics, options.reader);
    return build_configuration(document, name, std::move(diagnostics));
}

config_check_report describe_load_result(const config_load_result& loaded, std::string_view name) {
    config_check_report report;
    for (const config_diagnostic& d : loaded.errors) report.text += d.to_string() + "\n";
    for (const config_diagnostic& d : loaded.warnings) report.text += d.to_string() + "\n";
    auto count = [](std::size_t n, const char* word) {
        return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
    };
    if (!loaded.ok()) {
        report.text += std::string(name) + ": " + count(loaded.errors.size(), "error") + ", " +
                       count(loaded.warnings.size(), "warning") +
                       "; the configuration was not loaded\n";
        report.exit_code = 1;
        return report;
    }
    const configuration& c = *loaded.config;
    report.text += std::string(name) + ": valid: " + count(c.transports().size(), "transport") +
                   ", " + count(c.endpoints().size(), "endpoint") + ", " +
                   count(c.aors().size(), "aor") + ", " + count(c.auths().size(), "auth") + ", " +
                   count(c.identifies().size(), "identify section") + ", " +
                   count(c.contexts().size(), "dialplan context") + " (" +
                   count(loaded.warnings.size(), "warning") + ")\n";
    return report;
}

config_check_report check_configuration(const std::string& path, const load_options& options) {
    if (path.empty()) return describe_load_result(default_configuration(), "<embedded default>");
    return describe_load_result(load_configuration(path, options), path);
}

} // namespace parley
