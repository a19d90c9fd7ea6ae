// The endpoint's identity options on a bare session: the caller's identity by trust_id_inbound
// and callerid, and P-Asserted-Identity / Remote-Party-ID by send_pai / send_rpid.
#include <parley/endpoint/endpoint_identity.hpp>

#include <parley/endpoint/session_endpoint.hpp>
#include <parley/session/session.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

std::unique_ptr<message> invite_from_pbx() {
    std::string text = "INVITE sip:echo@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                       "From: \"Front Desk\" <sip:100@h>;tag=1\r\nTo: <sip:echo@h>\r\n"
                       "Call-ID: c\r\nCSeq: 1 INVITE\r\n"
                       "P-Asserted-Identity: \"Alice\" <sip:+15551234@h>\r\n"
                       "Content-Length: 0\r\n\r\n";
    auto m = std::make_unique<message>();
    EXPECT_TRUE(parse_message(text, *m, {.buffer = buffer_use::copy}));
    return m;
}

struct identity_fixture : ::testing::Test {
    endpoint_config endpoint;
    extension_registry registry;
    registration r = registry.add_supplement(std::make_shared<endpoint_identity_supplement>(),
                                             {.methods = {method::invite}});
    std::unique_ptr<session> s;
    void start() {
        s = std::make_unique<session>(registry.snapshot(), session_options{.id = 1});
        s->cookies().add_value<session_endpoint>(session_endpoint_cookie,
                                                 session_endpoint{nullptr, &endpoint});
        s->begin();
        EXPECT_TRUE(s->incoming_request(*invite_from_pbx()).proceeds());
    }
    const party_identity& caller() {
        static const party_identity none;
        auto* p = s->cookies().get_value<party_identity>(caller_identity_cookie);
        EXPECT_NE(p, nullptr);
        return p != nullptr ? *p : none;
    }
};

TEST_F(identity_fixture, an_untrusted_endpoint_is_known_by_its_from) {
    start();
    EXPECT_EQ(caller().number, "100");
    EXPECT_EQ(caller().display_name, "Front Desk");
}

TEST_F(identity_fixture, trust_id_inbound_takes_the_asserted_identity) {
    endpoint.trust_id_inbound = true;
    start();
    EXPECT_EQ(caller().number, "+15551234");
    EXPECT_EQ(caller().source, identity_source::p_asserted_identity);
}

TEST_F(identity_fixture, the_endpoints_callerid_overrides_what_the_request_says) {
    endpoint.trust_id_inbound = true;
    endpoint.callerid = {"Lobby", "200"};
    start();
    EXPECT_EQ(caller().display_name, "Lobby");
    EXPECT_EQ(caller().number, "200");
}

TEST_F(identity_fixture, the_callerid_number_replaces_the_user_of_the_callers_uri_too) {
    endpoint.trust_id_inbound = true;
    endpoint.callerid = {"", "200"};
    start();
    EXPECT_EQ(caller().uri, "sip:200@h") << "what is asserted on matches the number";
    endpoint.callerid = {"", "+1 555/0#"};
    start();
    EXPECT_EQ(caller().number, "+1 555/0#");
    EXPECT_EQ(caller().uri, "sip:+1%20555/0%23@h") << "escaped as a URI user";
    endpoint.callerid = {"Lobby", ""};
    start();
    EXPECT_EQ(caller().uri, "sip:+15551234@h") << "a name alone leaves the URI";
}

TEST_F(identity_fixture, send_pai_and_send_rpid_assert_the_called_party_in_1xx_and_2xx) {
    endpoint.send_pai = true;
    endpoint.send_rpid = true;
    start();
    auto ok = outgoing_message::response(200, {}, "INVITE");
    s->outgoing_response(ok);
    EXPECT_EQ(ok.header("P-Asserted-Identity"), "<sip:echo@h>");
    EXPECT_EQ(ok.header("Remote-Party-ID"), "<sip:echo@h>;party=called;screen=yes;privacy=off");
    auto ringing = outgoing_message::response(180, {}, "INVITE");
    s->outgoing_response(ringing);
    EXPECT_TRUE(ringing.header("P-Asserted-Identity"));
    auto busy = outgoing_message::response(486, {}, "INVITE");
    s->outgoing_response(busy);
    EXPECT_FALSE(busy.header("P-Asserted-Identity")) << "only 1xx and 2xx";
}

TEST_F(identity_fixture, without_send_pai_nothing_is_asserted) {
    start();
    auto ok = outgoing_message::response(200, {}, "INVITE");
    s->outgoing_response(ok);
    EXPECT_FALSE(ok.header("P-Asserted-Identity"));
    EXPECT_FALSE(ok.header("Remote-Party-ID"));
}

