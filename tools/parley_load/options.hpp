// parley-load command line: the settings of one run and the parser that fills them.
//
// Every setting has a bound so a run always stops by itself: a call count, a duration, or both
// (whichever is reached first), then a drain of at most `drain` for the calls still running.
// parse_command_line() never exits and never throws: it returns the options, a request for the
// help text, or an error message (the caller prints it and exits with status 2). Pure.
#pragma once

#include <parley/transport/address.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::load {

enum class scenario_kind : std::uint8_t {
    basic,         ///< INVITE with SDP → 1xx/200 → ACK → hold → BYE → 200
    delayed_offer, ///< INVITE without SDP → 200 with the offer → ACK with the answer → hold → BYE
    reinvite, ///< basic, plus a re-INVITE (with SDP) → 200 → ACK half-way through the hold
    options,  ///< OPTIONS → 200, no dialog
    mix,      ///< each call picks one of the above by the --mix weights
};
inline constexpr std::size_t call_scenario_count = 4; ///< every kind but mix

std::string_view name_of(scenario_kind kind) noexcept;
std::optional<scenario_kind> scenario_from_name(std::string_view name) noexcept;

enum class output_format : std::uint8_t { table, json };

struct load_options {
    socket_address target;   ///< numeric address and port of the server
    std::string target_text; ///< as given, for the report and Request-URI
    transport_protocol protocol = transport_protocol::udp;
    std::string bind_address = "127.0.0.1"; ///< local address of every source socket
    scenario_kind scenario = scenario_kind::basic;
    /// Weights of basic, delayed_offer, reinvite, options for the mix scenario.
    std::array<unsigned, call_scenario_count> mix_weights{60, 10, 10, 20};
    double rate = 1000;                 ///< calls started per second, all threads together
    std::optional<std::uint64_t> calls; ///< total calls to start
    std::optional<std::chrono::milliseconds> duration; ///< how long to start calls
    std::uint64_t max_concurrent = 100'000; ///< calls alive at once, all threads together
    std::chrono::milliseconds hold{0};      ///< between ACK and BYE
    unsigned threads = 1;                   ///< generator threads, each rate/threads
    unsigned sockets = 4;              ///< source sockets (UDP) or connections (TCP) per thread
    std::chrono::milliseconds t1{500}; ///< RFC 3261 T1 (retransmissions, 64*T1 timeouts)
    std::optional<std::chrono::milliseconds> drain; ///< wait for running calls; default 64*T1
    std::string user = "parley-load";               ///< From user
    std::string to_user = "service";                ///< Request-URI and To user
    output_format format = output_format::table;
    bool timeline = false; ///< per-second rows in the report (--timeline)
};

/// `--help` was asked for: print usage_text() and exit 0.
struct help_requested {};
/// A usage error: print the message (and a pointer to --help), exit 2.
struct usage_error {
    std::string message;
};

using parse_outcome = std::variant<load_options, help_requested, usage_error>;

/// Parses argv[1..argc) (argv[0] is the program name).
parse_outcome parse_command_line(int argc, const char* const* argv);
/// Parses a list of arguments (without the program name).
parse_outcome parse_arguments(const std::vector<std::string_view>& arguments);

/// The complete --help text.
std::string_view usage_text() noexcept;

} // namespace parley::load
