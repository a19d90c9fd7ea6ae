// The delimiter walk's name-addr fast path: what it takes it reads as the general parser does,
// and what it declines is left to the general parser (which gives every error).
#include <gtest/gtest.h>

#include <parley/base/text.hpp>
#include <parley/sip/message.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "delimiter_walk_diff.hpp"

namespace {

using parley::test::compare_via_walk_padded;
using parley::test::compare_walk_padded;
using parley::test::walk_verdict;

const std::vector<std::string> common_values = {
    "\"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774",
    "Bob <sip:bob@biloxi.example.com>",
    "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
    "<sip:alice@pc33.atlanta.example.com:5060;transport=udp>",
    "<sip:bob@192.0.2.4:5060>",
    "<sip:proxy.example.com;lr>",
    "<sip:192.0.2.10:5070;lr;transport=tcp>",
    "sipp <sip:sipp@127.0.0.1:5061>;tag=1SIPpTag001",
    "\"\" <sip:anonymous@anonymous.invalid>;tag=x;epid=1",
    "Bob  Smith  <SIP:bob@Example.COM>;TAG=upper;other;tag=second",
    "\"A \\\"quoted\\\" name\" <sip:a@b.example>",
    "<sip:x@h>",
};

TEST(delimiter_walk, takes_the_common_shapes_as_the_general_parser_reads_them) {
    for (const std::string& v : common_values) {
        walk_verdict verdict = compare_walk_padded(v, false);
        // The one with a quoted-pair is declined (the general parser reads escapes).
        if (v.find('\\') != std::string::npos)
            EXPECT_EQ(verdict, walk_verdict::declined) << v;
        else
            EXPECT_EQ(verdict, walk_verdict::agreed) << v;
    }
    EXPECT_EQ(compare_walk_padded("<sip:alice@pc33.atlanta.example.com:5060;transport=udp>", true),
              walk_verdict::agreed);
}

TEST(delimiter_walk, declines_every_other_shape) {
    const char* declined[] = {
        "sip:bob@biloxi.example.com",                     // bare addr-spec
        "< sip:bob@biloxi.example.com >",                 // LWS inside the brackets
        "<sips:bob@biloxi.example.com>",                  // another scheme
        "<tel:+1-201-555-0123>",                          //
        "<sip:bob:secret@biloxi.example.com>",            // a password
        "<sip:b%41ob@biloxi.example.com>",                // an escape
        "<sip:bob@[2001:db8::1]>",                        // IPv6
        "<sip:bob@biloxi.example.com:005060>",            // six port digits
        "<sip:bob@biloxi.example.com:0>",                 // port 0 (the general parser's error)
        "<sip:bob@biloxi.example.com:65536>",             //
        "<sip:bob@biloxi.example.com?subject=x>",         // URI headers
        "<sip:bob@-bad-.example.com>",                    // a bad label
        "<sip:bob@example.123>",                          // a numeric top label
        "<sip:bob@biloxi.example.com;transport=>",        // an empty parameter value
        "<sip:bob@biloxi.example.com;;lr>",               // an empty parameter name
        "<sip:@biloxi.example.com>",                      // an empty user
        "<sip:bob@biloxi.example.com>;tag",               // a tag without a value
        "<sip:bob@biloxi.example.com> ;tag=1",            // LWS before a parameter
        "<sip:bob@biloxi.example.com>;tag=\"q\"",         // a quoted value
        "<sip:bob@biloxi.example.com>x",                  // text after the address
        "<sip:bob@biloxi.example.com>,<sip:c@d.example>", // two elements
        " <sip:bob@biloxi.example.com>",                  // leading LWS
        "Bob\t<sip:bob@biloxi.example.com>",              // HT in the display name
        "B+b <sip:bob@biloxi.example.com>",               // a token byte that is not a name byte
        "*",                                              // Contact: *
        "\"unterminated <sip:bob@biloxi.example.com>",    //
        "<sip:bob@biloxi.example.com",                    // no '>'
        "<sip:a.very.long.host.name.under.example.com>",  // a host of 32 bytes or more
        "<sip:bob@biloxi.example.com;transport=tcp;maddr=192.0.2.1;ttl=5;lr;x=a-much-longer-one>",
    };
    for (const char* v : declined)
        EXPECT_EQ(compare_walk_padded(v, false), walk_verdict::declined) << v;
    // A Contact's header parameters (expires, q) are read by the general parser.
    EXPECT_EQ(compare_walk_padded("<sip:alice@pc33.example.com>;expires=60", true),
              walk_verdict::declined);
    // Fewer than 64 readable bytes from the value's start: declined.
    std::string tight = "<sip:x@h>";
    parley::name_addr out;
    EXPECT_FALSE(
        parley::detail::delimiter_walk::name_addr(out, tight, tight.data() + tight.size(), false));
    EXPECT_TRUE(out.text.empty());
}

// Deterministic edits of test values (xorshift): a byte replaced from `alphabet`, inserted, or
// removed.
struct mutator {
    std::uint64_t state;
    std::string alphabet;

