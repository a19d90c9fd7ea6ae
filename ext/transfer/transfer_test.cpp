// The transfer supplement on a bare session: what it answers, the NOTIFYs it sends, what it
// hands to the application, and the transferor's side.
#include <parley/ext/transfer.hpp>

#include <parley/session/session.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace parley::ext {
namespace {

std::unique_ptr<message> parse(std::string text) {
    std::string bytes;
    for (char c : text) bytes += c == '\n' ? std::string("\r\n") : std::string(1, c);
    auto m = std::make_unique<message>();
    auto r = parse_message(bytes, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason << "\n" << bytes;
    return m;
}

std::unique_ptr<message> refer(std::string_view extra, int cseq = 5) {
    return parse("REFER sip:b@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
                 "From: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\nCall-ID: c\nCSeq: " +
                 std::to_string(cseq) + " REFER\n" + std::string(extra) + "Content-Length: 0\n\n");
}

std::unique_ptr<message> notify_with(std::string_view state, std::string_view fragment,
                                     std::string_view event = "refer") {
    return parse("NOTIFY sip:a@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\n"
                 "From: <sip:b@h>;tag=2\nTo: <sip:a@h>;tag=1\nCall-ID: c\nCSeq: 7 NOTIFY\n"
                 "Event: " +
                 std::string(event) + "\nSubscription-State: " + std::string(state) +
                 "\nContent-Type: message/sipfrag\nContent-Length: " +
                 std::to_string(fragment.size()) + "\n\n" + std::string(fragment));
}

/// The transferee's 202 to our REFER, CSeq 9: the id its subscription goes by.
std::unique_ptr<message> refer_accepted() {
    return parse("SIP/2.0 202 Accepted\nVia: SIP/2.0/UDP h;branch=z9hG4bK9\n"
                 "From: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\nCall-ID: c\n"
                 "CSeq: 9 REFER\nContent-Length: 0\n\n");
}

struct sent_message {
    std::uint16_t status = 0; ///< responses
    std::string method;       ///< requests
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string header(std::string_view name) const {
        for (const auto& [n, v] : headers)
            if (n == name) return v;
        return {};
    }
};

struct recorder final : request_responder, dialog_requester {
    std::vector<sent_message> out;
    response_callback last_done;
    timer_wheel* timers = nullptr; ///< what wheel() gives the supplement (none by default)
    timer_wheel* wheel() noexcept override { return timers; }
    std::chrono::milliseconds t1_value{500}; ///< what t1() reports (the transaction layer's T1)
    std::chrono::milliseconds t1() const noexcept override { return t1_value; }
    result<void> respond(std::uint16_t status, std::string_view,
                         const response_extras& extras) noexcept override {
        out.push_back({status, {}, extras.headers, std::string(extras.body)});
        return {};
    }
    result<void> send_request(std::string_view method, const response_extras& extras,
                              response_callback done) noexcept override {
        out.push_back({0, std::string(method), extras.headers, std::string(extras.body)});
        last_done = std::move(done);
        return {};
    }
};

struct app_events final : transfer_events {
    transfer_verdict verdict = transfer_verdict::accept;
    std::vector<transfer_request> transfers;
    std::vector<std::pair<std::uint16_t, bool>> progress;
    transfer_verdict allow(session&, const transfer_request&) noexcept override { return verdict; }
    void on_transfer(session&, const transfer_request& t) noexcept override {
        transfers.push_back(t);
    }
    void on_transfer_progress(session&, std::uint16_t status, bool final) noexcept override {
        progress.emplace_back(status, final);
    }
};

/// The tests' clock: it moves only when a test says so.
transfer_supplement::time_point test_time{};
transfer_supplement::time_point test_now() noexcept {
    return test_time;
}

std::unique_ptr<message> subscribe(std::string_view extra) {
    return parse("SUBSCRIBE sip:b@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\n"
                 "From: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\nCall-ID: c\nCSeq: 9 SUBSCRIBE\n" +
                 std::string(extra) + "Content-Length: 0\n\n");
}

struct transfer_fixture : ::testing::Test {
    app_events events;
    std::shared_ptr<transfer_supplement> transfer =
        std::make_shared<transfer_supplement>(&events, &test_now);
    extension_registry registry;
    registration r = registry.add_supplement(
        transfer, {.methods = {method::refer, method::notify, method::subscribe}});
    session s{registry.snapshot(), {.id = 1}};
    recorder wire;
    void SetUp() override { s.set_requester(&wire); }
    request_verdict deliver(const message& m) { return s.incoming_request(m, &wire); }
};

TEST_F(transfer_fixture, an_accepted_refer_gets_202_then_notifies_until_a_final_status) {
    auto verdict = deliver(*refer("Refer-To: <sip:carol@h>\nReferred-By: <sip:alice@h>\n"));
    EXPECT_TRUE(verdict.was_handled());
    ASSERT_EQ(wire.out.size(), 2u);
    EXPECT_EQ(wire.out[0].status, 202);
    EXPECT_EQ(wire.out[1].method, "NOTIFY");
    EXPECT_EQ(wire.out[1].header("Event"), "refer;id=5");
    EXPECT_EQ(wire.out[1].header("Subscription-State"), "active;expires=60");
    EXPECT_EQ(wire.out[1].body, "SIP/2.0 100 Trying\r\n");
    ASSERT_EQ(events.transfers.size(), 1u);
    EXPECT_EQ(events.transfers[0].target, "sip:carol@h");
    EXPECT_EQ(events.transfers[0].referred_by, "<sip:alice@h>");
    EXPECT_FALSE(events.transfers[0].replaces);
    // The application reports progress; the final status terminates the subscription.
    ASSERT_TRUE(transfer_supplement::notify(s, 180));
    EXPECT_EQ(wire.out.back().body, "SIP/2.0 180 Ringing\r\n");
    ASSERT_TRUE(transfer_supplement::notify(s, 200));
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "terminated;reason=noresource");
    EXPECT_EQ(wire.out.back().body, "SIP/2.0 200 OK\r\n");
    auto again = transfer_supplement::notify(s, 200);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error_value().status, 481);
}

