// The dialplan model: `exten =>` / `same =>` lines into steps, and extension matching.
#include <parley/endpoint/dialplan.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace parley {

namespace {

constexpr std::uint32_t max_seconds = 86'400; ///< the longest wait, tone, record or dial timeout

struct action_name {
    std::string_view name;
    dialplan_action action;
};
// Lower case; Busy and Congestion are rejects with a fixed code.
constexpr action_name action_names[] = {
    {"answer", dialplan_action::answer},     {"ringing", dialplan_action::ringing},
    {"progress", dialplan_action::progress}, {"nomedia", dialplan_action::no_media},
    {"echo", dialplan_action::echo},         {"playback", dialplan_action::playback},
    {"record", dialplan_action::record},     {"tone", dialplan_action::tone},
    {"wait", dialplan_action::wait},         {"read", dialplan_action::read},
    {"dial", dialplan_action::dial},         {"reject", dialplan_action::reject},
    {"hangup", dialplan_action::hangup},     {"busy", dialplan_action::reject},
    {"congestion", dialplan_action::reject},
};

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::vector<std::string_view> split(std::string_view s, char by) {
    std::vector<std::string_view> out;
    for (;;) {
        std::size_t at = s.find(by);
        out.push_back(trim(s.substr(0, at)));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

std::optional<std::uint32_t> whole_number(std::string_view s, std::uint32_t min,
                                          std::uint32_t max) noexcept {
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < min || v > max)
        return std::nullopt;
    return v;
}

/// Seconds, possibly with a fraction ("0.5"), as milliseconds in (0, max_seconds].
std::optional<std::uint32_t> seconds_ms(std::string_view s) noexcept {
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !(v > 0) || v > max_seconds)
        return std::nullopt;
    auto ms = static_cast<std::uint32_t>(std::lround(v * 1000));
    if (ms == 0) return std::nullopt; // under half a millisecond: zero would mean "forever"
    return ms;
}

bool matches_pattern(std::string_view pattern, std::string_view user) noexcept {
    auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    std::size_t p = 0;
    std::size_t u = 0;
    while (p < pattern.size()) {
        char c = pattern[p];
        if (c == '.' || c == '!') {
            // `.` needs one more character at least; both take the rest (Asterisk: trailing).
            if (c == '.' && u >= user.size()) return false;
            if (p + 1 == pattern.size()) return true;
            // Not trailing: try every split (patterns are short).
            for (std::size_t from = c == '.' ? u + 1 : u; from <= user.size(); ++from)
                if (matches_pattern(pattern.substr(p + 1), user.substr(from))) return true;
            return false;
        }
        if (u >= user.size()) return false;
        char have = user[u];
        if (c == 'X') {
            if (have < '0' || have > '9') return false;
        } else if (c == 'Z') {
            if (have < '1' || have > '9') return false;
        } else if (c == 'N') {
            if (have < '2' || have > '9') return false;
        } else if (c == '[') {
            std::size_t close = pattern.find(']', p);
            if (close == std::string_view::npos) return false;
            std::string_view set = pattern.substr(p + 1, close - p - 1);
            bool found = false;
            for (std::size_t i = 0; i < set.size() && !found; ++i) {
                if (i + 2 < set.size() && set[i + 1] == '-') {
                    found = fold(have) >= fold(set[i]) && fold(have) <= fold(set[i + 2]);
                    i += 2;
                } else {
                    found = fold(set[i]) == fold(have);
                }
            }
            if (!found) return false;
            p = close;
        } else if (fold(c) != fold(have)) {
            return false;
        }
        ++p;
        ++u;
    }
    return u == user.size();
}

} // namespace

std::string_view to_string(dialplan_action a) noexcept {
    switch (a) {
    case dialplan_action::answer: return "Answer";
    case dialplan_action::ringing: return "Ringing";
    case dialplan_action::progress: return "Progress";
    case dialplan_action::no_media: return "NoMedia";
    case dialplan_action::echo: return "Echo";
    case dialplan_action::playback: return "Playback";
    case dialplan_action::record: return "Record";
    case dialplan_action::tone: return "Tone";
    case dialplan_action::wait: return "Wait";
    case dialplan_action::read: return "Read";
    case dialplan_action::dial: return "Dial";
    case dialplan_action::reject: return "Reject";
    case dialplan_action::hangup: return "Hangup";
    }
    return "?";
}

bool dialplan_extension::matches(std::string_view user) const noexcept {
    if (!pattern) return name == user;
    return matches_pattern(std::string_view(name).substr(1), user);
}

const dialplan_extension* dialplan_context::find(std::string_view user) const noexcept {
    for (const dialplan_extension& e : extensions)
        if (!e.pattern && e.name == user) return &e;
    // Patterns backtrack over wildcards: a caller's absurdly long user matches none of them
    // rather than costing time.
    if (user.size() > max_pattern_user) return nullptr;
    for (const dialplan_extension& e : extensions)
        if (e.pattern && e.matches(user)) return &e;
    return nullptr;
}

