// client_invite: the RFC 3261 §17.1.1 INVITE client transaction (figure 5) as updated by
// RFC 6026 §7.2, §8 (a 2xx leads to Accepted instead of Terminated).
//
//                                |INVITE from TU
//              Timer A fires     |INVITE sent
//              Reset A,          V                      Timer B fires
//              INVITE sent +-----------+                or Transport Err.
//                +---------|           |---------------+inform TU
//                |         |  Calling  |               |
//                +-------->|           |-------------->|
//                          +-----------+ 2xx           |
//                             |  |       2xx to TU     |
//                             |  |1xx                  |
//     300-699 +---------------+  |1xx to TU            |
//    ACK sent |                  |                     |
// resp. to TU |  1xx             V                     |
//             |  1xx to TU  -----------+               |
//             |  +---------|           |               |
//             |  |         |Proceeding |-------------->|
//             |  +-------->|           | 2xx           |
//             |            +-----------+ 2xx to TU     |
//             |       300-699    |                     |
//             |       ACK sent,  |                     |
//             |       resp. to TU|                     |
//             |                  |                     |      NOTE:
//             |  300-699         V                     |
//             |  ACK sent  +-----------+Transport Err. |  transitions
//             |  +---------|           |Inform TU      |  labeled with
//             |  |         | Completed |-------------->|  the event
//             |  +-------->|           |               |  over the action
//             |            +-----------+               |  to take
//             |              ^   |                     |
//             |              |   | Timer D fires       |
//             +--------------+   | -                   |
//                                |                     |
//                                V                     |
//                          +-----------+               |
//                          |           |               |
//                          | Terminated|<--------------+
//                          |           |
//                          +-----------+
//
//   RFC 6026 Accepted (the "2xx" arrows lead here, not to Terminated):
//
//             +-----------+  2xx: 2xx to TU (each one, retransmissions and forks)
//             |           |<-------+
//             | Accepted  |--------+
//             |           |------------> Terminated on Timer M fires (64*T1)
//             +-----------+
//
// Timers (UDP / reliable): A = T1 doubling without cap / none; B = 64*T1 in Calling;
// D = timer_d (32 s) / 0; M = 64*T1. Timer B does not run in Proceeding; there Timer C
// (timer_settings::timer_c, restarted by each provisional, as a proxy does per §16.6) sends the
// CANCEL itself, and after a CANCEL a 64*T1 wait (§9.1) ends the transaction with a timeout:
//
//   Proceeding --Timer C: send CANCEL--> Proceeding --64*T1, no final: inform TU--> Terminated
// Memory: the INVITE bytes are kept while Calling (they are retransmitted); the first
// provisional shrinks them to a header skeleton (Request-URI, top Via, Route, From, To, Call-ID,
// CSeq) enough for ACK and CANCEL; the ACK replaces it in Completed; Accepted keeps nothing and
// is held by a compact lingering record (lingering.hpp, layer_core) once the TU has the 2xx.
#pragma once

#include "transaction.hpp"

namespace parley {

class client_invite final : public transaction {
public:
    client_invite(layer_core& core, transaction_id id, std::string key, const flow& destination,
                  std::string request) noexcept;
    /// Starts the timers; the layer has sent the first copy already.
    void start() noexcept;

    void receive_response(const message& response, const flow& source) noexcept override;
    void transport_failed() noexcept override;
    /// RFC 3261 §9.1: sends CANCEL now in Proceeding, or on the first provisional in Calling.
    result<void> cancel() noexcept;

private:
    void on_retransmit_timer() noexcept override;
    void on_state_timer() noexcept override;
    void on_provisional(const message& response) noexcept;
    void on_final_non_2xx(const message& response) noexcept;
    void send_cancel() noexcept;
    /// Parses message_ (the INVITE or its skeleton) into the layer's scratch message.
    const message* parse_own_request() noexcept;
    std::string_view branch() const noexcept { return key().substr(0, key().find('\0')); }
};

} // namespace parley