TEST_F(transfer_fixture, refer_sub_false_is_echoed_in_the_202_and_no_notify_follows) {
    EXPECT_TRUE(deliver(*refer("Refer-To: sip:carol@h\nRefer-Sub: false\n")).was_handled());
    ASSERT_EQ(wire.out.size(), 1u);
    EXPECT_EQ(wire.out[0].status, 202);
    EXPECT_EQ(wire.out[0].header("Refer-Sub"), "false");
    ASSERT_EQ(events.transfers.size(), 1u);
    EXPECT_FALSE(events.transfers[0].subscription);
    EXPECT_FALSE(transfer_supplement::notify(s, 200));
}

TEST_F(transfer_fixture, a_refer_without_one_usable_refer_to_gets_400) {
    struct row {
        std::string_view headers;
        std::string_view reason;
    };
    const row rows[] = {
        {"", "Missing Refer-To"},
        {"Refer-To: <sip:a@h>\nRefer-To: <sip:b@h>\n", "More Than One Refer-To"},
        {"Refer-To: <sip:a@h\n", "Bad Refer-To"},
        {"Refer-To: <sip:a@h>\nRefer-Sub: maybe\n", "Bad Refer-Sub"},
    };
    for (const row& c : rows) {
        auto verdict = deliver(*refer(c.headers));
        EXPECT_EQ(verdict.status(), 400) << c.reason;
        EXPECT_EQ(verdict.reason(), c.reason);
    }
    EXPECT_TRUE(wire.out.empty());
    EXPECT_TRUE(events.transfers.empty());
}

