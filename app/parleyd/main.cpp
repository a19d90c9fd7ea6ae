// parleyd: the Parley server. It runs the signalling path end to end: the configuration
// (embedded default or -c FILE), shards, UDP/TCP/TLS transports, transactions, and per shard the
// service distributor (identification, digest authentication, overload answers, Require check)
// in front of the services: the session core, whose calls run the dialplan of their endpoint's
// context (call_script.hpp: answer, ring, early media, echo, playback, record, tones, DTMF; the
// built-in extensions when the configuration has no dialplan) with RTP from the media layer
// (or with --null-media signalling only), and the OPTIONS responder. A REFER (blind transfer)
// makes parleyd call the Refer-To target (a numeric SIP URI), report the progress in NOTIFYs,
// and hang up the transferred call once the target answered.
//
//   parleyd [-c FILE] [--check-config] [--port PORT] [--shards N] [--max-transactions N]
//           [--null-media]
// SIGHUP reloads the configuration (endpoints, auth, identify) without touching established
// calls; SIGINT/SIGTERM stop.
#include "call_script.hpp"
#include "control.hpp"
#include "log.hpp"

#include <parley/base/text.hpp>
#include <parley/endpoint/configuration.hpp>
#include <parley/endpoint/distributor.hpp>
#include <parley/endpoint/endpoint_identity.hpp>
#include <parley/endpoint/identify.hpp>
#include <parley/endpoint/registrar.hpp>
#include <parley/endpoint/session_endpoint.hpp>
#include <parley/endpoint/session_service.hpp>
#include <parley/ext/builtin.hpp>
#include <parley/media/rtp_media.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/transport/transport.hpp>

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace parley {
namespace {

/// Logs an authentication failure at the 1st, 2nd, 4th, 8th... from one address, so that a
/// guessing peer cannot flood the log.
void log_auth_failure(unsigned shard_index, const auth_failure_report& r) {
    if (!std::has_single_bit(r.failures_from_source)) return;
    static constexpr const char* reasons[] = {"none",
                                              "malformed credentials",
                                              "unsupported",
                                              "unknown user",
                                              "wrong password",
                                              "replayed nonce count",
                                              "uri is not the request-uri"};
    auto why = static_cast<std::size_t>(r.why);
    log_event(log_level::warning, "authentication failed",
              {{"shard", std::to_string(shard_index)},
               {"source", r.source.remote.host_text()},
               {"why", why < std::size(reasons) ? reasons[why] : "?"},
               {"endpoint", r.endpoint != nullptr ? r.endpoint->name : "none"},
               {"failures_from_source", std::to_string(r.failures_from_source)}});
}

struct shard_settings {
    call_settings calls;
    registration_store* registrations = nullptr; ///< shared by every shard
    session_service_options service;
    session_layer_options sessions;
    transaction_options transactions;
    distributor_options pipeline;
};

/// One shard's stack: transport → transaction layer → distributor → services (the session
/// layer through its adapter, then the OPTIONS responder).
class shard_stack final : public message_sender {
public:
    shard_stack(shard& home, transport& net, const extension_registry& registry,
                std::shared_ptr<const endpoint_identifier> identifier, shard_settings settings)
        : home_(home), net_(net),
          // The logic keeps a reference to the session layer, built right after it.
          logic_(sessions_, home.timers(), std::move(settings.calls)),
          // The layer keeps a reference to its TU, built right after it.
          transactions_(*this, distributor_, home.timers(), settings.transactions),
          distributor_(transactions_, home.timers(), std::move(identifier),
                       std::move(settings.pipeline)),
          sessions_(transactions_, *this, home.timers(), registry, logic_,
                    with_credentials(std::move(settings.sessions), &credentials_)),
          session_service_(sessions_, std::move(settings.service)), options_(distributor_),
          registrar_(distributor_, *settings.registrations) {
        distributor_.add_service(session_service_, {.priority = 10});
        distributor_.add_service(options_, {.priority = 20});
        distributor_.add_service(registrar_, {.priority = 30});
    }
    transaction_layer& transactions() noexcept { return transactions_; }
    void hang_up_all() noexcept { logic_.hang_up_all(); }
    void describe(std::string& out) const { logic_.describe(out); }
    std::size_t live_sessions() const noexcept { return sessions_.size(); }
    /// A reloaded configuration: new requests use it, established dialogs keep theirs.
    void use_identifier(std::shared_ptr<const endpoint_identifier> identifier) noexcept {
        distributor_.set_identifier(std::move(identifier));
    }
    send_result send(const flow& destination, std::string_view bytes) noexcept override {
        net_.send(home_, destination, bytes);
        return send_result::sent;
    }

private:
    static session_layer_options with_credentials(session_layer_options o,
                                                  outbound_credentials* credentials) {
        o.credentials = credentials; // the called endpoint's outbound_auth (Dial(PJSIP/...))
        return o;
    }

    shard& home_;
    transport& net_;
    endpoint_credentials credentials_;
    call_logic logic_;
    transaction_layer transactions_;
    distributor distributor_;
    session_layer sessions_;
    session_service session_service_;
    options_service options_;
    registrar_service registrar_;
};

/// The addresses of the host names in identify match= (the identifier does no DNS).
identifier_options resolve_identify_hosts(const configuration& config) {
    identifier_options out;
    for (const identify_config& identify : config.identifies()) {
        for (const std::string& host : identify.match_hosts) {
            if (out.resolved_hosts.contains(host)) continue;
            std::vector<socket_address>& addresses = out.resolved_hosts[host];
            addrinfo hints{};
            hints.ai_family = AF_UNSPEC;
            hints.ai_socktype = SOCK_DGRAM;
            addrinfo* found = nullptr;
            if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) {
                log_event(log_level::warning,
                          "identify " + identify.name + ": cannot resolve " + host);
                continue;
            }
            for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
                char text[INET6_ADDRSTRLEN] = {};
                const void* raw =
                    a->ai_family == AF_INET
                        ? static_cast<const void*>(
                              &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
                        : static_cast<const void*>(
                              &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
                if (inet_ntop(a->ai_family, raw, text, sizeof text) == nullptr) continue;
                if (auto address = socket_address::from_numeric(text, 0))
                    addresses.push_back(*address);
            }
            freeaddrinfo(found);
        }
    }
    return out;
}

class server final : public transport_user {
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

enum class media_mode : std::uint8_t { rtp, null };

struct command_line {
    std::string config_file;
    bool check_only = false;
    std::string control_path;               ///< "" = /tmp/parleyd-<port>.ctl
    std::optional<std::string> ctl_command; ///< --ctl: be a client of a running parleyd
    std::optional<log_level> level;         ///< --log-level (else the configuration's)
    log_format format = log_format::plain;
    media_mode media = media_mode::rtp;
    std::optional<std::uint16_t> port;
    std::optional<socket_address> listen; ///< --listen ADDR:PORT (UDP and TCP)
    std::optional<unsigned> shards;
    std::optional<std::size_t> max_transactions; ///< --max-transactions (else the configuration's)
};

void usage(std::FILE* to) {
    std::fprintf(
        to, "usage: parleyd [-c FILE] [--check-config] [--listen ADDR:PORT] [--port PORT]\n"
            "               [--shards N] [--max-transactions N] [--null-media]\n"
            "               [--control PATH] [--log-level LEVEL] [--log-format plain|json]\n"
            "       parleyd [--control PATH | --port PORT] --ctl COMMAND...\n"
            "  -c, --config FILE  pjsip.conf-style configuration (default: the embedded one)\n"
            "  --check-config     validate the configuration, print every problem, exit\n"
            "  --listen ADDR:PORT listen on ADDR:PORT for UDP and TCP instead of the\n"
            "                     configured transports\n"
            "  --port PORT        listen on PORT for UDP and TCP instead of the configured\n"
            "                     ports (0: any free port; the ports are printed)\n"
            "  --shards N         event-loop threads (default: configuration, else cores)\n"
            "  --max-transactions N  the whole server's transaction limit instead of the\n"
            "                     configuration's max_transactions (benchmarks at high rates)\n"
            "  --null-media       negotiate SDP but open no RTP socket (signalling only, for\n"
            "                     benchmarks); by default calls get RTP media\n"
            "  --log-level LEVEL  trace, debug, info, warning, error or off (default: the\n"
            "                     configuration's log_level, else info)\n"
            "  --log-format FMT   plain (default) or json (one JSON object per line)\n"
            "  --control PATH     the control socket (default /tmp/parleyd-<port>.ctl, <port>\n"
            "                     the first listening port)\n"
            "  --ctl COMMAND...   ask a running parleyd (at --control, else the default for\n"
            "                     --port, else 5060): \"show channels\", \"help\"\n"
            "signals: SIGHUP reloads the configuration, SIGINT/SIGTERM stop\n");
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
            auto v = parley::text::parse_decimal(*text, max);
            if (!v) {
                std::fprintf(stderr, "parleyd: %s: not a number up to %lu: %s\n",
                             std::string(arg).c_str(), max, text->c_str());
                return std::nullopt;
            }
            return static_cast<unsigned long>(*v);
        };
        if (arg == "-c" || arg == "--config") {
            auto v = value();
            if (!v) return std::nullopt;
            out.config_file = *v;
        } else if (arg == "--check-config") {
            out.check_only = true;
        } else if (arg == "--log-level") {
            auto v = value();
            if (!v) return std::nullopt;
            static constexpr std::pair<std::string_view, log_level> levels[] = {
                {"trace", log_level::trace}, {"debug", log_level::debug},
                {"info", log_level::info},   {"warning", log_level::warning},
                {"error", log_level::error}, {"off", log_level::off}};
            for (const auto& [name, l] : levels)
                if (*v == name) out.level = l;
            if (!out.level) {
                std::fprintf(stderr,
                             "parleyd: --log-level: expected trace, debug, info, "
                             "warning, error or off, got %s\n",
                             v->c_str());
                return std::nullopt;
            }
        } else if (arg == "--log-format") {
            auto v = value();
            if (!v) return std::nullopt;
            if (*v == "plain" || *v == "json") {
                out.format = *v == "json" ? log_format::json : log_format::plain;
            } else {
                std::fprintf(stderr, "parleyd: --log-format: expected plain or json, got %s\n",
                             v->c_str());
                return std::nullopt;
            }
        } else if (arg == "--listen") {
            auto v = value();
            if (!v) return std::nullopt;
            // ADDR:PORT or [IPv6]:PORT, numeric.
            std::string_view text = *v;
            std::size_t colon = text.rfind(':');
            std::optional<socket_address> address;
            if (colon != std::string_view::npos && colon + 1 < text.size()) {
                std::string_view host = text.substr(0, colon);
                if (host.size() > 2 && host.front() == '[' && host.back() == ']')
                    host = host.substr(1, host.size() - 2);
                unsigned long port = 0;
                std::string digits(text.substr(colon + 1));
                char* end = nullptr;
                port = std::strtoul(digits.c_str(), &end, 10);
                if (*end == '\0' && port <= 65535)
                    address = socket_address::from_numeric(host, static_cast<std::uint16_t>(port));
            }
            if (!address) {
                std::fprintf(stderr,
                             "parleyd: --listen: expected a numeric ADDR:PORT (e.g. "
                             "127.0.0.1:5060 or [::1]:5060), got %s\n",
                             v->c_str());
                return std::nullopt;
            }
            out.listen = address;
        } else if (arg == "--control") {
            auto v = value();
            if (!v) return std::nullopt;
            out.control_path = *v;
        } else if (arg == "--ctl") {
            std::string command;
            while (i + 1 < argc) command += (command.empty() ? "" : " ") + std::string(argv[++i]);
            out.ctl_command = command.empty() ? "help" : command;
        } else if (arg == "--port") {
            auto v = number(65535);
            if (!v) return std::nullopt;
            out.port = static_cast<std::uint16_t>(*v);
        } else if (arg == "--shards") {
            auto v = number(256);
            if (!v || *v == 0) return std::nullopt;
            out.shards = static_cast<unsigned>(*v);
        } else if (arg == "--max-transactions") {
            auto v = number(100'000'000);
            if (!v || *v == 0) {
                if (v) std::fprintf(stderr, "parleyd: --max-transactions: at least 1\n");
                return std::nullopt;
            }
            out.max_transactions = static_cast<std::size_t>(*v);
        } else if (arg == "--null-media") {
            out.media = media_mode::null;
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
    if (cli->ctl_command) {
        std::string path =
            !cli->control_path.empty()
                ? cli->control_path
                : "/tmp/parleyd-" + std::to_string(cli->port.value_or(5060)) + ".ctl";
        int code = control_request(path, *cli->ctl_command);
        if (code != 0) std::fprintf(stderr, "parleyd: no parleyd answers on %s\n", path.c_str());
        return code;
    }
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
    for (const config_diagnostic& w : loaded.warnings)
        std::fprintf(stderr, "parleyd: %s\n", w.to_string().c_str());
    const configuration& config = *loaded.config;
    log_setup(cli->level.value_or(config.system().log_level), cli->format);

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
    if (cli->listen) {
        net_options.bind_address = cli->listen->host_text();
        net_options.udp_port = net_options.tcp_port = cli->listen->port;
        net_options.enable_udp = net_options.enable_tcp = true;
    }
    if (cli->port) net_options.udp_port = net_options.tcp_port = *cli->port;

    // Only the stop signals' thread sees them: block before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    shard_group shards(cli->shards.value_or(config.system().shards));
    // Declared before the sessions' owners, so it outlives them: a session's streams close
    // into their shard's media context when the session goes.
    std::vector<std::unique_ptr<media::media_context>> media_contexts;
    registration_store registrations; // REGISTER bindings of every shard (outlives the stacks)
    server app;
    transport net(shards, app, net_options);
    if (auto started = net.start(); !started) {
        std::fprintf(stderr, "parleyd: %s\n", started.error_value().reason);
        return 1;
    }
    socket_address local = net_options.enable_udp ? net.udp_address() : net.tcp_address();
    // Before the registry: they outlive the supplements that point at them.
    transfer_router transfers;
    dtmf_router digits;
    extension_registry registry;
    std::vector<registration> extensions;
    // Routing first: an unknown destination gets 404 before anything else happens.
    auto router = std::make_shared<call_router>(cli->media == media_mode::null);
    extensions.push_back(registry.add_supplement(
        router, {.name = "parleyd-router", .methods = {method::invite}, .priority = -100}));
    // Media: RTP streams from the media layer; sessions that ask for none (NoMedia(), or every
    // one with --null-media) get the signalling-only handler registered after it.
    ext::builtin_options builtin;
    builtin.audio = ext::audio_handler::null_media;
    builtin.null_media.address = local.host_text();
    builtin.null_media.only_without_media = cli->media != media_mode::null;
    builtin.transfer = std::make_shared<ext::transfer_supplement>(&transfers);
    builtin.dtmf = &digits;
    if (cli->media == media_mode::rtp) {
        extensions.push_back(
            registry.add_sdp_handler("audio", std::make_shared<media::rtp_media>(), "rtp"));
        for (std::size_t i = 0; i < shards.size(); ++i) {
            // Each shard its own slice of the RTP port range: no two shards race for a port.
            media::media_settings media{.address = local.host_text()};
            auto slice =
                static_cast<std::uint16_t>((media.port_max - media.port_min) / shards.size());
            media.port_min = static_cast<std::uint16_t>(media.port_min + i * slice);
            media.port_max = static_cast<std::uint16_t>(media.port_min + slice);
            auto context =
                std::make_unique<media::media_context>(shards.at(i).io(), std::move(media));
            media::media_context* raw = context.get();
            shards.at(i).post([raw] { media::media_context::bind_current(raw); }); // its own thread
            media_contexts.push_back(std::move(context));
        }
    }
    for (auto& r : ext::register_builtin(registry, builtin)) extensions.push_back(std::move(r));
    // The endpoint's identity settings (trust_id_inbound, callerid, send_pai, send_rpid).
    extensions.push_back(
        registry.add_supplement(std::make_shared<endpoint_identity_supplement>(),
                                {.name = "endpoint-identity", .methods = {method::invite}}));
    // The configured limits are for the whole server: each shard gets its share. The
    // distributor refuses new out-of-dialog work at 90% of the transaction share, which leaves
    // the rest to requests inside established dialogs (the layer itself stops at 100%).
    const std::size_t shard_count = shards.size();
    const std::size_t max_transactions =
        cli->max_transactions.value_or(config.system().max_transactions);
    const std::size_t transaction_share = max_transactions / shard_count + 1;
    auto identifier =
        std::make_shared<const endpoint_identifier>(loaded.config, resolve_identify_hosts(config));
    const digest_authenticator::key_type key = digest_authenticator::generate_key();
    for (std::size_t i = 0; i < shard_count; ++i) {
        shard_settings settings;
        settings.sessions.contact = "<sip:parleyd@" + local.to_string() + ">";
        settings.calls.from = "<sip:parleyd@" + local.to_string() + ">";
        settings.calls.null_media = cli->media == media_mode::null;
        settings.calls.sounds_dir = PARLEY_SOUNDS_DIR;
        settings.calls.registrations = &registrations;
        settings.registrations = &registrations;
        // A caller reaches us back over the protocol it called on (RFC 3261 §8.1.1.8).
        if (net_options.enable_tcp) {
            std::string tcp = net.tcp_address().to_string();
            settings.service.local_addresses.push_back(
                {transport_protocol::tcp, "<sip:parleyd@" + tcp + ";transport=tcp>", tcp});
        }
        if (!net_options.tls.certificate_file.empty()) {
            std::string tls = net.tls_address().to_string();
            settings.service.local_addresses.push_back(
                {transport_protocol::tls, "<sip:parleyd@" + tls + ";transport=tls>", tls});
        }
        // A call parleyd places must have a Call-ID of this shard: its responses are
        // dispatched by Call-ID.
        settings.sessions.owns_call_id = [&shards, i](std::string_view call_id) {
            return shards.index_for(call_id) == i;
        };
        // Our tags and branches name this shard: the requests and responses of a dialog that
        // replaced another (RFC 3891, an attended transfer) find it here whatever its Call-ID.
        if (shard_count > 1) {
            settings.sessions.id_suffix = shard_group::mark(i);
            // The pipeline's own answers too (401/407, 403, 420...): their ACK comes back here.
            settings.pipeline.id_suffix = shard_group::mark(i);
        }
        settings.sessions.via_address = local.to_string();
        settings.sessions.sdp_address = local.host_text();
        settings.sessions.max_sessions = config.system().max_sessions / shard_count + 1;
        settings.transactions.limits.max_transactions = transaction_share;
        // The 2·R expirations per second of lingering transactions end in batches, not each in
        // a wake-up of its own (their RFC timers only wait for retransmissions).
        settings.transactions.timers.lingering_slack = std::chrono::milliseconds(16);
        // Tables sized for the whole share up front: growing re-buckets a whole table at once,
        // a pause of tens to hundreds of milliseconds at a million entries that every call in
        // flight feels (p99 setup 137 ms at 20,000 calls/s when sized for 262,144). The price is
        // idle memory: about 16 bytes per transaction of the share (~16 MB for the default).
        // Capped: max_transactions accepts up to 4,294,967,295 (a limit meant as "unlimited"),
        // and reserving that share is three bucket arrays of 8 bytes an entry, zero-filled at
        // start (2.4 GB for 100,000,000; std::bad_alloc, an abort, for 2^32). Beyond the cap the
        // tables grow when reached, as before.
        settings.transactions.limits.expected_transactions =
            std::min<std::size_t>(transaction_share, 4'194'304);
        settings.pipeline.expected_transactions =
            settings.transactions.limits.expected_transactions;
        settings.pipeline.key = key;
        settings.pipeline.digest.issuer = static_cast<std::uint16_t>(i);
        settings.pipeline.limits = {.max_transactions = transaction_share - transaction_share / 10,
                                    .max_dialogs = config.system().max_dialogs / shard_count + 1,
                                    .retry_after_seconds =
                                        settings.transactions.limits.retry_after_seconds};
        auto index = static_cast<unsigned>(i);
        settings.pipeline.on_auth_failure = [index](const auth_failure_report& r) {
            log_auth_failure(index, r);
        };
        app.stacks.push_back(std::make_unique<shard_stack>(shards.at(i), net, registry, identifier,
                                                           std::move(settings)));
    }
    shards.start();
    // The operators' control socket: `parleyd --ctl show channels`.
    std::string control_path = !cli->control_path.empty()
                                   ? cli->control_path
                                   : "/tmp/parleyd-" + std::to_string(local.port) + ".ctl";
    control_server control(control_path, [&](std::string_view command) -> std::string {
        if (command == "show channels") {
            // Shared with the posted work: a shard that answers after the 2 s bound writes
            // into state that is still alive.
            struct gathering {
                std::mutex lock;
                std::vector<std::string> parts;
                std::size_t done = 0;
            };
            auto state = std::make_shared<gathering>();
            state->parts.resize(shards.size());
            for (std::size_t i = 0; i < shards.size(); ++i) {
                shard_stack* stack = app.stacks[i].get();
                shards.at(i).post([stack, state, i] {
                    std::string part;
                    stack->describe(part);
                    std::lock_guard guard(state->lock);
                    state->parts[i] = std::move(part);
                    ++state->done;
                });
            }
            std::vector<std::string> parts;
            for (int waited = 0; waited < 2000; ++waited) {
                {
                    std::lock_guard guard(state->lock);
                    if (state->done == shards.size()) {
                        parts = state->parts;
                        break;
                    }
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            if (parts.empty()) return "a shard did not answer in time\n";
            std::string out = "Channel    Endpoint         Dir  State     Codec Duration  "
                              "Extension/Target\n";
            std::size_t lines = 0;
            for (const std::string& p : parts) {
                out += p;
                lines += static_cast<std::size_t>(std::count(p.begin(), p.end(), '\n'));
            }
            return out + std::to_string(lines) + " active channel(s)\n";
        }
        if (command == "help") return "commands: show channels, help\n";
        return "unknown command: " + std::string(command) + " (try: help)\n";
    });
    std::string control_error;
    if (!control.start(control_error))
        log_event(log_level::warning, "no control socket: " + control_error);
    else
        std::printf("control %s\n", control.path().c_str());
    if (net_options.enable_udp) std::printf("udp %s\n", net.udp_address().to_string().c_str());
    if (net_options.enable_tcp) std::printf("tcp %s\n", net.tcp_address().to_string().c_str());
    log_event(log_level::info, "running with " + std::to_string(shards.size()) +
                                   " shard(s), at most " + std::to_string(max_transactions) +
                                   " transactions, configuration " + config.source());
    int which = 0;
    for (;;) {
        sigwait(&signals, &which);
        if (which != SIGHUP) break;
        // SIGHUP: read the configuration again. A bad file changes nothing (the running
        // snapshot stays); a good one is swapped in on every shard by posting, so established
        // sessions keep the endpoint they began with. Listening addresses need a restart.
        config_load_result reloaded = cli->config_file.empty()
                                          ? default_configuration()
                                          : load_configuration(cli->config_file);
        config_check_report report = describe_load_result(reloaded, cli->config_file);
        std::fputs(report.text.c_str(), reloaded.ok() ? stdout : stderr);
        if (!reloaded.ok()) {
            log_event(log_level::error, "reload refused, the running configuration stays");
            std::fflush(stdout);
            continue;
        }
        auto next = std::make_shared<const endpoint_identifier>(
            reloaded.config, resolve_identify_hosts(*reloaded.config));
        for (std::size_t i = 0; i < shards.size(); ++i) {
            shard_stack* stack = app.stacks[i].get();
            shards.at(i).post([stack, next] { stack->use_identifier(next); });
        }
        log_event(log_level::info, "configuration reloaded");
        std::fflush(stdout);
    }
    // Stop: refuse new calls (503), hang up the active ones, and give their BYEs a bounded
    // time (two seconds and a half, plenty for answers on a working network) before exiting.
    log_event(log_level::info, std::string("stopping (") +
                                   (which == SIGTERM ? "SIGTERM" : "SIGINT") +
                                   "): ending the active calls");
    std::fflush(stdout);
    router->stop_accepting();
    for (std::size_t i = 0; i < shards.size(); ++i) {
        shard_stack* stack = app.stacks[i].get();
        shards.at(i).post([stack] { stack->hang_up_all(); });
    }
    struct count {
        std::atomic<std::size_t> live{0};
        std::atomic<std::size_t> answered{0};
    };
    std::size_t still_up = 0;
    for (int wait = 0; wait < 50; ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto tally = std::make_shared<count>(); // outlives a shard that answers late
        for (std::size_t i = 0; i < shards.size(); ++i) {
            shard_stack* stack = app.stacks[i].get();
            shards.at(i).post([stack, tally] {
                tally->live += stack->live_sessions();
                ++tally->answered;
            });
        }
        for (int waited = 0; tally->answered.load() < shards.size() && waited < 2000; ++waited)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        still_up = tally->live.load();
        if (tally->answered.load() < shards.size()) break; // a stuck shard: stop anyway
        if (still_up == 0) break;
    }
    log_event(log_level::info,
              "stopped (" + std::to_string(still_up) + " session(s) still up were dropped)");
    std::fflush(stdout);
    control.stop();
    shards.stop();
    // Sessions still up end (their last BYE or 487 goes out) while the transport still has its
    // sockets and per-shard state; only then does it stop.
    app.stacks.clear();
    net.stop();
    return 0;
}

} // namespace
} // namespace parley

int main(int argc, char** argv) {
    return parley::run(argc, argv);
}
