// layer_core: the implementation behind transaction_layer (which only forwards to it), shared
// with the machines: the tables, the borrowed environment, the counters, and retirement.
//
// Tables: `by_id_` owns every active transaction and every lingering record (a transaction that
// only waits for its last timer, RFC 6026 Accepted or non-INVITE Completed: lingering.hpp; its
// deadline is in one of `queues_`, FIFO since every record of a queue waits the same delay).
// `clients_` and `servers_` index both kinds by matching key (a view of the key bytes of the
// transaction or record, stable while it lives), so a message is matched with one lookup; the
// hand-over to a record re-points the entry without reallocating it. A retired transaction or
// record leaves its tables at once and waits in a graveyard until the outermost entry (counted by
// entry_guard) returns, so no caller up the stack holds a dangling `this`.
#pragma once

#include "lingering.hpp"
#include "matching.hpp"
#include "transaction.hpp"

#include <parley/base/result.hpp>
#include <parley/base/timer_wheel.hpp>
#include <parley/sip/message.hpp>
#include <parley/transaction/transaction_user.hpp>
#include <parley/transaction/types.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley {

class client_invite;

/// Owns one active transaction or one lingering record, in one word (the low bit says which), so
/// the hand-over from one to the other replaces the owner in place.
class owned_entry {
public:
    explicit owned_entry(std::unique_ptr<transaction> active) noexcept
        : bits_(reinterpret_cast<std::uintptr_t>(active.release())) {}
    explicit owned_entry(lingering::owner record) noexcept
        : bits_(reinterpret_cast<std::uintptr_t>(record.release()) | 1u) {}
    owned_entry(owned_entry&& other) noexcept : bits_(std::exchange(other.bits_, 0)) {}
    owned_entry& operator=(owned_entry&& other) noexcept {
        if (this != &other) {
            reset();
            bits_ = std::exchange(other.bits_, 0);
        }
        return *this;
    }
    ~owned_entry() { reset(); }

    transaction* active() const noexcept {
        return (bits_ & 1u) != 0 ? nullptr : reinterpret_cast<transaction*>(bits_);
    }
    lingering* record() const noexcept {
        return (bits_ & 1u) != 0 ? reinterpret_cast<lingering*>(bits_ & ~std::uintptr_t{1})
                                 : nullptr;
    }
    std::unique_ptr<transaction> take_active() noexcept {
        return std::unique_ptr<transaction>(active() != nullptr ? release() : nullptr);
    }
    lingering::owner take_record() noexcept {
        lingering* r = record();
        if (r != nullptr) bits_ = 0;
        return lingering::owner(r);
    }

private:
    transaction* release() noexcept {
        return reinterpret_cast<transaction*>(std::exchange(bits_, 0));
    }
    void reset() noexcept {
        if (lingering* r = record())
            lingering::deleter{}(r);
        else
            delete active();
        bits_ = 0;
    }
    std::uintptr_t bits_ = 0;
};
static_assert(alignof(transaction) > 1 && alignof(lingering) > 1);

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
    lingering* find_lingering(transaction_id id) const noexcept;
    /// Live transactions, active and lingering.
    std::size_t size() const noexcept { return by_id_.size(); }

    // For the machines.
    /// Starts the layer's own client transaction (the CANCEL of client_invite); exempt from
    /// the limit. Returns null when the branch is taken or the first send fails.
    transaction* start_internal_cancel(std::string bytes, std::string_view branch,
                                       const flow& destination);
    /// Unlinks `t` from every table, tells the TU (unless internal), parks it until the
    /// outermost entry returns.
    void retire(transaction& t) noexcept;
    /// Replaces `t`, which has just entered a state that only waits (lingering.hpp), by a
    /// lingering record that ends `delay` from now (Timer L, M, J or K). The record keeps
    /// t's id, so the TU sees no change; `t` is parked and must not act any more.
    void linger(const transaction& t, std::string_view retained, duration delay);
    /// A message object to parse the layer's own bytes into (ACK and CANCEL construction).
    message& scratch_message() noexcept { return *scratch_message_; }

    message_sender& sender_;
    transaction_user& user_;
    timer_wheel& wheel_;
    transaction_options options_;
    transaction_stats stats_;
    std::uint64_t next_id_ = 1;
    unsigned depth_ = 0;
    std::unordered_map<std::uint64_t, owned_entry> by_id_;
    /// What a matching key names: an active transaction or a lingering record.
    struct index_entry {
        transaction* active = nullptr;
        lingering* record = nullptr;
    };
    using key_index = std::unordered_map<std::string_view, index_entry, key_hash>;
    static_assert(!std::is_nothrow_invocable_v<key_hash, std::string_view>,
                  "key_hash must stay potentially-throwing so the tables cache hash codes");
    key_index clients_;
    key_index servers_;
    std::vector<std::unique_ptr<transaction>> graveyard_;
    std::vector<lingering::owner> lingering_graveyard_;
    std::string key_scratch_; ///< reused for lookups: no allocation per message once warm