TEST_F(transfer_fixture, the_application_may_forbid_or_decline_and_without_one_refer_is_declined) {
    events.verdict = transfer_verdict::declined;
    EXPECT_EQ(deliver(*refer("Refer-To: <sip:c@h>\n")).status(), 603);
    events.verdict = transfer_verdict::forbidden;
    EXPECT_EQ(deliver(*refer("Refer-To: <sip:c@h>\n")).status(), 403);
    extension_registry bare;
    registration plain =
        bare.add_supplement(std::make_shared<transfer_supplement>(), {.methods = {method::refer}});
    session other{bare.snapshot(), {.id = 2}};
    EXPECT_EQ(other.incoming_request(*refer("Refer-To: <sip:c@h>\n")).status(), 603);
    EXPECT_TRUE(events.transfers.empty());
}

TEST_F(transfer_fixture, replaces_in_refer_to_marks_an_attended_transfer) {
    deliver(*refer("Refer-To: <sip:carol@h?Replaces=abc%40h%3Bto-tag%3D7%3Bfrom-tag%3D8>\n"));
    ASSERT_EQ(events.transfers.size(), 1u);
    EXPECT_EQ(events.transfers[0].target, "sip:carol@h");
    ASSERT_TRUE(events.transfers[0].replaces);
    EXPECT_EQ(*events.transfers[0].replaces, "abc@h;to-tag=7;from-tag=8");
}

TEST_F(transfer_fixture, a_second_refer_during_a_transfer_gets_491) {
    deliver(*refer("Refer-To: <sip:c@h>\n"));
    EXPECT_EQ(deliver(*refer("Refer-To: <sip:d@h>\n", 6)).status(), 491);
    ASSERT_TRUE(transfer_supplement::notify(s, 486));
    EXPECT_TRUE(deliver(*refer("Refer-To: <sip:d@h>\n", 7)).was_handled()) << "after the final";
}

TEST_F(transfer_fixture, as_transferor_notifies_are_answered_and_reported_in_order) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>", {.referred_by = "<sip:bob@h>"}));
    ASSERT_EQ(wire.out.size(), 1u);
    EXPECT_EQ(wire.out[0].method, "REFER");
    EXPECT_EQ(wire.out[0].header("Refer-To"), "<sip:carol@h>");
    EXPECT_EQ(wire.out[0].header("Referred-By"), "<sip:bob@h>");
    EXPECT_EQ(transfer->refer(s, "<sip:dave@h>").error_value().status, 491);
    wire.last_done(202, nullptr);
    EXPECT_TRUE(deliver(*notify_with("active;expires=60", "SIP/2.0 100 Trying\n")).was_handled());
    EXPECT_EQ(wire.out.back().status, 200);
    EXPECT_TRUE(
        deliver(*notify_with("terminated;reason=noresource", "SIP/2.0 200 OK\n")).was_handled());
    EXPECT_EQ(events.progress,
              (std::vector<std::pair<std::uint16_t, bool>>{{100, false}, {200, true}}));
    // The subscription is over: a later NOTIFY is the core's to answer (481).
    EXPECT_TRUE(deliver(*notify_with("active", "SIP/2.0 180 Ringing\n")).proceeds());
    // Another package is never ours.
    EXPECT_TRUE(deliver(*notify_with("active", "x", "dialog")).proceeds());
}

TEST_F(transfer_fixture, as_transferor_a_refused_refer_is_reported_final) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    wire.last_done(603, nullptr);
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{603, true}}));
    EXPECT_TRUE(transfer->refer(s, "<sip:carol@h>")) << "a new REFER may go";
}

TEST_F(transfer_fixture, a_bad_notify_for_our_refer_gets_400) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    EXPECT_EQ(deliver(*notify_with("active", "hello")).status(), 400);
}

