// Endpoint identification: each method alone, then the configured order.
#include <parley/endpoint/identify.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

const std::string base_config = R"(
[udp]
type = transport
bind = 127.0.0.1:5060

[alice]
type = endpoint
allow = ulaw
auth = alice-auth

[alice-auth]
type = auth
username = alice-login
password = secret

[bob@example.com]
type = endpoint
allow = ulaw
identify_by = username

[bob]
type = endpoint
allow = ulaw
identify_by = username,ip

[carol]
type = endpoint
allow = ulaw

[trunk]
type = endpoint
allow = ulaw

[trunk]
type = identify
endpoint = trunk
match = 203.0.113.0/24, 2001:db8::/32
match = pbx.example.net

[carrier]
type = endpoint
allow = ulaw

[carrier]
type = identify
endpoint = carrier
match_header = X-Carrier: blue
)";

std::shared_ptr<const configuration> load(const std::string& extra = "") {
    auto r = parse_configuration(base_config + extra, "identify.conf");
    EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
    return r.config;
}

std::unique_ptr<message> request(const std::string& from_user,
                                 const std::string& extra_headers = "") {
    std::string text = "INVITE sip:service@127.0.0.1 SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                       "From: <sip:" +
                       from_user +
                       ">;tag=1\r\n"
                       "To: <sip:service@127.0.0.1>\r\n"
                       "Call-ID: c1\r\n"
                       "CSeq: 1 INVITE\r\n" +
                       extra_headers + "Content-Length: 0\r\n\r\n";
    auto m = std::make_unique<message>();
    auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason;
    return m;
}

flow from(const char* ip) {
    flow f;
    f.remote = *socket_address::from_numeric(ip, 5060);
    return f;
}

std::string name_of(const endpoint_config* e) {
    return e == nullptr ? "<none>" : e->name;
}

TEST(identify, by_username_tries_user_at_domain_then_user) {
    endpoint_identifier id(load());
    EXPECT_EQ(name_of(id.by_username(*request("bob@example.com"))), "bob@example.com");
    EXPECT_EQ(name_of(id.by_username(*request("bob@elsewhere.org"))), "bob");
    EXPECT_EQ(name_of(id.by_username(*request("alice@x.org"))), "alice");
    EXPECT_EQ(name_of(id.by_username(*request("al%69ce@x.org"))), "alice"); // unescaped
    EXPECT_EQ(name_of(id.by_username(*request("bob;phone-context=x@x.org"))), "bob");
    EXPECT_EQ(name_of(id.by_username(*request("carol@x.org"))), "<none>");
    EXPECT_EQ(name_of(id.by_username(*request("x.org"))), "<none>"); // no user part
}

TEST(identify, by_auth_username_maps_auth_to_the_endpoint_using_it) {
    endpoint_identifier id(load());
    auto with = [](const std::string& header) { return request("someone@x.org", header + "\r\n"); };
    EXPECT_EQ(name_of(id.by_auth_username(
                  *with("Authorization: Digest username=\"alice-login\", realm=\"parley\", "
                        "nonce=\"n\", uri=\"sip:service@127.0.0.1\", response=\"00\""))),
              "alice");
    EXPECT_EQ(name_of(id.by_auth_username(
                  *with("Proxy-Authorization: Digest username=\"alice-login\", realm=\"parley\", "
                        "nonce=\"n\", uri=\"sip:service@127.0.0.1\", response=\"00\""))),
              "alice");
    // The auth section's own name is not a username.
    EXPECT_EQ(name_of(id.by_auth_username(
                  *with("Authorization: Digest username=\"alice-auth\", realm=\"parley\", "
                        "nonce=\"n\", uri=\"sip:service@127.0.0.1\", response=\"00\""))),
              "<none>");
    EXPECT_EQ(name_of(id.by_auth_username(*request("someone@x.org"))), "<none>");
    // An unreadable line (another realm's, no uri) does not hide a good one.
    EXPECT_EQ(name_of(id.by_auth_username(
                  *with("Authorization: Digest username=\"x\", realm=\"other\", nonce=\"n\", "
                        "response=\"0\"\r\nAuthorization: Digest username=\"alice-login\", "
                        "realm=\"parley\", nonce=\"n\", uri=\"sip:service@127.0.0.1\", "
                        "response=\"00\""))),
              "alice");
}

