// dialplan: call routing in the form Asterisk users write in extensions.conf — a context is a
// section of `exten =>` lines, each naming an extension (exact or `_pattern`), a priority and
// one step:
//
//   [default]
//   exten => echo,1,Answer()
//    same => n,Echo()
//   exten => _1XXX,1,Dial(PJSIP/${EXTEN}@office)      ; not every Asterisk application exists
//   exten => _busy!,1,Busy()
//
// This file is the model only: the steps are parsed and checked when the configuration is
// loaded (a bad line is an error naming file, line, context and step), and an extension is
// looked up by Request-URI user. Running the steps on a call is the application's (parleyd's
// call script). Pure: no I/O, no clocks.
//
// Matching (Asterisk's rules, simplified): an exact extension wins over a pattern; patterns
// are tried in the order written. In a pattern (after `_`): X = [0-9], Z = [1-9], N = [2-9]
// (upper case only),
// [a-c5] = one of the set, `.` = one or more of anything, `!` = zero or more; any other
// character matches itself (case-insensitively for letters).
#pragma once

#include <parley/endpoint/config_reader.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// What a step does (the application, in Asterisk's words).
enum class dialplan_action : std::uint8_t {
    answer,   ///< Answer(): 200 OK with the SDP answer
    ringing,  ///< Ringing(): 180 (reliable when the caller and the endpoint's 100rel agree)
    progress, ///< Progress(): 183 with the SDP answer (early media)
    no_media, ///< NoMedia(): priority 1 only — negotiate SDP but open no RTP (load tests)
    echo,     ///< Echo(): send back every RTP packet, until the call ends
    playback, ///< Playback(file): play a sound file (relative to sounds_dir), then go on
    record,   ///< Record(file[,seconds]): record what the caller says, until '#', the time or
              ///< the end of the call
    tone,     ///< Tone(freq[+freq][,seconds]): a generated tone; without seconds, until the end
    wait,     ///< Wait(seconds)
    read,     ///< Read([max digits][,timeout seconds]): collect DTMF (logged), '#' ends early
    dial,     ///< Dial(target[,timeout seconds]): call target, bridge the two calls
    reject,   ///< Reject(code): a final 4xx-6xx before the answer (Busy() = 486,
              ///< Congestion() = 503)
    hangup,   ///< Hangup([code]): end the call (a reject with code before the answer, else BYE)
};
std::string_view to_string(dialplan_action a) noexcept;

struct dialplan_step {
    dialplan_action action = dialplan_action::answer;
    std::string text;            ///< the file, tone or target argument (as written)
    std::uint32_t number = 0;    ///< seconds, status code or digit count, by action
    std::uint32_t number2 = 0;   ///< read: timeout seconds
    std::vector<unsigned> tones; ///< tone: 1 or 2 frequencies (Hz)
    config_location where;
};

struct dialplan_extension {
    std::string name;                 ///< as written: "echo", "_1XXX"
    bool pattern = false;             ///< written with a leading `_`
    std::vector<dialplan_step> steps; ///< in priority order
    config_location where;

    bool matches(std::string_view user) const noexcept;
};

/// Users longer than this match only exact extensions, never a pattern.
inline constexpr std::size_t max_pattern_user = 128;

struct dialplan_context {
    std::string name;
    std::vector<dialplan_extension> extensions; ///< in the order written
    config_location where;

    /// The extension for a Request-URI user (exact first, then patterns in order); nullptr
    /// when none matches (the caller gets 404).
    const dialplan_extension* find(std::string_view user) const noexcept;
};

/// Parses one `exten =>` / `same =>` value (`name,priority,App(args)` or `priority,App(args)`)
/// into `into`; `current` is the extension a `same` line continues. Problems go to
/// `diagnostics` with `option` set to the line's key. Returns false on an error.
bool parse_dialplan_line(const config_option& line, const std::string& context_name,
                         dialplan_context& into, std::vector<config_diagnostic>& diagnostics);

/// The dialplan used when a configuration has no context of its own: the built-in extensions
/// echo, ring, early, tone, playback-demo, dtmf, busy, null (docs/configuration.md).
std::string_view builtin_dialplan_text() noexcept;

} // namespace parley