TEST_F(transfer_fixture, notifies_state_the_time_left_and_a_refresh_extends_it_rfc6665) {
    ASSERT_TRUE(deliver(*refer("Refer-To: <sip:carol@h>\n")).was_handled());
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "active;expires=60");
    test_time += std::chrono::seconds(50);
    ASSERT_TRUE(transfer_supplement::notify(s, 180));
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "active;expires=10");
    // §4.2.1.2: 200 with the granted Expires, then at once a NOTIFY of the current state.
    EXPECT_TRUE(deliver(*subscribe("Event: refer;id=5\nExpires: 120\n")).was_handled());
    ASSERT_GE(wire.out.size(), 2u);
    EXPECT_EQ(wire.out[wire.out.size() - 2].status, 200);
    EXPECT_EQ(wire.out[wire.out.size() - 2].header("Expires"), "120");
    EXPECT_EQ(wire.out.back().method, "NOTIFY");
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "active;expires=120");
    EXPECT_EQ(wire.out.back().body, "SIP/2.0 180 Ringing\r\n");
    test_time += std::chrono::seconds(100); // past the first 60 s: the refresh holds it
    ASSERT_TRUE(transfer_supplement::notify(s, 183));
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "active;expires=20");
    // More than an hour is cut to an hour; no Expires means the default.
    EXPECT_TRUE(deliver(*subscribe("Event: refer\nExpires: 7200\n")).was_handled());
    EXPECT_EQ(wire.out[wire.out.size() - 2].header("Expires"), "3600");
    EXPECT_TRUE(deliver(*subscribe("Event: refer\n")).was_handled());
    EXPECT_EQ(wire.out[wire.out.size() - 2].header("Expires"), "60");
    ASSERT_TRUE(transfer_supplement::notify(s, 200));
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "terminated;reason=noresource");
}

TEST_F(transfer_fixture, a_lapsed_subscription_ends_with_its_next_notify_rfc6665_4_2_2) {
    ASSERT_TRUE(deliver(*refer("Refer-To: <sip:carol@h>\n")).was_handled());
    test_time += std::chrono::seconds(61);
    ASSERT_TRUE(transfer_supplement::notify(s, 180));
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "terminated;reason=timeout");
    EXPECT_EQ(wire.out.back().body, "SIP/2.0 180 Ringing\r\n");
    auto after = transfer_supplement::notify(s, 200);
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error_value().status, 481);
}

TEST_F(transfer_fixture, subscribe_expires_0_unsubscribes_and_strays_are_refused) {
    // No subscription yet: 481; another package is not ours.
    EXPECT_EQ(deliver(*subscribe("Event: refer\nExpires: 60\n")).status(), 481);
    EXPECT_FALSE(deliver(*subscribe("Event: presence\nExpires: 60\n")).was_handled());
    ASSERT_TRUE(deliver(*refer("Refer-To: <sip:carol@h>\n")).was_handled());
    EXPECT_EQ(deliver(*subscribe("Event: refer;id=4\nExpires: 60\n")).status(), 481);
    EXPECT_EQ(deliver(*subscribe("Event: refer\nExpires: soon\n")).status(), 400);
    std::size_t before = wire.out.size();
    EXPECT_TRUE(deliver(*subscribe("Event: refer;id=5\nExpires: 0\n")).was_handled());
    ASSERT_EQ(wire.out.size(), before + 2);
    EXPECT_EQ(wire.out[before].status, 200);
    EXPECT_EQ(wire.out[before].header("Expires"), "0");
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "terminated;reason=timeout");
    EXPECT_EQ(wire.out.back().body, "SIP/2.0 100 Trying\r\n");
    EXPECT_FALSE(transfer_supplement::notify(s, 200)); // nothing left to notify
}

