// What the benchmark servers share (parley-minimal-uas, parley-session-uas): their command line
// and their life cycle. One stack per shard behind the transport (each shard's messages go to
// its own stack's transaction layer), running until SIGINT or SIGTERM.
//
//   <program> [--bind 127.0.0.1] [--port 5060] [--shards N] [--no-tcp]
//
// They print "udp <address>" and "tcp <address>" once listening (the scripts read them).
#pragma once

#include <parley/base/text.hpp>
#include <parley/transaction/transaction_layer.hpp>
#include <parley/transport/transport.hpp>

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::tools {

struct uas_flags {
    transport_options transport;
    unsigned shards = 0; ///< 0: one per core
};

/// The flags above; prints the usage and returns nothing on anything else.
inline std::optional<uas_flags> parse_uas_flags(const char* program, int argc, char** argv) {
    uas_flags out;
    out.transport.udp_port = out.transport.tcp_port = 5060;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s: %s needs a value\n", program, arg.c_str());
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        auto number = [&](unsigned long max) -> std::optional<unsigned long> {
            auto text = value();
            if (!text) return std::nullopt;
            auto v = parley::text::parse_decimal(*text, max);
            if (!v) {
                std::fprintf(stderr, "%s: %s: not a number up to %lu: %s\n", program, arg.c_str(),
                             max, text->c_str());
                return std::nullopt;
            }
            return static_cast<unsigned long>(*v);
        };
        if (arg == "--bind") {
            auto v = value();
            if (!v) return std::nullopt;
            out.transport.bind_address = *v;
        } else if (arg == "--port") {
            auto v = number(65535);
            if (!v) return std::nullopt;
            out.transport.udp_port = out.transport.tcp_port = static_cast<std::uint16_t>(*v);
        } else if (arg == "--shards") {
            auto v = number(256);
            if (!v) return std::nullopt;
            out.shards = static_cast<unsigned>(*v);
        } else if (arg == "--no-tcp") {
            out.transport.enable_tcp = false;
        } else {
            std::fprintf(stderr,
                         "usage: %s [--bind ADDRESS] [--port PORT] [--shards N] [--no-tcp]\n",
                         program);
            return std::nullopt;
        }
    }
    return out;
}

/// Hands each shard's messages to that shard's stack (anything with transactions()).
template <class Stack>
class stacks_by_shard final : public transport_user {
public:
    std::vector<std::unique_ptr<Stack>> stacks;
    void on_message(shard& owner, const message& m, const flow& source) noexcept override {
        owner.timers().advance(steady_clock::now()); // the layers read `now` from the wheel
        stacks[owner.index()]->transactions().receive(m, source);
    }
    void on_transport_error(shard& where, const flow& f) noexcept override {
        stacks[where.index()]->transactions().transport_error(f);
    }
};

/// Starts the transport, builds one stack per shard with make(shard&, transport&, shards) (a
/// std::unique_ptr<Stack>), prints the addresses and runs until SIGINT/SIGTERM. Returns the
/// process's exit status.
template <class Stack, class Make>
int serve(const char* program, const uas_flags& flags, Make make) {
    // Block the stop signals before any thread starts, so only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    shard_group shards(flags.shards);
    stacks_by_shard<Stack> app;
    transport net(shards, app, flags.transport);
    if (auto started = net.start(); !started) {
        std::fprintf(stderr, "%s: %s\n", program, started.error_value().reason);
        return 1;
    }
    for (std::size_t i = 0; i < shards.size(); ++i)
        app.stacks.push_back(make(shards.at(i), net, shards));
    shards.start();
    std::printf("udp %s\n", net.udp_address().to_string().c_str());
    if (flags.transport.enable_tcp) std::printf("tcp %s\n", net.tcp_address().to_string().c_str());
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    shards.stop();
    // The stacks go while the transport can still send: a session layer ending its sessions
    // answers an unanswered INVITE (487) through it (the transport is destroyed before `app`).
    app.stacks.clear();
    net.stop();
    return 0;
}

} // namespace parley::tools
