// The pjsip.conf syntax: lines, comments, sections with templates, options, #include.
#include <parley/endpoint/config_reader.hpp>

#include <parley/base/text.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley {

std::string config_diagnostic::to_string() const {
    std::string out = where.file;
    if (where.line != 0) out += ":" + std::to_string(where.line);
    out += severity == config_severity::error ? ": error: " : ": warning: ";
    if (!section.empty()) out += "[" + section + "] ";
    if (!option.empty()) out += option + ": ";
    out += message;
    return out;
}

std::optional<std::string> load_file_from_disk(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(text).str();
}

namespace {

class reader {
public:
    reader(std::vector<config_diagnostic>& diagnostics, const reader_options& options)
        : diagnostics_(diagnostics), options_(options) {}

    void read_text(std::string_view text, const std::string& name) {
        include_stack_.push_back(name);
        bool in_block_comment = false;
        std::uint32_t line_number = 0;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string_view::npos) end = text.size();
            std::string_view raw = text.substr(pos, end - pos);
            ++line_number;
            if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
            std::string line = strip_comment(raw, in_block_comment);
            read_line(text::trim(line), config_location{name, line_number});
            if (end == text.size()) break;
            pos = end + 1;
        }
        if (in_block_comment)
            report({name, line_number}, "", "", "block comment \";--\" is never closed by \"--;\"");
        include_stack_.pop_back();
    }

    config_document take() { return std::move(document_); }