TEST(sipfrag, the_status_line_of_a_fragment) {
    EXPECT_EQ(sipfrag_status("SIP/2.0 100 Trying\r\n"), 100);
    EXPECT_EQ(sipfrag_status("SIP/2.0 603 Declined"), 603);
    EXPECT_EQ(sipfrag_status("SIP/2.0 200\r\n"), 200);
    EXPECT_EQ(sipfrag_status("SIP/2.0 20 OK"), std::nullopt);
    EXPECT_EQ(sipfrag_status("SIP/2.0 2000 OK"), std::nullopt);
    EXPECT_EQ(sipfrag_status("SIP/2.0 099 Low"), std::nullopt);
    EXPECT_EQ(sipfrag_status("INVITE sip:a@h SIP/2.0"), std::nullopt);
    EXPECT_EQ(sipfrag_status(""), std::nullopt);
}

} // namespace
} // namespace parley::ext

namespace parley::ext {
namespace {

/// The same, with a timer wheel on a manual clock: the subscriptions' own timers run.
struct transfer_timer_fixture : transfer_fixture {
    time_point start{};
    timer_wheel wheel{start};
    void SetUp() override {
        transfer_fixture::SetUp();
        wire.timers = &wheel;
    }
    void pass(std::chrono::milliseconds d) {
        test_time += d;
        start += d;
        wheel.advance(start);
    }
};

TEST_F(transfer_timer_fixture, a_subscription_lapsing_sends_its_last_notify_on_time_rfc6665_4_2_2) {
    ASSERT_TRUE(deliver(*refer("Refer-To: <sip:carol@h>\n")).was_handled());
    ASSERT_TRUE(transfer_supplement::notify(s, 180));
    // A refresh at 30 s for 120 s: nothing is due at 61 s.
    pass(std::chrono::seconds(30));
    EXPECT_TRUE(deliver(*subscribe("Event: refer\nExpires: 120\n")).was_handled());
    std::size_t before = wire.out.size();
    pass(std::chrono::seconds(31));
    EXPECT_EQ(wire.out.size(), before);
    // At 150 s it lapses: the last NOTIFY goes by itself, with the last status reported.
    pass(std::chrono::seconds(90));
    ASSERT_EQ(wire.out.size(), before + 1);
    EXPECT_EQ(wire.out.back().method, "NOTIFY");
    EXPECT_EQ(wire.out.back().header("Subscription-State"), "terminated;reason=timeout");
    EXPECT_EQ(wire.out.back().header("Event"), "refer;id=5");
    EXPECT_EQ(wire.out.back().body, "SIP/2.0 180 Ringing\r\n");
    // The transfer itself still runs: nothing more is sent, and another REFER waits for it.
    before = wire.out.size();
    auto progress = transfer_supplement::notify(s, 183);
    ASSERT_FALSE(progress);
    EXPECT_EQ(progress.error_value().status, 481);
    EXPECT_EQ(wire.out.size(), before);
    EXPECT_EQ(deliver(*refer("Refer-To: <sip:dave@h>\n", 7)).status(), 491);
    EXPECT_EQ(deliver(*subscribe("Event: refer\nExpires: 60\n")).status(), 481);
    // Its final status ends it (still nothing sent); then a new REFER may come.
    auto after = transfer_supplement::notify(s, 200);
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error_value().status, 481);
    EXPECT_TRUE(deliver(*refer("Refer-To: <sip:dave@h>\n", 8)).was_handled()) << "a new REFER";
}

TEST_F(transfer_timer_fixture, a_final_status_stops_the_subscriptions_timer) {
    ASSERT_TRUE(deliver(*refer("Refer-To: <sip:carol@h>\n")).was_handled());
    ASSERT_TRUE(transfer_supplement::notify(s, 200));
    std::size_t before = wire.out.size();
    pass(std::chrono::seconds(120));
    EXPECT_EQ(wire.out.size(), before);
}

TEST_F(transfer_timer_fixture, as_transferor_no_notify_within_timer_n_ends_the_wait_with_408) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    pass(std::chrono::seconds(60)); // before the 202 nothing runs: the REFER's own timeout does
    EXPECT_TRUE(events.progress.empty());
    wire.last_done(202, nullptr);
    pass(std::chrono::seconds(31));
    EXPECT_TRUE(events.progress.empty());
    pass(std::chrono::seconds(2)); // RFC 6665 Timer N: 64*T1 after the 2xx
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{408, true}}));
    EXPECT_TRUE(transfer->refer(s, "<sip:dave@h>")) << "a new REFER may go";
}

