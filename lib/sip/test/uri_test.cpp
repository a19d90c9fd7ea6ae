#include <parley/sip/headers.hpp>
#include <parley/sip/uri.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

// The byte scans have an SSE2 and a scalar version; these tests hold them to the same answers.
#include "../src/byte_scan.hpp"
#include "../src/scanner.hpp"

namespace parley {
namespace {

TEST(uri, sip_with_user_password_port_params_headers) {
    auto u = parse_uri("sip:alice:secret@example.com:5070;transport=tcp;lr?Subject=hi&X=y");
    ASSERT_TRUE(u) << u.error_value().reason;
    EXPECT_EQ(u->scheme, uri_scheme::sip);
    EXPECT_EQ(u->user, "alice");
    EXPECT_EQ(u->password, "secret");
    EXPECT_EQ(u->host, "example.com");
    EXPECT_EQ(u->host_type, host_kind::name);
    EXPECT_EQ(u->port, 5070);
    EXPECT_EQ(u->params.find("transport"), "tcp");
    EXPECT_EQ(u->params.find("LR"), "");
    EXPECT_FALSE(u->params.find("maddr"));
    EXPECT_EQ(u->headers, "Subject=hi&X=y");
}

TEST(uri, hosts) {
    auto v4 = parse_uri("sips:192.0.2.1");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->scheme, uri_scheme::sips);
    EXPECT_EQ(v4->host_type, host_kind::ipv4);
    auto v6 = parse_uri("sip:[2001:db8::10]:5070");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "2001:db8::10");
    EXPECT_EQ(v6->host_type, host_kind::ipv6);
    EXPECT_EQ(v6->port, 5070);
    EXPECT_EQ(v6->host_reference(), "[2001:db8::10]");
    // RFC 5118 §4.3: the port inside the brackets is part of the address.
    auto ambiguous = parse_uri("sip:[2001:db8::10:5070]");
    ASSERT_TRUE(ambiguous);
    EXPECT_EQ(ambiguous->port, 0);
    // RFC 5118 §4.2: an IPv6 address needs brackets.
    EXPECT_FALSE(parse_uri("sip:2001:db8::10"));
    EXPECT_TRUE(parse_uri("sip:[2001:db8:::192.0.2.1]"));
    EXPECT_TRUE(parse_uri("sip:[2001:db8::192.0.2.1]"));
    EXPECT_TRUE(parse_uri("sip:[::ffff:192.0.2.10]"));
    EXPECT_FALSE(parse_uri("sip:[2001:db8::1::2]"));
    EXPECT_FALSE(parse_uri("sip:1.2.3.256"));
    EXPECT_FALSE(parse_uri("sip:host:0"));
    EXPECT_FALSE(parse_uri("sip:host:65536"));
    EXPECT_FALSE(parse_uri("sip:-bad.example.com"));
}

TEST(uri, user_may_hold_semicolons_and_escapes) {
    // RFC 4475 §3.1.1.9
    auto u = parse_uri("sip:user;par=u%40example.net@example.com");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->user, "user;par=u%40example.net");
    EXPECT_EQ(unescape(u->user), "user;par=u@example.net");
    EXPECT_TRUE(u->params.empty());
    EXPECT_EQ(unescape("value%2541"), "value%41");
    EXPECT_FALSE(parse_uri("sip:us%4ger@example.com"));
    EXPECT_FALSE(parse_uri("sip:us%4"));
}

TEST(uri, tel_and_other_schemes) {
    auto t = parse_uri("tel:+1-201-555-0123;phone-context=example.com");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->scheme, uri_scheme::tel);
    EXPECT_EQ(t->user, "+1-201-555-0123");
    EXPECT_EQ(t->params.find("phone-context"), "example.com");
    auto other = parse_uri("nobodyKnowsThisScheme:totallyopaquecontent");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->scheme, uri_scheme::other);
    EXPECT_EQ(other->opaque, "totallyopaquecontent");
    EXPECT_FALSE(parse_uri("<sip:a@b>"));
    EXPECT_FALSE(parse_uri("sip:a@b; lr"));
    EXPECT_FALSE(parse_uri("sip:"));
    EXPECT_FALSE(parse_uri("nocolon"));
}

TEST(uri, errors_carry_offsets) {
    auto bad = parse_uri("sip:alice@exa mple.com", 100);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error_value().status, 400);
    EXPECT_EQ(bad.error_value().offset, 113u);
}

