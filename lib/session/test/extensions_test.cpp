#include <parley/session/session.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley {
namespace {

std::unique_ptr<message> parse(const std::string& text) {
    auto m = std::make_unique<message>();
    EXPECT_TRUE(parse_message(text, *m, {.buffer = buffer_use::copy}));
    return m;
}

std::string request(std::string_view method) {
    return std::string(method) +
           " sip:b@example.com SIP/2.0\r\n"
           "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\n"
           "To: <sip:b@example.com>\r\nCall-ID: c\r\nCSeq: 1 " +
           std::string(method) + "\r\nContent-Length: 0\r\n\r\n";
}

/// Records every hook into a shared log as "<name>:<hook>".
struct recorder : supplement {
    std::vector<std::string>& log;
    std::string name;
    request_verdict verdict = request_verdict::proceed();
    recorder(std::vector<std::string>& l, std::string n) : log(l), name(std::move(n)) {}
    void session_begin(session&) noexcept override { log.push_back(name + ":begin"); }
    void session_end(session&) noexcept override { log.push_back(name + ":end"); }
    request_verdict incoming_request(session&, const message& m) noexcept override {
        log.push_back(name + ":request:" + std::string(m.method_text()));
        return verdict;
    }
    void incoming_response(session&, const message& m, response_phase p) noexcept override {
        log.push_back(name + ":response:" + std::to_string(m.status()) + ":" +
                      std::to_string(static_cast<int>(p)));
    }
    void outgoing_request(session&, outgoing_message& m) noexcept override {
        m.set_header("X-" + name, "seen"); // idempotent by construction
        log.push_back(name + ":out-request");
    }
    void outgoing_response(session&, outgoing_message&) noexcept override {
        log.push_back(name + ":out-response");
    }
};

TEST(supplements, run_in_priority_then_registration_order) {
    std::vector<std::string> log;
    extension_registry registry;
    auto late = registry.add_supplement(std::make_shared<recorder>(log, "late"), {.priority = 10});
    auto first =
        registry.add_supplement(std::make_shared<recorder>(log, "first"), {.priority = -5});
    auto tie_a = registry.add_supplement(std::make_shared<recorder>(log, "tie_a"), {.priority = 0});
    auto tie_b = registry.add_supplement(std::make_shared<recorder>(log, "tie_b"), {.priority = 0});
    session s(registry.snapshot(), {.id = 1});
    s.begin();
    s.begin(); // once only
    EXPECT_EQ(
        log, (std::vector<std::string>{"first:begin", "tie_a:begin", "tie_b:begin", "late:begin"}));
}

TEST(supplements, method_filter_is_a_token_set_not_a_substring) {
    std::vector<std::string> log;
    extension_registry registry;
    auto info_only = registry.add_supplement(std::make_shared<recorder>(log, "info"),
                                             {.methods = {method::info}});
    auto invite_update = registry.add_supplement(std::make_shared<recorder>(log, "iu"),
                                                 {.methods = {method::invite, method::update}});
    auto all = registry.add_supplement(std::make_shared<recorder>(log, "all"), {});
    session s(registry.snapshot(), {.id = 1});
    EXPECT_TRUE(s.incoming_request(*parse(request("INFO"))).proceeds());
    EXPECT_TRUE(s.incoming_request(*parse(request("UPDATE"))).proceeds());
    // "DATE" is inside "UPDATE" and "INV" inside "INVITE": a real token set matches neither.
    EXPECT_TRUE(s.incoming_request(*parse(request("DATE"))).proceeds());
    EXPECT_EQ(
        log, (std::vector<std::string>{"info:request:INFO", "all:request:INFO", "iu:request:UPDATE",
                                       "all:request:UPDATE", "all:request:DATE"}));
}

TEST(supplements, a_reject_or_handled_verdict_stops_the_chain) {
    std::vector<std::string> log;
    extension_registry registry;
    auto a = std::make_shared<recorder>(log, "a");
    auto b = std::make_shared<recorder>(log, "b");
    auto c = std::make_shared<recorder>(log, "c");
    b->verdict = request_verdict::reject(603, "Decline");
    auto ra = registry.add_supplement(a, {});
    auto rb = registry.add_supplement(b, {});
    auto rc = registry.add_supplement(c, {});
    session s(registry.snapshot(), {.id = 1});
    request_verdict v = s.incoming_request(*parse(request("INVITE")));
    EXPECT_TRUE(v.rejects());
    EXPECT_EQ(v.status(), 603);
    EXPECT_EQ(v.reason(), "Decline");
    EXPECT_EQ(log.size(), 2u) << "c must not see a request b rejected";
    b->verdict = request_verdict::handled();
    log.clear();
    EXPECT_TRUE(s.incoming_request(*parse(request("INFO"))).was_handled());
    EXPECT_EQ(log.size(), 2u);
}

TEST(supplements, response_phases_and_outgoing_hooks) {
    std::vector<std::string> log;
    extension_registry registry;
    auto before = registry.add_supplement(std::make_shared<recorder>(log, "before"), {});
    auto after = registry.add_supplement(std::make_shared<recorder>(log, "after"),
                                         {.phases = {response_phase::after_media}});
    session s(registry.snapshot(), {.id = 1});
    std::string ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                     "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\n"
                     "Call-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    auto response = parse(ok);
    s.incoming_response(*response, response_phase::before_media);
    s.incoming_response(*response, response_phase::after_media);
    EXPECT_EQ(log, (std::vector<std::string>{"before:response:200:2", "after:response:200:4"}));
    log.clear();
    auto out = outgoing_message::request("BYE", "sip:b@example.com");
    s.outgoing_request(out);
    s.outgoing_request(out); // a retransmitted or reused message
    EXPECT_EQ(out.count("X-before"), 1u);
    EXPECT_EQ(log.size(), 4u);
}

TEST(supplements, a_session_keeps_its_snapshot_and_registration_is_raii) {
    std::vector<std::string> log;
    extension_registry registry;
    registration r = registry.add_supplement(std::make_shared<recorder>(log, "old"), {});
    session before(registry.snapshot(), {.id = 1});
    auto added = registry.add_supplement(std::make_shared<recorder>(log, "new"), {});
    r.reset();
    session after(registry.snapshot(), {.id = 2});
    before.begin();
    after.begin();
    EXPECT_EQ(log, (std::vector<std::string>{"old:begin", "new:begin"}));
    {
        auto scoped = registry.add_supplement(std::make_shared<recorder>(log, "scoped"), {});
        EXPECT_EQ(registry.snapshot()->supplements.size(), 2u);
    }
    EXPECT_EQ(registry.snapshot()->supplements.size(), 1u);
}

TEST(supplements, end_runs_once_then_cookies_are_destroyed) {
    std::vector<std::string> log;
    struct noisy : cookie {
        std::vector<std::string>& log;
        explicit noisy(std::vector<std::string>& l) : log(l) {}
        ~noisy() override { log.push_back("cookie destroyed"); }
    };
    extension_registry registry;
    auto r = registry.add_supplement(std::make_shared<recorder>(log, "s"), {});
    {
        session s(registry.snapshot(), {.id = 1});
        s.begin();
        ASSERT_TRUE(s.cookies().add("c", std::make_unique<noisy>(log)));
        s.end();
        s.end();
        EXPECT_TRUE(s.has_ended());
    }
    EXPECT_EQ(log, (std::vector<std::string>{"s:begin", "s:end", "cookie destroyed"}));
}

} // namespace
} // namespace parley
