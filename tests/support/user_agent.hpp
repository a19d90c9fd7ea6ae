// user_agent: what the scenario tests' UAC and UAS share. Each is a transaction_user on its own
// transaction_layer and dialog_table, with one sim_endpoint (its address on the sim_network) and
// the network's timer_wheel as its clock.
//
// The helpers here build what both sides send: Via values with fresh branches, tags, the flow
// to a remote target URI, the ACK for a 2xx (RFC 3261 §13.2.2.4: not a transaction, sent
// straight to the network), a BYE in a dialog (RFC 3261 §15.1.1), and answers to requests.
// Ownership: the user agent owns its layer and dialogs; the network owns the endpoint and
// outlives the user agent. Single-threaded.
#pragma once

#include "sim_network.hpp"

#include <parley/dialog/dialog_set.hpp>
#include <parley/sip/message_writer.hpp>
#include <parley/transaction/transaction_layer.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::test {

/// The SDP offer (INVITE) and answer (200) of the tests: small, and parsed by nobody here.
std::string_view sdp_offer();
std::string_view sdp_answer();

class user_agent : public transaction_user {
public:
    user_agent(sim_network& network, std::string user, const socket_address& address,
               const transaction_options& options);
    user_agent(const user_agent&) = delete;
    user_agent& operator=(const user_agent&) = delete;

    transaction_layer& transactions() noexcept { return transactions_; }
    const dialog_table& dialogs() const noexcept { return dialogs_; }
    sim_endpoint& endpoint() noexcept { return endpoint_; }
    const std::string& user() const noexcept { return user_; }
    const std::string& contact() const noexcept { return contact_; }
    /// Calls (and their helpers) the user agent still keeps: 0 when it is idle.
    virtual std::size_t live_state() const noexcept = 0;
    /// respond()/send_request() calls the layer refused: the user agent's own mistakes.
    std::uint64_t refused_calls() const noexcept { return refused_calls_; }

protected:
    std::string new_branch();
    std::string new_tag();
    /// "SIP/2.0/UDP 10.0.0.1:5060;branch=<branch>;rport".
    std::string via(std::string_view branch) const;
    flow flow_to(const socket_address& remote) const;
    /// The flow to a SIP URI's host and port (numeric hosts only, as in these tests).
    std::optional<flow> flow_to_uri(std::string_view uri_text) const;
    long long now_ms() const noexcept { return network_.now_ms(); }
    const timer_settings& timers() const noexcept { return transactions_.options().timers; }

    /// RFC 3261 §13.2.2.4: the ACK for a 2xx, CSeq number of the INVITE, a new branch, to the
    /// remote target; through the network directly.
    void send_ack(dialog& d, std::uint32_t invite_cseq);
    /// RFC 3261 §15.1.1: a BYE in `d`, as a new client transaction; a zero id when refused.
    transaction_id send_bye(dialog& d);
    /// Answers `in` with `status`, a new To tag when the request has none.
    void reply(const incoming_request& in, std::uint16_t status);
    void respond(transaction_id server, std::uint16_t status, std::string bytes);

    static std::string key_of(const dialog_id& id) {
        return id.call_id + '\n' + id.local_tag + '\n' + id.remote_tag;
    }

    sim_network& network_;
    timer_wheel& wheel_;
    sim_endpoint& endpoint_;
    std::string user_;
    std::string contact_;
    transaction_layer transactions_;
    dialog_table dialogs_;
    std::uint64_t counter_ = 0;
    std::uint64_t refused_calls_ = 0;
};

} // namespace parley::test
