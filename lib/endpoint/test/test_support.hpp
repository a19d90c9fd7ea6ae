// What the endpoint tests share: a message_sender that keeps every message sent, and a
// transaction_user that forwards to a TU built after the transaction layer.
#pragma once

#include "tu_relay.hpp"

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

using relay = tu_relay;

} // namespace parley::test
