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
#include "../common/uas_server.hpp"

#include <parley/ext/null_media.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/transaction/transaction_layer.hpp>
#include <parley/transport/transport.hpp>

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

int run(int argc, char** argv) {
    const char* program = "parley-session-uas";
    auto flags = tools::parse_uas_flags(program, argc, argv);
    if (!flags) return 2;
    // One SDP handler for every shard, made once the transport knows its address.
    extension_registry registry;
    registration audio;
    return tools::serve<shard_stack>(
        program, *flags, [&](shard& home, transport& net, shard_group& shards) {
            const socket_address local = net.udp_address();
            if (!audio.active())
                audio = registry.add_sdp_handler(
                    "audio",
                    std::make_shared<ext::null_media>(
                        ext::null_media_options{.address = local.host_text()}),
                    "null");
            session_layer_options sessions;
            sessions.contact = "<sip:uas@" + local.to_string() + ">";
            sessions.via_address = local.to_string();
            sessions.sdp_address = local.host_text();
            sessions.max_sessions = 2'000'000; // held-call benchmarks go to 100,000 and beyond
            if (shards.size() > 1) sessions.id_suffix = shard_group::mark(home.index());
            return std::make_unique<shard_stack>(home, net, registry, std::move(sessions));
        });
}

} // namespace
} // namespace parley

int main(int argc, char** argv) {
    return parley::run(argc, argv);
}