TEST_F(transfer_timer_fixture, as_transferor_timer_n_is_64_times_the_transaction_layers_t1) {
    // A layer with T1 = 100 ms (a LAN): Timer N is 6.4 s, from the 2xx and after a NOTIFY's
    // stated expiry alike.
    wire.t1_value = std::chrono::milliseconds(100);
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    wire.last_done(202, nullptr);
    pass(std::chrono::milliseconds(6300));
    EXPECT_TRUE(events.progress.empty());
    pass(std::chrono::milliseconds(200));
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{408, true}}));
    ASSERT_TRUE(transfer->refer(s, "<sip:dave@h>"));
    wire.last_done(202, nullptr);
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 100 Trying\n")).was_handled());
    pass(std::chrono::milliseconds(16300));
    EXPECT_EQ(events.progress.size(), 2u);
    pass(std::chrono::milliseconds(200));
    ASSERT_EQ(events.progress.size(), 3u);
    EXPECT_EQ(events.progress.back(), (std::pair<std::uint16_t, bool>{408, true}));
}

TEST_F(transfer_timer_fixture, as_transferor_the_subscription_lasts_what_each_notify_states) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    wire.last_done(202, nullptr);
    EXPECT_TRUE(deliver(*notify_with("active;expires=90", "SIP/2.0 100 Trying\n")).was_handled());
    pass(std::chrono::seconds(60)); // past Timer N: the NOTIFY's 90 s hold
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{100, false}}));
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 180 Ringing\n")).was_handled());
    // The stated 10 s, then Timer N for the notifier's own last NOTIFY.
    pass(std::chrono::seconds(41));
    EXPECT_EQ(events.progress,
              (std::vector<std::pair<std::uint16_t, bool>>{{100, false}, {180, false}}));
    pass(std::chrono::seconds(2));
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{
                                   {100, false}, {180, false}, {408, true}}));
    // A NOTIFY after that is the core's (481).
    EXPECT_TRUE(deliver(*notify_with("active", "SIP/2.0 200 OK\n")).proceeds());
}

/// The SUBSCRIBEs the transferor sent so far.
std::vector<const sent_message*> subscribes_in(const recorder& wire) {
    std::vector<const sent_message*> out;
    for (const sent_message& m : wire.out)
        if (m.method == "SUBSCRIBE") out.push_back(&m);
    return out;
}

TEST_F(transfer_fixture, as_transferor_refer_sub_false_holds_only_if_the_2xx_says_it_rfc4488) {
    // We ask for no subscription; a 2xx without Refer-Sub: false comes from a recipient that
    // subscribed us anyway (RFC 4488 §4): its NOTIFYs are ours, and the transfer runs on.
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>", {.subscription = false}));
    EXPECT_EQ(wire.out.back().header("Refer-Sub"), "false");
    wire.last_done(202, refer_accepted().get());
    EXPECT_TRUE(events.progress.empty());
    EXPECT_TRUE(deliver(*notify_with("active;expires=60", "SIP/2.0 180 Ringing\n", "refer;id=9"))
                    .was_handled());
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{180, false}}));
    EXPECT_TRUE(
        deliver(*notify_with("terminated", "SIP/2.0 200 OK\n", "refer;id=9")).was_handled());
    // A 2xx that says Refer-Sub: false ends it at once: nothing more will come.
    ASSERT_TRUE(transfer->refer(s, "<sip:dave@h>", {.subscription = false}));
    auto agreed = parse("SIP/2.0 202 Accepted\nVia: SIP/2.0/UDP h;branch=z9hG4bK9\n"
                        "From: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\nCall-ID: c\n"
                        "CSeq: 10 REFER\nRefer-Sub: false\nContent-Length: 0\n\n");
    wire.last_done(202, agreed.get());
    EXPECT_EQ(events.progress.back(), (std::pair<std::uint16_t, bool>{202, true}));
    EXPECT_TRUE(transfer->refer(s, "<sip:erin@h>")) << "over: a new REFER may go";
}

