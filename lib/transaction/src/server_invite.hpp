// server_invite: the RFC 3261 §17.2.1 INVITE server transaction (figure 7) as updated by
// RFC 6026 §7.1, §8 (a 2xx leads to Accepted instead of Terminated).
//
//                               |INVITE
//                               |pass INV to TU
//            INVITE             V send 100 if TU won't in 200ms
//            send response+-----------+
//                +--------|           |--------+101-199 from TU
//                |        | Proceeding|        |send response
//                +------->|           |<-------+
//                         |           |          Transport Err.
//                         |           |          Inform TU
//                         |           |--------------->+
//                         +-----------+                |
//            300-699 from TU |     |2xx from TU        |
//            send response   |     |send response      |
//                            |     +------------------>+ (RFC 6026: to Accepted)
//                            |                         |
//            INVITE          V          Timer G fires  |
//            send response+-----------+ send response  |
//                +--------|           |--------+       |
//                |        | Completed |        |       |
//                +------->|           |<-------+       |
//                         +-----------+                |
//                            |     |                   |
//                        ACK |     |                   |
//                        -   |     +------------------>+
//                            |        Timer H fires    |
//                            V        or Transport Err.|
//                         +-----------+  Inform TU     |
//                         |           |                |
//                         | Confirmed |                |
//                         |           |                |
//                         +-----------+                |
//                               |                      |
//                               |Timer I fires         |
//                               |-                     |
//                               |                      |
//                               V                      |
//                         +-----------+                |
//                         |           |                |
//                         | Terminated|<---------------+
//                         |           |
//                         +-----------+
//
//   RFC 6026 Accepted (entered on a 2xx from the TU):
//
//     INVITE: absorbed      +-----------+  2xx from TU: send response (the TU retransmits)
//     ACK: passed to TU     |           |<-------+
//               +---------->| Accepted  |--------+
//               +-----------|           |------------> Terminated on Timer L fires (64*T1)
//                           +-----------+
//
// Timers (UDP / reliable): G = T1 doubling to T2 / none; H = 64*T1; I = T4 / 0; L = 64*T1.
// The automatic 100 Trying is prepared when the INVITE arrives (the request is not kept) and
// sent when trying_delay passes without a provisional from the TU, or at once when the INVITE is
// retransmitted before any provisional went out. Once the 2xx is sent, Accepted is held by a
// compact lingering record (lingering.hpp, layer_core) that behaves as this machine does there.
#pragma once

#include "transaction.hpp"

namespace parley {

class server_invite final : public transaction {
public:
    /// `trying` is the prepared 100 Trying; the transaction sends it after trying_delay unless
    /// the TU sends a provisional first.
    server_invite(layer_core& core, transaction_id id, std::string key, const flow& destination,
                  std::string trying) noexcept;

    void receive_request(const message& request, const flow& source) noexcept override;
    result<void> respond(std::uint16_t status, std::string bytes) override;
    void transport_failed() noexcept override;

private:
    void on_retransmit_timer() noexcept override;
    void on_state_timer() noexcept override;
    void receive_ack(const message& ack, const flow& source) noexcept;
    void send_provisional() noexcept;
};

} // namespace parley
