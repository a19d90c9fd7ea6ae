// timer_settings::lingering_slack: transactions that only wait for their last timer (RFC 6026
// Accepted, non-INVITE Completed) end on a grid of the slack, every queue together, never early
// and less than one period late; until then they behave as the RFC says.
#include "harness.hpp"

namespace parley::test {
namespace {

class lingering_slack_test : public transaction_test {
protected:
    lingering_slack_test() : transaction_test({.timers = {.lingering_slack = milliseconds(16)}}) {}

    /// A request answered at once with `status`; returns its server transaction.
    transaction_id answered(const std::string& request, std::uint16_t status) {
        deliver(request);
        transaction_id id = tu.last_server;
        respond(id, request, status);
        return id;
    }
    /// When (ms) the TU heard that `id` terminated; -1 when it has not.
    long long terminated_at(transaction_id id) const {
        for (std::size_t i = 0; i < tu.events.size(); ++i)
            if (tu.events[i].what == hook::terminated && tu.events[i].id == id) return ended_at_[i];
        return -1;
    }
    /// Notes the time of the TU events since the last note.
    void note() { ended_at_.resize(tu.events.size(), now_ms()); }
    /// Advances 1 ms at a time to `ms`, noting when each TU event happened.
    void step_to(long long ms) {
        while (now_ms() < ms) {
            advance_to(now_ms() + 1);
            note();
        }
    }

private:
    std::vector<long long> ended_at_;
};

TEST_F(lingering_slack_test, records_due_in_one_period_end_together_in_every_queue) {
    step_to(1000);
    transaction_id a = answered(make_request("OPTIONS", "z9hG4bKo1"), 200); // Timer J due 33000
    step_to(1003);
    transaction_id b = answered(make_request("BYE", "z9hG4bKo2"), 200); // J due 33003
    step_to(1005);
    // RFC 6026 Timer L due 33005, in another queue.
    transaction_id c = answered(make_request("INVITE", "z9hG4bKi1"), 200);
    step_to(1009);
    transaction_id d = answered(make_request("OPTIONS", "z9hG4bKo3"), 200); // J due 33009
    note();

    step_to(33007);
    EXPECT_EQ(layer.state(a), transaction_state::completed); // due, but no message came
    EXPECT_EQ(layer.state(c), transaction_state::accepted);
    step_to(33024);
    // 33008 is the first multiple of 16 ms at or after 33000, 33003 and 33005; 33024 after 33009.
    EXPECT_EQ(terminated_at(a), 33008);
    EXPECT_EQ(terminated_at(b), 33008);
    EXPECT_EQ(terminated_at(c), 33008);
    EXPECT_EQ(terminated_at(d), 33024);
    EXPECT_EQ(layer.size(), 0u);
}

TEST_F(lingering_slack_test, a_message_first_ends_what_came_due) {
    std::string first = make_request("OPTIONS", "z9hG4bKo1");
    step_to(1000);
    transaction_id a = answered(first, 200); // Timer J due 33000
    step_to(1003);
    transaction_id b = answered(make_request("BYE", "z9hG4bKo2"), 200); // J due 33003
    step_to(1005);
    transaction_id c = answered(make_request("INVITE", "z9hG4bKi1"), 200); // L due 33005
    note();

    step_to(32990);
    // A retransmission still within Timer J is absorbed: the final again, nothing to the TU.
    std::size_t sent = sender.sent.size();
    std::size_t requests = tu.count(hook::request);
    deliver(first);
    ASSERT_EQ(sender.sent.size(), sent + 1);
    EXPECT_EQ(sender.sent.back().first_line(), "SIP/2.0 200 OK");
    EXPECT_EQ(tu.count(hook::request), requests);
    note();
    EXPECT_EQ(terminated_at(a), -1);

    step_to(33004);
    // Past `a`'s Timer J and `b`'s, before `c`'s: the message ends `a` and `b` first, so the
    // same request is new to the layer, as with exact timers.
    deliver(first);
    note();
    EXPECT_EQ(terminated_at(a), 33004);
    EXPECT_EQ(terminated_at(b), 33004);
    EXPECT_EQ(terminated_at(c), -1);
    EXPECT_EQ(tu.count(hook::request), requests + 1);
    respond(tu.last_server, first, 200); // J due 65004
    step_to(33008);
    EXPECT_EQ(terminated_at(c), 33008);
    step_to(65008);
    EXPECT_EQ(layer.size(), 0u);
}

TEST_F(lingering_slack_test, a_deadline_on_the_grid_is_not_moved) {
    std::string request = make_request("OPTIONS", "z9hG4bKo1");
    step_to(1024); // J due 33024, a multiple of 16 ms
    transaction_id id = answered(request, 200);
    note();
    step_to(33023);
    EXPECT_EQ(layer.state(id), transaction_state::completed);
    step_to(33024);
    EXPECT_EQ(terminated_at(id), 33024);
}

} // namespace
} // namespace parley::test
