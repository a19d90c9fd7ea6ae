// What the endpoint tests share: a message_sender that keeps every message sent, and a
// transaction_user that forwards to a TU built after the transaction layer.
#pragma once

#include <parley/transaction/transaction_user.hpp>
#include <parley/transaction/types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace parley::test {

struct recording_sender : message_sender {
    std::vector<std::string> sent;
    send_result send(const flow&, std::string_view bytes) noexcept override {
        sent.emplace_back(bytes);
        return send_result::sent;
    }
};

/// Forwards the transaction layer's hooks to `to` (a distributor built after the layer).
struct relay final : transaction_user {
    transaction_user* to = nullptr;
    void on_request(const incoming_request& r) noexcept override { to->on_request(r); }
    void on_ack(const message& a, const flow& f) noexcept override { to->on_ack(a, f); }
    void on_cancel(transaction_id t, const message& c) noexcept override { to->on_cancel(t, c); }
    void on_terminated(transaction_id t) noexcept override { to->on_terminated(t); }
};

} // namespace parley::test
