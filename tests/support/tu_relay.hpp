// tu_relay: forwards every hook of a transaction layer to a transaction user built after it (in
// the server the shard's distributor plays this part). Header-only and free of any test
// framework: the layer tests and the fuzz targets share it.
#pragma once

#include <parley/transaction/transaction_user.hpp>

namespace parley::test {

struct tu_relay final : transaction_user {
    /// Null once the user is gone (a fuzz run that destroys its session layer first): the
    /// hooks of the transactions left behind then reach nobody.
    transaction_user* to = nullptr;
    void on_request(const incoming_request& r) noexcept override {
        if (to != nullptr) to->on_request(r);
    }
    void on_ack(const message& a, const flow& f) noexcept override {
        if (to != nullptr) to->on_ack(a, f);
    }
    void on_cancel(transaction_id t, const message& c) noexcept override {
        if (to != nullptr) to->on_cancel(t, c);
    }
    void on_response(transaction_id t, const message& r) noexcept override {
        if (to != nullptr) to->on_response(t, r);
    }
    void on_stray_response(const message& r, const flow& f) noexcept override {
        if (to != nullptr) to->on_stray_response(r, f);
    }
    void on_client_failure(transaction_id t, failure_reason w) noexcept override {
        if (to != nullptr) to->on_client_failure(t, w);
    }
    void on_server_failure(transaction_id t, failure_reason w) noexcept override {
        if (to != nullptr) to->on_server_failure(t, w);
    }
    void on_terminated(transaction_id t) noexcept override {
        if (to != nullptr) to->on_terminated(t);
    }
};

} // namespace parley::test