/// A B2BUA leg to `endpoint`: the caller's identity copied in, as parleyd's Dial() does.
struct relay_fixture : identity_fixture {
    outgoing_message invite_to_endpoint(party_identity who) {
        s = std::make_unique<session>(registry.snapshot(), session_options{.id = 2});
        s->cookies().add_value<session_endpoint>(session_endpoint_cookie,
                                                 session_endpoint{nullptr, &endpoint});
        s->cookies().add_value<party_identity>(caller_identity_cookie, std::move(who));
        s->begin();
        auto invite = outgoing_message::request("INVITE", "sip:trunk@192.0.2.7");
        invite.add_header("To", "<sip:trunk@192.0.2.7>");
        s->outgoing_request(invite);
        return invite;
    }
    static party_identity alice(presentation p = presentation::allowed) {
        party_identity who;
        who.display_name = "Alice \"A\"";
        who.number = "100";
        who.uri = "sip:100@pbx.example";
        who.presented = p;
        return who;
    }
};

TEST_F(relay_fixture, send_pai_and_send_rpid_pass_the_callers_identity_on) {
    endpoint.send_pai = true;
    endpoint.send_rpid = true;
    auto invite = invite_to_endpoint(alice());
    EXPECT_EQ(invite.header("P-Asserted-Identity"), "\"Alice \\\"A\\\"\" <sip:100@pbx.example>");
    EXPECT_EQ(invite.header("Remote-Party-ID"),
              "\"Alice \\\"A\\\"\" <sip:100@pbx.example>;party=calling;screen=no;privacy=off");
    EXPECT_FALSE(invite.header("Privacy"));
}

TEST_F(relay_fixture, an_overriding_callerid_number_is_what_is_asserted) {
    // The caller's endpoint overrides the number (as the incoming side does), and the leg to
    // this endpoint asserts it: the number and the asserted URI agree.
    endpoint.trust_id_inbound = true;
    endpoint.callerid = {"Lobby", "200"};
    start();
    party_identity who = caller();
    endpoint = {};
    endpoint.send_pai = true;
    endpoint.send_rpid = true;
    auto invite = invite_to_endpoint(who);
    EXPECT_EQ(invite.header("P-Asserted-Identity"), "\"Lobby\" <sip:200@h>");
    EXPECT_EQ(invite.header("Remote-Party-ID"),
              "\"Lobby\" <sip:200@h>;party=calling;screen=no;privacy=off");
}

TEST_F(relay_fixture, a_tag_uri_parameter_in_to_is_not_a_reinvite) {
    endpoint.send_pai = true;
    s = std::make_unique<session>(registry.snapshot(), session_options{.id = 4});
    s->cookies().add_value<session_endpoint>(session_endpoint_cookie,
                                             session_endpoint{nullptr, &endpoint});
    s->cookies().add_value<party_identity>(caller_identity_cookie, alice());
    s->begin();
    auto invite = outgoing_message::request("INVITE", "sip:trunk@192.0.2.7;tag=x");
    invite.add_header("To", "<sip:trunk@192.0.2.7;tag=x>");
    s->outgoing_request(invite);
    EXPECT_TRUE(invite.header("P-Asserted-Identity")) << "the tag is the URI's, not the To's";
}

TEST_F(relay_fixture, a_private_caller_is_withheld_unless_the_endpoint_is_trusted) {
    endpoint.send_pai = true;
    auto withheld = invite_to_endpoint(alice(presentation::restricted));
    EXPECT_FALSE(withheld.header("P-Asserted-Identity")) << "RFC 3325 §5: not outside the trust";
    endpoint.trust_id_outbound = true;
    auto trusted = invite_to_endpoint(alice(presentation::restricted));
    EXPECT_TRUE(trusted.header("P-Asserted-Identity"));
    EXPECT_EQ(trusted.header("Privacy"), "id");
}

TEST_F(relay_fixture, without_send_pai_or_in_a_reinvite_nothing_is_added) {
    auto plain = invite_to_endpoint(alice());
    EXPECT_FALSE(plain.header("P-Asserted-Identity"));
    endpoint.send_pai = true;
    s = std::make_unique<session>(registry.snapshot(), session_options{.id = 3});
    s->cookies().add_value<session_endpoint>(session_endpoint_cookie,
                                             session_endpoint{nullptr, &endpoint});
    s->cookies().add_value<party_identity>(caller_identity_cookie, alice());
    s->begin();
    auto reinvite = outgoing_message::request("INVITE", "sip:trunk@192.0.2.7");
    reinvite.add_header("To", "<sip:trunk@192.0.2.7>;tag=abc");
    s->outgoing_request(reinvite);
    EXPECT_FALSE(reinvite.header("P-Asserted-Identity")) << "the initial INVITE only";
}

} // namespace
} // namespace parley
