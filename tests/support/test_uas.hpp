// test_uas: the called user agent of the scenario tests, after tools/minimal_uas.
//
// An INVITE creates a UAS dialog (RFC 3261 §12.1.1) and is answered by its answer_plan:
// optionally 180 Ringing at once, then, after answer_after, 200 with an SDP answer or a
// rejection (486, ...). The 2xx is retransmitted by this TU, T1 doubling up to T2, until the ACK
// arrives (RFC 3261 §13.3.1.4); without an ACK after 64*T1 the call is ended with a BYE. A
// CANCEL before the answer gets the INVITE a 487 (the layer answers the CANCEL itself); a BYE
// is answered 200, or 481 when it matches no dialog (§12.2.2). A call still up after
// session_limit is ended with a BYE too; one whose INVITE transaction fails before the answer
// (a refused 1xx) is dropped.
//
//   INVITE --> offered --answer_after--> 200: answered --ACK--> confirmed --BYE--> gone
//               |   |                        |                     |
//               |   +--> 486: gone           +--64*T1, no ACK--+   +--session_limit--+
//               +--CANCEL--> 487: gone                         v                     v
//                                                      ending (our BYE) --final--> gone
//
// A call's state is dropped as soon as it is over; the transactions finish on their own.
#pragma once

#include "user_agent.hpp"

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace parley::test {

struct answer_plan {
    bool ring = false;            ///< send 180 Ringing first
    milliseconds answer_after{0}; ///< from the INVITE to the final response
    std::uint16_t status = 200;   ///< 200, or the rejection to send (486, 603, ...)
    /// A call still up this long after the answer is ended with our BYE (what a session timer
    /// or a media timeout does in a real UA): a call whose BYE never arrived ends too.
    milliseconds session_limit{120000};
};

struct uas_counters {
    std::uint64_t invites = 0;
    std::uint64_t answered = 0;
    std::uint64_t rejected = 0;
    std::uint64_t cancelled = 0;  ///< INVITEs answered 487
    std::uint64_t acks = 0;       ///< 2xx ACKs that confirmed a call
    std::uint64_t other_acks = 0; ///< retransmitted or late ACKs
    std::uint64_t ok_retransmissions = 0;
    std::uint64_t gave_up = 0;         ///< no ACK in 64*T1: BYE sent
    std::uint64_t session_limits = 0;  ///< calls ended by answer_plan::session_limit
    std::uint64_t byes = 0;            ///< BYEs answered 200
    std::uint64_t unknown_dialog = 0;  ///< in-dialog requests answered 481
    std::uint64_t server_failures = 0; ///< INVITE transactions failed before the answer
};

class test_uas final : public user_agent {
public:
    test_uas(sim_network& network, const socket_address& address,
             const transaction_options& options = {}, std::string user = "bob");

    /// How to answer; plan_for, when set, chooses per INVITE instead.
    answer_plan default_plan{};
    std::function<answer_plan(const message& invite)> plan_for;

    const uas_counters& counters() const noexcept { return counters_; }
    std::size_t live_state() const noexcept override { return calls_.size(); }

    void on_request(const incoming_request& in) noexcept override;
    void on_ack(const message& ack, const flow& source) noexcept override;
    void on_cancel(transaction_id invite_server, const message& cancel) noexcept override;
    void on_response(transaction_id client, const message& response) noexcept override;
    void on_client_failure(transaction_id client, failure_reason why) noexcept override;
    void on_server_failure(transaction_id server, failure_reason why) noexcept override;
    void on_terminated(transaction_id id) noexcept override;

private:
    enum class stage : std::uint8_t { offered, answered, confirmed, ending };
    struct call {
        test_uas* owner = nullptr;
        dialog_id id;
        transaction_id server;
        answer_plan plan;
        stage at = stage::offered;
        // Built while the INVITE is at hand: the TU answers later.
        std::string ringing;
        std::string ok;
        std::string rejection;
        std::string request_terminated;
        flow destination; ///< where 2xx retransmissions go (RFC 3261 §18.2.2)
        duration interval{};
        time_point give_up_at{};
        timer answer_timer;
        timer retransmit_timer;
        timer session_timer;
        std::vector<std::uint64_t> transactions; ///< in by_transaction_
        void on_answer_time() { owner->answer(*this); }
        void on_retransmit_time() { owner->retransmit_ok(*this); }
        void on_session_limit() { owner->session_limit_reached(*this); }
    };

    void new_call(const incoming_request& in);
    void in_dialog(const incoming_request& in);
    void answer(call& c);
    void retransmit_ok(call& c);
    void end_with_bye(call& c);
    void session_limit_reached(call& c);
    void track(call& c, transaction_id id);
    /// The INVITE's final response is going out: from now on its transaction's failures and
    /// CANCELs are no longer the call's business.
    void release_server(call& c);
    void forget(call& c);
    call* find_call(const dialog_id& id);

    uas_counters counters_;
    std::unordered_map<std::string, std::unique_ptr<call>> calls_; ///< by dialog id
    /// The INVITE server transaction until the final response, and our BYE.
    std::unordered_map<std::uint64_t, call*> by_transaction_;
};

} // namespace parley::test
