// The distributor on a real transaction layer, fed raw requests, every answer recorded:
// service order and claims, the default answers (405/501/481/420), OPTIONS, the
// identification + digest pipeline, and the overload answer. Manual clock.
#include <parley/endpoint/digest_client.hpp>
#include <parley/endpoint/distributor.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

#include <memory>
#include <string>
#include <vector>

namespace parley {
namespace {

const std::string test_config = R"(
[global]
type = global
endpoint_identifier_order = auth_username, username, ip

[udp]
type = transport
bind = 127.0.0.1:5060

[alice]
type = endpoint
allow = ulaw
auth = alice-auth

[alice-auth]
type = auth
username = alice
password = secret

[open]
type = endpoint
allow = ulaw

[open]
type = identify
endpoint = open
match = 127.0.0.0/8
)";

using test::recording_sender;

/// A service that records what it is offered and claims by a rule.
struct test_service : service {
    std::string label;
    method_set methods;
    std::vector<std::string> tags;
    bool claim = true;
    std::uint16_t status = 200; ///< answered when it claims
    distributor* owner = nullptr;
    std::vector<std::string>* log = nullptr;
    std::vector<request_context> contexts;
    std::string dialog_call_id; ///< owns in-dialog requests with this Call-ID
    int acks = 0;
    int cancels = 0;

    std::string_view name() const noexcept override { return label; }
    service_capabilities capabilities() const override {
        return {.methods = methods, .option_tags = tags};
    }
    service_claim offer(const incoming_request& in, const request_context& c) noexcept override {
        log->push_back(label);
        contexts.push_back(c);
        if (!claim) return service_claim::declined;
        if (c.position == dialog_position::out_of_dialog && !methods.contains(in.request.method()))
            return service_claim::declined;
        owner->respond(in, status);
        return service_claim::claimed;
    }
    bool owns_dialog(const message& m) noexcept override {
        return !dialog_call_id.empty() && m.call_id() == dialog_call_id;
    }
    void on_ack(const message&, const flow&) noexcept override { ++acks; }
    void on_cancel(transaction_id, const message&) noexcept override { ++cancels; }
};

struct distributor_fixture : ::testing::Test {
    timer_wheel wheel{time_point{}};
    recording_sender sender;
    std::unique_ptr<distributor> tu;
    std::unique_ptr<transaction_layer> transactions;
    std::shared_ptr<const configuration> config;
    std::vector<std::string> offered;
    flow remote; ///< 192.0.2.7: identified only by From user or auth username
    flow loopback;
    std::vector<auth_failure_report> failures;
    std::size_t max_transactions = 0;
    int branch = 0;

    void SetUp() override {
        auto loaded = parse_configuration(test_config, "distributor.conf");
        ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
        config = loaded.config;
        remote.protocol = loopback.protocol = transport_protocol::udp;
        remote.remote = *socket_address::from_numeric("192.0.2.7", 5062);
        loopback.remote = *socket_address::from_numeric("127.0.0.1", 5062);
        build();
    }
    // The transaction layer needs its TU at construction and the TU needs the layer: the
    // distributor is built on a layer member declared first (as the server's shard does).
    void build(distributor_options options = {}) {
        tu.reset();
        transactions.reset();
        options.key = digest_authenticator::generate_key();
        options.on_auth_failure = [this](const auth_failure_report& r) { failures.push_back(r); };
        transactions = std::make_unique<transaction_layer>(sender, relay_, wheel);
        tu = std::make_unique<distributor>(*transactions, wheel,
                                           std::make_shared<endpoint_identifier>(config),
                                           std::move(options));
        relay_.to = tu.get();
    }

    test_service& add(std::string label, method_set methods, int priority = 100,
                      std::vector<std::string> tags = {}) {
        services_.push_back(std::make_unique<test_service>());
        test_service& s = *services_.back();
        s.label = std::move(label);
        s.methods = methods;
        s.tags = std::move(tags);
        s.owner = tu.get();
        s.log = &offered;
        tu->add_service(s, {.priority = priority});
        return s;
    }

