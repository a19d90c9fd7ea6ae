// parleyd: the Parley server. Today it runs the signalling path end to end: the configuration
// (embedded default or -c FILE), shards, UDP/TCP/TLS transports, transactions, and the session
// core answering calls through the built-in extensions (the signalling-only `null` media
// handler until the media layer lands). Call behaviour by Request-URI user, for tests:
// "busy…" → 486, "decline…" → 603, "ring…" → 180 and never answers (for CANCEL), anything
// else → 200 at once.
//
//   parleyd [-c FILE] [--check-config] [--port PORT] [--shards N]
#include <parley/endpoint/configuration.hpp>
#include <parley/ext/builtin.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/transport/transport.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley {
namespace {

/// The call logic (the seed's "channel"): decides what to do with each incoming session.
class call_logic final : public session_events {
public:
    session_layer* layer = nullptr;
    void on_incoming(session_handle h, session&, const message& invite) noexcept override {
        std::string_view user = invite.request_uri().user;
        if (user.starts_with("busy"))
            (void)layer->reject(h, 486);
        else if (user.starts_with("decline"))
            (void)layer->reject(h, 603);
        else if (user.starts_with("ring"))
            (void)layer->ring(h);
        else
            (void)layer->answer(h);
    }
};

/// Until the distributor (issue 5) sits between them, every transaction of the shard goes to
/// its session layer.
class shard_stack final : public message_sender {
public:
    shard_stack(shard& home, transport& net, const extension_registry& registry,
                session_layer_options options, const transaction_options& transaction_settings)
        : home_(home), net_(net), transactions_(*this, relay_, home.timers(), transaction_settings),
          sessions_(transactions_, *this, home.timers(), registry, logic_, std::move(options)) {
        relay_.to = &sessions_;
        logic_.layer = &sessions_;
    }
    transaction_layer& transactions() noexcept { return transactions_; }
    send_result send(const flow& destination, std::string_view bytes) noexcept override {
        net_.send(home_, destination, std::string(bytes));
        return send_result::sent;
    }

private:
    struct relay final : transaction_user {
        transaction_user* to = nullptr;
        void on_request(const incoming_request& r) noexcept override { to->on_request(r); }
        void on_ack(const message& a, const flow& f) noexcept override { to->on_ack(a, f); }
        void on_cancel(transaction_id t, const message& c) noexcept override {
            to->on_cancel(t, c);
        }
        void on_response(transaction_id t, const message& r) noexcept override {
            to->on_response(t, r);
        }
        void on_stray_response(const message& r, const flow& f) noexcept override {
            to->on_stray_response(r, f);
        }
        void on_client_failure(transaction_id t, failure_reason w) noexcept override {
            to->on_client_failure(t, w);
        }
        void on_server_failure(transaction_id t, failure_reason w) noexcept override {
            to->on_server_failure(t, w);
        }
        void on_terminated(transaction_id t) noexcept override { to->on_terminated(t); }
    };
    shard& home_;
    transport& net_;
    relay relay_;
    call_logic logic_;
    transaction_layer transactions_;
    session_layer sessions_;
};

class server final : public transport_user {
public:
    std::vector<std::unique_ptr<shard_stack>> stacks;
    void on_message(shard& owner, std::unique_ptr<message> m,
                    const flow& source) noexcept override {
        owner.timers().advance(steady_clock::now()); // the layers read `now` from the wheel
        stacks[owner.index()]->transactions().receive(*m, source);
    }
    void on_transport_error(shard& where, const flow& f) noexcept override {
        stacks[where.index()]->transactions().transport_error(f);
    }
};

struct command_line {
    std::string config_file;
    bool check_only = false;
    std::optional<std::uint16_t> port;
    std::optional<unsigned> shards;
};

void usage(std::FILE* to) {
    std::fprintf(to,
                 "usage: parleyd [-c FILE] [--check-config] [--port PORT] [--shards N]\n"
                 "  -c, --config FILE  pjsip.conf-style configuration (default: the embedded one)\n"
                 "  --check-config     validate the configuration, print every problem, exit\n"
                 "  --port PORT        listen on PORT for UDP and TCP instead of the configured\n"
                 "                     ports (0: any free port; the ports are printed)\n"
                 "  --shards N         event-loop threads (default: configuration, else cores)\n");
}

std::optional<command_line> parse_command_line(int argc, char** argv) {
    command_line out;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "parleyd: %s needs a value\n", argv[i]);
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        auto number = [&](unsigned long max) -> std::optional<unsigned long> {
            auto text = value();
            if (!text) return std::nullopt;
            char* end = nullptr;
            unsigned long v = std::strtoul(text->c_str(), &end, 10);
            if (text->empty() || *end != '\0' || v > max) {
                std::fprintf(stderr, "parleyd: %s: not a number up to %lu: %s\n",
                             std::string(arg).c_str(), max, text->c_str());
                return std::nullopt;
            }
            return v;
        };
        if (arg == "-c" || arg == "--config") {
            auto v = value();
            if (!v) return std::nullopt;
            out.config_file = *v;
        } else if (arg == "--check-config") {
            out.check_only = true;
        } else if (arg == "--port") {
            auto v = number(65535);
            if (!v) return std::nullopt;
            out.port = static_cast<std::uint16_t>(*v);
        } else if (arg == "--shards") {
            auto v = number(256);
            if (!v || *v == 0) return std::nullopt;
            out.shards = static_cast<unsigned>(*v);
        } else if (arg == "-h" || arg == "--help") {
            usage(stdout);
            std::exit(0);
        } else {
            std::fprintf(stderr, "parleyd: unknown option %s\n", std::string(arg).c_str());
            usage(stderr);
            return std::nullopt;
        }
    }
    return out;
}

