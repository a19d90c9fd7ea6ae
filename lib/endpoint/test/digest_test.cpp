// Digest authentication: RFC vectors, the server's verdicts (expiry, replay, enumeration,
// failure counts) on an injected clock, and the client's answers and retry bound.
#include <parley/endpoint/digest_client.hpp>
#include <parley/endpoint/digest_server.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

// ---- Vectors ----------------------------------------------------------------------------------

TEST(digest_vectors, rfc7616_3_9_1_md5_and_sha256) {
    const char* nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    const char* cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    for (auto [hash, expected] :
         {std::pair{digest_hash::md5, "8ca523f5e9506fed4657c9700eebdbec"},
          std::pair{digest_hash::sha_256,
                    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"}}) {
        std::string ha1 = digest_ha1(hash, "Mufasa", "http-auth@example.org", "Circle of Life");
        EXPECT_EQ(digest_response({.hash = hash,
                                   .ha1 = ha1,
                                   .method = "GET",
                                   .uri = "/dir/index.html",
                                   .nonce = nonce,
                                   .qop = "auth",
                                   .nc = "00000001",
                                   .cnonce = cnonce}),
                  expected);
    }
}

TEST(digest_vectors, rfc2617_3_5_with_qop_and_the_qop_less_form) {
    std::string ha1 =
        digest_ha1(digest_hash::md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
    EXPECT_EQ(ha1, "939e7578ed9e3c518a452acee763bce9");
    digest_response_input in{.hash = digest_hash::md5,
                             .ha1 = ha1,
                             .method = "GET",
                             .uri = "/dir/index.html",
                             .nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                             .qop = "auth",
                             .nc = "00000001",
                             .cnonce = "0a4f113b"};
    EXPECT_EQ(digest_response(in), "6629fae49393a05397450978507c4ef1");
    in.qop = "";
    EXPECT_EQ(digest_response(in), "670fd8c2df070c60b045671b8b24ff02"); // H(HA1:nonce:HA2)
}

TEST(digest_vectors, client_builds_the_rfc7616_sha256_authorization) {
    auto ch = parse_challenge(
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
    ASSERT_TRUE(ch);
    auth_config mufasa{.name = "m", .username = "Mufasa", .password = "Circle of Life"};
    auto value = build_authorization({.challenged = *ch,
                                      .credentials = mufasa,
                                      .request = {"GET", "/dir/index.html"},
                                      .cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                                      .nonce_count = 1});
    ASSERT_TRUE(value);
    EXPECT_EQ(*value,
              "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
              "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
              "uri=\"/dir/index.html\", "
              "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
              "algorithm=SHA-256, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
              "qop=auth, nc=00000001, "
              "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
}

TEST(digest_vectors, md5_cred_answers_only_md5_in_its_realm) {
    auth_config md5{.name = "m",
                    .type = auth_type::md5,
                    .username = "Mufasa",
                    .md5_cred = "939e7578ed9e3c518a452acee763bce9",
                    .realm = "testrealm@host.com"};
    auto md5_challenge = parse_challenge(
        "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
    ASSERT_TRUE(md5_challenge);
    auto value = build_authorization(
        {.challenged = *md5_challenge, .credentials = md5, .request = {"GET", "/dir/index.html"}});
    ASSERT_TRUE(value);
    EXPECT_NE(value->find("response=\"670fd8c2df070c60b045671b8b24ff02\""), std::string::npos);
    EXPECT_EQ(value->find("algorithm"), std::string::npos); // not offered, not echoed

    auto sha =
        parse_challenge("Digest realm=\"testrealm@host.com\", nonce=\"n\", algorithm=SHA-256");
    ASSERT_TRUE(sha);
    EXPECT_FALSE(
        build_authorization({.challenged = *sha, .credentials = md5, .request = {"GET", "/"}}));
    auto other = parse_challenge("Digest realm=\"elsewhere\", nonce=\"n\"");
    ASSERT_TRUE(other);
    EXPECT_FALSE(
        build_authorization({.challenged = *other, .credentials = md5, .request = {"GET", "/"}}));
    auto auth_int =
        parse_challenge("Digest realm=\"testrealm@host.com\", nonce=\"n\", qop=\"auth-int\"");
    ASSERT_TRUE(auth_int);
    EXPECT_FALSE(build_authorization(
        {.challenged = *auth_int, .credentials = md5, .request = {"GET", "/"}}));
}

// ---- Server -----------------------------------------------------------------------------------

const std::string server_config = R"(
[udp]
type = transport
bind = 127.0.0.1:5060

[global]
type = global
default_realm = parley.test
nonce_lifetime = 30

[alice]
type = endpoint
allow = ulaw
auth = alice

[alice]
type = auth
username = alice
password = wonderland

[hashed]
type = endpoint
allow = ulaw
auth = hashed

[hashed]
type = auth
auth_type = md5
username = hashed
md5_cred = 7bd2cfd1b3e1f0a4ac6c0cc3b6e3e1a5

[open]
type = endpoint
allow = ulaw
)";

struct fixture : testing::Test {
    std::shared_ptr<const configuration> config = [] {
        auto r = parse_configuration(server_config, "digest.conf");
        EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
        return r.config;
    }();
    digest_authenticator::key_type key = digest_authenticator::generate_key();
    digest_authenticator server{key};
    time_point now = time_point{} + std::chrono::hours(1000);
    flow source = [] {
        flow f;
        f.remote = *socket_address::from_numeric("192.0.2.50", 5060);
        return f;
    }();

    std::unique_ptr<message> invite(const std::string& extra = "", const char* method = "INVITE",
                                    const std::string& request_uri = "sip:service@127.0.0.1") {
        std::string text = std::string(method) + " " + request_uri +
                           " SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 192.0.2.50;branch=z9hG4bK1\r\n"
                           "From: <sip:alice@example.com>;tag=1\r\n"
                           "To: <sip:service@127.0.0.1>\r\n"
                           "Call-ID: c1\r\n"
                           "CSeq: 1 " +
                           method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
        auto m = std::make_unique<message>();
        auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
        EXPECT_TRUE(r) << r.error_value().reason;
        return m;
    }

    digest_verdict check(const message& m, const char* endpoint_name) {
        const endpoint_config* e = endpoint_name ? config->find_endpoint(endpoint_name) : nullptr;
        return server.authenticate({m, source, *config, e}, now);
    }

    // A challenge from the server, answered with `user`/`password` (SHA-256 unless md5).
    std::string answer(const digest_verdict& challenged, const std::string& user,
                       const std::string& password, digest_hash hash = digest_hash::sha_256,
                       std::uint32_t nc = 1) {
        std::size_t index = hash == digest_hash::sha_256 ? 0 : 1;
        EXPECT_GE(challenged.headers.size(), 2u);
        auto ch = parse_challenge(challenged.headers.at(index).value);
        EXPECT_TRUE(ch);
        auth_config a{.name = "x", .username = user, .password = password};
        auto value = build_authorization({.challenged = *ch,
                                          .credentials = a,
                                          .request = {"INVITE", "sip:service@127.0.0.1"},
                                          .cnonce = "abcdef",
                                          .nonce_count = nc});
        EXPECT_TRUE(value);
        return "Authorization: " + *value + "\r\n";
    }
};

TEST_F(fixture, ack_cancel_and_endpoints_without_auth_are_never_challenged) {
    EXPECT_FALSE(digest_authenticator::is_challengeable(method::ack));
    EXPECT_FALSE(digest_authenticator::is_challengeable(method::cancel));
    EXPECT_TRUE(digest_authenticator::is_challengeable(method::invite));
    EXPECT_TRUE(digest_authenticator::is_challengeable(method::bye));
    EXPECT_EQ(check(*invite("", "ACK"), "alice").outcome, digest_outcome::not_required);
    EXPECT_EQ(check(*invite("", "CANCEL"), nullptr).outcome, digest_outcome::not_required);
    EXPECT_EQ(check(*invite(), "open").outcome, digest_outcome::not_required);
}

TEST_F(fixture, challenge_offers_sha256_then_md5_with_qop_auth) {
    digest_verdict v = check(*invite(), "alice");
    EXPECT_EQ(v.outcome, digest_outcome::challenge);
    EXPECT_EQ(v.status, 401);
    ASSERT_EQ(v.headers.size(), 2u);
    EXPECT_EQ(v.headers[0].id, header_id::www_authenticate);
    auto sha = parse_challenge(v.headers[0].value);
    auto md5 = parse_challenge(v.headers[1].value);
    ASSERT_TRUE(sha && md5);
    EXPECT_EQ(sha->algorithm, digest_algorithm::sha_256);
    EXPECT_EQ(md5->algorithm, digest_algorithm::md5);
    EXPECT_EQ(sha->realm, "parley.test");
    EXPECT_TRUE(sha->offers_qop("auth"));
    EXPECT_FALSE(sha->stale);
    EXPECT_FALSE(sha->opaque.empty());
    EXPECT_EQ(sha->nonce.size(), 68u);
    EXPECT_EQ(server.failure_count(source.remote), 0u); // a first challenge is no failure
}

TEST_F(fixture, default_auth_algorithms_uas_chooses_and_orders_the_challenges) {
    auto md5_only = parse_configuration(server_config + "[s]\ntype=system\n"
                                                        "default_auth_algorithms_uas=MD5\n",
                                        "md5.conf");
    ASSERT_TRUE(md5_only.ok()) << md5_only.errors[0].to_string();
    EXPECT_EQ(md5_only.config->system().auth_algorithms_uas, std::vector{digest_hash::md5});
    digest_verdict v = server.authenticate(
        {*invite(), source, *md5_only.config, md5_only.config->find_endpoint("alice")}, now);
    ASSERT_EQ(v.headers.size(), 1u);
    auto ch = parse_challenge(v.headers[0].value);
    ASSERT_TRUE(ch);
    EXPECT_EQ(ch->algorithm, digest_algorithm::md5);
    // Credentials in an algorithm the configuration does not offer fail, right or not.
    digest_verdict full = check(*invite(), "alice");
    auto sha = invite(answer(full, "alice", "wonderland", digest_hash::sha_256));
    digest_verdict refused = server.authenticate(
        {*sha, source, *md5_only.config, md5_only.config->find_endpoint("alice")}, now);
    EXPECT_EQ(refused.outcome, digest_outcome::failure);
    EXPECT_EQ(refused.failure, digest_failure::unsupported);
}

TEST_F(fixture, proxy_kind_answers_407_and_reads_proxy_authorization) {
    digest_authenticator proxy(key, {.kind = challenge_kind::proxy});
    auto m = invite();
    digest_verdict v =
        proxy.authenticate({*m, source, *config, config->find_endpoint("alice")}, now);
    EXPECT_EQ(v.status, 407);
    ASSERT_EQ(v.headers.size(), 2u);
    EXPECT_EQ(v.headers[0].id, header_id::proxy_authenticate);
    std::string credentials = answer(v, "alice", "wonderland");
    credentials.replace(0, 13, "Proxy-Authorization");
    auto retry = invite(credentials);
    EXPECT_EQ(
        proxy.authenticate({*retry, source, *config, config->find_endpoint("alice")}, now).outcome,
        digest_outcome::authenticated);
}

TEST_F(fixture, right_password_with_sha256_and_with_md5) {
    for (digest_hash hash : {digest_hash::sha_256, digest_hash::md5}) {
        digest_verdict challenged = check(*invite(), "alice");
        auto retry = invite(answer(challenged, "alice", "wonderland", hash));
        digest_verdict v = check(*retry, "alice");
        EXPECT_EQ(v.outcome, digest_outcome::authenticated);
        ASSERT_NE(v.auth, nullptr);
        EXPECT_EQ(v.auth->name, "alice");
        EXPECT_TRUE(v.headers.empty());
    }
}

TEST_F(fixture, md5_cred_verifies_md5_and_refuses_sha256) {
    // md5_cred = MD5("h2:parley.test:secret")
    auto r =
        parse_configuration(server_config +
                                "[h2]\ntype=endpoint\nallow=ulaw\nauth=h2\n"
                                "[h2]\ntype=auth\nauth_type=md5\nusername=h2\n"
                                "md5_cred=" +
                                digest_ha1(digest_hash::md5, "h2", "parley.test", "secret") + "\n",
                            "digest.conf");
    ASSERT_TRUE(r.ok());
    config = r.config;
    auto with = [&](digest_hash hash) {
        digest_verdict challenged = check(*invite(), "h2");
        auto retry = invite(answer(challenged, "h2", "secret", hash));
        return check(*retry, "h2");
    };
    EXPECT_EQ(with(digest_hash::md5).outcome, digest_outcome::authenticated);
    digest_verdict sha = with(digest_hash::sha_256);
    EXPECT_EQ(sha.outcome, digest_outcome::failure);
    EXPECT_EQ(sha.failure, digest_failure::unsupported);
}

TEST_F(fixture, credentials_for_another_request_uri_fail_and_leave_the_nonce_unused) {
    // An on-path attacker copies the victim's Authorization onto an INVITE for another number.
    digest_verdict challenged = check(*invite(), "alice");
    const std::string credentials = answer(challenged, "alice", "wonderland");
    digest_verdict v = check(*invite(credentials, "INVITE", "sip:900premium@127.0.0.1"), "alice");
    EXPECT_EQ(v.outcome, digest_outcome::failure);
    EXPECT_EQ(v.failure, digest_failure::wrong_uri);
    EXPECT_EQ(v.status, 401);
    EXPECT_EQ(v.auth, nullptr);
    EXPECT_EQ(server.failure_count(source.remote), 1u);
    // The victim's own request, with the same nonce and count, still gets through.
    v = check(*invite(credentials), "alice");
    EXPECT_EQ(v.outcome, digest_outcome::authenticated);
    // An equivalent Request-URI (RFC 3261 §19.1.4: the user unescaped, the host in any case)
    // is the same resource.
    challenged = check(*invite(), "alice");
    v = check(
        *invite(answer(challenged, "alice", "wonderland"), "INVITE", "sip:%73ervice@127.0.0.1"),
        "alice");
    EXPECT_EQ(v.outcome, digest_outcome::authenticated);
    // A uri that is not a URI at all fails the same way.
    challenged = check(*invite(), "alice");
    std::string garbled = answer(challenged, "alice", "wonderland");
    garbled.replace(garbled.find("uri=\"sip:"), 9, "uri=\"x y:");
    v = check(*invite(garbled), "alice");
    EXPECT_EQ(v.outcome, digest_outcome::failure);
}

TEST_F(fixture, auth_check_uri_no_accepts_credentials_signed_for_another_uri) {
    auto with_check = [](const std::string& value) {
        std::string text = server_config;
        text.insert(text.find("nonce_lifetime"), "auth_check_uri = " + value + "\n");
        return parse_configuration(text, "digest.conf");
    };
    auto r = with_check("no");
    ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
    config = r.config;
    digest_verdict challenged = check(*invite(), "alice");
    digest_verdict v = check(
        *invite(answer(challenged, "alice", "wonderland"), "INVITE", "sip:echo@127.0.0.1:5090"),
        "alice");
    EXPECT_EQ(v.outcome, digest_outcome::authenticated);
    EXPECT_FALSE(with_check("maybe").ok());
}

TEST(digest_config, an_inbound_md5_cred_behind_sha256_first_is_warned_about) {
    const std::string base = "[t]\ntype=transport\nbind=127.0.0.1:5060\n"
                             "[h]\ntype=endpoint\nallow=ulaw\nauth=h\n"
                             "[h]\ntype=auth\nauth_type=md5\nusername=h\n"
                             "md5_cred=7bd2cfd1b3e1f0a4ac6c0cc3b6e3e1a5\n";
    auto r = parse_configuration(base, "d.conf");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].to_string().find("md5_cred"), std::string::npos);
    r = parse_configuration(base + "[g]\ntype=global\ndefault_auth_algorithms_uas=md5,sha-256\n",
                            "d.conf");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.warnings.empty()) << r.warnings[0].to_string();
}

TEST_F(fixture, wrong_password_fails_with_a_fresh_challenge_and_is_counted) {
    for (std::uint32_t attempt = 1; attempt <= 3; ++attempt) {
        digest_verdict challenged = check(*invite(), "alice");
        auto retry = invite(answer(challenged, "alice", "guess"));
        digest_verdict v = check(*retry, "alice");
        EXPECT_EQ(v.outcome, digest_outcome::failure);
        EXPECT_EQ(v.failure, digest_failure::wrong_password);
        EXPECT_EQ(v.status, 401);
        EXPECT_EQ(v.headers.size(), 2u);
        EXPECT_EQ(v.auth, nullptr);
        EXPECT_EQ(server.failure_count(source.remote), attempt);
    }
    socket_address other_port = source.remote;
    other_port.port = 7000;
    EXPECT_EQ(server.failure_count(other_port), 3u); // counted per host
    auto counts = server.failure_counts();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].first.host_text(), "192.0.2.50");
    EXPECT_EQ(counts[0].second, 3u);
}

