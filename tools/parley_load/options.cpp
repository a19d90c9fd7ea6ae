#include "options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace parley::load {
namespace {

constexpr std::array<std::string_view, 5> scenario_names{"basic", "delayed-offer", "reinvite",
                                                         "options", "mix"};

constexpr std::string_view usage = R"(usage: parley-load [OPTIONS] TARGET

A SIP UAC load generator. It starts calls at a paced rate against TARGET, runs each through its
scenario, and reports calls/s, failures by reason, retransmissions, latency percentiles (µs) and
its own CPU use. It always stops by itself: after --calls or --duration (whichever comes first),
then a drain of at most --drain for the calls still running.

TARGET                     numeric address and port of the server: 127.0.0.1:5060, [::1]:5070
                           (port 5060 when omitted)

Load:
  -r, --rate N             calls started per second, all threads together (default 1000)
  -m, --calls N            total calls to start
  -d, --duration SECONDS   how long to start calls (default 10 when --calls is not given)
  -l, --max-concurrent N   calls alive at once; a call due while at the limit is skipped and
                           counted as "not started" (default 100000)
      --hold MS            call hold time between ACK and BYE (default 0)
      --threads N          generator threads, each with its own sockets and rate/N (default 1)
      --sockets N          source UDP sockets (ports) or TCP connections per thread, so an
                           SO_REUSEPORT server spreads the load (default 4)

Scenario:
  -s, --scenario NAME      basic          INVITE (SDP offer) → 1xx/200 → ACK → hold → BYE → 200
                           delayed-offer  INVITE without SDP → 200 (offer) → ACK (answer) → ...
                           reinvite       basic with a re-INVITE → 200 → ACK half-way through
                                          the hold
                           options        OPTIONS → 200 (no dialog)
                           mix            each call picks one of the four by --mix weights
      --mix WEIGHTS        weights for mix: basic=60,delayed-offer=10,reinvite=10,options=20
                           (missing names weigh 0)
      --from-user NAME     user part of From (default parley-load)
      --to-user NAME       user part of the Request-URI and To (default service)

Network:
  -t, --transport udp|tcp  (default udp)
      --bind ADDRESS       local address of the source sockets (default 127.0.0.1)
      --t1 MS              RFC 3261 T1: first retransmission over UDP; Timer B/F is 64*T1
                           (default 500)
      --drain SECONDS      longest wait for running calls once no more start (default 64*T1)

Output:
      --json               one JSON object on stdout instead of the table
      --timeline           a row per second of the run (by when its calls were due): setups,
                           how many took over 1 ms and over 10 ms, the slowest, and the
                           generator's own largest delay starting a call (over the 1 ms pacing
                           tick, the generator was waiting for the CPU, not for the server)
  -h, --help               this text

Exit status: 0 when every call completed, 1 when some failed or did not finish, 2 for a usage
error (bad target, bad number, unknown scenario or option).
)";

template <class T>
std::optional<T> parse_integer(std::string_view text) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::optional<double> parse_decimal(std::string_view text) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() ||
        !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::optional<socket_address> parse_target(std::string_view text) {
    std::string_view host = text;
    std::uint16_t port = 5060;
    if (!text.empty() && text.front() == '[') { // [v6] or [v6]:port
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            auto p = parse_integer<std::uint16_t>(rest.substr(1));
            if (!p || *p == 0) return std::nullopt;
            port = *p;
        }
    } else if (auto colon = text.rfind(':');
               colon != std::string_view::npos && text.find(':') == colon) { // v4:port
        host = text.substr(0, colon);
        auto p = parse_integer<std::uint16_t>(text.substr(colon + 1));
        if (!p || *p == 0) return std::nullopt;
        port = *p;
    }
    return socket_address::from_numeric(host, port);
}

usage_error bad_number(std::string_view option, std::string_view value, std::string_view what) {
    return {std::string("bad number for ") + std::string(option) + ": '" + std::string(value) +
            "' (expected " + std::string(what) + ")"};
}

