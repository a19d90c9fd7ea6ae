// log: parleyd's log lines, plain text or JSON lines, filtered by level. One line per event,
// written whole under a lock (shards log from their own threads). Plain: `parleyd: message
// key=value ...`; JSON: {"time":"2026-11-25T21:22:02.123Z","level":"info","message":"...",
// "key":"value",...}. Warnings and errors go to stderr, the rest to stdout. The start-up lines
// that name the listening addresses (`udp ADDR`, `tcp ADDR`, `control PATH`) are not log lines:
// they are always plain, for scripts that start parleyd on free ports.
#pragma once

#include <parley/endpoint/configuration.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace parley {

enum class log_format : std::uint8_t { plain, json };

struct log_field {
    std::string_view key;
    std::string value;
};

/// Before any thread logs: the lowest level written and the format.
void log_setup(log_level minimum, log_format format) noexcept;
bool log_enabled(log_level level) noexcept;
void log_event(log_level level, std::string_view message,
               std::initializer_list<log_field> fields = {});

} // namespace parley