// Same challenge, same failure: the answers never tell whether a user exists.
TEST_F(fixture, unknown_user_is_indistinguishable_from_a_known_one) {
    auto shape = [](const digest_verdict& v) {
        std::vector<std::string> out;
        for (const auth_header& h : v.headers) {
            auto ch = parse_challenge(h.value);
            std::string text = h.value;
            text.replace(text.find(ch->nonce), ch->nonce.size(), "N");
            out.push_back(text);
        }
        return out;
    };
    digest_verdict known = check(*invite(), "alice");
    digest_verdict unknown = check(*invite(), nullptr); // the artificial endpoint
    EXPECT_EQ(known.outcome, unknown.outcome);
    EXPECT_EQ(known.status, unknown.status);
    EXPECT_EQ(shape(known), shape(unknown));

    digest_verdict wrong = check(*invite(answer(known, "alice", "guess")), "alice");
    digest_verdict ghost = check(*invite(answer(unknown, "ghost", "guess")), nullptr);
    digest_verdict ghost_on_known = check(*invite(answer(known, "ghost", "guess")), "alice");
    EXPECT_EQ(wrong.outcome, digest_outcome::failure);
    EXPECT_EQ(ghost.outcome, digest_outcome::failure);
    EXPECT_EQ(ghost_on_known.outcome, digest_outcome::failure);
    EXPECT_EQ(wrong.status, ghost.status);
    EXPECT_EQ(shape(wrong), shape(ghost));
    EXPECT_EQ(ghost.failure, digest_failure::unknown_user); // for the log only
}

