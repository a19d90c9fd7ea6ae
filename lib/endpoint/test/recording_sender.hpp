// The endpoint tests' message_sender: keeps every message sent, for the test to read.
#pragma once

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

} // namespace parley::test