TEST(identify, by_ip_with_networks_v4_v6_and_resolved_hosts) {
    identifier_options options;
    options.resolved_hosts["pbx.example.net"] = {*socket_address::from_numeric("198.51.100.7", 0)};
    endpoint_identifier id(load(), options);
    EXPECT_EQ(name_of(id.by_ip(*socket_address::from_numeric("203.0.113.77", 5060))), "trunk");
    EXPECT_EQ(name_of(id.by_ip(*socket_address::from_numeric("2001:db8::5", 5060))), "trunk");
    EXPECT_EQ(name_of(id.by_ip(*socket_address::from_numeric("198.51.100.7", 5070))), "trunk");
    EXPECT_EQ(name_of(id.by_ip(*socket_address::from_numeric("198.51.100.8", 5060))), "<none>");
    EXPECT_EQ(name_of(id.by_ip(*socket_address::from_numeric("203.0.114.1", 5060))), "<none>");
}

TEST(identify, by_header_exact_value_any_line) {
    endpoint_identifier id(load());
    EXPECT_EQ(name_of(id.by_header(*request("x@x.org", "X-Carrier: red\r\nx-carrier: blue\r\n"))),
              "carrier");
    EXPECT_EQ(name_of(id.by_header(*request("x@x.org", "X-Carrier: Blue\r\n"))), "<none>");
    EXPECT_EQ(name_of(id.by_header(*request("x@x.org"))), "<none>");
}

TEST(identify, header_match_on_a_known_header_uses_its_compact_form_too) {
    endpoint_identifier id(load("[s]\ntype=endpoint\nallow=ulaw\n[s]\ntype=identify\nendpoint=s\n"
                                "match_header=Subject: hello\n"));
    EXPECT_EQ(name_of(id.by_header(*request("x@x.org", "s: hello\r\n"))), "s");
}