TEST_F(fixture, expired_nonce_with_the_right_password_is_stale) {
    digest_verdict challenged = check(*invite(), "alice");
    std::string credentials = answer(challenged, "alice", "wonderland");
    now += std::chrono::seconds(31);
    digest_verdict v = check(*invite(credentials), "alice");
    EXPECT_EQ(v.outcome, digest_outcome::stale_challenge);
    ASSERT_EQ(v.headers.size(), 2u);
    auto ch = parse_challenge(v.headers[0].value);
    ASSERT_TRUE(ch);
    EXPECT_TRUE(ch->stale);
    // The fresh nonce works at once.
    EXPECT_EQ(check(*invite(answer(v, "alice", "wonderland")), "alice").outcome,
              digest_outcome::authenticated);
    // An expired nonce with the wrong password is a failure, not stale.
    now += std::chrono::seconds(31);
    EXPECT_EQ(check(*invite(answer(v, "alice", "guess")), "alice").outcome,
              digest_outcome::failure);
}

TEST_F(fixture, nonce_inside_its_lifetime_is_accepted_at_the_edge) {
    digest_verdict challenged = check(*invite(), "alice");
    std::string credentials = answer(challenged, "alice", "wonderland");
    now += std::chrono::seconds(30);
    EXPECT_EQ(check(*invite(credentials), "alice").outcome, digest_outcome::authenticated);
}

