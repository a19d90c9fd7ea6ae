// lingering: the compact form of a transaction whose machine has nothing left to do but wait
// for its last timer and answer what still arrives:
//   - INVITE server in RFC 6026 §7.1 Accepted (Timer L = 64*T1): INVITE retransmissions are
//     absorbed, an ACK goes to the TU, the TU may send further 2xx through it;
//   - INVITE client in RFC 6026 §7.2 Accepted (Timer M = 64*T1): every 2xx goes to the TU;
//   - non-INVITE server in RFC 3261 §17.2.2 Completed (Timer J = 64*T1 over UDP): a
//     retransmitted request gets the final response again;
//   - non-INVITE client in RFC 3261 §17.1.2.2 Completed (Timer K = T4 over UDP): responses are
//     absorbed.
// At R calls/s a server holds about 64*R of these (32 s each) against a handful of active
// transactions, so they keep only what those states use, in one allocation: id, kind, state,
// the matching key, the destination (server kinds, which may still send) and the final response
// bytes (non-INVITE server). They have no timer of their own: every record waiting the same
// delay sits in one FIFO queue of layer_core, whose one timer fires for its head (with
// timer_settings::lingering_slack, at the next multiple of the slack, and a message reaching
// the layer first ends every record that came due).
//
// layer_core owns the records (lingering::owner) and implements their behaviour next to the
// machines' dispatch; a record is never seen by the TU, which keeps using the transaction_id.
#pragma once

#include <parley/transaction/types.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>

namespace parley {

class lingering {
public:
    struct deleter {
        void operator()(lingering* record) const noexcept {
            record->~lingering();
            ::operator delete(static_cast<void*>(record));
        }
    };
    using owner = std::unique_ptr<lingering, deleter>;

    /// A record for a transaction in one of the states above. `destination` is kept for the
    /// server kinds only; `retained` is what a Completed non-INVITE server resends.
    static owner make(transaction_id id, transaction_kind kind, transaction_state state,
                      bool internal, std::string_view key, const flow& destination,
                      std::string_view retained, std::uint8_t queue) {
        bool server =
            kind == transaction_kind::server_invite || kind == transaction_kind::server_non_invite;
        std::size_t size =
            sizeof(lingering) + (server ? sizeof(flow) : 0) + key.size() + retained.size();
        void* memory = ::operator new(size);
        owner record(new (memory) lingering());
        record->id_ = id;
        record->key_size_ = static_cast<std::uint32_t>(key.size());
        record->retained_size_ = static_cast<std::uint32_t>(retained.size());
        record->kind_ = kind;
        record->state_ = state;
        record->internal_ = internal;
        record->queue_ = queue;
        char* bytes = record->bytes();
        if (server) new (bytes) flow(destination);
        std::memcpy(record->key_bytes(), key.data(), key.size());
        std::memcpy(record->key_bytes() + key.size(), retained.data(), retained.size());
        return record;
    }

    transaction_id id() const noexcept { return id_; }
    transaction_kind kind() const noexcept { return kind_; }
    transaction_state state() const noexcept { return state_; }
    bool terminated() const noexcept { return state_ == transaction_state::terminated; }
    void mark_terminated() noexcept { state_ = transaction_state::terminated; }
    bool internal() const noexcept { return internal_; }
    bool is_client() const noexcept {
        return kind_ == transaction_kind::client_invite ||
               kind_ == transaction_kind::client_non_invite;
    }
    /// Which of layer_core's expiry queues holds it.
    std::uint8_t queue() const noexcept { return queue_; }
    std::string_view key() const noexcept { return {key_bytes(), key_size_}; }
    std::string_view retained() const noexcept { return {key_bytes() + key_size_, retained_size_}; }
    /// Server kinds only.
    const flow& destination() const noexcept {
        return *std::launder(reinterpret_cast<const flow*>(bytes()));
    }

private:
    lingering() = default;
    char* bytes() noexcept { return reinterpret_cast<char*>(this + 1); }
    const char* bytes() const noexcept { return reinterpret_cast<const char*>(this + 1); }
    const char* key_bytes() const noexcept { return bytes() + (is_client() ? 0 : sizeof(flow)); }
    char* key_bytes() noexcept { return bytes() + (is_client() ? 0 : sizeof(flow)); }

    transaction_id id_;
    std::uint32_t key_size_ = 0;
    std::uint32_t retained_size_ = 0;
    transaction_kind kind_{};
    transaction_state state_{};
    bool internal_ = false;
    std::uint8_t queue_ = 0;
};

// The destination follows the header directly, so the header keeps its alignment.
static_assert(sizeof(lingering) % alignof(flow) == 0);
static_assert(std::is_trivially_destructible_v<flow>);

} // namespace parley
