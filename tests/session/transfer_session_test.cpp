// The transfer supplement on a real session layer: its subscription timers run on the layer's
// wheel (session::wheel), a session that ends with one armed leaves nothing behind, an
// application may hang up from inside a timer's callback, and the transferor refreshes its
// subscription in the dialog.
#include "session_fixture.hpp"

#include <parley/ext/transfer.hpp>

namespace parley::test {
namespace {

struct transfer_app final : ext::transfer_events {
    session_layer* layer = nullptr;
    session_handle call;
    bool hang_up_on_final = false;
    int transfers = 0;
    std::vector<std::pair<std::uint16_t, bool>> progress;
    void on_transfer(session&, const ext::transfer_request&) noexcept override { ++transfers; }
    void on_transfer_progress(session& s, std::uint16_t status, bool final) noexcept override {
        progress.emplace_back(status, final);
        if (final && hang_up_on_final) {
            (void)layer->terminate(call);
            (void)s.id(); // still valid here: the callback holds the layer's scope
        }
    }
};

struct transfer_session_fixture : session_fixture {
    transfer_app events;
    std::shared_ptr<ext::transfer_supplement> transfer =
        std::make_shared<ext::transfer_supplement>(&events);
    registration transfer_registration = registry.add_supplement(
        transfer, {.name = "transfer", .methods = {method::refer, method::notify}});
    std::string tag;

    void SetUp() override {
        session_fixture::SetUp();
        events.layer = layer.get();
        deliver(invite());
        tag = last_to_tag();
        deliver(in_dialog("ACK", tag, 1, "z9hG4bKack1"));
        events.call = app.last;
        sender.sent.clear();
    }
    /// The peer's 200 to the last request we sent (NOTIFY, REFER, BYE).
    void answer_last_request(std::uint16_t status = 200) {
        for (auto it = sender.sent.rbegin(); it != sender.sent.rend(); ++it) {
            if (it->compare(0, 8, "SIP/2.0 ") == 0) continue;
            message request;
            ASSERT_TRUE(parse_message(*it, request, {.buffer = buffer_use::copy}));
            std::string r = "SIP/2.0 " + std::to_string(status) + " OK\n";
            for (const header_field& h : request.headers())
                if (h.id == header_id::via) r += "Via: " + std::string(h.value) + "\n";
            r += "From: " + std::string(request.from().text) + "\n";
            r += "To: " + std::string(request.to().text) + "\n";
            r += "Call-ID: " + std::string(request.call_id()) + "\n";
            r += "CSeq: " + std::to_string(request.cseq().number) + " " +
                 std::string(request.cseq().method_text) + "\n\n";
            deliver(r);
            return;
        }
        FAIL() << "no request sent";
    }
    /// The start lines of what was sent, kept (sent_lines() clears them).
    std::vector<std::string> start_lines() const {
        std::vector<std::string> lines;
        for (const auto& m : sender.sent) lines.push_back(m.substr(0, m.find("\r\n")));
        return lines;
    }
    std::vector<std::string> sent_with(std::string_view header) {
        std::vector<std::string> values;
        for (const auto& m : sender.sent)
            if (auto v = header_of(m, header); !v.empty()) values.push_back(v);
        return values;
    }
};

std::string refer_request(const std::string& tag) {
    std::string r = in_dialog("REFER", tag, 2, "z9hG4bKref1");
    r.insert(r.find("\n\n") + 1, "Refer-To: <sip:carol@127.0.0.1>\n");
    return r;
}

TEST_F(transfer_session_fixture,
       a_lapsed_subscription_sends_its_last_notify_from_the_layers_wheel) {
    deliver(refer_request(tag));
    EXPECT_EQ(events.transfers, 1);
    ASSERT_EQ(start_lines(), (std::vector<std::string>{"SIP/2.0 202 Accepted",
                                                       "NOTIFY sip:alice@127.0.0.1:5062 SIP/2.0"}));
    answer_last_request();
    sender.sent.clear();
    for (int i = 0; i < 61; ++i) advance(seconds(1));
    // The NOTIFY saying so (and its retransmission, unanswered until now): nothing else.
    auto states = sent_with("Subscription-State");
    ASSERT_FALSE(states.empty());
    for (const auto& state : states) EXPECT_EQ(state, "terminated;reason=timeout");
    answer_last_request();
    EXPECT_EQ(layer->state(app.last), session_state::confirmed) << "the call goes on";
}

TEST_F(transfer_session_fixture, a_session_ending_with_the_timer_armed_leaves_nothing) {
    deliver(refer_request(tag));
    answer_last_request();
    deliver(in_dialog("BYE", tag, 3, "z9hG4bKbye1"));
    EXPECT_EQ(layer->size(), 0u);
    sender.sent.clear();
    for (int i = 0; i < 120; ++i) advance(seconds(1));
    EXPECT_TRUE(sent_with("Subscription-State").empty()) << "no NOTIFY after the session ended";
    EXPECT_EQ(transactions.size(), 0u);
    EXPECT_EQ(wheel.size(), 0u) << "the subscription's timer went with its session";
}

TEST_F(transfer_session_fixture, a_sessions_t1_is_its_transaction_layers) {
    // A second layer on a transaction layer with T1 = 100 ms (a LAN): its sessions report that
    // T1, which RFC 6665 Timer N (64*T1) and other extension timers are built on.
    transaction_options fast;
    fast.timers.t1 = milliseconds(100);
    recording_sender sender2;
    relay tu2;
    transaction_layer transactions2{sender2, tu2, wheel, fast};
    recording_app app2;
    session_layer layer2(transactions2, sender2, wheel, registry, app2);
    tu2.to = &layer2;
    app2.layer = &layer2;
    std::string bytes;
    for (char c : invite("call-t1")) bytes += c == '\n' ? std::string("\r\n") : std::string(1, c);
    bytes.insert(bytes.find("\r\n\r\n") + 2,
                 "Content-Length: " + std::to_string(bytes.size() - bytes.find("\r\n\r\n") - 4) +
                     "\r\n");
    message m;
    ASSERT_TRUE(parse_message(bytes, m, {.buffer = buffer_use::copy}));
    transactions2.receive(m, peer);
    session* s = layer2.find(app2.last);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->t1(), milliseconds(100));
    EXPECT_EQ(layer->find(app.last)->t1(), milliseconds(500)) << "the fixture's default layer";
    (void)layer2.terminate(app2.last);
}

TEST_F(transfer_session_fixture, the_transferor_may_hang_up_from_the_timers_callback) {
    events.hang_up_on_final = true;
    session* s = layer->find(app.last);
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(transfer->refer(*s, "<sip:carol@127.0.0.1>"));
    answer_last_request(202);
    sender.sent.clear();
    // No NOTIFY: Timer N (64*T1) ends the wait; the application hangs up from the callback.
    for (int i = 0; i < 33; ++i) advance(seconds(1));
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{408, true}}));
    ASSERT_FALSE(sender.sent.empty());
    EXPECT_EQ(start_lines().back(), "BYE sip:alice@127.0.0.1:5062 SIP/2.0");
    answer_last_request();
    EXPECT_EQ(layer->size(), 0u);
}

