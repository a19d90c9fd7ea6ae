// parley-minimal-uas: the smallest user agent server built on Parley's network core
// (transport, transaction, dialog). It answers INVITE with 200 and a fixed SDP answer,
// retransmits the 2xx until the ACK arrives (RFC 3261 §13.3.1.4), answers BYE, OPTIONS, CANCEL
// (487) and 481 for requests outside any dialog. It exists to drive the network core with SIPp
// and the load generator until parleyd takes over; it has no configuration beyond flags.
//
//   parley-minimal-uas [--bind 127.0.0.1] [--port 5060] [--shards N] [--no-tcp]
//
// It prints "udp <address>" and "tcp <address>" once listening, then runs until SIGINT/SIGTERM.
#include "../common/uas_server.hpp"

#include <parley/dialog/dialog_set.hpp>
#include <parley/sip/message_writer.hpp>
#include <parley/transaction/transaction_layer.hpp>
#include <parley/transport/transport.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley {
namespace {

const std::string sdp_answer = "v=0\r\n"
                               "o=parley 1 1 IN IP4 127.0.0.1\r\n"
                               "s=-\r\n"
                               "c=IN IP4 127.0.0.1\r\n"
                               "t=0 0\r\n"
                               "m=audio 20000 RTP/AVP 0\r\n"
                               "a=rtpmap:0 PCMU/8000\r\n"
                               "a=sendrecv\r\n";

/// At R calls/s about 64*R transactions linger (RFC 6026 Accepted and Timer J, 32 s each):
/// room for 25,000 calls/s per shard.
transaction_options lingering_allowance() {
    transaction_options o;
    o.limits.max_transactions = 2'000'000;
    o.limits.expected_transactions = 1'600'000; // 64 * 25,000: no re-bucketing pause at the peak
    // The 2·R expirations per second end in batches, not each in a wake-up of its own.
    o.timers.lingering_slack = milliseconds(16);
    return o;
}

/// One shard's stack: its transaction layer, its dialogs, and the UAS logic as the TU.
class shard_stack : public transaction_user, public message_sender {
public:
    shard_stack(shard& home, transport& net, std::string contact)
        : home_(home), net_(net), contact_(std::move(contact)),
          transactions_(*this, *this, home.timers(), lingering_allowance()) {
        tag_prefix_ = std::to_string(std::random_device{}() % 100000) + "-" +
                      std::to_string(home.index()) + "-";
    }

    transaction_layer& transactions() { return transactions_; }

    send_result send(const flow& destination, std::string_view bytes) noexcept override {
        net_.send(home_, destination, bytes);
        return send_result::sent;
    }

    void on_request(const incoming_request& in) noexcept override {
        const message& m = in.request;
        if (!m.request_uri().is_sip() && m.request_uri().scheme != uri_scheme::tel) {
            reply(in, 416);
            return;
        }
        if (!m.to().tag.empty()) {
            in_dialog(in);
            return;
        }
        switch (m.method()) {
        case method::invite: invite(in); break;
        case method::options:
            answer(in.server, 200,
                   response_to(m, 200, {.to_tag = new_tag(), .top_via = in.top_via})
                       .header(header_id::allow, "INVITE, ACK, CANCEL, BYE, OPTIONS")
                       .finish());
            break;
        case method::bye: reply(in, 481); break;
        default: reply(in, 501); break;
        }
    }

    void on_ack(const message& ack, const flow&) noexcept override {
        auto it = calls_.find(key_of(dialog_id_of_received(ack)));
        if (it == calls_.end()) return;
        // §13.3.1.4: the 2xx is acknowledged; its bytes are no longer needed.
        it->second->retransmit.cancel();
        std::string().swap(it->second->ok);
    }

    void on_cancel(transaction_id invite_server, const message& cancel) noexcept override {
        (void)cancel;
        (void)invite_server; // INVITEs are answered at once, so a CANCEL always comes too late
    }

private:
    struct call {
        shard_stack* stack = nullptr;
        dialog* d = nullptr;
        std::string ok;
        flow destination;
        duration interval{};
        time_point deadline{};
        timer retransmit;
        void on_retransmit() { stack->retransmit_ok(*this); }
    };

    /// A refused respond() is this program's mistake (a second final, a stale id): count it.
    void answer(transaction_id id, std::uint16_t status, std::string bytes) {
        if (!transactions_.respond(id, status, std::move(bytes))) ++respond_errors_;
    }

