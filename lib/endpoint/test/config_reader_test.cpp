// The pjsip.conf syntax: sections, templates, comments, includes, and every reader error.
#include <parley/endpoint/config_reader.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace parley {
namespace {

struct read_outcome {
    config_document document;
    std::vector<config_diagnostic> diagnostics;
};

read_outcome read(std::string_view text, const std::map<std::string, std::string>& files = {}) {
    read_outcome out;
    reader_options options;
    options.load_file = [files](const std::string& path) -> std::optional<std::string> {
        auto it = files.find(path);
        if (it == files.end()) return std::nullopt;
        return it->second;
    };
    out.document = read_config_text(text, "conf/pjsip.conf", out.diagnostics, options);
    return out;
}

std::string only_error(const read_outcome& r) {
    EXPECT_EQ(r.diagnostics.size(), 1u);
    return r.diagnostics.empty() ? "" : r.diagnostics.front().to_string();
}

TEST(config_reader, sections_options_and_both_assignment_forms) {
    auto r = read("[udp]\ntype=transport\n  bind => 0.0.0.0:5060  \n\n[alice]\ntype = endpoint\n");
    ASSERT_TRUE(r.diagnostics.empty());
    ASSERT_EQ(r.document.sections.size(), 2u);
    const auto& udp = r.document.sections[0];
    EXPECT_EQ(udp.name, "udp");
    EXPECT_EQ(udp.where.line, 1u);
    ASSERT_EQ(udp.options.size(), 2u);
    EXPECT_EQ(udp.options[1].key, "bind");
    EXPECT_EQ(udp.options[1].value, "0.0.0.0:5060");
    EXPECT_EQ(udp.options[1].where.line, 3u);
    EXPECT_EQ(udp.options[1].where.file, "conf/pjsip.conf");
    EXPECT_EQ(r.document.sections[1].options[0].value, "endpoint");
}

TEST(config_reader, crlf_comments_escapes_and_block_comments) {
    auto r = read("; leading comment\r\n[a] ; after a header\r\n"
                  "key = value ; trailing\r\n"
                  "semi = one\\;two\r\n"
                  ";-- a block comment\r\nkey = hidden\r\n--; visible = yes\r\n"
                  "empty =\r\n");
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics[0].to_string();
    ASSERT_EQ(r.document.sections.size(), 1u);
    const auto& o = r.document.sections[0].options;
    ASSERT_EQ(o.size(), 4u);
    EXPECT_EQ(o[0].value, "value");
    EXPECT_EQ(o[1].value, "one;two");
    EXPECT_EQ(o[2].key, "visible");
    EXPECT_EQ(o[2].where.line, 7u);
    EXPECT_EQ(o[3].key, "empty");
    EXPECT_EQ(o[3].value, "");
}

TEST(config_reader, templates_give_their_options_first_in_order) {
    auto r = read("[base](!)\nallow = ulaw\ncontext = one\n"
                  "[more](!)\nallow = alaw\n"
                  "[alice](base,more)\ncontext = two\nallow = g722\n");
    ASSERT_TRUE(r.diagnostics.empty());
    ASSERT_EQ(r.document.sections.size(), 3u);
    EXPECT_TRUE(r.document.sections[0].is_template);
    const auto& alice = r.document.sections[2];
    EXPECT_FALSE(alice.is_template);
    EXPECT_EQ(alice.templates, (std::vector<std::string>{"base", "more"}));
    std::vector<std::string> keys, values;
    for (const auto& o : alice.options) {
        keys.push_back(o.key);
        values.push_back(o.value);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"allow", "context", "allow", "context", "allow"}));
    EXPECT_EQ(values, (std::vector<std::string>{"ulaw", "one", "alaw", "two", "g722"}));
    EXPECT_EQ(alice.options[0].where.line, 2u); // an inherited option keeps its own line
}

TEST(config_reader, a_template_may_inherit_and_be_a_template) {
    auto r = read("[a](!)\nx = 1\n[b](!,a)\ny = 2\n[c](b)\n");
    ASSERT_TRUE(r.diagnostics.empty());
    EXPECT_TRUE(r.document.sections[1].is_template);
    EXPECT_EQ(r.document.sections[2].options.size(), 2u);
}

TEST(config_reader, includes_relative_to_the_including_file_quoted_or_not) {
    auto r = read("[a]\nx = 1\n#include \"extra/more.conf\"\n[c]\n",
                  {{"conf/extra/more.conf", "y = 2\n#include last.conf\n[b]\nz = 3\n"},
                   {"conf/extra/last.conf", "w = 4\n"}});
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics[0].to_string();
    ASSERT_EQ(r.document.sections.size(), 3u);
    const auto& a = r.document.sections[0];
    ASSERT_EQ(a.options.size(), 3u); // an include continues the current section
    EXPECT_EQ(a.options[1].where.file, "conf/extra/more.conf");
    EXPECT_EQ(a.options[2].where.file, "conf/extra/last.conf");
    EXPECT_EQ(r.document.sections[1].name, "b");
    EXPECT_EQ(r.document.sections[2].name, "c");
}

