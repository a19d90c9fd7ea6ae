// The dialplan model: parsing `exten =>` lines into steps (every error message), matching.
#include <parley/endpoint/configuration.hpp>

#include <gtest/gtest.h>

namespace parley {
namespace {

std::string transports() {
    return "[udp]\ntype = transport\nprotocol = udp\nbind = 127.0.0.1:5060\n";
}

config_load_result load(const std::string& dialplan) {
    return parse_configuration(transports() + dialplan, "test.conf");
}

/// The first error's text, or "" when the file loaded.
std::string first_error(const std::string& dialplan) {
    auto r = load(dialplan);
    return r.errors.empty() ? std::string() : r.errors.front().to_string();
}

TEST(dialplan, parses_extensions_and_steps_in_order) {
    auto r = load("[phones]\n"
                  "exten => echo,1,Answer()\n"
                  " same => n,Echo\n"
                  "exten => _1XX,1,Ringing()\n"
                  "exten => _1XX,2,Wait(2.5)\n"
                  "exten => _1XX,n,Dial(sip:${EXTEN}@127.0.0.1:5070,20)\n"
                  "exten => t,1,Tone(350+440,4)\n"
                  " same => n,Playback(demo)\n"
                  " same => n,Record(note,30)\n"
                  " same => n,Read(4,10)\n"
                  " same => n,Busy()\n"
                  "exten => c,1,Congestion\n"
                  "exten => h,1,Hangup(480)\n"
                  "exten => r,1,Reject(603)\n"
                  "exten => null,1,NoMedia()\n"
                  " same => n,Answer()\n"
                  " same => n,Wait()\n");
    ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
    const dialplan_context* c = r.config->find_context("phones");
    ASSERT_NE(c, nullptr);
    ASSERT_EQ(c->extensions.size(), 7u);
    EXPECT_EQ(c->extensions[0].steps.size(), 2u);
    EXPECT_EQ(c->extensions[0].steps[1].action, dialplan_action::echo);
    const dialplan_extension& pattern = c->extensions[1];
    EXPECT_TRUE(pattern.pattern);
    ASSERT_EQ(pattern.steps.size(), 3u);
    EXPECT_EQ(pattern.steps[1].number, 2500u);
    EXPECT_EQ(pattern.steps[2].action, dialplan_action::dial);
    EXPECT_EQ(pattern.steps[2].text, "sip:${EXTEN}@127.0.0.1:5070");
    EXPECT_EQ(pattern.steps[2].number, 20'000u);
    const dialplan_extension& t = c->extensions[2];
    ASSERT_EQ(t.steps.size(), 5u);
    EXPECT_EQ(t.steps[0].tones, (std::vector<unsigned>{350, 440}));
    EXPECT_EQ(t.steps[0].number, 4000u);
    EXPECT_EQ(t.steps[1].text, "demo");
    EXPECT_EQ(t.steps[2].number, 30'000u);
    EXPECT_EQ(t.steps[3].number, 4u);
    EXPECT_EQ(t.steps[3].number2, 10'000u);
    EXPECT_EQ(t.steps[4].action, dialplan_action::reject);
    EXPECT_EQ(t.steps[4].number, 486u);
    EXPECT_EQ(c->extensions[3].steps[0].number, 503u);
    EXPECT_EQ(c->extensions[4].steps[0].action, dialplan_action::hangup);
    EXPECT_EQ(c->extensions[4].steps[0].number, 480u);
    EXPECT_EQ(c->extensions[6].steps[0].action, dialplan_action::no_media);
    EXPECT_EQ(c->extensions[6].steps[2].number, 0u); // Wait(): until the call ends
    EXPECT_EQ(c->extensions[0].steps[0].where.line, 6u);
}

TEST(dialplan, exact_extensions_win_over_patterns_then_patterns_in_order) {
    auto r = load("[d]\n"
                  "exten => _X.,1,Answer()\n"
                  "exten => _1XX,1,Answer()\n"
                  "exten => 100,1,Answer()\n"
                  "exten => _[a-c]ob!,1,Answer()\n"
                  "exten => _NZ,1,Answer()\n");
    ASSERT_TRUE(r.ok());
    const dialplan_context& c = *r.config->find_context("d");
    EXPECT_EQ(c.find("100"), &c.extensions[2]);
    EXPECT_EQ(c.find("101"), &c.extensions[0]); // _X. is first of the patterns
    EXPECT_EQ(c.find("1"), nullptr);            // `.` needs one more character
    EXPECT_EQ(c.find("bob"), &c.extensions[3]);
    EXPECT_EQ(c.find("Bobby"), &c.extensions[3]);
    EXPECT_EQ(c.find("dob"), nullptr);
    EXPECT_EQ(c.find("21"), &c.extensions[0]); // _X. before _NZ
    EXPECT_TRUE(c.extensions[4].matches("21"));
    EXPECT_FALSE(c.extensions[4].matches("20")); // Z is 1-9
    EXPECT_FALSE(c.extensions[4].matches("11")); // N is 2-9
    EXPECT_EQ(c.find(""), nullptr);
    EXPECT_EQ(c.find("alice"), nullptr);
    EXPECT_EQ(c.find(std::string(max_pattern_user, '1')), &c.extensions[0]);
    EXPECT_EQ(c.find(std::string(max_pattern_user + 1, '1')), nullptr) << "too long for patterns";
}

TEST(dialplan, pattern_wildcards_in_the_middle) {
    dialplan_extension e{.name = "_a.z", .pattern = true};
    EXPECT_TRUE(e.matches("abz"));
    EXPECT_TRUE(e.matches("abcdz"));
    EXPECT_FALSE(e.matches("az"));
    dialplan_extension bang{.name = "_a!z", .pattern = true};
    EXPECT_TRUE(bang.matches("az"));
    EXPECT_TRUE(bang.matches("a123z"));
    EXPECT_FALSE(bang.matches("a123"));
}

TEST(dialplan, every_error_names_the_line_and_what_was_expected) {
    struct error_case {
        std::string line;
        std::string message;
    };
    const error_case cases[] = {
        {"exten => echo", "expected \"name,priority,Application(arguments)\", got \"echo\""},
        {"exten => echo,1", "expected \"priority,Application(arguments)\" after the extension"},
        {"exten => ,1,Answer()", "expected an extension name before the first comma"},
        {"exten => _,1,Answer()", "expected a pattern after \"_\""},
        {"exten => echo,2,Answer()", "extension \"echo\" must start at priority 1, got \"2\""},
        {"exten => echo,1,Answer(\n", "expected \")\" at the end of \"Answer(\""},
        {"exten => echo,1,Jump()", "unknown application \"Jump\"; expected Answer"},
        {"exten => echo,1,Answer(5)", "Answer() takes no arguments, got 1"},
        {"exten => echo,1,Playback()", "Playback() needs a file name"},
        {"exten => echo,1,Record()", "Record() needs a file name"},
        {"exten => echo,1,Record(a,forever)", "Record() maximum: expected seconds up to 86400"},
        {"exten => echo,1,Tone()", "Tone() needs a frequency"},
        {"exten => echo,1,Tone(5)", "Tone(): expected one or two frequencies of 20-3900 Hz"},
        {"exten => echo,1,Tone(1+2+3)", "Tone(): expected one or two frequencies"},
        {"exten => echo,1,Tone(440,0)", "Tone() duration: expected seconds up to 86400"},
        {"exten => echo,1,Wait(-1)", "Wait(): expected seconds up to 86400, got \"-1\""},
        {"exten => echo,1,Wait(0.0001)", "Wait(): expected seconds up to 86400, got \"0.0001\""},
        {"exten => echo,1,Read(65)", "Read(): expected a digit count of 1-64, got \"65\""},
        {"exten => echo,1,Read(4,x)", "Read() timeout: expected seconds up to 86400"},
        {"exten => echo,1,Dial()", "Dial() needs a target"},
        {"exten => echo,1,Dial(sip:a@b,0)", "Dial() timeout: expected seconds up to 86400"},
        {"exten => echo,1,Reject()", "Reject() needs a SIP status code of 400-699"},
        {"exten => echo,1,Reject(200)", "Reject(): expected a SIP status code of 400-699"},
        {"exten => echo,1,Hangup(700)", "Hangup(): expected a SIP status code of 400-699"},
        {"exten => echo,1,Busy(1)", "Busy() takes no arguments, got 1"},
        {"exten => echo,1,Playback(a,b)", "Playback() takes at most 1, got 2"},
        {"same => n,Answer()", "\"same =>\" before any \"exten =>\" line in this context"},
    };
    for (const error_case& c : cases) {
        std::string text = first_error("[ctx]\n" + c.line + "\n");
        EXPECT_NE(text.find("test.conf:6: error: [ctx]"), std::string::npos) << text;
        EXPECT_NE(text.find(c.message), std::string::npos) << c.line << " → " << text;
    }
    EXPECT_NE(first_error("[ctx]\nexten => a,1,Answer()\nexten => a,1,Echo()\n")
                  .find("extension \"a\" already has priority 1 (at line 6)"),
              std::string::npos);
    EXPECT_NE(first_error("[ctx]\nexten => a,1,Answer()\nexten => a,3,Echo()\n")
                  .find("expected priority 2 (or n), got \"3\""),
              std::string::npos);
    EXPECT_NE(first_error("[ctx]\nexten => a,1,Answer()\n same => n,NoMedia()\n")
                  .find("NoMedia() must be priority 1"),
              std::string::npos);
    EXPECT_NE(first_error("[ctx]\nexten => a,1,Answer()\n[ctx]\nexten => b,1,Answer()\n")
                  .find("a second section of this type named \"ctx\""),
              std::string::npos);
}

TEST(dialplan, a_file_without_contexts_gets_the_builtin_extensions) {
    auto r = load("[alice]\ntype = endpoint\nallow = ulaw\n");
    ASSERT_TRUE(r.ok());
    const dialplan_context* c = r.config->find_context("default");
    ASSERT_NE(c, nullptr);
    for (std::string_view name : {"echo", "ring", "early", "progress", "tone", "playback-demo",
                                  "dtmf", "busy", "decline", "null"})
        EXPECT_NE(c->find(name), nullptr) << name;
    EXPECT_EQ(c->find("nobody"), nullptr); // unknown destinations get 404
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().to_string();
}

TEST(dialplan, an_endpoint_naming_a_missing_context_is_warned_about) {
    auto r = load("[alice]\ntype = endpoint\nallow = ulaw\ncontext = phones\n[other]\nexten => "
                  "a,1,Answer()\n");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].to_string().find(
                  "no dialplan context named \"phones\": every call from this endpoint gets 404"),
              std::string::npos);
    EXPECT_EQ(r.config->find_context("default"), nullptr); // its own contexts replace the built-in
}

TEST(dialplan, sounds_and_recordings_folders_are_global_settings) {
    auto r = load("[global]\ntype = global\nsounds_dir = /srv/sounds\nrecordings_dir = /srv/rec\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config->system().sounds_dir, "/srv/sounds");
    EXPECT_EQ(r.config->system().recordings_dir, "/srv/rec");
}

} // namespace
} // namespace parley