bool parse_dialplan_line(const config_option& line, const std::string& context_name,
                         dialplan_context& into, std::vector<config_diagnostic>& diagnostics) {
    auto fail = [&](std::string message) {
        diagnostics.push_back(config_diagnostic{config_severity::error, line.where, context_name,
                                                line.key, std::move(message)});
        return false;
    };
    std::string_view value = trim(line.value);
    const bool same = line.key == "same";
    // exten => name,priority,App(args)    same => priority,App(args)
    std::string_view name;
    if (!same) {
        std::size_t comma = value.find(',');
        if (comma == std::string_view::npos)
            return fail("expected \"name,priority,Application(arguments)\", got \"" +
                        std::string(value) + "\"");
        name = trim(value.substr(0, comma));
        value.remove_prefix(comma + 1);
        if (name.empty()) return fail("expected an extension name before the first comma");
        if (name == "_") return fail("expected a pattern after \"_\"");
    }
    std::size_t comma = value.find(',');
    if (comma == std::string_view::npos)
        return fail("expected \"priority,Application(arguments)\" after the extension, got \"" +
                    std::string(value) + "\"");
    std::string_view priority = trim(value.substr(0, comma));
    std::string_view call = trim(value.substr(comma + 1));

    dialplan_extension* extension = nullptr;
    if (same) {
        if (into.extensions.empty())
            return fail("\"same =>\" before any \"exten =>\" line in this context");
        extension = &into.extensions.back();
    } else {
        for (dialplan_extension& e : into.extensions)
            if (e.name == name) extension = &e;
        if (priority == "1") {
            if (extension != nullptr)
                return fail("extension \"" + std::string(name) +
                            "\" already has priority 1 (at line " +
                            std::to_string(extension->where.line) + ")");
            dialplan_extension fresh;
            fresh.name = std::string(name);
            fresh.pattern = name.starts_with('_');
            fresh.where = line.where;
            into.extensions.push_back(std::move(fresh));
            extension = &into.extensions.back();
        } else if (extension == nullptr) {
            return fail("extension \"" + std::string(name) + "\" must start at priority 1, got \"" +
                        std::string(priority) + "\"");
        }
    }
    const std::uint32_t expected = static_cast<std::uint32_t>(extension->steps.size()) + 1;
    if (!(priority == "n" && expected > 1) &&
        whole_number(priority, expected, expected) != expected)
        return fail("expected priority " + std::to_string(expected) +
                    (expected > 1 ? " (or n)" : "") + ", got \"" + std::string(priority) + "\"");

    // Application(arguments): the parentheses may be left out when there are no arguments.
    std::string_view app = call;
    std::string_view args;
    if (std::size_t open = call.find('('); open != std::string_view::npos) {
        if (call.back() != ')')
            return fail("expected \")\" at the end of \"" + std::string(call) + "\"");
        app = trim(call.substr(0, open));
        args = trim(call.substr(open + 1, call.size() - open - 2));
    }
    std::string app_name = lower(app);
    const action_name* known = nullptr;
    for (const action_name& a : action_names)
        if (a.name == app_name) known = &a;
    if (known == nullptr)
        return fail("unknown application \"" + std::string(app) +
                    "\"; expected Answer, Ringing, Progress, NoMedia, Echo, Playback, Record, "
                    "Tone, Wait, Read, Dial, Reject, Busy, Congestion or Hangup");

    dialplan_step step;
    step.action = known->action;
    step.where = line.where;
    std::vector<std::string_view> a =
        args.empty() ? std::vector<std::string_view>{} : split(args, ',');
    const std::string label = std::string(app) + "()";
    auto at_most = [&](std::size_t n) {
        if (a.size() <= n) return true;
        return fail(label + " takes " +
                    (n == 0 ? std::string("no arguments") : "at most " + std::to_string(n)) +
                    ", got " + std::to_string(a.size()));
    };
    switch (step.action) {
    case dialplan_action::answer:
    case dialplan_action::ringing:
    case dialplan_action::progress:
    case dialplan_action::echo:
        if (!at_most(0)) return false;
        break;
    case dialplan_action::no_media:
        if (!at_most(0)) return false;
        if (expected != 1)
            return fail("NoMedia() must be priority 1: the media is chosen when "
                        "the call arrives");
        break;
    case dialplan_action::playback:
        if (!at_most(1)) return false;
        if (a.empty() || a[0].empty()) return fail("Playback() needs a file name");
        step.text = std::string(a[0]);
        break;
    case dialplan_action::record:
        if (!at_most(2)) return false;
        if (a.empty() || a[0].empty()) return fail("Record() needs a file name");
        step.text = std::string(a[0]);
        if (a.size() > 1) {
            auto ms = seconds_ms(a[1]);
            if (!ms)
                return fail("Record() maximum: expected seconds up to " +
                            std::to_string(max_seconds) + ", got \"" + std::string(a[1]) + "\"");
            step.number = *ms;
        }
        break;
    case dialplan_action::tone: {
        if (!at_most(2)) return false;
        if (a.empty() || a[0].empty()) return fail("Tone() needs a frequency, e.g. Tone(440)");
        for (std::string_view f : split(a[0], '+')) {
            auto hz = whole_number(f, 20, 3900);
            if (!hz || step.tones.size() == 2)
                return fail("Tone(): expected one or two frequencies of 20-3900 Hz joined by "
                            "\"+\", got \"" +
                            std::string(a[0]) + "\"");
            step.tones.push_back(*hz);
        }
        if (a.size() > 1) {
            auto ms = seconds_ms(a[1]);
            if (!ms)
                return fail("Tone() duration: expected seconds up to " +
                            std::to_string(max_seconds) + ", got \"" + std::string(a[1]) + "\"");
            step.number = *ms;
        }
        break;
    }
    case dialplan_action::wait:
        if (!at_most(1)) return false;
        if (!a.empty()) { // Wait() without a time: until the call ends
            auto ms = seconds_ms(a[0]);
            if (!ms)
                return fail("Wait(): expected seconds up to " + std::to_string(max_seconds) +
                            ", got \"" + std::string(a[0]) + "\"");
            step.number = *ms;
        }
        break;
    case dialplan_action::read:
        if (!at_most(2)) return false;
        step.number = 1;
        step.number2 = 5000;
        if (!a.empty() && !a[0].empty()) {
            auto n = whole_number(a[0], 1, 64);
            if (!n)
                return fail("Read(): expected a digit count of 1-64, got \"" + std::string(a[0]) +
                            "\"");
            step.number = *n;
        }
        if (a.size() > 1) {
            auto ms = seconds_ms(a[1]);
            if (!ms)
                return fail("Read() timeout: expected seconds up to " +
                            std::to_string(max_seconds) + ", got \"" + std::string(a[1]) + "\"");
            step.number2 = *ms;
        }
        break;
    case dialplan_action::dial:
        if (!at_most(2)) return false;
        if (a.empty() || a[0].empty())
            return fail("Dial() needs a target: a SIP URI (sip:user@host:port) or PJSIP/endpoint");
        step.text = std::string(a[0]);
        step.number = 30'000;
        if (a.size() > 1) {
            auto ms = seconds_ms(a[1]);
            if (!ms)
                return fail("Dial() timeout: expected seconds up to " +
                            std::to_string(max_seconds) + ", got \"" + std::string(a[1]) + "\"");
            step.number = *ms;
        }
        break;
    case dialplan_action::reject:
    case dialplan_action::hangup:
        if (app_name == "busy" || app_name == "congestion") {
            if (!at_most(0)) return false;
            step.number = app_name == "busy" ? 486 : 503;
            break;
        }
        if (!at_most(1)) return false;
        if (!a.empty() && !a[0].empty()) {
            auto code = whole_number(a[0], 400, 699);
            if (!code)
                return fail(label + ": expected a SIP status code of 400-699, got \"" +
                            std::string(a[0]) + "\"");
            step.number = *code;
        } else if (step.action == dialplan_action::reject) {
            return fail("Reject() needs a SIP status code of 400-699, e.g. Reject(486)");
        }
        break;
    }
    extension->steps.push_back(std::move(step));
    return true;
}

std::string_view builtin_dialplan_text() noexcept {
    return R"(; The built-in extensions (docs/configuration.md), used when a configuration has no
; dialplan context of its own.
[default]
exten => echo,1,Answer()
 same => n,Echo()
; 180 (reliable when the caller supports 100rel) for 3 s, then answer and echo
exten => ring,1,Ringing()
 same => n,Wait(3)
 same => n,Answer()
 same => n,Echo()
; 183 with an early-media tone for 3 s, then answer and echo
exten => early,1,Progress()
 same => n,Tone(440,3)
 same => n,Answer()
 same => n,Echo()
; early media that is never answered (for CANCEL and UPDATE in an early dialog)
exten => progress,1,Progress()
 same => n,Tone(440)
exten => tone,1,Answer()
 same => n,Tone(440)
exten => playback-demo,1,Answer()
 same => n,Playback(demo)
 same => n,Hangup()
exten => dtmf,1,Answer()
 same => n,Read(64,600)
 same => n,Hangup()
exten => busy,1,Busy()
exten => decline,1,Reject(603)
; signalling only: a valid SDP answer, no RTP socket (load tests and benchmarks)
exten => null,1,NoMedia()
 same => n,Answer()
 same => n,Wait()
)";
}

} // namespace parley