int run(int argc, char** argv) {
    auto cli = parse_command_line(argc, argv);
    if (!cli) return 2;
    if (cli->check_only) {
        config_check_report report = check_configuration(cli->config_file);
        std::fputs(report.text.c_str(), report.exit_code == 0 ? stdout : stderr);
        return report.exit_code;
    }
    config_load_result loaded =
        cli->config_file.empty() ? default_configuration() : load_configuration(cli->config_file);
    if (!loaded.ok()) {
        // A bad file never starts a half-configured server.
        config_check_report report = describe_load_result(loaded, cli->config_file);
        std::fputs(report.text.c_str(), stderr);
        return 1;
    }
    for (const auto& w : loaded.warnings) (void)w;
    const configuration& config = *loaded.config;

    transport_options net_options;
    net_options.enable_udp = false;
    net_options.enable_tcp = false;
    for (const transport_config& t : config.transports()) {
        net_options.bind_address = t.bind.host_text();
        switch (t.protocol) {
        case transport_protocol::udp:
            net_options.enable_udp = true;
            net_options.udp_port = t.bind.port;
            break;
        case transport_protocol::tcp:
            net_options.enable_tcp = true;
            net_options.tcp_port = t.bind.port;
            break;
        case transport_protocol::tls:
            net_options.tls = {.certificate_file = t.cert_file,
                               .private_key_file = t.priv_key_file};
            net_options.tls_port = t.bind.port;
            break;
        }
    }
    if (cli->port) net_options.udp_port = net_options.tcp_port = *cli->port;

    // Only the stop signals' thread sees them: block before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    shard_group shards(cli->shards.value_or(config.system().shards));
    server app;
    transport net(shards, app, net_options);
    if (auto started = net.start(); !started) {
        std::fprintf(stderr, "parleyd: %s\n", started.error_value().reason);
        return 1;
    }
    socket_address local = net_options.enable_udp ? net.udp_address() : net.tcp_address();
    extension_registry registry;
    ext::builtin_options builtin;
    builtin.null_media.address = local.host_text();
    std::vector<registration> extensions = ext::register_builtin(registry, builtin);
    transaction_options transaction_settings;
    transaction_settings.limits.max_transactions =
        config.system().max_transactions / static_cast<std::uint32_t>(shards.size()) + 1;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        session_layer_options o;
        o.contact = "<sip:parleyd@" + local.to_string() + ">";
        o.via_address = local.to_string();
        o.sdp_address = local.host_text();
        o.max_sessions = config.system().max_sessions / shards.size() + 1;
        app.stacks.push_back(std::make_unique<shard_stack>(shards.at(i), net, registry,
                                                           std::move(o), transaction_settings));
    }
    shards.start();
    if (net_options.enable_udp) std::printf("udp %s\n", net.udp_address().to_string().c_str());
    if (net_options.enable_tcp) std::printf("tcp %s\n", net.tcp_address().to_string().c_str());
    std::printf("parleyd: running with %zu shard(s), configuration %s\n", shards.size(),
                config.source().c_str());
    std::fflush(stdout);
    int which = 0;
    sigwait(&signals, &which);
    std::printf("parleyd: stopping (%s)\n", which == SIGTERM ? "SIGTERM" : "SIGINT");
    shards.stop();
    net.stop();
    return 0;
}

} // namespace
} // namespace parley

int main(int argc, char** argv) {
    return parley::run(argc, argv);
}