std::optional<usage_error> parse_mix(std::string_view text, load_options& out) {
    std::array<unsigned, call_scenario_count> weights{};
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        auto equals = item.find('=');
        if (equals == std::string_view::npos)
            return usage_error{"bad --mix item '" + std::string(item) + "' (expected name=weight)"};
        auto kind = scenario_from_name(item.substr(0, equals));
        if (!kind || *kind == scenario_kind::mix)
            return usage_error{"unknown scenario in --mix: '" +
                               std::string(item.substr(0, equals)) +
                               "' (basic, delayed-offer, reinvite, options)"};
        auto weight = parse_integer<unsigned>(item.substr(equals + 1));
        if (!weight || *weight > 1'000'000)
            return bad_number("--mix", item.substr(equals + 1), "a weight 0..1000000");
        weights[static_cast<std::size_t>(*kind)] = *weight;
    }
    unsigned total = 0;
    for (unsigned w : weights) total += w;
    if (total == 0) return usage_error{"--mix: every weight is 0"};
    out.mix_weights = weights;
    return std::nullopt;
}

} // namespace

std::string_view name_of(scenario_kind kind) noexcept {
    return scenario_names[static_cast<std::size_t>(kind)];
}

std::optional<scenario_kind> scenario_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < scenario_names.size(); ++i)
        if (scenario_names[i] == name) return static_cast<scenario_kind>(i);
    return std::nullopt;
}

std::string_view usage_text() noexcept {
    return usage;
}

parse_outcome parse_command_line(int argc, const char* const* argv) {
    std::vector<std::string_view> arguments;
    for (int i = 1; i < argc; ++i) arguments.emplace_back(argv[i]);
    return parse_arguments(arguments);
}