TEST_F(transfer_timer_fixture, as_transferor_the_subscription_is_refreshed_before_it_lapses) {
    // RFC 6665 §4.1.2.2: a SUBSCRIBE for the REFER's subscription (Event: refer;id=<its CSeq>)
    // at half the time each NOTIFY gives; a transfer that outlasts several expiries stays
    // subscribed while the notifier keeps answering.
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    auto refer_202 = refer_accepted();
    wire.last_done(202, refer_202.get());
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 100 Trying\n", "refer;id=9"))
                    .was_handled());
    pass(std::chrono::milliseconds(4900));
    EXPECT_TRUE(subscribes_in(wire).empty()) << "not before half the stated 10 s";
    pass(std::chrono::milliseconds(200));
    ASSERT_EQ(subscribes_in(wire).size(), 1u);
    EXPECT_EQ(subscribes_in(wire)[0]->header("Event"), "refer;id=9");
    EXPECT_EQ(subscribes_in(wire)[0]->header("Expires"), "60");
    // The notifier's NOTIFY after the refresh: 60 s more, so no 408 at the old expiry, and the
    // next refresh at 30 s.
    EXPECT_TRUE(deliver(*notify_with("active;expires=60", "SIP/2.0 180 Ringing\n", "refer;id=9"))
                    .was_handled());
    pass(std::chrono::seconds(29));
    EXPECT_EQ(subscribes_in(wire).size(), 1u);
    pass(std::chrono::seconds(2));
    EXPECT_EQ(subscribes_in(wire).size(), 2u);
    EXPECT_EQ(events.progress,
              (std::vector<std::pair<std::uint16_t, bool>>{{100, false}, {180, false}}));
    // The final NOTIFY ends it: no more refreshes.
    EXPECT_TRUE(
        deliver(*notify_with("terminated;reason=noresource", "SIP/2.0 200 OK\n", "refer;id=9"))
            .was_handled());
    pass(std::chrono::seconds(300));
    EXPECT_EQ(subscribes_in(wire).size(), 2u);
    EXPECT_EQ(events.progress.back(), (std::pair<std::uint16_t, bool>{200, true}));
}

TEST_F(transfer_timer_fixture, as_transferor_a_refresh_takes_the_id_a_notify_before_the_2xx_gave) {
    // RFC 3515 §2.4.6: a refresh MUST carry the REFER's id; a NOTIFY that comes before the 2xx
    // (RFC 6665 §4.1.2.4) names it.
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 100 Trying\n", "refer;id=9"))
                    .was_handled());
    wire.last_done(202, nullptr);
    pass(std::chrono::seconds(6));
    auto sent = subscribes_in(wire);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]->header("Event"), "refer;id=9");
}

TEST_F(transfer_timer_fixture, as_transferor_no_refresh_goes_without_the_refers_id) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    wire.last_done(202, nullptr); // no response to read a CSeq from
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 100 Trying\n")).was_handled());
    pass(std::chrono::seconds(6));
    EXPECT_TRUE(subscribes_in(wire).empty()) << "a SUBSCRIBE without the id matches nothing";
    // The stated 10 s plus Timer N end the wait, as without refreshes.
    pass(std::chrono::seconds(35));
    EXPECT_EQ(events.progress.size(), 1u);
    pass(std::chrono::seconds(2));
    EXPECT_EQ(events.progress.back(), (std::pair<std::uint16_t, bool>{408, true}));
}