    std::size_t below(std::size_t bound) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<std::size_t>(state % bound);
    }
    void edit(std::string& v) {
        std::size_t at = below(v.size() + 1);
        char c = alphabet[below(alphabet.size())];
        switch (below(3)) {
        case 0:
            if (at < v.size()) v[at] = c;
            break;
        case 1: v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default:
            if (at < v.size()) v.erase(at, 1);
        }
    }
    /// One to three edits.
    std::string operator()(std::string v) {
        for (int edits = 1 + static_cast<int>(below(3)); edits > 0; --edits) edit(v);
        return v;
    }
};

// Deterministic mutations of each common value (a byte replaced from an alphabet of the bytes the
// grammar turns on, a byte inserted or removed): whenever the walk takes the result, the general
// parser must take it and read the same model.
TEST(delimiter_walk, agrees_with_the_general_parser_on_mutated_values) {
    mutator mutate{0x9E3779B97F4A7C15ull, "\"\\<>:;@=.,-_ \t%?[]*+0159azAZ\r\n\x80\xff"};
    std::size_t agreed = 0;
    std::size_t declined = 0;
    for (const std::string& seed : common_values) {
        for (int round = 0; round < 4000; ++round) {
            std::string v = mutate(seed);
            for (bool contact : {false, true}) {
                walk_verdict verdict = compare_walk_padded(v, contact);
                ASSERT_NE(verdict, walk_verdict::differed) << v << (contact ? " (Contact)" : "");
                (verdict == walk_verdict::agreed ? agreed : declined) += 1;
            }
        }
    }
    // Both outcomes are exercised.
    EXPECT_GT(agreed, 1000u);
    EXPECT_GT(declined, 1000u);
}

const std::vector<std::string> common_vias = {
    "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport",
    "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds8",
    "SIP/2.0/TCP c.example.com:5061;BRANCH=z9hG4bK1;branch=z9hG4bK2;x;y=z",
    "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0",
    "SIP/2.0/TLS h",
    // A response's Via: past 64 bytes, its parameters read in a window of their own.
    "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5060;"
    "received=192.0.2.101",
    "SIP/2.0/TCP 192.0.2.4;received=ex.com;rport=0;branch=z9hG4bK1;received=10.0.0.1",
    "SIP/2.0/UDP a-host-name-under-32-bytes.net:65535;rport=65535;branch=z9hG4bKxyz-1",
    // After "SIP/2.0/", the parameters' ';' at index 62: the last the 63-byte first window holds.
    "SIP/2.0/UDP-TRANSPORT-NAME-OF-FORTY-BYTES-OR-SO- pc33.example.com:5060;branch=z9hG4bK1",
    // The longest value the walk takes: 125 bytes after "SIP/2.0/", 63 of them parameters.
    "SIP/2.0/UDP-TRANSPORT-NAME-OF-FORTY-BYTES-OR-SO- pc33.example.com:5060;"
    "branch=z9hG4bK776asdhdsz9hG4bK776asdhdsz9hG4bK776asdhds7760abc",
};

