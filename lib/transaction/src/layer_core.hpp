// layer_core: the implementation behind transaction_layer (which only forwards to it), shared
// with the machines: the tables, the borrowed environment, the counters, and retirement.
//
// Tables: `by_id_` owns every live transaction; `clients_` and `servers_` index them by their
// matching key (a view of transaction::key_, stable while the transaction lives). A retired
// transaction leaves all three at once and waits in `graveyard_` until the outermost entry
// (counted by entry_guard) returns, so no caller up the stack holds a dangling `this`.
#pragma once

#include "transaction.hpp"

#include <parley/base/result.hpp>
#include <parley/base/timer_wheel.hpp>
#include <parley/sip/message.hpp>
#include <parley/transaction/transaction_user.hpp>
#include <parley/transaction/types.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley {

class client_invite;

class layer_core {
public:
    layer_core(message_sender& sender, transaction_user& user, timer_wheel& wheel,
               const transaction_options& options);
    ~layer_core();

    // Entries (transaction_layer forwards here).
    void receive(const message& incoming, const flow& source) noexcept;
    result<transaction_id> send_request(std::string bytes, std::string_view branch,
                                        std::string_view method, const flow& destination);
    result<void> respond(transaction_id server, std::uint16_t status, std::string bytes);
    result<void> cancel(transaction_id invite_client);
    void transport_error(const flow& destination) noexcept;
    transaction* find(transaction_id id) const noexcept;

    // For the machines.
    /// Starts the layer's own client transaction (the CANCEL of client_invite); exempt from
    /// the limit. Returns null when the branch is taken or the first send fails.
    transaction* start_internal_cancel(std::string bytes, std::string_view branch,
                                       const flow& destination);
    /// Unlinks `t` from every table, tells the TU (unless internal), parks it until the
    /// outermost entry returns.
    void retire(transaction& t) noexcept;
    /// A message object to parse the layer's own bytes into (ACK and CANCEL construction).
    message& scratch_message() noexcept { return *scratch_message_; }

    message_sender& sender_;
    transaction_user& user_;
    timer_wheel& wheel_;
    transaction_options options_;
    transaction_stats stats_;
    std::uint64_t next_id_ = 1;
    unsigned depth_ = 0;
    std::unordered_map<std::uint64_t, std::unique_ptr<transaction>> by_id_;
    std::unordered_map<std::string_view, transaction*> clients_;
    std::unordered_map<std::string_view, transaction*> servers_;
    std::vector<std::unique_ptr<transaction>> graveyard_;
    std::string key_scratch_; ///< reused for lookups: no allocation per message once warm

private:
    void receive_request(const message& request, const flow& source);
    void receive_response(const message& response, const flow& source);
    void receive_ack(const message& ack, const flow& source);
    void receive_cancel(const message& cancel, const flow& source);
    void new_server_transaction(const message& request, const flow& source);
    /// Sends a response outside any transaction (503 at the limit, a CANCEL answer at the limit).
    void respond_statelessly(const message& request, const flow& source, std::uint16_t status);
    transaction* find_server(const message& request, std::string_view method);
    transaction_id next_id() noexcept { return transaction_id{next_id_++}; }
    bool at_limit() const noexcept { return by_id_.size() >= options_.limits.max_transactions; }
    void adopt(std::unique_ptr<transaction> t,
               std::unordered_map<std::string_view, transaction*>& index);

    std::unique_ptr<message> scratch_message_;
};

/// Counts nested layer entries; the outermost one empties the graveyard on the way out.
class entry_guard {
public:
    explicit entry_guard(layer_core& core) noexcept : core_(core) { ++core_.depth_; }
    ~entry_guard() {
        if (--core_.depth_ == 0) core_.graveyard_.clear();
    }
    entry_guard(const entry_guard&) = delete;
    entry_guard& operator=(const entry_guard&) = delete;

private:
    layer_core& core_;
};

} // namespace parley
