// generator: one load-generating thread. It owns its sockets (network), a timer wheel, a
// transaction layer (retransmissions over UDP, Timer B/F timeouts, RFC 6026) and the calls it
// started; it is the layer's transaction_user (the scenario driver) and its message_sender.
// Nothing is shared with other generator threads: each starts rate/N calls/s and counts into
// its own run_stats, which main() merges once every thread has finished.
//
// Pacing: a timer fires every tick (1 ms) and starts every call due by then,
// floor(rate * elapsed) in all, so high rates go out in batches per tick and the average rate
// is exact whatever the tick jitter. A call due while --max-concurrent calls are alive is not
// started and counted (not_started): the offered load stays paced instead of bursting later.
//
//   run(): generating ──(calls or duration reached, or stop())──► draining
//          draining ──(no call alive, drain time over, or a second stop())──► done
#pragma once

#include "network.hpp"
#include "options.hpp"
#include "stats.hpp"

#include <parley/base/timer_wheel.hpp>
#include <parley/dialog/dialog.hpp>
#include <parley/transaction/transaction_layer.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::load {

/// This thread's share of the run.
struct thread_share {
    unsigned index = 0;
    double rate = 0;                    ///< calls/s
    std::optional<std::uint64_t> calls; ///< calls to start
    std::uint64_t max_concurrent = 0;
};

/// What the generator's threads read to stop early (SIGINT): 1 = stop starting calls,
/// 2 = stop draining too.
using stop_flag = std::atomic<int>;

class generator final : public transaction_user, public message_sender, public network_user {
public:
    generator(const load_options& options, thread_share share, const stop_flag& stop);
    ~generator() override;

    /// Opens the sockets; an error message, or "" when ready.
    std::string open();
    /// Runs the whole load on the calling thread; returns when done.
    void run();

    const run_stats& stats() const noexcept { return stats_; }

    // message_sender
    send_result send(const flow& destination, std::string_view bytes) noexcept override;
    // transaction_user
    void on_request(const incoming_request& request) noexcept override;
    void on_response(transaction_id client, const message& response) noexcept override;
    void on_stray_response(const message& response, const flow& source) noexcept override;
    void on_client_failure(transaction_id client, failure_reason why) noexcept override;
    // network_user
    void on_packet(std::string_view bytes, const flow& source,
                   transport_framing framing) noexcept override;
    void on_batch_start() noexcept override;
    void on_flow_error(const flow& f) noexcept override;

private:
    enum class phase : std::uint8_t { inviting, held, reinviting, held_again, ending, asking };
    enum class failure : std::uint8_t { status, timeout, transport, local };

    struct call {
        generator* owner = nullptr;
        std::uint32_t slot = 0;
        scenario_kind kind = scenario_kind::basic;
        phase state = phase::inviting;
        std::uint16_t socket = 0;
        std::uint32_t invite_cseq = 1;
        transaction_id pending; ///< the client transaction we wait on
        std::string call_id;
        std::string invite;        ///< our INVITE, for dialog::create_uac at the 2xx
        std::string ack;           ///< the last ACK sent, resent for a repeated 2xx
        std::optional<dialog> leg; ///< the confirmed dialog
        time_point started{};      ///< steady clock, ns
        timer hold;
        void on_hold() { owner->hold_over(*this); }
    };

    void on_pace();
    /// A setup (INVITE or OPTIONS → 200) of a call started at `started` ends now.
    void record_setup(time_point started);
    void start_call(scenario_kind kind);
    scenario_kind next_scenario();
    call* find_call(std::string_view call_id) noexcept;
    void track(call& c, transaction_id id);
    void untrack(call& c);
    void release(call& c);
    void complete(call& c);
    void fail(call& c, failure why, std::uint16_t status = 0);

    // The call flows (calls.cpp).
    void send_invite(call& c);
    void send_options(call& c);
    void invite_answered(call& c, const message& ok);
    void reinvite_answered(call& c, const message& ok);
    void send_ack(call& c, std::uint32_t cseq, std::string_view body);
    void repeat_ack(const message& ok);
    void hold_over(call& c);
    void send_bye(call& c);
    void send_reinvite(call& c);
    std::optional<transaction_id>
    start_transaction(call& c, std::string bytes, std::string_view branch, std::string_view method);
    std::string next_branch();
    std::string via_of(const call& c, std::string_view branch) const;

    const load_options& options_;
    thread_share share_;
    const stop_flag& stop_;
    network net_;
    timer_wheel wheel_;
    transaction_layer transactions_;
    run_stats stats_;

    // Per-socket text used in every request.
    std::vector<std::string> via_prefix_; ///< "SIP/2.0/UDP host:port;rport;branch="
    std::vector<std::string> contact_;    ///< "<sip:user@host:port>"
    std::vector<std::string> from_uri_;   ///< "<sip:user@host>"
    std::string request_uri_;
    std::string to_;
    std::string sdp_offer_;
    std::string sdp_reoffer_;
    std::string sdp_answer_;
    std::string run_tag_;

    std::vector<std::unique_ptr<call>> calls_; ///< by slot; null when free
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t alive_ = 0;
    std::unordered_map<std::uint64_t, std::uint32_t> by_transaction_;

    timer pace_;
    time_point generation_start_{};
    std::uint64_t due_handled_ = 0; ///< calls started or skipped so far
    std::uint64_t serial_ = 0;
    std::uint64_t branches_ = 0;
    std::uint64_t mix_counter_ = 0;
    bool generating_ = false;
    time_point now_{};        ///< read once per received batch
    int sending_context_ = 0; ///< >0 inside send_request/receive: first sends, not resends
    message scratch_in_;      ///< each received message, parsed in place
    message scratch_request_; ///< our INVITE re-parsed for dialog::create_uac
};

} // namespace parley::load