TEST(config_reader, tryinclude_skips_a_missing_file) {
    auto r = read("#tryinclude missing.conf\n[a]\n");
    EXPECT_TRUE(r.diagnostics.empty());
    EXPECT_EQ(r.document.sections.size(), 1u);
}

// ---- Every reader error, with its exact text --------------------------------------------------

TEST(config_reader_errors, line_that_is_neither_option_nor_section) {
    EXPECT_EQ(only_error(read("[a]\njust words\n")),
              "conf/pjsip.conf:2: error: [a] expected \"key = value\", \"[section]\" or "
              "\"#include\", got \"just words\"");
}

TEST(config_reader_errors, option_before_any_section) {
    EXPECT_EQ(only_error(read("type = endpoint\n")),
              "conf/pjsip.conf:1: error: type: option outside any section: expected a "
              "\"[section]\" line before it");
}

TEST(config_reader_errors, missing_option_name) {
    EXPECT_EQ(only_error(read("[a]\n = 5\n")),
              "conf/pjsip.conf:2: error: [a] expected an option name before '=' in \"= 5\"");
}

TEST(config_reader_errors, unclosed_section_name) {
    EXPECT_EQ(only_error(read("[alice\n")),
              "conf/pjsip.conf:1: error: expected ']' to close the section name in \"[alice\"");
}

TEST(config_reader_errors, empty_section_name) {
    EXPECT_EQ(only_error(read("[ ]\n")),
              "conf/pjsip.conf:1: error: expected a section name between '[' and ']'");
}

TEST(config_reader_errors, text_after_section_that_is_not_a_template_list) {
    EXPECT_EQ(only_error(read("[a] junk\n")),
              "conf/pjsip.conf:1: error: [a] expected \"(!)\" or \"(template,...)\" after ']', "
              "got \"junk\"");
}

TEST(config_reader_errors, undefined_template) {
    EXPECT_EQ(only_error(read("[a](base)\n[base](!)\n")),
              "conf/pjsip.conf:1: error: [a] template \"base\" is not defined above this section");
}

TEST(config_reader_errors, empty_template_name) {
    EXPECT_EQ(only_error(read("[b](!)\n[a](b,)\n")),
              "conf/pjsip.conf:2: error: [a] expected a template name between the commas of "
              "\"(b,)\"");
}

TEST(config_reader_errors, plus_sections_are_not_supported) {
    EXPECT_EQ(only_error(read("[a]\n[a](+)\n")),
              "conf/pjsip.conf:2: error: [a] \"(+)\" (adding to an earlier section) is not "
              "supported; expected \"(!)\" or template names");
}

TEST(config_reader_errors, unknown_directive) {
    EXPECT_EQ(only_error(read("#exec /bin/true\n")),
              "conf/pjsip.conf:1: error: unknown directive \"#exec\": expected #include or "
              "#tryinclude");
}

TEST(config_reader_errors, include_without_file_name) {
    EXPECT_EQ(only_error(read("#include\n")),
              "conf/pjsip.conf:1: error: expected a file name after #include");
}

TEST(config_reader_errors, include_with_one_quote) {
    EXPECT_EQ(only_error(read("#include \"a.conf\n")),
              "conf/pjsip.conf:1: error: expected a file name in matching double quotes after "
              "#include");
}

TEST(config_reader_errors, include_of_a_missing_file) {
    EXPECT_EQ(only_error(read("#include missing.conf\n")),
              "conf/pjsip.conf:1: error: cannot read included file \"conf/missing.conf\"");
}

TEST(config_reader_errors, include_cycle) {
    auto r = read("#include a.conf\n", {{"conf/a.conf", "#include pjsip.conf\n"}});
    EXPECT_EQ(only_error(r), "conf/a.conf:1: error: include cycle: conf/pjsip.conf -> "
                             "conf/a.conf -> conf/pjsip.conf");
}

TEST(config_reader_errors, include_depth_limit) {
    std::map<std::string, std::string> files;
    for (int i = 0; i < 20; ++i)
        files["conf/" + std::to_string(i) + ".conf"] =
            "#include " + std::to_string(i + 1) + ".conf\n";
    auto r = read("#include 0.conf\n", files);
    EXPECT_EQ(only_error(r), "conf/7.conf:1: error: includes nested deeper than 8 files "
                             "(\"conf/8.conf\" not read)");
}

TEST(config_reader_errors, unclosed_block_comment) {
    EXPECT_EQ(only_error(read("[a]\n;-- never closed\nx = 1\n")),
              "conf/pjsip.conf:4: error: block comment \";--\" is never closed by \"--;\"");
}

TEST(config_reader_errors, unreadable_top_level_file) {
    std::vector<config_diagnostic> diagnostics;
    reader_options options;
    options.load_file = [](const std::string&) { return std::optional<std::string>{}; };
    read_config_file("/nowhere/pjsip.conf", diagnostics, options);
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(diagnostics[0].to_string(),
              "/nowhere/pjsip.conf: error: cannot read the configuration file");
}

TEST(config_reader_errors, every_error_is_reported_not_only_the_first) {
    auto r = read("x = 1\n[a]\nwords\n[b](nope)\n");
    EXPECT_EQ(r.diagnostics.size(), 3u);
}

} // namespace
} // namespace parley
