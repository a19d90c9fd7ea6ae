#include <parley/endpoint/session_endpoint.hpp>

#include <gtest/gtest.h>

namespace parley {
namespace {

const char* config_text = R"([udp]
type = transport
protocol = udp
bind = 127.0.0.1:5060

[carrier]
type = endpoint
context = default
allow = ulaw
outbound_auth = carrier

[carrier]
type = auth
auth_type = userpass
username = parley
password = secret
realm = carrier.example.com
)";

std::unique_ptr<message> challenge(std::string_view nonce) {
    std::string text =
        "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
        "WWW-Authenticate: Digest realm=\"carrier.example.com\", nonce=\"" +
        std::string(nonce) + "\", algorithm=MD5, qop=\"auth\"\r\nContent-Length: 0\r\n\r\n";
    auto m = std::make_unique<message>();
    EXPECT_TRUE(parse_message(text, *m, {.buffer = buffer_use::copy}));
    return m;
}

TEST(endpoint_credentials,
     answers_with_the_endpoints_outbound_auth_and_stops_on_wrong_credentials) {
    auto loaded = parse_configuration(config_text, "test.conf");
    ASSERT_TRUE(loaded.ok());
    extension_registry registry;
    session s(registry.snapshot(), {.id = 1});
    endpoint_credentials credentials({.cnonce_source = [] { return std::string("0a4f113b"); }});
    // No endpoint on the session: nothing to answer with.
    EXPECT_FALSE(
        credentials.answer_challenge(s, *challenge("n1"), "INVITE", "sip:b@carrier.example.com"));
    ASSERT_TRUE(s.cookies().add_value<session_endpoint>(
        session_endpoint_cookie,
        session_endpoint{loaded.config, loaded.config->find_endpoint("carrier")}));
    auto first =
        credentials.answer_challenge(s, *challenge("n1"), "INVITE", "sip:b@carrier.example.com");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->header_name, "Authorization");
    EXPECT_NE(first->value.find("username=\"parley\""), std::string::npos) << first->value;
    EXPECT_NE(first->value.find("realm=\"carrier.example.com\""), std::string::npos);
    EXPECT_NE(first->value.find("uri=\"sip:b@carrier.example.com\""), std::string::npos);
    // The same nonce again without stale=true: the credentials are wrong, stop (RFC 7616 §3.3).
    EXPECT_FALSE(
        credentials.answer_challenge(s, *challenge("n1"), "INVITE", "sip:b@carrier.example.com"));
}

} // namespace
} // namespace parley
