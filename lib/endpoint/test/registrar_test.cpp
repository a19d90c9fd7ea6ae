// The registration store's rules (RFC 3261 §10.3 with max_contacts), and the registrar
// service on a real transaction layer and distributor fed raw REGISTERs; the same handling also
// runs against SIPp (tests/integration/sipp/register_*.xml).
#include <parley/endpoint/registrar.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

#include <memory>
#include <string>
#include <vector>

namespace parley {
namespace {

using clock = registration_store::clock;

const std::string registrar_config = R"(
[global]
type = global
endpoint_identifier_order = ip

[udp]
type = transport
bind = 127.0.0.1:5060

[phone]
type = endpoint
allow = ulaw
aors = phone, desk

[phone]
type = aor
max_contacts = 1

[desk]
type = aor
max_contacts = 3

[phone]
type = identify
endpoint = phone
match = 127.0.0.0/8
)";

using test::recording_sender;

/// A registrar service behind a distributor on a transaction layer: REGISTERs in, responses
/// recorded.
struct registrar_fixture : ::testing::Test {
    timer_wheel wheel{time_point{}};
    recording_sender sender;
    registration_store store;
    std::unique_ptr<transaction_layer> transactions;
    std::unique_ptr<distributor> tu;
    std::unique_ptr<registrar_service> registrar;
    flow phone;
    int branch = 0;

    test::relay relay_;

    void SetUp() override {
        auto loaded = parse_configuration(registrar_config, "registrar.conf");
        ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
        phone.protocol = transport_protocol::udp;
        phone.remote = *socket_address::from_numeric("127.0.0.1", 5062);
        transactions = std::make_unique<transaction_layer>(sender, relay_, wheel);
        tu = std::make_unique<distributor>(*transactions, wheel,
                                           std::make_shared<endpoint_identifier>(loaded.config));
        relay_.to = tu.get();
        registrar = std::make_unique<registrar_service>(*tu, store);
        tu->add_service(*registrar);
    }

    /// The status line and Contact lines of the answer to a REGISTER for `aor`.
    std::string register_(const std::string& aor, const std::string& call_id, std::uint32_t cseq,
                          const std::vector<std::string>& contacts, std::string extra = "") {
        ++branch;
        std::string text = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK" +
                           std::to_string(branch) + "\r\nFrom: <sip:" + aor +
                           "@127.0.0.1>;tag=f1\r\nTo: <sip:" + aor + "@127.0.0.1>\r\n" +
                           "Call-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) +
                           " REGISTER\r\nMax-Forwards: 70\r\n";
        for (const std::string& c : contacts) text += "Contact: " + c + "\r\n";
        text += extra + "Content-Length: 0\r\n\r\n";
        message m;
        auto parsed = parse_message(text, m, {.buffer = buffer_use::copy});
        EXPECT_TRUE(parsed) << parsed.error_value().reason;
        sender.sent.clear();
        transactions->receive(m, phone);
        EXPECT_EQ(sender.sent.size(), 1u);
        if (sender.sent.empty()) return "";
        const std::string& r = sender.sent.back();
        std::string out = r.substr(0, r.find("\r\n"));
        for (std::size_t at = 0; (at = r.find("\r\nContact: ", at)) != std::string::npos;) {
            at += 2;
            out += "\n" + r.substr(at, r.find("\r\n", at) - at);
        }
        return out;
    }
};

/// A REGISTER of one device (one Call-ID): each call the next CSeq.
struct device {
    std::string call_id = "c1";
    std::uint32_t cseq = 0;
    registration_store::request operator()(std::vector<registration_store::change> changes,
                                           bool remove_all = false) {
        return {.call_id = call_id,
                .cseq = ++cseq,
                .remove_all = remove_all,
                .changes = std::move(changes)};
    }
};

TEST(registration_store, adds_refreshes_and_removes_bindings) {
    registration_store store;
    device phone;
    auto now = clock::now();
    EXPECT_EQ(store.apply("6001", phone({{"sip:a@192.0.2.1", 60}}), 2, now),
              registration_store::outcome::applied);
    EXPECT_EQ(store.apply("6001", phone({{"sip:b@192.0.2.2", 120}}), 2, now),
              registration_store::outcome::applied);
    auto both = store.bindings("6001", now);
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[0].contact, "sip:b@192.0.2.2") << "most recent first";
    EXPECT_EQ(both[0].call_id, "c1");
    EXPECT_EQ(both[0].cseq, 2u);
    // A refresh keeps one binding per contact.
    store.apply("6001", phone({{"sip:a@192.0.2.1", 300}}), 2, now);
    EXPECT_EQ(store.bindings("6001", now).size(), 2u);
    EXPECT_EQ(store.bindings("6001", now)[0].contact, "sip:a@192.0.2.1");
    // Expires 0 removes one; "*" removes all.
    store.apply("6001", phone({{"sip:a@192.0.2.1", 0}}), 2, now);
    EXPECT_EQ(store.bindings("6001", now).size(), 1u);
    store.apply("6001", phone({}, true), 2, now);
    EXPECT_TRUE(store.bindings("6001", now).empty());
}

