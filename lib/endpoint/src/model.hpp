// Private: the builder that turns a config_document into a configuration. Value parsing per
// section type lives in model.cpp, cross-reference checks in validate.cpp.
#pragma once

#include <parley/endpoint/configuration.hpp>

#include <string>
#include <vector>

namespace parley {

class configuration_builder {
public:
    explicit configuration_builder(std::string source);

    /// Reads one (non-template) section; problems go to the diagnostics.
    void add_section(const config_section& section);
    /// Cross-reference and whole-file checks (validate.cpp).
    void validate();
    /// The snapshot, or null when any error was reported.
    config_load_result finish(std::vector<config_diagnostic> earlier);

    std::vector<config_diagnostic>& diagnostics() noexcept { return diagnostics_; }

private:
    void add_system(const config_section& section);
    void add_transport(const config_section& section);
    void add_endpoint(const config_section& section);
    void add_aor(const config_section& section);
    void add_auth(const config_section& section);
    void add_identify(const config_section& section);
    void add_context(const config_section& section);

    void error(const config_location& where, const std::string& section, const std::string& option,
               std::string message);
    void warning(const config_location& where, const std::string& section,
                 const std::string& option, std::string message);

    /// A name one section gives for another (endpoint auth=, identify endpoint=, ...), checked
    /// once every section is read, so sections may be written in any order.
    struct reference {
        std::string target_type; ///< "transport", "endpoint", "aor", "auth"
        std::string name;
        config_location where;
        std::string section;
        std::string option;
    };
    bool reference_exists(const reference& r) const noexcept;

    configuration config_;
    std::vector<config_diagnostic> diagnostics_;
    std::vector<reference> references_;
    bool saw_system_ = false;
    bool saw_global_ = false;
};

} // namespace parley