private:
    void receive_request(const message& request, const flow& source);
    void receive_response(const message& response, const flow& source);
    void receive_ack(const message& ack, const flow& source);
    void receive_cancel(const message& cancel, const flow& source);
    void new_server_transaction(const message& request, const flow& source);
    /// Sends a response outside any transaction (503 at the limit, a CANCEL answer at the limit).
    void respond_statelessly(const message& request, const flow& source, std::uint16_t status);
    /// A server transaction matched by §17.2.3: active, or lingering, or neither.
    struct server_match {
        transaction* active = nullptr;
        lingering* record = nullptr;
        explicit operator bool() const noexcept { return active != nullptr || record != nullptr; }
        transaction_state state() const noexcept {
            return active != nullptr ? active->state() : record->state();
        }
        transaction_id id() const noexcept {
            return active != nullptr ? active->id() : record->id();
        }
    };
    server_match find_server(const message& request, std::string_view method);
    /// Every record of one queue waits the same delay, so deadlines arrive in order.
    struct expiry {
        time_point deadline;
        transaction_id id;
    };
    struct linger_queue {
        layer_core* core = nullptr;
        duration delay{};
        std::deque<expiry> entries;
        std::size_t live = 0; ///< records not retired yet (entries may hold retired ones)
        timer wake;           ///< armed for the head's deadline while `live` > 0
        void on_wake() noexcept { core->expire(*this); }
    };
    std::uint8_t queue_for(duration delay);
    /// When a queue's wake fires for a head due at `deadline`: rounded up to the grid of
    /// timer_settings::lingering_slack, so the records of every queue due within one period
    /// end in one firing (never early, less than one period late).
    time_point coalesced(time_point deadline) const noexcept;
    void expire(linger_queue& queue) noexcept;
    /// expire() on every queue whose head is due.
    void expire_due() noexcept;
    void retire(lingering& record) noexcept;
    // What a lingering record does; the machine it stands for does the same in that state.
    void lingering_request(lingering& record, const message& request, const flow& source);
    void lingering_response(lingering& record, const message& response);
    result<void> lingering_respond(lingering& record, std::uint16_t status, std::string_view bytes);
    void lingering_transport_failed(lingering& record) noexcept;
    transaction_id next_id() noexcept { return transaction_id{next_id_++}; }
    bool at_limit() const noexcept { return size() >= options_.limits.max_transactions; }
    void adopt(std::unique_ptr<transaction> t, key_index& index);

    std::unique_ptr<message> scratch_message_;
    std::vector<std::unique_ptr<linger_queue>> queues_;
};

/// Counts nested layer entries; the outermost one empties the graveyard on the way out.
class entry_guard {
public:
    explicit entry_guard(layer_core& core) noexcept : core_(core) { ++core_.depth_; }
    ~entry_guard() {
        if (--core_.depth_ == 0) {
            core_.graveyard_.clear();
            core_.lingering_graveyard_.clear();
        }
    }
    entry_guard(const entry_guard&) = delete;
    entry_guard& operator=(const entry_guard&) = delete;

private:
    layer_core& core_;
};

} // namespace parley