TEST_F(fixture, replayed_nonce_count_is_refused_and_a_higher_one_accepted) {
    digest_verdict challenged = check(*invite(), "alice");
    std::string first = answer(challenged, "alice", "wonderland", digest_hash::sha_256, 1);
    EXPECT_EQ(check(*invite(first), "alice").outcome, digest_outcome::authenticated);
    digest_verdict replay = check(*invite(first), "alice");
    EXPECT_EQ(replay.outcome, digest_outcome::failure);
    EXPECT_EQ(replay.failure, digest_failure::replayed);
    std::string second = answer(challenged, "alice", "wonderland", digest_hash::sha_256, 2);
    EXPECT_EQ(check(*invite(second), "alice").outcome, digest_outcome::authenticated);
    EXPECT_EQ(check(*invite(first), "alice").failure, digest_failure::replayed);
}

TEST_F(fixture, another_users_high_count_on_a_nonce_does_not_lock_this_user_out) {
    // bob saw alice's challenge (same network) and used its nonce with the highest count under
    // his own password: alice's first use of it must still count as fresh.
    auto r =
        parse_configuration(server_config + "[bob]\ntype=endpoint\nallow=ulaw\nauth=bob\n"
                                            "[bob]\ntype=auth\nusername=bob\npassword=builder\n",
                            "digest.conf");
    ASSERT_TRUE(r.ok());
    config = r.config;
    digest_verdict challenged = check(*invite(), "alice");
    EXPECT_EQ(
        check(*invite(answer(challenged, "bob", "builder", digest_hash::sha_256, 0xffffffffu)),
              "bob")
            .outcome,
        digest_outcome::authenticated);
    EXPECT_EQ(check(*invite(answer(challenged, "alice", "wonderland")), "alice").outcome,
              digest_outcome::authenticated);
    // Each user's own counts still rise.
    EXPECT_EQ(check(*invite(answer(challenged, "alice", "wonderland")), "alice").failure,
              digest_failure::replayed);
}