TEST(uri, equivalence_rfc3261_19_1_4) {
    auto eq = [](std::string_view a, std::string_view b) {
        return uri_equivalent(*parse_uri(a), *parse_uri(b));
    };
    EXPECT_TRUE(eq("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
    EXPECT_TRUE(eq("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
    EXPECT_FALSE(eq("sip:alice@atlanta.com", "sip:ALICE@atlanta.com"));
    EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
    EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
    EXPECT_FALSE(eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
    // Fuzz crash: a repeated parameter with different values must still equal itself.
    EXPECT_TRUE(eq("sip:ali00;expires=3599;q=q;li00;expires=3600;q=q;[dco[dcom",
                   "sip:ali00;expires=3599;q=q;li00;expires=3600;q=q;[dco[dcom"));
}

TEST(uri, host_label_rules_and_scheme_case) {
    // RFC 3261 §25.1 hostname: alphanum and '-' inside labels, the top label starts with a
    // letter, a trailing dot is allowed; '_' is tolerated.
    EXPECT_EQ(parse_uri("sip:a-b.example.com")->host_type, host_kind::name);
    EXPECT_EQ(parse_uri("sip:example.com.")->host_type, host_kind::name);
    EXPECT_EQ(parse_uri("sip:my_host.example.com")->host_type, host_kind::name);
    EXPECT_FALSE(parse_uri("sip:a-.example.com"));
    EXPECT_FALSE(parse_uri("sip:a..example.com"));
    EXPECT_FALSE(parse_uri("sip:example.-com"));
    EXPECT_FALSE(parse_uri("sip:example.com-"));
    EXPECT_FALSE(parse_uri("sip:example.4com"));
    EXPECT_FALSE(parse_uri("sip:1.2.3"));
    EXPECT_FALSE(parse_uri("sip:1.2.3.4.5"));
    EXPECT_EQ(parse_uri("sip:10.0.0.255")->host_type, host_kind::ipv4);
    EXPECT_EQ(parse_uri("sip:010.000.0.001")->host_type, host_kind::ipv4); // leading zeros
    EXPECT_FALSE(parse_uri("sip:1.2.3.0004"));                             // four digits
    EXPECT_FALSE(parse_uri("sip:1..3.4"));
    EXPECT_FALSE(parse_uri("sip:.1.2.3"));
    EXPECT_FALSE(parse_uri("sip:1.2.3.4."));
    EXPECT_FALSE(parse_uri("sip:300.2.3.4"));
    EXPECT_EQ(parse_uri("sip:alice@255.255.255.255:5060")->host_type, host_kind::ipv4);
    // The scheme is case-insensitive; "sip:" with nothing after it is an empty URI.
    EXPECT_EQ(parse_uri("SIP:bob@host")->scheme, uri_scheme::sip);
    EXPECT_EQ(parse_uri("SIP:bob@host")->scheme_text, "SIP");
    EXPECT_EQ(parse_uri("Sips:bob@host")->scheme, uri_scheme::sips);
    auto empty = parse_uri("sip:", 10);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error_value().reason_phrase(), "Empty URI");
    EXPECT_EQ(empty.error_value().offset, 14u);
}

// Texts for the byte-scan tests: runs of name bytes broken by dots, hyphens and any other byte,
// at every length up to 80 and every start offset, so each 16-byte step and tail case occurs.
std::vector<std::string> scan_test_texts() {
    std::mt19937 rng(2);
    const std::string common = "ab-.Z9_:@\r\n; <>%";
    std::vector<std::string> texts;
    for (std::size_t length = 0; length <= 80; ++length) {
        for (int round = 0; round < 40; ++round) {
            std::string t;
            for (std::size_t i = 0; i < length; ++i) {
                unsigned pick = rng() % 16;
                if (pick < 9)
                    t += static_cast<char>('a' + rng() % 26);
                else if (pick < 14)
                    t += common[rng() % common.size()];
                else
                    t += static_cast<char>(rng() % 256);
            }
            texts.push_back(t);
        }
    }
    // Every byte value after a run of name bytes, at each position of a 40-byte text.
    for (int c = 0; c < 256; ++c)
        for (std::size_t at = 0; at < 40; at += 3) {
            std::string t(40, 'x');
            t[at] = static_cast<char>(c);
            texts.push_back(t);
        }
    return texts;
}

TEST(byte_scan, sse2_and_scalar_agree) {
    using namespace detail::scan;
    for (const std::string& t : scan_test_texts()) {
        const char* begin = t.data();
        const char* end = begin + t.size();
        for (const char* p = begin; p <= end; ++p) {
            for (char c : {':', '@', '\n', 'x'}) {
                ASSERT_EQ(find_byte(p, begin, end, c), scalar::find_byte(p, end, c)) << t;
                ASSERT_EQ(find_byte_long(p, begin, end, c), scalar::find_byte(p, end, c)) << t;
            }
            ASSERT_EQ(find_either(p, begin, end, '"', '\\'), scalar::find_either(p, end, '"', '\\'))
                << t;
            ASSERT_EQ(find_either(p, begin, end, 'x', ':'), scalar::find_either(p, end, 'x', ':'))
                << t;
            ASSERT_EQ(skip_name_bytes(p, begin, end), scalar::skip_name_bytes(p, end)) << t;
            host_run fast = scan_host_run(p, begin, end);
            host_run reference = scalar::scan_host_run(p, end);
            ASSERT_EQ(fast.end, reference.end) << t;
            if (fast.end != p) {
                ASSERT_EQ(fast.top_label, reference.top_label) << t;
                ASSERT_EQ(fast.bad_label, reference.bad_label) << t;
            }
            std::string_view rest(p, static_cast<std::size_t>(end - p));
            ASSERT_EQ(is_token_text(rest, begin), text::is_token_text(rest)) << t;
        }
    }
}

TEST(byte_scan, token_is_compares_every_byte_of_one_to_eight_byte_names) {
    // token_is reads a short token as at most three loads combined in registers: every length
    // from 1 to 8, every position of a differing byte, and case folding of letters only.
    using detail::token_is;
    const std::string literal = "abcdefgh";
    for (std::size_t n = 1; n <= literal.size(); ++n) {
        const std::string_view lower(literal.data(), n);
        std::string token(lower);
        EXPECT_TRUE(token_is(token, lower)) << n;
        for (std::size_t i = 0; i < n; ++i) {
            std::string upper(lower);
            upper[i] = static_cast<char>(upper[i] - 'a' + 'A');
            EXPECT_TRUE(token_is(upper, lower)) << n << ' ' << i;
            for (int c : {int{'x'}, int{'@'}, 0, 0xE1}) {
                std::string other(lower);
                if (c == other[i]) continue;
                other[i] = static_cast<char>(c);
                EXPECT_FALSE(token_is(other, lower)) << n << ' ' << i << ' ' << c;
            }
        }
        // A token in a longer buffer: the bytes after it must not count.
        const std::string longer = std::string(lower) + "zzzzzzzz";
        EXPECT_TRUE(token_is(std::string_view(longer.data(), n), lower)) << n;
        EXPECT_FALSE(token_is(std::string_view(longer.data(), n + 1), lower)) << n;
    }
    EXPECT_FALSE(token_is("branc", "branch"));
    EXPECT_FALSE(token_is("branch=", "branch"));
    EXPECT_TRUE(token_is("BRANCH", "branch"));
    EXPECT_FALSE(token_is("br@nch", "branch")); // '@' | 0x20 is '`', not 'a'
}

TEST(byte_scan, user_and_host_in_one_step_agree_with_the_scans) {
    // Whenever scan_user_host answers, it finds the '@' find_byte finds, a user of name bytes
    // and the host run scan_host_run finds after it.
    using namespace detail::scan;
    std::vector<std::string> texts = scan_test_texts();
    for (std::string_view uri :
         {"alice@atlanta.example.com", "bob@192.0.2.4:5060", "atlanta.example.com;lr", "a@b",
          "@host", "a@", "user@-bad.com", "u@a..b", "x@1.2.3.4.", "carol@[::1]", "alice:pw@host",
          "al%41ce@host", "averyveryverylongusername@example.com",
          "user@averyveryverylonghostname.example.com", "host.example.com",
          "0123456789012345678901234567890", "01234567890123456789012345678901",
          "0123456789012345678901234567890@x", "x@0123456789012345678901234567890"})
        for (std::size_t pad = 0; pad < 40; pad += 13) {
            texts.push_back(std::string(pad, ':') + std::string(uri));
            texts.push_back(std::string(pad, ':') + std::string(uri) + ";transport=tcp");
        }
    for (const std::string& t : texts) {
        const char* begin = t.data();
        const char* end = begin + t.size();
        for (const char* p = begin; p <= end; ++p) {
            const char* at = nullptr;
            host_run host{};
            if (!scan_user_host(p, begin, end, at, host)) continue;
            const char* first_at = scalar::find_byte(p, end, '@');
            ASSERT_EQ(at, first_at == end ? nullptr : first_at) << t;
            const char* host_start = at == nullptr ? p : at + 1;
            if (at != nullptr) {
                ASSERT_EQ(scalar::skip_name_bytes(p, end), at) << t;
            }
            host_run reference = scalar::scan_host_run(host_start, end);
            ASSERT_NE(reference.end, host_start) << t;
            ASSERT_EQ(host.end, reference.end) << t;
            ASSERT_EQ(host.top_label, reference.top_label) << t;
            ASSERT_EQ(host.bad_label, reference.bad_label) << t;
        }
    }
}

TEST(byte_scan, host_labels) {
    using detail::scan::scalar::scan_host_run;
    auto run = [](std::string_view s) { return scan_host_run(s.data(), s.data() + s.size()); };
    std::string_view name = "atlanta.example.com:5060";
    EXPECT_EQ(run(name).end, name.data() + 19);
    EXPECT_EQ(run(name).top_label, name.data() + 16);
    EXPECT_FALSE(run(name).bad_label);
    std::string_view trailing_dot = "example.com.";
    EXPECT_EQ(run(trailing_dot).top_label, trailing_dot.data() + 8);
    EXPECT_FALSE(run(trailing_dot).bad_label);
    for (std::string_view bad : {"-a.com", "a-.com", "a..com", ".a.com", "a.com-", "a.-b.com"})
        EXPECT_TRUE(run(bad).bad_label) << bad;
    EXPECT_FALSE(run("a-b.c_d.com").bad_label);
}

} // namespace
} // namespace parley