TEST(registration_store, max_contacts_refuses_the_whole_request) {
    registration_store store;
    device phone;
    device other{.call_id = "c2"};
    auto now = clock::now();
    store.apply("6001", phone({{"sip:a@192.0.2.1", 60}}), 1, now);
    EXPECT_EQ(store.apply("6001", other({{"sip:b@192.0.2.2", 60}}), 1, now),
              registration_store::outcome::too_many);
    auto kept = store.bindings("6001", now);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].contact, "sip:a@192.0.2.1") << "nothing changed";
    // Replacing in one request (remove one, add one) fits.
    EXPECT_EQ(store.apply("6001", other({{"sip:a@192.0.2.1", 0}, {"sip:b@192.0.2.2", 60}}), 1, now),
              registration_store::outcome::applied);
}

TEST(registration_store, bindings_expire) {
    registration_store store;
    device phone;
    device other{.call_id = "c2"};
    auto now = clock::now();
    store.apply("6001", phone({{"sip:a@192.0.2.1", 60}}), 1, now);
    EXPECT_EQ(store.bindings("6001", now + std::chrono::seconds(59)).size(), 1u);
    EXPECT_TRUE(store.bindings("6001", now + std::chrono::seconds(60)).empty());
    EXPECT_EQ(store.aor_entries(), 0u); // nothing kept for an aor with no live binding
    // An expired binding no longer counts against max_contacts.
    EXPECT_EQ(
        store.apply("6001", other({{"sip:b@192.0.2.2", 60}}), 1, now + std::chrono::seconds(61)),
        registration_store::outcome::applied);
}

TEST(registration_store, the_same_call_id_needs_a_higher_cseq) {
    registration_store store;
    auto now = clock::now();
    auto req = [](std::uint32_t cseq, std::vector<registration_store::change> changes) {
        return registration_store::request{.call_id = "c1", .cseq = cseq, .changes = changes};
    };
    store.apply("6001", req(5, {{"sip:a@192.0.2.1", 60}}), 2, now);
    EXPECT_EQ(store.apply("6001", req(5, {{"sip:a@192.0.2.1", 0}}), 2, now),
              registration_store::outcome::out_of_order);
    EXPECT_EQ(store.apply("6001", req(4, {{"sip:b@192.0.2.2", 60}}), 2, now),
              registration_store::outcome::applied)
        << "a binding it does not touch: no CSeq to compare";
    EXPECT_EQ(
        store.apply("6001", req(6, {{"sip:c@192.0.2.3", 60}, {"sip:c@192.0.2.3", 90}}), 3, now),
        registration_store::outcome::applied)
        << "a contact twice in one request: the later one counts";
    auto kept = store.bindings("6001", now);
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(kept[0].expires_at, now + std::chrono::seconds(90));
}

TEST(registration_store, contacts_are_the_same_binding_by_rfc3261_uri_equality) {
    registration_store store;
    auto now = clock::now();
    // Each request from another device (Call-ID): none replaces a binding of its own.
    int devices = 0;
    auto apply = [&](std::string contact, std::uint32_t expires, std::uint32_t max_contacts) {
        registration_store::request r{.call_id = "c" + std::to_string(++devices), .cseq = 1};
        r.changes.push_back({std::move(contact), expires});
        return store.apply("6001", r, max_contacts, now);
    };
    apply("sip:alice@Example.COM:5062;transport=udp", 60, 3);
    // RFC 3261 §19.1.4: scheme, host and parameter values compare without case, escapes are
    // decoded: a refresh of the same binding.
    EXPECT_EQ(apply("SIP:%61lice@example.com:5062;Transport=UDP", 120, 1),
              registration_store::outcome::applied);
    auto kept = store.bindings("6001", now);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].expires_at, now + std::chrono::seconds(120));
    // The user compares with case; a port or transport on one side only is another URI.
    apply("sip:Alice@example.com:5062;transport=udp", 60, 3);
    apply("sip:alice@example.com;transport=udp", 60, 3);
    EXPECT_EQ(store.bindings("6001", now).size(), 3u);
    EXPECT_EQ(apply("sip:alice@example.com:5062", 60, 3), registration_store::outcome::too_many);
    // Removal by an equal URI.
    apply("sip:alice@EXAMPLE.com:5062;transport=UDP", 0, 3);
    EXPECT_EQ(store.bindings("6001", now).size(), 2u);
}