TEST(delimiter_walk, via_takes_the_common_shapes_and_declines_the_rest) {
    for (const std::string& v : common_vias)
        EXPECT_EQ(compare_via_walk_padded(v), walk_verdict::agreed) << v;
    const char* declined[] = {
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;rport=65536",
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;rport=005060",
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;rport=50a",
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received",
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=256.0.0.1",
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=a..b",
        "SIP/2.0/UDP pc33.example.com;received=2001:db8::1",
        // The ';' after the sent-by at index 63 (past the 63-byte first window) and a host that
        // crosses it; parameters of 64 bytes or more; a value of 126 bytes after "SIP/2.0/".
        "SIP/2.0/UDP-TRANSPORT-NAME-OF-FORTY-BYTES-OR-SO-X pc33.example.com:5060;branch=z9hG4bK1",
        "SIP/2.0/UDP-TRANSPORT-NAME-OF-FORTY-FOUR-BYTES-AND-A-HOST "
        "pc33.example.com;branch=z9hG4bK1",
        "SIP/2.0/UDP h;branch=z9hG4bK776asdhdsz9hG4bK776asdhdsz9hG4bK776asdhds776asdhds12345",
        "SIP/2.0/UDP-TRANSPORT-NAME-OF-FORTY-BYTES-OR-SO- pc33.example.com:5060;"
        "branch=z9hG4bK776asdhdsz9hG4bK776asdhdsz9hG4bK776asdhds7760abcd",
        "SIP/2.0/UDP h;branch=z9hG4bK776asdhdsz9hG4bK776asdhdsz9hG4bK776asdhds776asdhds12345"
        "z9hG4bK776asdhdsz9hG4bK776asdhdsz9hG4bK776asdhds776asdhds12345",
        "SIP/2.0/UDP pc33.example.com;maddr=224.0.1.75;ttl=1",
        "SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK1",
        "SIP/2.0/UDP pc33.example.com : 5060;branch=z9hG4bK1",
        "SIP / 2.0 / UDP pc33.example.com;branch=z9hG4bK1",
        "sip/2.0/udp pc33.example.com;branch=z9hG4bK1",
        "SIP/2.0/UDP pc33.example.com;branch",
        "SIP/2.0/UDP pc33.example.com;branch=\"quoted\"",
        "SIP/2.0/UDP pc33.example.com, SIP/2.0/UDP other.example.com",
        "SIP/2.0/UDP pc33.example.com:0",
        "SIP/2.0/UDPpc33.example.com",
        "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1 ",
        "SIP/2.0/",
        "SIP/2.0/UDP a-very-long-host-name.of-more-than-31.example.com;branch=z9hG4bK1",
    };
    for (const char* v : declined)
        EXPECT_EQ(compare_via_walk_padded(v), walk_verdict::declined) << v;
}

TEST(delimiter_walk, via_agrees_with_the_general_parser_on_mutated_values) {
    mutator mutate{0x2545F4914F6CDD1Dull, "\"\\<>:;@=.,-_ \t%?[]*+0159azAZ\r\n\x80\xff/"};
    std::size_t agreed = 0;
    std::size_t declined = 0;
    for (const std::string& seed : common_vias) {
        for (int round = 0; round < 4000; ++round) {
            std::string v = mutate(seed);
            walk_verdict verdict = compare_via_walk_padded(v);
            ASSERT_NE(verdict, walk_verdict::differed) << v;
            (verdict == walk_verdict::agreed ? agreed : declined) += 1;
        }
    }
    EXPECT_GT(agreed, 500u);
    EXPECT_GT(declined, 500u);
}

TEST(delimiter_walk, request_line_reads_method_and_uri_as_the_general_parser) {
    const char* lines[] = {
        "INVITE sip:bob@biloxi.example.com SIP/2.0",
        "ACK sip:bob@192.0.2.4:5060 SIP/2.0",
        "OPTIONS sip:biloxi.example.com;transport=tcp sip/2.0",
        "EXTENSION-method sip:x@h SIP/2.0",
    };
    for (const char* line : lines) {
        std::string walked_bytes =
            std::string(line) + "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
            "To: <sip:a@b>\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: c\r\n" + "CSeq: 1 " +
            std::string(line, std::strchr(line, ' ')) + "\r\nContent-Length: 0\r\n\r\n";
        std::string_view method;
        parley::uri walked;
        ASSERT_TRUE(parley::detail::delimiter_walk::request_line(
            std::string_view(walked_bytes.data(), std::strlen(line)), method, walked,
            walked_bytes.data() + walked_bytes.size()))
            << line;
        std::string_view text(walked_bytes.data(), std::strlen(line));
        std::size_t sp1 = text.find(' ');
        std::size_t sp2 = text.rfind(' ');
        auto general = parley::parse_uri(text.substr(sp1 + 1, sp2 - sp1 - 1));
        ASSERT_TRUE(general) << line;
        EXPECT_EQ(method, text.substr(0, sp1));
        EXPECT_TRUE(parley::test::same_uri(walked, *general)) << line;
        parley::message m;
        ASSERT_TRUE(parley::parse_message(walked_bytes, m)) << line;
        EXPECT_EQ(m.method_text(), text.substr(0, sp1));
        EXPECT_TRUE(parley::test::same_uri(m.request_uri(), *general)) << line;
    }
    const char* declined[] = {
        "INVITE sip:bob@biloxi.example.com SIP/2.1",
        "INVITE  sip:bob@biloxi.example.com SIP/2.0",
        "INVITE <sip:bob@biloxi.example.com> SIP/2.0",
        "INVITE sips:bob@biloxi.example.com SIP/2.0",
        "INVITE sip:bob@biloxi.example.com;x SIP/2.0 ",
        "IN!VITE sip:bob@biloxi.example.com SIP/2.0",
        "INVITE sip:bob@biloxi.example.com?h=v SIP/2.0",
        "INVITE tel:+12015550123 SIP/2.0",
    };
    for (const char* line : declined) {
        std::string padded = std::string(line) + std::string(64, '\n');
        std::string_view method;
        parley::uri walked;
        EXPECT_FALSE(parley::detail::delimiter_walk::request_line(
            std::string_view(padded.data(), std::strlen(line)), method, walked,
            padded.data() + padded.size()))
            << line;
    }
}