TEST_F(transfer_timer_fixture, as_transferor_a_refresh_answered_481_ends_the_wait_at_once) {
    // RFC 6665 §4.1.2.2: 404, 405, 410, 416, 480-485, 489, 501 or 604 to a refresh end the
    // subscription; another error (503) leaves the expiry to decide.
    auto refer_202 = refer_accepted();
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    wire.last_done(202, refer_202.get());
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 100 Trying\n", "refer;id=9"))
                    .was_handled());
    pass(std::chrono::seconds(6));
    ASSERT_EQ(subscribes_in(wire).size(), 1u);
    wire.last_done(503, nullptr);
    EXPECT_EQ(events.progress.size(), 1u) << "503: the subscription may still stand";
    EXPECT_TRUE(deliver(*notify_with("active;expires=10", "SIP/2.0 180 Ringing\n", "refer;id=9"))
                    .was_handled());
    pass(std::chrono::seconds(6));
    ASSERT_EQ(subscribes_in(wire).size(), 2u);
    wire.last_done(481, nullptr);
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{
                                   {100, false}, {180, false}, {408, true}}));
    EXPECT_TRUE(transfer->refer(s, "<sip:dave@h>")) << "over: a new REFER may go";
}

TEST_F(transfer_timer_fixture, as_transferor_a_shorter_expiry_moves_the_refresh_earlier) {
    auto refer_202 = refer_accepted();
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    wire.last_done(202, refer_202.get());
    EXPECT_TRUE(deliver(*notify_with("active;expires=60", "SIP/2.0 100 Trying\n", "refer;id=9"))
                    .was_handled());
    pass(std::chrono::seconds(10));
    // 1 s left: too little to refresh, and the refresh the 60 s had set (at 30 s) is gone.
    EXPECT_TRUE(deliver(*notify_with("active;expires=1", "SIP/2.0 180 Ringing\n", "refer;id=9"))
                    .was_handled());
    pass(std::chrono::seconds(25));
    EXPECT_TRUE(subscribes_in(wire).empty());
}

TEST_F(transfer_timer_fixture, as_transferor_an_earlier_refers_late_answers_are_not_this_ones) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    auto first_done = wire.last_done;
    // Its 2xx never comes; the REFER times out (408 from its transaction), then a new one goes.
    first_done(408, nullptr);
    ASSERT_TRUE(transfer->refer(s, "<sip:dave@h>"));
    auto refer_202 = refer_accepted();
    wire.last_done(202, refer_202.get());
    // A late answer to the first (its transaction's copy): ignored, the second runs on.
    first_done(603, nullptr);
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{408, true}}));
    // A NOTIFY of the first REFER's subscription (id 5) is not this one's: the core's (481).
    EXPECT_TRUE(deliver(*notify_with("terminated", "SIP/2.0 200 OK\n", "refer;id=5")).proceeds());
    EXPECT_TRUE(
        deliver(*notify_with("terminated", "SIP/2.0 486 Busy Here\n", "refer;id=9")).was_handled());
    EXPECT_EQ(events.progress,
              (std::vector<std::pair<std::uint16_t, bool>>{{408, true}, {486, true}}));
}

TEST_F(transfer_timer_fixture, a_notify_before_the_202_keeps_its_expiry_not_timer_n) {
    ASSERT_TRUE(transfer->refer(s, "<sip:carol@h>"));
    EXPECT_TRUE(deliver(*notify_with("active;expires=120", "SIP/2.0 100 Trying\n")).was_handled());
    wire.last_done(202, nullptr);
    pass(std::chrono::seconds(60)); // past Timer N from the 202: the NOTIFY's 120 s hold
    EXPECT_EQ(events.progress, (std::vector<std::pair<std::uint16_t, bool>>{{100, false}}));
}

} // namespace
} // namespace parley::ext