parse_outcome parse_arguments(const std::vector<std::string_view>& arguments) {
    load_options out;
    std::optional<std::string_view> target;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string_view arg = arguments[i];
        std::optional<std::string_view> inline_value;
        if (arg.starts_with("--")) {
            if (auto equals = arg.find('='); equals != std::string_view::npos) {
                inline_value = arg.substr(equals + 1);
                arg = arg.substr(0, equals);
            }
        }
        bool missing = false;
        auto value = [&]() -> std::string_view {
            if (inline_value) return *inline_value;
            if (i + 1 >= arguments.size()) {
                missing = true;
                return {};
            }
            return arguments[++i];
        };
        auto milliseconds_value =
            [&](std::string_view v,
                std::uint64_t max_ms) -> std::optional<std::chrono::milliseconds> {
            auto n = parse_integer<std::uint64_t>(v);
            if (!n || *n > max_ms) return std::nullopt;
            return std::chrono::milliseconds(*n);
        };
        auto seconds_value = [&](std::string_view v) -> std::optional<std::chrono::milliseconds> {
            auto n = parse_decimal(v);
            if (!n || *n <= 0 || *n > 86'400) return std::nullopt;
            return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*n * 1000)));
        };

        if (arg == "-h" || arg == "--help") return help_requested{};
        if (arg == "--json") {
            out.format = output_format::json;
            continue;
        }
        if (arg == "--timeline") {
            out.timeline = true;
            continue;
        }
        if (!arg.starts_with("-") || arg == "-") {
            if (target)
                return usage_error{"more than one target: '" + std::string(*target) + "' and '" +
                                   std::string(arg) + "'"};
            target = arg;
            continue;
        }
        // Every other option takes a value: an unknown one is named before its value is read.
        static constexpr std::array<std::string_view, 21> with_value{
            "-r",       "--rate",      "-m",         "--calls",
            "-d",       "--duration",  "-l",         "--max-concurrent",
            "--hold",   "--threads",   "--sockets",  "--t1",
            "--drain",  "-s",          "--scenario", "--mix",
            "-t",       "--transport", "--bind",     "--from-user",
            "--to-user"};
        if (std::find(with_value.begin(), with_value.end(), arg) == with_value.end())
            return usage_error{"unknown option '" + std::string(arg) + "'"};
        std::string_view v = value();
        if (missing) return usage_error{std::string(arg) + " needs a value"};
        if (arg == "-r" || arg == "--rate") {
            auto n = parse_decimal(v);
            if (!n || *n <= 0 || *n > 10'000'000)
                return bad_number(arg, v, "calls/s, 0 < N <= 1e7");
            out.rate = *n;
        } else if (arg == "-m" || arg == "--calls") {
            auto n = parse_integer<std::uint64_t>(v);
            if (!n || *n == 0) return bad_number(arg, v, "a whole number of calls > 0");
            out.calls = *n;
        } else if (arg == "-d" || arg == "--duration") {
            auto d = seconds_value(v);
            if (!d || d->count() == 0) return bad_number(arg, v, "seconds, 0 < S <= 86400");
            out.duration = *d;
        } else if (arg == "-l" || arg == "--max-concurrent") {
            auto n = parse_integer<std::uint64_t>(v);
            if (!n || *n == 0 || *n > 10'000'000) return bad_number(arg, v, "calls, 1..10000000");
            out.max_concurrent = *n;
        } else if (arg == "--hold") {
            auto d = milliseconds_value(v, 3'600'000);
            if (!d) return bad_number(arg, v, "milliseconds, 0..3600000");
            out.hold = *d;
        } else if (arg == "--threads") {
            auto n = parse_integer<unsigned>(v);
            if (!n || *n == 0 || *n > 256) return bad_number(arg, v, "threads, 1..256");
            out.threads = *n;
        } else if (arg == "--sockets") {
            auto n = parse_integer<unsigned>(v);
            if (!n || *n == 0 || *n > 1024) return bad_number(arg, v, "sockets, 1..1024");
            out.sockets = *n;
        } else if (arg == "--t1") {
            auto d = milliseconds_value(v, 60'000);
            if (!d || d->count() == 0) return bad_number(arg, v, "milliseconds, 1..60000");
            out.t1 = *d;
        } else if (arg == "--drain") {
            auto n = parse_decimal(v);
            if (!n || *n < 0 || *n > 3600) return bad_number(arg, v, "seconds, 0..3600");
            out.drain =
                std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(*n * 1000)));
        } else if (arg == "-s" || arg == "--scenario") {
            auto kind = scenario_from_name(v);
            if (!kind)
                return usage_error{"unknown scenario '" + std::string(v) +
                                   "' (basic, delayed-offer, reinvite, options, mix)"};
            out.scenario = *kind;
        } else if (arg == "--mix") {
            if (auto e = parse_mix(v, out)) return *e;
        } else if (arg == "-t" || arg == "--transport") {
            if (v == "udp" || v == "UDP")
                out.protocol = transport_protocol::udp;
            else if (v == "tcp" || v == "TCP")
                out.protocol = transport_protocol::tcp;
            else
                return usage_error{"unknown transport '" + std::string(v) + "' (udp, tcp)"};
        } else if (arg == "--bind") {
            if (!socket_address::from_numeric(v, 0))
                return usage_error{"bad --bind address '" + std::string(v) +
                                   "' (expected a numeric IPv4 or IPv6 address)"};
            out.bind_address = std::string(v);
        } else if (arg == "--from-user" || arg == "--to-user") {
            if (v.empty() || v.find_first_of(" \t\r\n@:;<>\"") != std::string_view::npos)
                return usage_error{"bad " + std::string(arg) + " '" + std::string(v) +
                                   "' (a plain user name)"};
            (arg == "--from-user" ? out.user : out.to_user) = std::string(v);
        } else {
            return usage_error{"unknown option '" + std::string(arg) + "'"};
        }
    }
    if (!target) return usage_error{"no target given (e.g. parley-load 127.0.0.1:5060)"};
    auto address = parse_target(*target);
    if (!address)
        return usage_error{"bad target '" + std::string(*target) +
                           "' (expected a numeric address and optional port: 127.0.0.1:5060, "
                           "[::1]:5060)"};
    out.target = *address;
    out.target_text = address->to_string();
    if (!out.calls && !out.duration) out.duration = std::chrono::seconds(10);
    if (out.threads > out.max_concurrent)
        return usage_error{"--max-concurrent must be at least --threads"};
    auto bind = socket_address::from_numeric(out.bind_address, 0);
    if (bind->family != out.target.family)
        return usage_error{"--bind " + out.bind_address + " and target " + out.target_text +
                           " are of different address families"};
    return out;
}

} // namespace parley::load
