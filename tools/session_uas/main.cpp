// parley-session-uas: the minimal UAS of the network core with the session core and one SDP
// handler in the path, and nothing else: no endpoints, no dialplan, no supplements. It is the
// server issue 6's performance clause names ("the session core and one SDP handler in the
// path"), measured side by side with parley-minimal-uas by bench/suite (SERVER=session).
//
// Every INVITE becomes a session: the session layer creates the dialog, negotiates the offer
// through ext::null_media (the endpoint-less codec list PCMU, PCMA, G722; no RTP socket) and the
// application answers at once with 200 and the SDP answer. The layer retransmits the 2xx until
// the ACK, answers BYE, CANCEL, re-INVITE and everything else exactly as in parleyd.
//
//   parley-session-uas [--bind 127.0.0.1] [--port 5060] [--shards N] [--no-tcp]
//
// It prints "udp <address>" and "tcp <address>" once listening, then runs until SIGINT/SIGTERM.
#include <parley/ext/null_media.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/transaction/transaction_layer.hpp>
#include <parley/transport/transport.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace parley {
namespace {

/// As in parley-minimal-uas: room for the ~64*R transactions that linger at R calls/s.
transaction_options lingering_allowance() {
    transaction_options o;
    o.limits.max_transactions = 2'000'000;
    o.limits.expected_transactions = 1'600'000;
    o.timers.lingering_slack = milliseconds(16); // expirations in batches, as there
    return o;
}

/// The application: answers every new session at once.
class answer_at_once final : public session_events {
public:
    session_layer* layer = nullptr;
    void on_incoming(session_handle h, session&, const message&) noexcept override {
        (void)layer->answer(h);
    }
};

/// One shard's stack: transaction layer → session layer → the application.
class shard_stack final : public message_sender {
public:
    shard_stack(shard& home, transport& net, const extension_registry& registry,
                session_layer_options options)
        : home_(home), net_(net),
          transactions_(*this, sessions_, home.timers(), lingering_allowance()),
          sessions_(transactions_, *this, home.timers(), registry, app_, std::move(options)) {
        app_.layer = &sessions_;
    }
    transaction_layer& transactions() noexcept { return transactions_; }
    send_result send(const flow& destination, std::string_view bytes) noexcept override {
        net_.send(home_, destination, bytes);
        return send_result::sent;
    }

private:
    shard& home_;
    transport& net_;
    answer_at_once app_;
    // The transaction layer keeps a reference to its TU, built right after it.
    transaction_layer transactions_;
    session_layer sessions_;
};

class application final : public transport_user {
public:
    std::vector<std::unique_ptr<shard_stack>> stacks;
    void on_message(shard& owner, const message& m, const flow& source) noexcept override {
        owner.timers().advance(steady_clock::now()); // the layers read `now` from the wheel
        stacks[owner.index()]->transactions().receive(m, source);
    }
    void on_transport_error(shard& where, const flow& f) noexcept override {
        stacks[where.index()]->transactions().transport_error(f);
    }
};

int run(int argc, char** argv) {
    transport_options options;
    options.udp_port = 5060;
    options.tcp_port = 5060;
    unsigned shard_count = 0;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "parley-session-uas: %s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--bind")
            options.bind_address = value();
        else if (arg == "--port")
            options.udp_port = options.tcp_port = static_cast<std::uint16_t>(std::stoi(value()));
        else if (arg == "--shards")
            shard_count = static_cast<unsigned>(std::stoi(value()));
        else if (arg == "--no-tcp")
            options.enable_tcp = false;
        else {
            std::fprintf(stderr, "usage: parley-session-uas [--bind ADDRESS] [--port PORT] "
                                 "[--shards N] [--no-tcp]\n");
            return 2;
        }
    }
    // Block the stop signals before any thread starts, so only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    shard_group shards(shard_count);
    application app;
    transport net(shards, app, options);
    if (auto started = net.start(); !started) {
        std::fprintf(stderr, "parley-session-uas: %s\n", started.error_value().reason);
        return 1;
    }
    const socket_address local = net.udp_address();
    extension_registry registry;
    registration audio = registry.add_sdp_handler(
        "audio",
        std::make_shared<ext::null_media>(ext::null_media_options{.address = local.host_text()}),
        "null");
    for (std::size_t i = 0; i < shards.size(); ++i) {
        session_layer_options sessions;
        sessions.contact = "<sip:uas@" + local.to_string() + ">";
        sessions.via_address = local.to_string();
        sessions.sdp_address = local.host_text();
        sessions.max_sessions = 2'000'000; // held-call benchmarks go to 100,000 and beyond
        if (shards.size() > 1) sessions.id_suffix = shard_group::mark(i);
        app.stacks.push_back(
            std::make_unique<shard_stack>(shards.at(i), net, registry, std::move(sessions)));
    }
    shards.start();
    std::printf("udp %s\n", local.to_string().c_str());
    if (options.enable_tcp) std::printf("tcp %s\n", net.tcp_address().to_string().c_str());
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    shards.stop();
    net.stop();
    return 0;
}

} // namespace
} // namespace parley

int main(int argc, char** argv) {
    return parley::run(argc, argv);
}
