#include "log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace parley {

namespace {

log_level minimum_level = log_level::info;
log_format output_format = log_format::plain;
std::mutex output_lock;

std::string_view level_name(log_level l) noexcept {
    switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
    case log_level::off: return "off";
    }
    return "?";
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
}

std::string utc_now() {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                  parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                  static_cast<int>(millis));
    return text;
}

} // namespace

void log_setup(log_level minimum, log_format format) noexcept {
    minimum_level = minimum;
    output_format = format;
}

bool log_enabled(log_level level) noexcept {
    return level != log_level::off && level >= minimum_level;
}

void log_event(log_level level, std::string_view message, std::initializer_list<log_field> fields) {
    if (!log_enabled(level)) return;
    std::string line;
    if (output_format == log_format::json) {
        line = "{\"time\":\"" + utc_now() + "\",\"level\":\"" + std::string(level_name(level)) +
               "\",\"message\":";
        append_json_string(line, message);
        for (const log_field& f : fields) {
            line += ',';
            append_json_string(line, f.key);
            line += ':';
            append_json_string(line, f.value);
        }
        line += "}\n";
    } else {
        line = "parleyd: ";
        if (level >= log_level::warning) line += std::string(level_name(level)) + ": ";
        line += message;
        for (const log_field& f : fields) {
            line += ' ';
            line += f.key;
            line += '=';
            line += f.value;
        }
        line += '\n';
    }
    std::FILE* to = level >= log_level::warning ? stderr : stdout;
    std::lock_guard guard(output_lock);
    std::fwrite(line.data(), 1, line.size(), to);
    std::fflush(to);
}

} // namespace parley
