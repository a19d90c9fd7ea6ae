// client_non_invite: the RFC 3261 §17.1.2 non-INVITE client transaction (figure 6).
//
//                            |Request from TU
//                            |send request
//        Timer E             V
//        send request  +-----------+
//            +---------|           |-------------------+
//            |         |  Trying   |  Timer F          |
//            +-------->|           |  or Transport Err.|
//                      +-----------+  inform TU        |
//         200-699         |  |                         |
//         resp. to TU     |  |1xx                      |
//         +---------------+  |resp. to TU              |
//         |                  |                         |
//         |   Timer E        V       Timer F           |
//         |   send req +-----------+ or Transport Err. |
//         |  +---------|           | inform TU         |
//         |  |         |Proceeding |------------------>|
//         |  +-------->|           |-----+             |
//         |            +-----------+     |1xx          |
//         |              |      ^        |resp to TU   |
//         | 200-699      |      +--------+             |
//         | resp. to TU  |                             |
//         |              |                             |
//         |              V                             |
//         |            +-----------+                   |
//         |            |           |                   |
//         |            | Completed |                   |
//         |            |           |                   |
//         |            +-----------+                   |
//         |              ^   |                         |
//         |              |   | Timer K                 |
//         +--------------+   | -                       |
//                            |                         |
//                            V                         |
//      NOTE:           +-----------+                   |
//                      |           |                   |
//  transitions         | Terminated|<------------------+
//  labeled with        |           |
//  the event           +-----------+
//  over the action
//  to take
//
// Timers (UDP / reliable): E = T1 doubling to T2 in Trying, T2 in Proceeding / none;
// F = 64*T1 / 64*T1; K = T4 / 0. The request bytes are freed on the final response; Completed
// over UDP is held by a compact lingering record (lingering.hpp, layer_core).
#pragma once

#include "transaction.hpp"

namespace parley {

class client_non_invite final : public transaction {
public:
    client_non_invite(layer_core& core, transaction_id id, std::string key, const flow& destination,
                      std::string request) noexcept;
    /// Starts the timers; the layer has sent the first copy already.
    void start() noexcept;

    void receive_response(const message& response, const flow& source) noexcept override;
    void transport_failed() noexcept override;

private:
    void on_retransmit_timer() noexcept override;
    void on_state_timer() noexcept override;
};

} // namespace parley