TEST_F(fixture, qop_less_rfc2069_credentials_are_single_use) {
    digest_verdict challenged = check(*invite(), "alice");
    auto ch = parse_challenge(challenged.headers[1].value);
    ASSERT_TRUE(ch);
    std::string nonce = auth_param_text(ch->nonce);
    std::string opaque = auth_param_text(ch->opaque);
    std::string ha1 = digest_ha1(digest_hash::md5, "alice", "parley.test", "wonderland");
    std::string response = digest_response({.hash = digest_hash::md5,
                                            .ha1 = ha1,
                                            .method = "INVITE",
                                            .uri = "sip:service@127.0.0.1",
                                            .nonce = nonce});
    std::string header = "Authorization: Digest username=\"alice\", realm=\"parley.test\", "
                         "nonce=\"" +
                         nonce + "\", uri=\"sip:service@127.0.0.1\", response=\"" + response +
                         "\", opaque=\"" + opaque + "\"\r\n";
    EXPECT_EQ(check(*invite(header), "alice").outcome, digest_outcome::authenticated);
    // Without nc a second use cannot be told from a replay: the client gets a new nonce.
    EXPECT_EQ(check(*invite(header), "alice").outcome, digest_outcome::stale_challenge);
}

TEST_F(fixture, nonces_of_another_key_or_issuer_are_stale) {
    digest_authenticator other_key(digest_authenticator::generate_key());
    digest_authenticator other_issuer(key, {.issuer = 7});
    for (digest_authenticator* issuer : {&other_key, &other_issuer}) {
        auto m = invite();
        digest_verdict foreign =
            issuer->authenticate({*m, source, *config, config->find_endpoint("alice")}, now);
        std::string credentials = answer(foreign, "alice", "wonderland");
        EXPECT_EQ(check(*invite(credentials), "alice").outcome, digest_outcome::stale_challenge);
    }
}