TEST(identify, default_order_is_username_auth_username_ip_header) {
    endpoint_identifier id(load());
    // A From user wins over the source address.
    auto r = id.identify(*request("bob@x.org"), from("203.0.113.1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "bob");
    EXPECT_EQ(r->method, identify_method::username);
    // No such user: the source address decides.
    r = id.identify(*request("nobody@x.org", "X-Carrier: blue\r\n"), from("203.0.113.1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "trunk");
    EXPECT_EQ(r->method, identify_method::ip);
    // Neither user nor address: the header.
    r = id.identify(*request("nobody@x.org", "X-Carrier: blue\r\n"), from("192.0.2.9"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "carrier");
    EXPECT_EQ(r->method, identify_method::header);
    // Nothing at all: the artificial endpoint (no identification).
    EXPECT_FALSE(id.identify(*request("nobody@x.org"), from("192.0.2.9")));
}

TEST(identify, configured_order_is_followed) {
    endpoint_identifier id(load("[global]\ntype=global\nendpoint_identifier_order=header,ip\n"));
    auto r = id.identify(*request("bob@x.org", "X-Carrier: blue\r\n"), from("203.0.113.1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "carrier");
    r = id.identify(*request("bob@x.org"), from("203.0.113.1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "trunk");
    // username is not in the order, so bob is not found by name.
    EXPECT_FALSE(id.identify(*request("bob@x.org"), from("192.0.2.9")));
}

TEST(identify, an_endpoint_without_auth_is_not_found_by_its_name_unless_it_says_so) {
    endpoint_identifier id(load());
    // carol asks for no password and has no identify_by: writing her name in From (or in an
    // Authorization username) must not make a request hers.
    EXPECT_EQ(name_of(id.by_username(*request("carol@x.org"))), "<none>");
    EXPECT_FALSE(id.identify(*request("carol@x.org"), from("192.0.2.9")));
    // The same holds for an endpoint an identify section restricts to its addresses.
    EXPECT_EQ(name_of(id.by_username(*request("trunk@x.org"))), "<none>");
    EXPECT_EQ(name_of(id.by_username(*request("carrier@x.org"))), "<none>");
    auto r = id.identify(*request("trunk@x.org"), from("192.0.2.9"));
    EXPECT_FALSE(r) << r->endpoint->name;
    // Its own addresses still find it.
    r = id.identify(*request("trunk@x.org"), from("203.0.113.1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "trunk");
    EXPECT_EQ(r->method, identify_method::ip);
    // An endpoint with auth= is found by name: the name only picks whom to challenge.
    EXPECT_EQ(name_of(id.by_username(*request("alice@x.org"))), "alice");
}

TEST(identify, identify_by_limits_the_methods_that_find_an_endpoint) {
    endpoint_identifier id(load(R"(
[dave]
type = endpoint
allow = ulaw
auth = dave-auth
identify_by = ip

[dave-auth]
type = auth
username = dave-login
password = secret

[dave]
type = identify
endpoint = dave
match = 198.51.100.0/24
match_header = X-Dave: yes

[erin]
type = endpoint
allow = ulaw
identify_by = header

[erin]
type = identify
endpoint = erin
match = 198.51.100.0/24
match_header = X-Erin: yes
)"));
    // dave: neither his name nor his auth username finds him, his network does, his header not.
    EXPECT_EQ(name_of(id.by_username(*request("dave@x.org"))), "<none>");
    EXPECT_EQ(name_of(id.by_auth_username(*request(
                  "someone@x.org",
                  "Authorization: Digest username=\"dave-login\", realm=\"parley\", nonce=\"n\", "
                  "uri=\"sip:service@127.0.0.1\", response=\"00\"\r\n"))),
              "<none>");
    EXPECT_EQ(name_of(id.by_ip(*socket_address::from_numeric("198.51.100.3", 5060))), "dave");
    EXPECT_EQ(name_of(id.by_header(*request("x@x.org", "X-Dave: yes\r\n"))), "<none>");
    // erin: her header finds her, the network she shares with dave does not.
    EXPECT_EQ(name_of(id.by_header(*request("x@x.org", "X-Erin: yes\r\n"))), "erin");
    auto r = id.identify(*request("x@x.org", "X-Erin: yes\r\n"), from("198.51.100.3"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->endpoint->name, "dave");
    EXPECT_EQ(r->method, identify_method::ip);
}

TEST(identify, identify_by_values_and_the_warning_for_a_name_without_a_password) {
    auto with = [](const std::string& value) {
        return parse_configuration("[t]\ntype = transport\nbind = 127.0.0.1:5060\n"
                                   "[e]\ntype = endpoint\nallow = ulaw\nidentify_by = " +
                                       value + "\n",
                                   "e.conf");
    };
    for (const char* bad : {"", "username,username", "user", "ip,,bogus"}) {
        auto r = with(bad);
        EXPECT_FALSE(r.ok()) << bad;
        ASSERT_FALSE(r.errors.empty()) << bad;
        EXPECT_NE(r.errors[0].to_string().find("identify_by"), std::string::npos)
            << r.errors[0].to_string();
    }
    auto r = with("ip, header");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.warnings.empty());
    r = with("username");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].to_string().find("no auth="), std::string::npos)
        << r.warnings[0].to_string();
    // The defaults: every method with auth=, only ip and header without.
    r = parse_configuration("[t]\ntype=transport\nbind=127.0.0.1:5060\n"
                            "[a]\ntype=endpoint\nallow=ulaw\nauth=a\n[a]\ntype=auth\nusername=a\n"
                            "password=p\n[b]\ntype=endpoint\nallow=ulaw\n",
                            "d.conf");
    ASSERT_TRUE(r.ok());
    const endpoint_config* a = r.config->find_endpoint("a");
    const endpoint_config* b = r.config->find_endpoint("b");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->identify_by.size(), 4u);
    EXPECT_EQ(b->identify_by,
              (std::vector<identify_method>{identify_method::ip, identify_method::header}));
}

TEST(identify, embedded_default_reaches_anonymous_from_loopback_only) {
    auto r = default_configuration();
    ASSERT_TRUE(r.ok());
    endpoint_identifier id(r.config);
    auto found = id.identify(*request("caller@127.0.0.1"), from("127.0.0.1"));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->endpoint->name, "anonymous");
    EXPECT_TRUE(found->endpoint->auth.empty());
    found = id.identify(*request("caller@[::1]"), from("::1"));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->endpoint->name, "anonymous");
    EXPECT_FALSE(id.identify(*request("caller@192.0.2.1"), from("192.0.2.1")));
    // Its name in From does not let anyone else in (the server may listen beyond loopback).
    EXPECT_FALSE(id.identify(*request("anonymous@192.0.2.1"), from("192.0.2.1")));
}

} // namespace
} // namespace parley