// CSeq "<digits> <known method>" and Content-Type "application/sdp" are read inline by the
// message parser; every value reads as parse_cseq and parse_media_type read it.
TEST(message_fast_values, cseq_and_content_type_read_as_the_general_parsers) {
    mutator edits{0x853C49E6748FEA9Bull, " \t/;=0129AaSsPpDdIiNnVvEe\x0f\x2f\x4f"};
    std::vector<std::string> cseqs = {"314159 INVITE",  "1 ACK",     "4294967295 BYE",
                                      "4294967296 BYE", "01 INVITE", "1  INVITE",
                                      "1 FOO",          "1 invite",  "12345678901 INVITE",
                                      "1\tINVITE",      "INVITE",    "1 INVITE x"};
    std::vector<std::string> types = {
        "application/sdp",    "Application/SDP",  "application/sdp;x=1",
        "application\x0fsdp", "application/sdpx", "applicationXsdp",
        "text/plain",         "application/ sdp", "application/sdq"};
    for (int round = 0; round < 3000; ++round) {
        auto mutate = [&](std::string v) {
            if (round != 0) edits.edit(v);
            return v;
        };
        std::string cseq = mutate(cseqs[static_cast<std::size_t>(round) % cseqs.size()]);
        std::string type = mutate(types[static_cast<std::size_t>(round) % types.size()]);
        std::string bytes = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                            "To: <sip:a@b>\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: c\r\n"
                            "CSeq: " +
                            cseq + "\r\nContent-Type: " + type + "\r\nContent-Length: 0\r\n\r\n";
        parley::message m;
        auto parsed = parley::parse_message(bytes, m);
        auto general_cseq = parley::parse_cseq(parley::text::trim(cseq));
        auto general_type = parley::parse_media_type(parley::text::trim(type));
        if (!general_cseq || !general_type) {
            EXPECT_FALSE(parsed) << cseq << " | " << type;
            continue;
        }
        ASSERT_TRUE(parsed) << cseq << " | " << type;
        EXPECT_EQ(m.cseq().number, general_cseq->number) << cseq;
        EXPECT_EQ(m.cseq().method, general_cseq->method) << cseq;
        EXPECT_EQ(m.cseq().method_text, general_cseq->method_text) << cseq;
        EXPECT_EQ(m.content_type().type, general_type->type) << type;
        EXPECT_EQ(m.content_type().subtype, general_type->subtype) << type;
        EXPECT_EQ(m.content_type().params.text(), general_type->params.text()) << type;
    }
}

// The message parser takes the walk's result for From, To, Contact, Route and Record-Route.
TEST(delimiter_walk, message_routing_headers_read_through_the_walk) {
    std::string bytes = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                        "Max-Forwards: 70\r\n"
                        "Route: <sip:p1.example.com;lr>\r\n"
                        "Record-Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n"
                        "To: Bob <sip:bob@biloxi.example.com>\r\n"
                        "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                        "Call-ID: a84b4c76e66710\r\n"
                        "CSeq: 314159 INVITE\r\n"
                        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                        "Contact: <sip:alice@192.0.2.1>;expires=30\r\n"
                        "Content-Length: 0\r\n\r\n";
    parley::message m;
    ASSERT_TRUE(parley::parse_message(bytes, m));
    EXPECT_EQ(m.from().display_name, "Alice");
    EXPECT_TRUE(m.from().display_name_quoted);
    EXPECT_EQ(m.from().tag, "1928301774");
    EXPECT_EQ(m.from().address.host, "atlanta.example.com");
    EXPECT_EQ(m.to().display_name, "Bob");
    EXPECT_EQ(m.to().address.user, "bob");
    ASSERT_EQ(m.routes().size(), 1u);
    EXPECT_EQ(m.routes()[0].address.params.text(), "lr");
    ASSERT_EQ(m.record_routes().size(), 2u);
    EXPECT_EQ(m.record_routes()[1].address.host, "p3.example.com");
    ASSERT_EQ(m.contacts().size(), 2u);
    EXPECT_EQ(m.contacts()[0].address.address.host, "pc33.atlanta.example.com");
    EXPECT_EQ(m.contacts()[1].expires, 30);
    // A duplicate From is still refused (the walk runs after that check).
    std::string twice = bytes;
    twice.insert(twice.find("Call-ID"), "From: <sip:x@y.example>;tag=2\r\n");
    auto r = parley::parse_message(twice, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().reason, std::string_view("Duplicate From Header"));
}

} // namespace