TEST_F(fixture, tampered_nonce_is_never_accepted) {
    digest_verdict challenged = check(*invite(), "alice");
    std::string value = challenged.headers[0].value;
    std::size_t at = value.find("nonce=\"") + 7;
    value[at] = value[at] == '0' ? '1' : '0'; // an earlier creation time, MAC unchanged
    digest_verdict forged;
    forged.headers.push_back({header_id::www_authenticate, value});
    forged.headers.push_back({header_id::www_authenticate, value});
    EXPECT_EQ(check(*invite(answer(forged, "alice", "wonderland")), "alice").outcome,
              digest_outcome::stale_challenge);
}

TEST_F(fixture, an_evicted_nonce_is_stale_never_new) {
    digest_authenticator small(key, {.nonce_table_size = 2});
    auto run = [&](const std::string& extra) {
        auto m = invite(extra);
        return small.authenticate({*m, source, *config, config->find_endpoint("alice")}, now);
    };
    std::vector<digest_verdict> challenges;
    for (int i = 0; i < 3; ++i) {
        challenges.push_back(run(""));
        now += std::chrono::milliseconds(10);
    }
    for (const digest_verdict& c : challenges)
        EXPECT_EQ(run(answer(c, "alice", "wonderland", digest_hash::sha_256, 1)).outcome,
                  digest_outcome::authenticated);
    // The first nonce left the table: nc=2 cannot be checked against it, so it is stale.
    std::string later = answer(challenges[0], "alice", "wonderland", digest_hash::sha_256, 2);
    EXPECT_EQ(run(later).outcome, digest_outcome::stale_challenge);
}

TEST_F(fixture, failure_table_is_bounded_and_keeps_the_most_recent) {
    digest_authenticator small(key, {.failure_table_size = 2});
    for (const char* ip : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
        flow from;
        from.remote = *socket_address::from_numeric(ip, 5060);
        auto m = invite("Authorization: Digest username=\"x\", realm=\"parley.test\", nonce=\"n\", "
                        "uri=\"sip:service@127.0.0.1\", response=\"00\"\r\n");
        EXPECT_EQ(small.authenticate({*m, from, *config, nullptr}, now).outcome,
                  digest_outcome::failure);
    }
    EXPECT_EQ(small.failure_counts().size(), 2u);
    EXPECT_EQ(small.failure_count(*socket_address::from_numeric("192.0.2.1", 0)), 0u);
    EXPECT_EQ(small.failure_count(*socket_address::from_numeric("192.0.2.3", 0)), 1u);
}