    /// A request; LF line ends become CRLF and Content-Length is added.
    std::string request(std::string_view method, std::string_view from_user = "alice",
                        std::string extra = "", std::string to_tag = "", std::string call_id = "") {
        ++branch;
        std::string cseq_method(method);
        return std::string(method) + " sip:service@127.0.0.1 SIP/2.0\n" +
               "Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK" + std::to_string(branch) +
               "\nFrom: <sip:" + std::string(from_user) + "@example.com>;tag=f1\n" +
               "To: <sip:service@127.0.0.1>" + (to_tag.empty() ? "" : ";tag=" + to_tag) +
               "\nCall-ID: " + (call_id.empty() ? "call-" + std::to_string(branch) : call_id) +
               "\nCSeq: " + std::to_string(branch) + " " + cseq_method +
               "\nContact: <sip:alice@192.0.2.7:5062>\nMax-Forwards: 70\n" + extra + "\n";
    }
    std::unique_ptr<message> parse(const std::string& text) {
        std::string bytes;
        for (char c : text) bytes += c == '\n' ? std::string("\r\n") : std::string(1, c);
        std::size_t end = bytes.find("\r\n\r\n");
        bytes.insert(end + 2, "Content-Length: 0\r\n");
        auto m = std::make_unique<message>();
        auto r = parse_message(bytes, *m, {.buffer = buffer_use::copy});
        EXPECT_TRUE(r) << r.error_value().reason << "\n" << bytes;
        return m;
    }
    void deliver(const std::string& text, const flow& from) {
        auto m = parse(text);
        transactions->receive(*m, from);
    }
    /// The status line of the one response sent since the last call.
    std::string answer() {
        EXPECT_EQ(sender.sent.size(), 1u);
        if (sender.sent.empty()) return "";
        last_ = sender.sent.back();
        sender.sent.clear();
        return last_.substr(0, last_.find("\r\n"));
    }
    /// Every line of the last answer that starts with `name`.
    std::vector<std::string> header(std::string_view name) const {
        std::vector<std::string> out;
        std::size_t at = 0;
        while ((at = last_.find("\r\n" + std::string(name), at)) != std::string::npos) {
            at += 2;
            out.push_back(last_.substr(at, last_.find("\r\n", at) - at));
        }
        return out;
    }
    /// The challenge's nonce without the rest (what must not tell users apart is the rest).
    std::vector<std::string> challenge_without_nonces() const {
        std::vector<std::string> out;
        for (std::string h : header("WWW-Authenticate:")) {
            std::size_t n = h.find("nonce=\"");
            if (n != std::string::npos) h.erase(n, h.find('"', n + 7) - n + 1);
            out.push_back(h);
        }
        return out;
    }
    /// The INVITE resent with credentials answering the last 401.
    std::string with_credentials(const auth_config& credentials) {
        message challenge;
        EXPECT_TRUE(parse_message(last_, challenge, {.buffer = buffer_use::copy}));
        digest_client client;
        const auth_config* creds[] = {&credentials};
        auto answered = client.answer(challenge, {"INVITE", "sip:service@127.0.0.1"}, creds);
        EXPECT_EQ(answered.outcome, client_auth_outcome::retry);
        std::string extra;
        for (const auto& h : answered.headers) extra += "Authorization: " + h.value + "\n";
        return request("INVITE", credentials.username, extra);
    }

private:
    test::relay relay_;
    std::vector<std::unique_ptr<test_service>> services_;
    std::string last_;
};

// ---- Order and claims --------------------------------------------------------------------------

TEST_F(distributor_fixture, services_are_offered_by_priority_then_in_order_added) {
    auto& late = add("late", {method::message}, 200);
    auto& first = add("first", {method::message}, 10);
    auto& second = add("second", {method::message}, 10);
    first.claim = second.claim = false;
    deliver(request("MESSAGE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
    EXPECT_EQ(offered, (std::vector<std::string>{"first", "second", "late"}));
    (void)late;
}

TEST_F(distributor_fixture, the_first_claim_ends_the_offer) {
    add("a", {method::message}, 1).status = 202;
    add("b", {method::message}, 2);
    deliver(request("MESSAGE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 202 Accepted");
    EXPECT_EQ(offered, std::vector<std::string>{"a"});
    EXPECT_EQ(tu->stats().claimed, 1u);
}

TEST_F(distributor_fixture, a_known_method_nobody_claims_is_405_with_allow) {
    add("invite", {method::invite, method::ack, method::bye}).claim = false;
    add("message", {method::message}).claim = false;
    deliver(request("MESSAGE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 405 Method Not Allowed");
    EXPECT_EQ(header("Allow:"), std::vector<std::string>{"Allow: INVITE, ACK, BYE, MESSAGE"});
    // A method no service declares is not even offered.
    offered.clear();
    deliver(request("SUBSCRIBE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 405 Method Not Allowed");
    EXPECT_TRUE(offered.empty());
}

TEST_F(distributor_fixture, an_unknown_method_is_501) {
    add("invite", {method::invite});
    deliver(request("FROBNICATE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 501 Not Implemented");
    EXPECT_TRUE(offered.empty());
}

TEST_F(distributor_fixture, dialog_only_methods_out_of_a_dialog_are_481) {
    add("invite", {method::invite, method::bye}).claim = false; // BYE only in its dialogs
    deliver(request("BYE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 481 Call/Transaction Does Not Exist");
    deliver(request("INFO", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 481 Call/Transaction Does Not Exist");
}

TEST_F(distributor_fixture, in_dialog_requests_go_to_the_owner_without_authentication) {
    add("other", {method::invite});
    auto& owner = add("owner", {method::invite});
    owner.dialog_call_id = "dialog-1";
    // From alice on a remote address: out of a dialog this would be challenged.
    deliver(request("BYE", "alice", "", "ours", "dialog-1"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
    EXPECT_EQ(offered, std::vector<std::string>{"owner"});
    EXPECT_EQ(owner.contexts.back().position, dialog_position::in_dialog);
    EXPECT_EQ(owner.contexts.back().endpoint, nullptr);
    // The 2xx ACK goes to the owner too.
    deliver(request("ACK", "alice", "", "ours", "dialog-1"), remote);
    EXPECT_EQ(owner.acks, 1);
    EXPECT_TRUE(sender.sent.empty());
}

TEST_F(distributor_fixture, in_dialog_requests_without_an_owner_are_481) {
    add("invite", {method::invite});
    deliver(request("BYE", "alice", "", "nosuchdialog"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 481 Call/Transaction Does Not Exist");
    EXPECT_TRUE(offered.empty());
    deliver(request("ACK", "alice", "", "nosuchdialog"), remote);
    EXPECT_TRUE(sender.sent.empty());
    EXPECT_EQ(tu->stats().acks_without_owner, 1u);
}

TEST_F(distributor_fixture, cancel_reaches_the_service_that_claimed_the_invite) {
    auto& s = add("invite", {method::invite});
    s.status = 180; // a provisional: the INVITE stays pending
    std::string invite = request("INVITE", "x");
    deliver(invite, loopback);
    EXPECT_EQ(answer(), "SIP/2.0 180 Ringing");
    std::string cancel = invite;
    cancel.replace(0, 6, "CANCEL");
    cancel.replace(cancel.find(" INVITE\n"), 8, " CANCEL\n");
    deliver(cancel, loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK"); // the layer's answer to the CANCEL
    EXPECT_EQ(s.cancels, 1);
}

// ---- Require -----------------------------------------------------------------------------------

TEST_F(distributor_fixture, an_unknown_required_extension_is_420_with_unsupported) {
    add("invite", {method::invite});
    deliver(request("INVITE", "x", "Require: 100rel, foo\n"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 420 Bad Extension");
    EXPECT_EQ(header("Unsupported:"), std::vector<std::string>{"Unsupported: 100rel, foo"});
    EXPECT_TRUE(offered.empty());
}

TEST_F(distributor_fixture, a_required_extension_a_service_supports_passes) {
    add("invite", {method::invite}, 100, {"replaces"});
    deliver(request("INVITE", "x", "Require: Replaces\n"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
}

TEST_F(distributor_fixture, the_method_check_comes_before_the_require_check) {
    add("invite", {method::invite});
    deliver(request("FROBNICATE", "x", "Require: foo\n"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 501 Not Implemented"); // RFC 3261 §8.2.1 before §8.2.2.3
}

// ---- OPTIONS -----------------------------------------------------------------------------------

TEST_F(distributor_fixture, options_gets_200_with_allow_accept_and_supported) {
    options_service options{*tu};
    tu->add_service(options, {.priority = 50});
    add("invite", {method::invite, method::ack, method::cancel, method::bye}, 100, {"timer"});
    deliver(request("OPTIONS", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
    EXPECT_EQ(header("Allow:"),
              std::vector<std::string>{"Allow: INVITE, ACK, BYE, CANCEL, OPTIONS"});
    EXPECT_EQ(header("Accept:"), std::vector<std::string>{"Accept: application/sdp"});
    EXPECT_EQ(header("Supported:"), std::vector<std::string>{"Supported: timer"});
    EXPECT_EQ(header("To:")[0].find(";tag=") != std::string::npos, true);
}

// ---- Identification and authentication ---------------------------------------------------------

TEST_F(distributor_fixture, its_to_tags_carry_the_shard_mark) {
    // A sharded server dispatches an ACK by the mark of its To tag: the ACK to a challenge of an
    // INVITE with Replaces (dispatched to the replaced dialog's shard, not its Call-ID's) must
    // find the INVITE's transaction on that shard.
    build({.id_suffix = "~1"});
    add("invite", {method::invite});
    deliver(request("INVITE", "alice", "Replaces: other@h;to-tag=t~1;from-tag=f\n"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
    ASSERT_EQ(header("To:").size(), 1u);
    EXPECT_TRUE(header("To:")[0].ends_with("~1")) << header("To:")[0];
}

TEST_F(distributor_fixture, challenge_then_credentials_then_claimed) {
    auto& s = add("invite", {method::invite});
    deliver(request("INVITE", "alice"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
    EXPECT_EQ(header("WWW-Authenticate:").size(), 2u) << "SHA-256 and MD5";
    EXPECT_TRUE(offered.empty());
    deliver(with_credentials(*config->find_auth("alice-auth")), remote);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
    ASSERT_EQ(s.contexts.size(), 1u);
    const request_context& c = s.contexts[0];
    ASSERT_NE(c.endpoint, nullptr);
    EXPECT_EQ(c.endpoint->name, "alice");
    EXPECT_EQ(c.identified_by, identify_method::auth_username);
    EXPECT_EQ(c.authentication, digest_outcome::authenticated);
    ASSERT_NE(c.authenticated_as, nullptr);
    EXPECT_EQ(c.authenticated_as->name, "alice-auth");
    EXPECT_EQ(tu->stats().challenged, 1u);
}

TEST_F(distributor_fixture, a_wrong_password_is_401_again_and_reported_with_the_count) {
    add("invite", {method::invite});
    auth_config wrong = *config->find_auth("alice-auth");
    wrong.password = "guess";
    for (int i = 1; i <= 2; ++i) {
        deliver(request("INVITE", "alice"), remote);
        EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
        deliver(with_credentials(wrong), remote);
        EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
        EXPECT_EQ(header("WWW-Authenticate:").size(), 2u);
        ASSERT_EQ(failures.size(), static_cast<std::size_t>(i));
        EXPECT_EQ(failures.back().why, digest_failure::wrong_password);
        EXPECT_EQ(failures.back().failures_from_source, static_cast<std::uint32_t>(i));
    }
    EXPECT_TRUE(offered.empty());
    EXPECT_EQ(tu->stats().auth_failures, 2u);
}

TEST_F(distributor_fixture, an_unknown_user_gets_the_same_challenge_and_the_same_failure) {
    add("invite", {method::invite});
    deliver(request("INVITE", "alice"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
    auto known = challenge_without_nonces();
    deliver(request("INVITE", "mallory"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
    EXPECT_EQ(challenge_without_nonces(), known);
    auth_config mallory{.name = "m", .username = "mallory", .password = "secret"};
    deliver(with_credentials(mallory), remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
    EXPECT_EQ(challenge_without_nonces(), known);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].endpoint, nullptr);
    EXPECT_TRUE(offered.empty());
}

TEST_F(distributor_fixture, authentication_comes_before_method_and_require_checks) {
    add("invite", {method::invite});
    // An unauthenticated caller learns nothing about what we implement.
    deliver(request("FROBNICATE", "alice", "Require: foo\n"), remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
}

TEST_F(distributor_fixture, an_endpoint_without_auth_needs_none) {
    auto& s = add("invite", {method::invite});
    deliver(request("INVITE", "someone"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
    ASSERT_EQ(s.contexts.size(), 1u);
    ASSERT_NE(s.contexts[0].endpoint, nullptr);
    EXPECT_EQ(s.contexts[0].endpoint->name, "open");
    EXPECT_EQ(s.contexts[0].identified_by, identify_method::ip);
    EXPECT_EQ(s.contexts[0].authentication, digest_outcome::not_required);
    EXPECT_EQ(s.contexts[0].snapshot->get(), config.get());
}

TEST_F(distributor_fixture, ack_and_cancel_are_never_challenged) {
    auto& s = add("invite", {method::invite});
    s.dialog_call_id = "dialog-1";
    s.status = 180;
    // A 2xx ACK from a caller who would be challenged: straight to the dialog.
    deliver(request("ACK", "alice", "", "ours", "dialog-1"), remote);
    EXPECT_EQ(s.acks, 1);
    EXPECT_TRUE(sender.sent.empty());
    // A CANCEL for an INVITE we challenged: the layer answers it (no INVITE pending: 481),
    // the distributor is never asked to authenticate it.
    std::string invite = request("INVITE", "alice");
    deliver(invite, remote);
    EXPECT_EQ(answer(), "SIP/2.0 401 Unauthorized");
    std::string cancel = invite;
    cancel.replace(0, 6, "CANCEL");
    cancel.replace(cancel.find(" INVITE\n"), 8, " CANCEL\n");
    deliver(cancel, remote);
    std::string cancel_answer = answer();
    EXPECT_NE(cancel_answer, "SIP/2.0 401 Unauthorized");
    EXPECT_EQ(tu->stats().challenged, 1u);
}

// ---- Overload ----------------------------------------------------------------------------------

TEST_F(distributor_fixture, past_the_transaction_limit_new_requests_get_503_dialogs_keep_working) {
    build({.limits = {.max_transactions = 2, .retry_after_seconds = 7}});
    auto& s = add("invite", {method::invite, method::bye});
    s.status = 180; // INVITE transactions stay in Proceeding
    s.dialog_call_id = "dialog-1";
    deliver(request("INVITE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 180 Ringing");
    deliver(request("INVITE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 180 Ringing");
    EXPECT_FALSE(tu->overloaded()) << "two live transactions: at the limit, not past it";
    deliver(request("INVITE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 503 Service Unavailable");
    EXPECT_EQ(header("Retry-After:"), std::vector<std::string>{"Retry-After: 7"});
    EXPECT_EQ(tu->stats().overloaded_503, 1u);
    // An established dialog still gets its requests through.
    s.status = 200;
    deliver(request("BYE", "x", "", "ours", "dialog-1"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
}

TEST_F(distributor_fixture, past_the_dialog_limit_new_requests_get_503) {
    struct dialogs final : test_service {
        std::size_t count = 0;
        std::size_t dialog_count() const noexcept override { return count; }
    };
    build({.limits = {.max_dialogs = 3}});
    dialogs s;
    s.label = "invite";
    s.methods = {method::invite};
    s.owner = tu.get();
    s.log = &offered;
    tu->add_service(s);
    s.count = 2;
    deliver(request("INVITE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 200 OK");
    s.count = 3;
    deliver(request("INVITE", "x"), loopback);
    EXPECT_EQ(answer(), "SIP/2.0 503 Service Unavailable");
    EXPECT_FALSE(header("Retry-After:").empty());
}

} // namespace
} // namespace parley
