// test_uac: the calling user agent of the scenario tests.
//
// Each call: INVITE with an SDP offer to the peer address; 1xx build early dialogs in a
// dialog_set (forking: one per To tag); every 2xx is ACKed, retransmissions included (RFC 3261
// §13.2.2.4, RFC 6026 §7.2), the first one's dialog is held for call_options::hold and then
// ended with BYE, every later 2xx from another To tag is ACKed and BYEd at once. A call can be
// CANCELled (RFC 3261 §9.1) after a fixed time, and is always cancelled after no_answer_timeout
// (Timer B does not run once a provisional arrived: the TU bounds ringing). A 2xx matching no
// transaction (after Timer M) is ACKed and BYEd too. A BYE from the peer is answered 200 (481
// for no dialog). Each call ends with a call_record that says how it went.
//
//   call:   INVITE --1xx--> ringing --2xx--> answered --hold--> BYE --final--> completed
//             |                |                |                               (bye_failed)
//             |                +-- our CANCEL --+--> 487: cancelled     peer BYE: ended_by_peer
//             +-- non-2xx: rejected;  Timer B / §9.1 wait: timed_out
//
// A call's state is kept until its last transaction has terminated and its timers are idle,
// so nothing is left behind once live_state() is 0.
#pragma once

#include "user_agent.hpp"

#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace parley::test {

struct call_options {
    milliseconds hold{2000}; ///< from the first 2xx to our BYE
    /// CANCEL this long after the INVITE when no final response has arrived by then.
    std::optional<milliseconds> cancel_after{};
    /// CANCEL when nothing final arrived by then (a phone gives up ringing).
    milliseconds no_answer_timeout{60000};
    /// false: never ACK a 2xx (to test the UAS's RFC 3261 §13.3.1.4 give-up).
    bool send_ack = true;
};

enum class call_outcome : std::uint8_t {
    pending,
    completed,       ///< answered; our BYE got a 2xx
    ended_by_peer,   ///< answered; the peer sent BYE first
    bye_failed,      ///< answered; our BYE timed out, got a non-2xx or was refused (503)
    rejected,        ///< a non-2xx final (not the 487 after our CANCEL)
    cancelled,       ///< our CANCEL worked: 487
    timed_out,       ///< Timer B, or the RFC 3261 §9.1 wait after CANCEL (a 408)
    transport_error, ///< the network refused the INVITE
};
std::string_view to_string(call_outcome outcome) noexcept;

struct call_record {
    std::string call_id;
    call_outcome outcome = call_outcome::pending;
    std::uint16_t final_status = 0; ///< the INVITE's first final (408 for a timeout)
    std::uint16_t bye_status = 0;   ///< our BYE's final (408 for a timeout)
    bool cancel_sent = false;
    unsigned provisionals = 0;  ///< 1xx received (100 included)
    unsigned early_dialogs = 0; ///< To tags seen in a 1xx
    unsigned answers = 0;       ///< dialogs confirmed by a 2xx (more than 1: forking)
    unsigned acks_sent = 0;
    unsigned byes_sent = 0;
    long long started_ms = -1;
    long long answered_ms = -1;
    long long ended_ms = -1;
};

class test_uac final : public user_agent {
public:
    test_uac(sim_network& network, const socket_address& address, const socket_address& peer,
             const transaction_options& options = {}, std::string user = "alice");

    /// Sends an INVITE now; returns the index of its record in records().
    std::size_t start_call(const call_options& options = {});

    const std::vector<call_record>& records() const noexcept { return records_; }
    std::size_t live_state() const noexcept override { return calls_.size() + orphans_.size(); }
    /// 2xx that matched no transaction (RFC 6026 §7.2 strays), and of those, ones for a call
    /// this UAC no longer knew (ACKed and BYEd from the response alone).
    std::uint64_t strays() const noexcept { return strays_; }
    std::uint64_t orphan_byes() const noexcept { return orphan_byes_; }
    /// 2xx whose dialog the dialog_set left terminated (a 2xx after a non-2xx final: see
    /// tests/scenario/dialog_layer_findings_test.cpp). The UAC ACKs and BYEs it all the same.
    std::uint64_t terminated_dialog_2xx() const noexcept { return terminated_dialog_2xx_; }

    void on_request(const incoming_request& in) noexcept override;
    void on_response(transaction_id client, const message& response) noexcept override;
    void on_stray_response(const message& response, const flow& source) noexcept override;
    void on_client_failure(transaction_id client, failure_reason why) noexcept override;
    void on_terminated(transaction_id id) noexcept override;

private:
    struct call {
        test_uac* owner = nullptr;
        std::size_t record = 0;
        call_options options;
        std::unique_ptr<message> invite; ///< our INVITE, parsed (dialog_set needs it)
        transaction_id invite_transaction;
        dialog_set dialogs;
        std::string main_tag;                ///< the To tag of the first 2xx
        std::vector<std::string> ended_tags; ///< dialogs we BYEd or the peer ended
        std::vector<std::uint64_t> live_transactions;
        std::map<std::uint64_t, std::string> bye_tags; ///< our BYE transactions: whose dialog
        unsigned pending_byes = 0;
        bool final_received = false;
        timer hold_timer;
        timer cancel_timer;
        timer no_answer_timer;
        explicit call(std::string contact) : dialogs(std::move(contact)) {}
        void on_hold_over() { owner->hang_up(*this); }
        void on_cancel_time() { owner->cancel_call(*this); }
    };

    call_record& record_of(call& c) { return records_[c.record]; }
    call* find_call(std::string_view call_id);
    void track(call& c, transaction_id id);
    void invite_response(call& c, const message& response);
    void answered(call& c, const message& response);
    void bye_done(call& c, const std::string& remote_tag, std::uint16_t status);
    void hang_up(call& c);
    void end_dialog(call& c, dialog& d);
    void cancel_call(call& c);
    void finish(call& c, call_outcome outcome);
    void maybe_forget(call& c);
    void orphan_stray(const message& response);

    socket_address peer_;
    std::vector<call_record> records_;
    std::unordered_map<std::string, std::unique_ptr<call>> calls_; ///< by Call-ID
    std::unordered_map<std::uint64_t, call*> by_transaction_;
    /// BYEs for strays of forgotten calls, by transaction, with the dialog built for them.
    std::map<std::uint64_t, std::unique_ptr<dialog>> orphans_;
    std::uint64_t strays_ = 0;
    std::uint64_t orphan_byes_ = 0;
    std::uint64_t terminated_dialog_2xx_ = 0;
};

} // namespace parley::test