    static std::string key_of(dialog_id_view id) {
        std::string key;
        key.reserve(id.call_id.size() + id.local_tag.size() + id.remote_tag.size() + 2);
        key.append(id.call_id).append(1, '\n').append(id.local_tag).append(1, '\n');
        return key.append(id.remote_tag);
    }
    std::string new_tag() { return tag_prefix_ + std::to_string(++tags_); }

    void reply(const incoming_request& in, std::uint16_t status) {
        answer(
            in.server, status,
            response_to(in.request, status, {.to_tag = new_tag(), .top_via = in.top_via}).finish());
    }

    void invite(const incoming_request& in) {
        std::string tag = new_tag();
        auto created = dialog::create_uas(in.request, tag, contact_);
        if (!created) {
            answer(in.server, created.error_value().status,
                   response_to(in.request, created.error_value().status,
                               {.reason = created.error_value().reason_phrase(),
                                .to_tag = tag,
                                .top_via = in.top_via})
                       .finish());
            return;
        }
        dialog* d = dialogs_.insert(std::move(*created));
        if (d == nullptr) {
            reply(in, 500);
            return;
        }
        auto c = std::make_unique<call>();
        c->stack = this;
        c->d = d;
        c->ok = response_to(in.request, 200, {.to_tag = tag, .top_via = in.top_via})
                    .header(header_id::contact, contact_)
                    .body("application/sdp", sdp_answer)
                    .finish();
        c->destination = in.source;
        c->retransmit.bind<&call::on_retransmit>(c.get());
        answer(in.server, 200, c->ok);
        if (!is_reliable(in.source.protocol)) {
            // RFC 3261 §13.3.1.4: the TU retransmits the 2xx, T1 doubling up to T2, until the ACK.
            c->interval = transactions_.options().timers.t1;
            c->deadline = home_.timers().now() + 64 * transactions_.options().timers.t1;
            home_.timers().schedule_after(c->retransmit, c->interval);
        }
        calls_.emplace(key_of(d->id()), std::move(c));
    }

    void retransmit_ok(call& c) {
        if (home_.timers().now() >= c.deadline) {
            end_call(c.d->id()); // no ACK in 64*T1: the call is over (a BYE would follow here)
            return;
        }
        send(c.destination, c.ok);
        c.interval = std::min(2 * c.interval, transactions_.options().timers.t2);
        home_.timers().schedule_after(c.retransmit, c.interval);
    }

    void in_dialog(const incoming_request& in) {
        const message& m = in.request;
        dialog* d = dialogs_.match_request(m);
        if (d == nullptr) {
            reply(in, 481);
            return;
        }
        if (auto ordered = d->receive_request(m); !ordered) {
            reply(in, ordered.error_value().status);
            return;
        }
        std::uint16_t status = m.method() == method::bye || m.method() == method::invite ||
                                       m.method() == method::options
                                   ? 200
                                   : 501;
        if (m.method() == method::invite) {
            answer(in.server, 200,
                   response_to(m, 200, {.top_via = in.top_via})
                       .header(header_id::contact, contact_)
                       .body("application/sdp", sdp_answer)
                       .finish());
            return;
        }
        reply(in, status);
        if (m.method() == method::bye) end_call(d->id());
    }

    void end_call(dialog_id id) {
        calls_.erase(key_of(id));
        dialogs_.erase(id);
    }

    shard& home_;
    transport& net_;
    std::string contact_;
    transaction_layer transactions_;
    dialog_table dialogs_;
    std::unordered_map<std::string, std::unique_ptr<call>> calls_;
    std::string tag_prefix_;
    std::uint64_t tags_ = 0;
    std::uint64_t respond_errors_ = 0;
};

int run(int argc, char** argv) {
    const char* program = "parley-minimal-uas";
    auto flags = tools::parse_uas_flags(program, argc, argv);
    if (!flags) return 2;
    return tools::serve<shard_stack>(
        program, *flags, [](shard& home, transport& net, shard_group&) {
            return std::make_unique<shard_stack>(home, net,
                                                 "<sip:uas@" + net.udp_address().to_string() + ">");
        });
}

} // namespace
} // namespace parley

int main(int argc, char** argv) {
    return parley::run(argc, argv);
}