TEST_F(fixture, credentials_for_another_realm_get_a_challenge) {
    auto m = invite("Authorization: Digest username=\"alice\", realm=\"other\", nonce=\"n\", "
                    "uri=\"sip:service@127.0.0.1\", response=\"00\"\r\n");
    EXPECT_EQ(check(*m, "alice").outcome, digest_outcome::challenge);
}

TEST_F(fixture, a_malformed_line_for_another_realm_does_not_hide_ours) {
    // RFC 3261 §22.3: a proxy's credentials ride along with ours; one we cannot read (no uri,
    // a duplicated parameter) must not fail the request when our own line verifies.
    digest_verdict challenged = check(*invite(), "alice");
    const std::string foreign =
        "Authorization: Digest username=\"x\", realm=\"other\", nonce=\"n\", response=\"0\"\r\n"
        "Authorization: Digest username=\"x\", username=\"y\", realm=\"other\"\r\n";
    auto m = invite(foreign + answer(challenged, "alice", "wonderland"));
    EXPECT_EQ(check(*m, "alice").outcome, digest_outcome::authenticated);
    // Without a line of ours, the unreadable ones fail the request as before.
    digest_verdict v = check(*invite(foreign), "alice");
    EXPECT_EQ(v.outcome, digest_outcome::failure);
    EXPECT_EQ(v.failure, digest_failure::malformed_credentials);
}

TEST_F(fixture, malformed_or_unsupported_credentials_fail) {
    auto bad = invite("Authorization: Digest username=\"alice\r\n");
    EXPECT_EQ(check(*bad, "alice").failure, digest_failure::malformed_credentials);
    auto no_nc = invite("Authorization: Digest username=\"alice\", realm=\"parley.test\", "
                        "nonce=\"n\", uri=\"sip:s\", response=\"00\", qop=auth\r\n");
    EXPECT_EQ(check(*no_nc, "alice").failure, digest_failure::malformed_credentials);
    auto sess = invite("Authorization: Digest username=\"alice\", realm=\"parley.test\", "
                       "nonce=\"n\", uri=\"sip:s\", response=\"00\", algorithm=MD5-sess\r\n");
    EXPECT_EQ(check(*sess, "alice").failure, digest_failure::unsupported);
}

// ---- Client -----------------------------------------------------------------------------------

std::unique_ptr<message> challenge_response(std::uint16_t status, const std::string& headers) {
    std::string text = "SIP/2.0 " + std::to_string(status) +
                       " Unauthorized\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\n"
                       "From: <sip:parley@127.0.0.1>;tag=1\r\n"
                       "To: <sip:bob@example.com>;tag=2\r\n"
                       "Call-ID: c2\r\n"
                       "CSeq: 1 INVITE\r\n" +
                       headers + "Content-Length: 0\r\n\r\n";
    auto m = std::make_unique<message>();
    auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason;
    return m;
}

std::string challenge_headers(const digest_verdict& v) {
    std::string out;
    for (const auth_header& h : v.headers)
        out += std::string(header_name(h.id)) + ": " + h.value + "\r\n";
    return out;
}

TEST_F(fixture, client_and_server_agree_and_the_client_prefers_sha256) {
    auth_config alice{.name = "out", .username = "alice", .password = "wonderland"};
    const auth_config* credentials[] = {&alice};
    digest_client client({.cnonce_source = [] { return std::string("c0ffee"); }});
    digest_verdict challenged = check(*invite(), "alice");
    auto response = challenge_response(401, challenge_headers(challenged));
    client_auth_result r =
        client.answer(*response, {"INVITE", "sip:service@127.0.0.1"}, credentials);
    ASSERT_EQ(r.outcome, client_auth_outcome::retry);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].id, header_id::authorization);
    EXPECT_NE(r.headers[0].value.find("algorithm=SHA-256"), std::string::npos);
    EXPECT_NE(r.headers[0].value.find("cnonce=\"c0ffee\""), std::string::npos);
    auto retry = invite("Authorization: " + r.headers[0].value + "\r\n");
    EXPECT_EQ(check(*retry, "alice").outcome, digest_outcome::authenticated);
}