TEST_F(transfer_session_fixture, the_transferor_refreshes_its_subscription_inside_the_dialog) {
    // RFC 6665 §4.1.2.2 on a real layer: half-way through the expiry the transferee's NOTIFY
    // gave, a SUBSCRIBE for the REFER's subscription goes in the call's dialog.
    session* s = layer->find(app.last);
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(transfer->refer(*s, "<sip:carol@127.0.0.1>"));
    message refer;
    ASSERT_TRUE(parse_message(sender.sent.back(), refer, {.buffer = buffer_use::copy}));
    const std::string id = std::to_string(refer.cseq().number);
    answer_last_request(202);
    std::string notify = in_dialog("NOTIFY", tag, 2, "z9hG4bKnot1");
    notify.insert(notify.size() - 1, "Event: refer;id=" + id +
                                         "\nSubscription-State: active;expires=10\n"
                                         "Content-Type: message/sipfrag\n");
    notify += "SIP/2.0 100 Trying\n";
    sender.sent.clear();
    deliver(notify);
    EXPECT_EQ(start_lines(), std::vector<std::string>{"SIP/2.0 200 OK"});
    for (int i = 0; i < 4; ++i) advance(seconds(1));
    EXPECT_TRUE(sent_with("Expires").empty()) << "nothing before half the 10 s";
    advance(seconds(1));
    advance(milliseconds(100));
    ASSERT_EQ(start_lines().back(), "SUBSCRIBE sip:alice@127.0.0.1:5062 SIP/2.0");
    const std::string& subscribe = sender.sent.back();
    EXPECT_EQ(header_of(subscribe, "Event"), "refer;id=" + id);
    EXPECT_EQ(header_of(subscribe, "Expires"), "60");
    EXPECT_EQ(header_of(subscribe, "Call-ID"), "call-1");
    EXPECT_NE(header_of(subscribe, "To").find("tag=a1"), std::string::npos) << "the dialog's";
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{100, false}}));
}

} // namespace
} // namespace parley::test