private:
    // Drops comments and decodes "\;". A block comment ";-- ... --;" may span lines, which is
    // why its state lives with the caller.
    static std::string strip_comment(std::string_view raw, bool& in_block_comment) {
        std::string out;
        out.reserve(raw.size());
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (in_block_comment) {
                if (raw.substr(i, 3) == "--;") {
                    in_block_comment = false;
                    i += 2;
                }
                continue;
            }
            char c = raw[i];
            if (c == '\\' && i + 1 < raw.size() && raw[i + 1] == ';') {
                out += ';';
                ++i;
            } else if (c == ';') {
                if (raw.substr(i, 3) != ";--") break;
                in_block_comment = true;
                i += 2;
            } else {
                out += c;
            }
        }
        return out;
    }

    void read_line(std::string_view line, const config_location& where) {
        if (line.empty()) return;
        if (line.front() == '#') return read_directive(line, where);
        if (line.front() == '[') return read_section_header(line, where);
        read_option(line, where);
    }

    void read_directive(std::string_view line, const config_location& where) {
        std::size_t name_end = 1;
        while (name_end < line.size() && text::is_alpha(line[name_end])) ++name_end;
        std::string_view directive = line.substr(0, name_end);
        bool optional = directive == "#tryinclude";
        if (directive != "#include" && !optional) {
            report(where, "", "",
                   "unknown directive \"" + std::string(directive) +
                       "\": expected #include or #tryinclude");
            return;
        }
        std::string_view file = text::trim(line.substr(name_end));
        if (file.size() >= 2 && file.front() == '"' && file.back() == '"')
            file = file.substr(1, file.size() - 2);
        else if (!file.empty() && (file.front() == '"' || file.back() == '"')) {
            report(where, "", "",
                   "expected a file name in matching double quotes after " +
                       std::string(directive));
            return;
        }
        if (file.empty()) {
            report(where, "", "", "expected a file name after " + std::string(directive));
            return;
        }
        namespace fs = std::filesystem;
        fs::path target(file);
        if (target.is_relative()) target = fs::path(where.file).parent_path() / target;
        std::string resolved = target.lexically_normal().string();

        for (const std::string& open : include_stack_) {
            if (fs::path(open).lexically_normal().string() != resolved) continue;
            std::string chain;
            for (const std::string& f : include_stack_) chain += f + " -> ";
            report(where, "", "", "include cycle: " + chain + resolved);
            return;
        }
        if (include_stack_.size() > options_.max_include_depth) {
            report(where, "", "",
                   "includes nested deeper than " + std::to_string(options_.max_include_depth) +
                       " files (\"" + resolved + "\" not read)");
            return;
        }
        std::optional<std::string> content =
            options_.load_file ? options_.load_file(resolved) : std::nullopt;
        if (!content) {
            if (!optional) report(where, "", "", "cannot read included file \"" + resolved + "\"");
            return;
        }
        read_text(*content, resolved);
    }

    void read_section_header(std::string_view line, const config_location& where) {
        config_section section;
        section.where = where;
        std::size_t close = line.find(']');
        if (close == std::string_view::npos) {
            report(where, "", "",
                   "expected ']' to close the section name in \"" + std::string(line) + "\"");
            close = line.size();
        }
        section.name = std::string(text::trim(line.substr(1, close - 1)));
        if (section.name.empty() && close != line.size())
            report(where, "", "", "expected a section name between '[' and ']'");
        std::string_view rest =
            close < line.size() ? text::trim(line.substr(close + 1)) : std::string_view{};
        if (!rest.empty()) read_template_list(rest, section);
        document_.sections.push_back(std::move(section));
        in_section_ = true;
    }

    // "(!)", "(!,base)", "(base1,base2)": the section copies its bases' options first.
    void read_template_list(std::string_view rest, config_section& section) {
        if (rest.front() != '(' || rest.back() != ')') {
            report(section.where, section.name, "",
                   "expected \"(!)\" or \"(template,...)\" after ']', got \"" + std::string(rest) +
                       "\"");
            return;
        }
        std::string_view list = rest.substr(1, rest.size() - 2);
        std::size_t pos = 0;
        while (pos <= list.size()) {
            std::size_t comma = list.find(',', pos);
            if (comma == std::string_view::npos) comma = list.size();
            std::string_view item = text::trim(list.substr(pos, comma - pos));
            pos = comma + 1;
            if (item == "!") {
                section.is_template = true;
            } else if (item == "+") {
                report(section.where, section.name, "",
                       "\"(+)\" (adding to an earlier section) is not supported; "
                       "expected \"(!)\" or template names");
            } else if (item.empty()) {
                report(section.where, section.name, "",
                       "expected a template name between the commas of \"" + std::string(rest) +
                           "\"");
            } else {
                inherit(std::string(item), section);
            }
            if (comma == list.size()) break;
        }
    }

    void inherit(std::string base, config_section& section) {
        // The latest section of that name wins: pjsip.conf reuses one name for an endpoint, its
        // aor and its auth, and a template is expected to be written before its users.
        for (auto it = document_.sections.rbegin(); it != document_.sections.rend(); ++it) {
            if (it->name != base) continue;
            section.options.insert(section.options.end(), it->options.begin(), it->options.end());
            section.templates.push_back(std::move(base));
            return;
        }
        report(section.where, section.name, "",
               "template \"" + base + "\" is not defined above this section");
    }

    void read_option(std::string_view line, const config_location& where) {
        std::size_t equals = line.find('=');
        if (equals == std::string_view::npos) {
            report(where, current_name(), "",
                   "expected \"key = value\", \"[section]\" or \"#include\", got \"" +
                       std::string(line) + "\"");
            return;
        }
        std::string_view key = text::trim(line.substr(0, equals));
        std::size_t value_start = equals + 1;
        if (value_start < line.size() && line[value_start] == '>') ++value_start; // "=>"
        std::string_view value = text::trim(line.substr(value_start));
        if (key.empty()) {
            report(where, current_name(), "",
                   "expected an option name before '=' in \"" + std::string(line) + "\"");
            return;
        }
        if (!in_section_) {
            report(where, "", std::string(key),
                   "option outside any section: expected a \"[section]\" line before it");
            return;
        }
        document_.sections.back().options.push_back(
            config_option{std::string(key), std::string(value), where});
    }

    std::string current_name() const {
        return in_section_ ? document_.sections.back().name : std::string{};
    }

    void report(const config_location& where, std::string section, std::string option,
                std::string message) {
        diagnostics_.push_back(config_diagnostic{config_severity::error, where, std::move(section),
                                                 std::move(option), std::move(message)});
    }

    std::vector<config_diagnostic>& diagnostics_;
    const reader_options& options_;
    config_document document_;
    std::vector<std::string> include_stack_;
    bool in_section_ = false;
};

} // namespace

config_document read_config_text(std::string_view text, std::string_view name,
                                 std::vector<config_diagnostic>& diagnostics,
                                 const reader_options& options) {
    reader r(diagnostics, options);
    r.read_text(text, std::string(name));
    return r.take();
}

config_document read_config_file(const std::string& path,
                                 std::vector<config_diagnostic>& diagnostics,
                                 const reader_options& options) {
    std::optional<std::string> content = options.load_file ? options.load_file(path) : std::nullopt;
    if (!content) {
        diagnostics.push_back(config_diagnostic{
            config_severity::error, {path, 0}, "", "", "cannot read the configuration file"});
        return {};
    }
    return read_config_text(*content, path, diagnostics, options);
}

} // namespace parley
