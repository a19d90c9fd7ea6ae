// config_reader: the syntax of pjsip.conf (the format Asterisk users already write), without
// any meaning attached to sections or options.
//
// The reader turns text into a list of sections, each a name plus its options as (key, value,
// file, line), with template inheritance already applied: a section written `[name](a,b)` gets
// the options of a, then of b, then its own, in that order. Whether a repeated key replaces or
// appends (allow, disallow, match, contact) is decided by the model (configuration.hpp), which
// simply reads the options in order. Templates (`[name](!)`) are returned too, marked, so the
// model can skip them.
//
// Syntax: `[section]`, `[section](!)`, `[section](!,template)`, `[section](template,...)`;
// `key = value` or `key => value`; `;` starts a comment, `\;` is a literal semicolon, `;--`
// ... `--;` is a block comment; `#include "file"` / `#include file` (relative to the including
// file) and `#tryinclude` (a missing file is not an error); blank lines; CRLF or LF.
//
// Errors and warnings are collected, never thrown, and each names file, line, section and
// option (config_diagnostic). Files are read through the `load_file` hook of reader_options, so
// tests read from memory and the reader itself does no I/O. Single-threaded; no globals.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// Where something was written: file (as named by the caller or the #include) and 1-based line
/// (0 when the problem is about the whole file, e.g. "no transport configured").
struct config_location {
    std::string file;
    std::uint32_t line = 0;
};

enum class config_severity : std::uint8_t { error, warning };

/// One problem found while reading or checking a configuration.
struct config_diagnostic {
    config_severity severity = config_severity::error;
    config_location where;
    std::string section; ///< "" when the problem is outside any section
    std::string option;  ///< "" when the problem is about the section or the line
    std::string message; ///< what was expected, and what was found

    /// `file:line: error: [section] option: message` (parts that are empty are left out).
    std::string to_string() const;
};

/// One `key = value` line, after comments and surrounding blanks are removed.
struct config_option {
    std::string key;
    std::string value;
    config_location where;
};

struct config_section {
    std::string name;
    bool is_template = false;           ///< written `[name](!)`: never instantiated
    std::vector<std::string> templates; ///< the names in `(a,b)`, in order
    config_location where;              ///< the `[name]` line
    std::vector<config_option> options; ///< inherited options first, then its own
};

/// Every section in the order written (includes expanded in place).
struct config_document {
    std::vector<config_section> sections;
};

/// Reads a whole file; nullopt when it cannot be read.
using config_file_loader = std::function<std::optional<std::string>(const std::string& path)>;

/// Reads a file from the file system (the default loader).
std::optional<std::string> load_file_from_disk(const std::string& path);

struct reader_options {
    config_file_loader load_file = load_file_from_disk;
    /// Nesting bound for #include: deeper is an error (cycles are caught before this).
    std::uint32_t max_include_depth = 8;
};

/// Reads `text` as if it were the file `name` (includes resolve relative to name's folder).
/// Problems are appended to `diagnostics`; the document holds whatever could be read.
config_document read_config_text(std::string_view text, std::string_view name,
                                 std::vector<config_diagnostic>& diagnostics,
                                 const reader_options& options = {});

/// Reads the file `path` through options.load_file.
config_document read_config_file(const std::string& path,
                                 std::vector<config_diagnostic>& diagnostics,
                                 const reader_options& options = {});

} // namespace parley