TEST_F(fixture, client_answers_407_with_proxy_authorization_and_picks_the_realm) {
    auth_config wrong_realm{.name = "a", .username = "u1", .password = "p", .realm = "elsewhere"};
    auth_config any_realm{.name = "b", .username = "u2", .password = "p"};
    auth_config exact{.name = "c", .username = "u3", .password = "p", .realm = "proxy.test"};
    const auth_config* credentials[] = {&wrong_realm, &any_realm, &exact};
    digest_client client;
    auto response = challenge_response(
        407, "Proxy-Authenticate: Digest realm=\"proxy.test\", nonce=\"abc\", qop=\"auth\"\r\n");
    client_auth_result r = client.answer(*response, {"INVITE", "sip:bob@example.com"}, credentials);
    ASSERT_EQ(r.outcome, client_auth_outcome::retry);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].id, header_id::proxy_authorization);
    EXPECT_NE(r.headers[0].value.find("username=\"u3\""), std::string::npos);
    EXPECT_NE(r.headers[0].value.find("nc=00000001"), std::string::npos);
    EXPECT_EQ(r.headers[0].value.find("algorithm"), std::string::npos);
}

TEST_F(fixture, client_stops_on_a_repeated_nonce_and_after_the_bound) {
    auth_config alice{.name = "out", .username = "alice", .password = "guess"};
    const auth_config* credentials[] = {&alice};
    outgoing_request_line line{"INVITE", "sip:service@127.0.0.1"};

    // A server that repeats the nonce without stale=true refused the credentials.
    digest_client once;
    auto same = challenge_response(401, "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\"\r\n");
    EXPECT_EQ(once.answer(*same, line, credentials).outcome, client_auth_outcome::retry);
    EXPECT_EQ(once.answer(*same, line, credentials).outcome, client_auth_outcome::rejected);

    // The same nonce with stale=true is answered again.
    digest_client stale;
    auto first = challenge_response(401, "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\"\r\n");
    auto again = challenge_response(
        401, "WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", stale=true\r\n");
    EXPECT_EQ(stale.answer(*first, line, credentials).outcome, client_auth_outcome::retry);
    EXPECT_EQ(stale.answer(*again, line, credentials).outcome, client_auth_outcome::retry);

    // Against Parley's server a wrong password gets new nonces: the bound ends it.
    digest_client client;
    client_auth_result r;
    int requests = 1;
    digest_verdict v = check(*invite(), "alice");
    while (true) {
        r = client.answer(*challenge_response(v.status, challenge_headers(v)), line, credentials);
        if (r.outcome != client_auth_outcome::retry) break;
        ++requests;
        v = check(*invite("Authorization: " + r.headers[0].value + "\r\n"), "alice");
        ASSERT_EQ(v.outcome, digest_outcome::failure);
    }
    EXPECT_EQ(r.outcome, client_auth_outcome::too_many_challenges);
    EXPECT_EQ(requests, 3); // the first request and two retries
    EXPECT_EQ(client.challenges_seen(), 3u);
}

TEST_F(fixture, client_without_matching_credentials_or_challenge) {
    auth_config md5_only{.name = "m",
                         .type = auth_type::md5,
                         .username = "u",
                         .md5_cred = "939e7578ed9e3c518a452acee763bce9"};
    const auth_config* credentials[] = {&md5_only};
    digest_client client;
    outgoing_request_line line{"INVITE", "sip:x@y"};
    auto sha_only = challenge_response(
        401, "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256\r\n");
    EXPECT_EQ(client.answer(*sha_only, line, credentials).outcome,
              client_auth_outcome::no_credentials);
    auto basic = challenge_response(401, "WWW-Authenticate: Basic realm=\"r\"\r\n");
    EXPECT_EQ(client.answer(*basic, line, credentials).outcome,
              client_auth_outcome::not_a_challenge);
    auto ok = challenge_response(200, "");
    EXPECT_EQ(client.answer(*ok, line, credentials).outcome, client_auth_outcome::not_a_challenge);
    // With both algorithms offered, the md5 credential answers the MD5 one.
    auto both = challenge_response(
        401, "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256\r\n"
             "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=MD5\r\n");
    client_auth_result r = client.answer(*both, line, credentials);
    ASSERT_EQ(r.outcome, client_auth_outcome::retry);
    EXPECT_NE(r.headers[0].value.find("algorithm=MD5"), std::string::npos);
}

} // namespace
} // namespace parley
