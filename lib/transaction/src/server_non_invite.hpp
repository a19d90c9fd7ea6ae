// server_non_invite: the RFC 3261 §17.2.2 non-INVITE server transaction (figure 8).
//
//                               |Request received
//                               |pass to TU
//                               V
//                         +-----------+
//                         |           |
//                         | Trying    |-------------+
//                         |           |             |
//                         +-----------+             |200-699 from TU
//                               |                   |send response
//                               |1xx from TU        |
//                               |send response      |
//                               |                   |
//            Request            V      1xx from TU  |
//            send response+-----------+send response|
//                +--------|           |--------+    |
//                |        | Proceeding|        |    |
//                +------->|           |<-------+    |
//         +<--------------|           |             |
//         |Trnsprt Err    +-----------+             |
//         |Inform TU            |                   |
//         |                     |                   |
//         |                     |200-699 from TU    |
//         |                     |send response      |
//         |  Request            V                   |
//         |  send response+-----------+             |
//         |      +--------|           |             |
//         |      |        | Completed |<------------+
//         |      +------->|           |
//         +<--------------|           |
//         |Trnsprt Err    +-----------+
//         |Inform TU            |
//         |                     |Timer J fires
//         |                     |-
//         |                     |
//         |                     V
//         |               +-----------+
//         |               |           |
//         +-------------->| Terminated|
//                         |           |
//                         +-----------+
//
// Timer J = 64*T1 over UDP, 0 over reliable transports. Trying absorbs retransmissions
// silently; Proceeding and Completed resend the last response. The layer also uses this machine
// for its own answer to a CANCEL (200, or 481 when it matches nothing). Completed over UDP is held
// by a compact lingering record (lingering.hpp, layer_core) keeping only the final response.
#pragma once

#include "transaction.hpp"

namespace parley {

class server_non_invite final : public transaction {
public:
    server_non_invite(layer_core& core, transaction_id id, std::string key,
                      const flow& destination) noexcept;

    void receive_request(const message& request, const flow& source) noexcept override;
    result<void> respond(std::uint16_t status, std::string bytes) override;
    void transport_failed() noexcept override;

private:
    void on_state_timer() noexcept override;
};

} // namespace parley
