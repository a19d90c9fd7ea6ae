// Randomised sequences of inputs (deterministic by seed): duplicated, reordered and unmatched
// messages, TU calls on stale ids, transport errors and time jumps. Nothing may crash, the TU
// hears exactly one on_terminated per transaction it saw, and once every request is answered
// and time has run on, no transaction and no timer is left.
#include "harness.hpp"

#include <random>
#include <set>

namespace parley::test {
namespace {

class soup_test : public transaction_test, public ::testing::WithParamInterface<unsigned> {};

TEST_P(soup_test, random_inputs_leave_nothing_behind) {
    std::mt19937 random(GetParam());
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    const std::vector<std::string> methods = {"INVITE", "OPTIONS", "ACK", "CANCEL", "BYE"};
    const std::vector<std::string> branches = {"z9hG4bKa", "z9hG4bKb", "z9hG4bKc", ""};
    const std::vector<std::uint16_t> statuses = {100, 180, 200, 404, 487, 503};
    std::vector<transaction_id> servers, clients;
    std::vector<std::string> client_requests;
    std::set<std::uint64_t> seen;
    tu.answer_requests = [&](const incoming_request& r) { servers.push_back(r.server); };
    long long now = 0;
    for (int step = 0; step < 3000; ++step) {
        switch (pick(7)) {
        case 0: { // a request from the peer (new, retransmitted, or matching nothing)
            std::string method = methods[pick(methods.size())];
            deliver(make_request(method, branches[pick(branches.size())]),
                    pick(4) == 0 ? tcp_flow() : udp_flow());
            break;
        }
        case 1: { // a response for one of our requests, or for nothing
            std::string request = client_requests.empty() || pick(5) == 0
                                      ? make_request(methods[pick(2)], "z9hG4bKzz")
                                      : client_requests[pick(client_requests.size())];
            deliver(make_response(request, statuses[pick(statuses.size())]));
            break;
        }
        case 2: // the TU answers some server transaction, possibly a stale one
            if (!servers.empty()) {
                transaction_id id = servers[pick(servers.size())];
                (void)layer.respond(id, statuses[pick(statuses.size())],
                                    make_response(make_request("INVITE"), 200));
            }
            break;
        case 3: { // the TU sends a request
            std::string method = methods[pick(2)] == "INVITE" ? "INVITE" : "OPTIONS";
            std::string branch = "z9hG4bKo" + std::to_string(step);
            std::string bytes = make_request(method, branch);
            auto id = layer.send_request({.bytes = bytes,
                                          .branch = branch,
                                          .method = method,
                                          .destination = pick(3) == 0 ? tcp_flow() : udp_flow()});
            if (id) {
                clients.push_back(*id);
                client_requests.push_back(bytes);
            }
            break;
        }
        case 4:
            if (!clients.empty()) (void)layer.cancel(clients[pick(clients.size())]);
            break;
        case 5:
            if (pick(20) == 0) layer.transport_error(pick(2) == 0 ? tcp_flow() : udp_flow());
            break;
        default:
            now += static_cast<long long>(pick(3000));
            advance_to(now);
            break;
        }
    }
    for (transaction_id id : servers)
        (void)layer.respond(id, 500, make_response(make_request("INVITE"), 500));
    advance_to(now + 600'000);
    for (const tu_event& e : tu.events) {
        if (e.what == hook::terminated) {
            EXPECT_TRUE(seen.insert(e.id.value).second) << e.id.value;
        }
    }
    for (transaction_id id : servers) EXPECT_TRUE(seen.contains(id.value)) << id.value;
    for (transaction_id id : clients) EXPECT_TRUE(seen.contains(id.value)) << id.value;
}

INSTANTIATE_TEST_SUITE_P(seeds, soup_test, ::testing::Range(1u, 21u));

} // namespace
} // namespace parley::test