TEST(registration_store, a_device_with_a_new_contact_replaces_its_own_oldest_binding) {
    registration_store store;
    device phone;
    device other{.call_id = "c2"};
    auto now = clock::now();
    store.apply("6001", phone({{"sip:a@192.0.2.1", 60}}), 1, now);
    // The phone's address changed: same Call-ID, another Contact. It takes its old binding's
    // place instead of a 403 until that one expires.
    EXPECT_EQ(store.apply("6001", phone({{"sip:a@192.0.2.9", 60}}), 1, now),
              registration_store::outcome::applied);
    auto kept = store.bindings("6001", now);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].contact, "sip:a@192.0.2.9");
    // Another device (another Call-ID) replaces nothing.
    EXPECT_EQ(store.apply("6001", other({{"sip:b@192.0.2.2", 60}}), 1, now),
              registration_store::outcome::too_many);
    EXPECT_EQ(store.bindings("6001", now)[0].contact, "sip:a@192.0.2.9");
    // With room for two: the other device's binding stays, the phone's oldest goes.
    EXPECT_EQ(store.apply("6001", other({{"sip:b@192.0.2.2", 60}}), 2, now),
              registration_store::outcome::applied);
    EXPECT_EQ(store.apply("6001", phone({{"sip:a@192.0.2.10", 60}}), 2, now),
              registration_store::outcome::applied);
    kept = store.bindings("6001", now);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].contact, "sip:a@192.0.2.10");
    EXPECT_EQ(kept[1].contact, "sip:b@192.0.2.2");
    // More new contacts than the device's own bindings can make room for: refused.
    EXPECT_EQ(
        store.apply("6001", phone({{"sip:x@192.0.2.3", 60}, {"sip:y@192.0.2.4", 60}}), 2, now),
        registration_store::outcome::too_many);
    EXPECT_EQ(store.bindings("6001", now).size(), 2u);
}

TEST_F(registrar_fixture, a_cseq_not_higher_than_the_bindings_fails_the_request) {
    EXPECT_EQ(register_("desk", "c1", 5, {"<sip:a@127.0.0.1:5062>;expires=120"}).substr(0, 11),
              "SIP/2.0 200");
    // RFC 3261 §10.3 step 7: the same Call-ID with a CSeq not higher aborts the update.
    EXPECT_EQ(register_("desk", "c1", 5, {"<sip:a@127.0.0.1:5062>;expires=0"}).substr(0, 11),
              "SIP/2.0 400");
    EXPECT_EQ(register_("desk", "c1", 4, {"<sip:a@127.0.0.1:5062>;expires=300"}).substr(0, 11),
              "SIP/2.0 400");
    auto kept = store.bindings("desk", clock::now());
    ASSERT_EQ(kept.size(), 1u) << "nothing changed";
    EXPECT_LE(kept[0].expires_at - clock::now(), std::chrono::seconds(120));
    // Nor does anything of a request change when one of its contacts is out of order.
    EXPECT_EQ(register_("desk", "c1", 3, {"<sip:b@127.0.0.1:5062>", "<sip:a@127.0.0.1:5062>"},
                        "Expires: 60\r\n")
                  .substr(0, 11),
              "SIP/2.0 400");
    EXPECT_EQ(store.bindings("desk", clock::now()).size(), 1u);
    // Step 6: Contact * too.
    EXPECT_EQ(register_("desk", "c1", 5, {"*"}, "Expires: 0\r\n").substr(0, 11), "SIP/2.0 400");
    EXPECT_EQ(store.bindings("desk", clock::now()).size(), 1u);
    // A higher CSeq, or another Call-ID (another device, or a rebooted one), updates.
    EXPECT_EQ(register_("desk", "c1", 6, {"<sip:a@127.0.0.1:5062>;expires=300"}).substr(0, 11),
              "SIP/2.0 200");
    EXPECT_EQ(register_("desk", "c2", 1, {"<sip:a@127.0.0.1:5062>;expires=0"}).substr(0, 11),
              "SIP/2.0 200");
    EXPECT_TRUE(store.bindings("desk", clock::now()).empty());
}

TEST_F(registrar_fixture, more_contacts_than_any_request_can_use_are_refused_at_once) {
    // At most max_contacts bindings can be removed and as many added by one request: past
    // twice max_contacts (and a small floor), the request is refused before the bindings are
    // looked at (each contact is compared with each binding under the store's lock).
    std::vector<std::string> many;
    for (int i = 0; i < 17; ++i)
        many.push_back("<sip:p" + std::to_string(i) + "@127.0.0.1:5062>;expires=60");
    EXPECT_EQ(register_("phone", "c1", 1, many), "SIP/2.0 403 Too Many Contacts in One REGISTER");
    EXPECT_TRUE(store.bindings("phone", clock::now()).empty());
    // Removing every binding and adding as many in one request still fits.
    std::vector<std::string> three{"<sip:a@127.0.0.1:5062>", "<sip:b@127.0.0.1:5062>",
                                   "<sip:c@127.0.0.1:5062>"};
    EXPECT_EQ(register_("desk", "c1", 1, three, "Expires: 60\r\n").substr(0, 11), "SIP/2.0 200");
    std::vector<std::string> swap;
    for (const char* user : {"a", "b", "c"})
        swap.push_back("<sip:" + std::string(user) + "@127.0.0.1:5062>;expires=0");
    for (const char* user : {"d", "e", "f"})
        swap.push_back("<sip:" + std::string(user) + "@127.0.0.1:5062>;expires=60");
    EXPECT_EQ(register_("desk", "c2", 1, swap).substr(0, 11), "SIP/2.0 200");
    EXPECT_EQ(store.bindings("desk", clock::now()).size(), 3u);
}

} // namespace
} // namespace parley
