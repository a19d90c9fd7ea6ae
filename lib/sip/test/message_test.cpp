#include <parley/sip/message.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

// The in-message header-name lookup (one SSE2 compare) against the portable one.
#include "../src/header_lookup.hpp"

namespace parley {
namespace {

std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out += "\r\n";
        else
            out += c;
    }
    return out;
}

const std::string invite = crlf(R"(INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport
Max-Forwards: 70
To: Bob <sip:bob@biloxi.example.com>
From: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.atlanta.example.com
CSeq: 314159 INVITE
Contact: <sip:alice@pc33.atlanta.example.com>
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
Supported: timer, 100rel
Content-Type: application/sdp
Content-Length: 4

v=0
)");

TEST(message, parses_a_request_and_its_routing_headers) {
    message m;
    auto r = parse_message(invite, m);
    ASSERT_TRUE(r) << r.error_value().reason << " at " << r.error_value().offset;
    EXPECT_TRUE(m.is_request());
    EXPECT_EQ(m.method(), method::invite);
    EXPECT_EQ(m.request_uri().user, "bob");
    ASSERT_EQ(m.vias().size(), 1u);
    EXPECT_EQ(m.top_via().transport, "UDP");
    EXPECT_EQ(m.top_via().host, "pc33.atlanta.example.com");
    EXPECT_EQ(m.top_via().branch, "z9hG4bK776asdhds");
    EXPECT_TRUE(m.top_via().rport);
    EXPECT_EQ(m.max_forwards(), 70);
    EXPECT_EQ(m.to().display_name, "Bob");
    EXPECT_EQ(m.to().tag, "");
    EXPECT_EQ(m.from().display_name, "Alice A.");
    EXPECT_TRUE(m.from().display_name_quoted);
    EXPECT_EQ(m.from().tag, "1928301774");
    EXPECT_EQ(m.call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
    EXPECT_EQ(m.cseq().number, 314159u);
    EXPECT_EQ(m.cseq().method, method::invite);
    ASSERT_EQ(m.contacts().size(), 1u);
    EXPECT_EQ(m.contacts()[0].address.address.host, "pc33.atlanta.example.com");
    ASSERT_EQ(m.record_routes().size(), 2u);
    EXPECT_EQ(m.record_routes()[1].address.host, "p2.example.com");
    EXPECT_TRUE(m.content_type().is("application", "sdp"));
    EXPECT_EQ(m.body(), "v=0\r");
    EXPECT_EQ(m.find(header_id::supported)->value, "timer, 100rel");
    EXPECT_EQ(m.find("k"), m.find(header_id::supported));
    EXPECT_EQ(m.heap_bytes(), 0u);
}

TEST(message, a_message_object_parsed_again_keeps_nothing_of_the_last) {
    // The transport parses into reused message objects: a big request, then a failed parse,
    // then a small response must each leave no trace of what came before.
    std::string big = crlf("INVITE sip:bob@example.com SIP/2.0\n"
                           "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\n"
                           "Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2\n"
                           "Route: <sip:p1.example.com;lr>\n"
                           "Record-Route: <sip:p2.example.com;lr>\n"
                           "From: <sip:alice@example.com>;tag=1\n"
                           "To: <sip:bob@example.com>\n"
                           "Call-ID: big\n"
                           "CSeq: 7 INVITE\n"
                           "Contact: <sip:alice@192.0.2.1>\n"
                           "Max-Forwards: 5\n"
                           "Content-Type: application/sdp\n"
                           "X-Extra: " +
                           std::string(6000, 'x') +
                           "\n" // spills out of the arena
                           "Content-Length: 4\n\nv=0\n");
    auto m = std::make_unique<message>();
    const parse_options as_transport{.buffer = buffer_use::copy};
    ASSERT_TRUE(parse_message(big, *m, as_transport));
    EXPECT_EQ(m->vias().size(), 2u);
    EXPECT_GT(m->heap_bytes(), 0u);
    EXPECT_FALSE(parse_message(crlf("INVITE sip:x SIP/2.0\nVia: bad\n\n"), *m, as_transport));
    std::string small = crlf("SIP/2.0 200 OK\n"
                             "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\n"
                             "From: <sip:carol@example.com>;tag=3\n"
                             "To: <sip:dave@example.com>;tag=4\n"
                             "Call-ID: small\n"
                             "CSeq: 1 BYE\n"
                             "Content-Length: 0\n\n");
    ASSERT_TRUE(parse_message(small, *m, as_transport));
    EXPECT_FALSE(m->is_request());
    EXPECT_EQ(m->status(), 200);
    EXPECT_EQ(m->call_id(), "small");
    EXPECT_EQ(m->vias().size(), 1u);
    EXPECT_TRUE(m->routes().empty());
    EXPECT_TRUE(m->record_routes().empty());
    EXPECT_TRUE(m->contacts().empty());
    EXPECT_EQ(m->max_forwards(), -1);
    EXPECT_TRUE(m->content_type().empty());
    EXPECT_TRUE(m->body().empty());
    EXPECT_EQ(m->find("X-Extra"), nullptr);
    EXPECT_EQ(m->headers().size(), 6u);
    EXPECT_EQ(m->heap_bytes(), 0u);
}

TEST(message, parses_a_response) {
    std::string text = crlf(R"(SIP/2.0 180 Ringing
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Content-Length: 0

)");
    message m;
    ASSERT_TRUE(parse_message(text, m));
    EXPECT_TRUE(m.is_response());
    EXPECT_EQ(m.status(), 180);
    EXPECT_EQ(m.reason(), "Ringing");
    EXPECT_EQ(m.top_via().received, "192.0.2.1");
    EXPECT_EQ(m.to().tag, "a6c85cf");
}

TEST(message, errors_name_the_problem_and_the_offset) {
    message m;
    std::string bad = invite;
    bad.replace(bad.find("CSeq: 314159 INVITE"), 19, "CSeq: 314159 BYE   ");
    auto r = parse_message(bad, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 400);
    EXPECT_EQ(r.error_value().reason_phrase(), "CSeq Method Does Not Match Request");

    std::string version = invite;
    version.replace(version.find("SIP/2.0\r\n"), 7, "SIP/7.0");
    r = parse_message(version, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 505);

    std::string via = invite;
    via.replace(via.find("pc33.atlanta.example.com;branch"), 4, "p c3");
    r = parse_message(via, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 400);
    EXPECT_EQ(r.error_value().offset, invite.find("pc33.atlanta.example.com;branch") + 2);
}

TEST(message, a_request_uri_with_a_space_is_reported_where_it_starts) {
    // The parser looks for the SP only once the URI has failed to parse (no URI that parses
    // holds one): the error is still at the URI's start, and a URI failing for another reason
    // still at its own byte.
    message m;
    std::string spaced = invite;
    spaced.replace(spaced.find("biloxi.example.com SIP"), 6, "bil xi");
    auto r = parse_message(spaced, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 400);
    EXPECT_STREQ(r.error_value().reason, "Bad Request-URI");
    EXPECT_EQ(r.error_value().offset, 7u);

    std::string bad_host = invite;
    bad_host.replace(bad_host.find("biloxi.example.com SIP"), 6, "-iloxi");
    r = parse_message(bad_host, m);
    ASSERT_FALSE(r);
    EXPECT_STREQ(r.error_value().reason, "Bad Request-URI");
    EXPECT_EQ(r.error_value().offset, invite.find("biloxi.example.com SIP"));
}

} // namespace
} // namespace parley

namespace parley {
namespace {

TEST(message_limits, at_below_and_above_each_limit) {
    message m;
    parse_options o;
    // Message size.
    o.limits.max_message_size = invite.size();
    EXPECT_TRUE(parse_message(invite, m, o));
    o.limits.max_message_size = invite.size() - 1;
    auto r = parse_message(invite, m, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 513);
    // Header count: the INVITE has 11 header lines.
    o = {};
    o.limits.max_headers = 11;
    EXPECT_TRUE(parse_message(invite, m, o));
    o.limits.max_headers = 10;
    r = parse_message(invite, m, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().reason_phrase(), "Too Many Headers");
    // Header length: the longest line is Via (73 bytes with CRLF).
    o = {};
    std::size_t via_line = std::string_view(invite).substr(invite.find("Via:")).find('\n') + 1;
    o.limits.max_header_length = via_line;
    EXPECT_TRUE(parse_message(invite, m, o));
    o.limits.max_header_length = via_line - 1;
    r = parse_message(invite, m, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().reason_phrase(), "Header Too Long");
    // Body size.
    o = {};
    o.limits.max_body_size = 4;
    EXPECT_TRUE(parse_message(invite, m, o));
    o.limits.max_body_size = 3;
    r = parse_message(invite, m, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 413);
}

TEST(message_limits, header_count_across_the_vectors_growth_and_line_length_in_long_messages) {
    // The header vector starts with room for 16 records and doubles; the count limit is checked
    // with that growth, so limits on either side of 16, 32 and 64 must hold exactly.
    std::string many = invite.substr(0, invite.find("Content-Length"));
    std::size_t lines = 0;
    for (char c : many) lines += c == '\n' ? 1 : 0;
    lines -= 1; // the request line
    while (lines < 70) {
        many += "X-Filler-" + std::to_string(lines) + ": " + std::string(lines, 'v') + "\r\n";
        ++lines;
    }
    many += invite.substr(invite.find("Content-Length"));
    ++lines; // Content-Length
    message m;
    for (std::size_t limit :
         {std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{32}, std::size_t{33},
          std::size_t{64}, std::size_t{65}, lines - 1, lines}) {
        parse_options o;
        o.limits.max_headers = limit;
        auto r = parse_message(many, m, o);
        if (limit >= lines) {
            ASSERT_TRUE(r) << limit << ": " << r.error_value().reason;
            EXPECT_EQ(m.headers().size(), lines);
        } else {
            ASSERT_FALSE(r) << limit;
            EXPECT_EQ(r.error_value().reason_phrase(), "Too Many Headers") << limit;
            // Reported at the first line over the limit: header line number `limit` (from 0).
            std::size_t at = many.find('\n') + 1;
            for (std::size_t i = 0; i < limit; ++i) at = many.find('\n', at) + 1;
            EXPECT_EQ(r.error_value().offset, at) << limit;
        }
    }
    // A message longer than the line limit: each line is still measured (the longest filler is
    // 69 bytes of value).
    parse_options o;
    const std::size_t longest = std::string("X-Filler-69: ").size() + 69 + 2;
    ASSERT_GT(many.size(), longest);
    o.limits.max_header_length = longest;
    EXPECT_TRUE(parse_message(many, m, o));
    o.limits.max_header_length = longest - 1;
    auto r = parse_message(many, m, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().reason_phrase(), "Header Too Long");
    EXPECT_EQ(r.error_value().offset, many.find("X-Filler-69"));
}

TEST(message, datagram_and_stream_body_framing) {
    message m;
    // RFC 3261 §18.3: over UDP, bytes after Content-Length are ignored...
    const std::string with_garbage = invite + "garbage";
    ASSERT_TRUE(parse_message(with_garbage, m));
    EXPECT_EQ(m.body(), "v=0\r");
    EXPECT_EQ(m.bytes().size(), invite.size() - 1); // the final LF is past Content-Length
    // ...but a Content-Length larger than the datagram is an error.
    std::string longer = invite;
    longer.replace(longer.find("Content-Length: 4"), 17, "Content-Length: 9");
    auto r = parse_message(longer, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 400);
    // Without Content-Length the body runs to the end of a datagram, but a stream needs it.
    std::string no_length = invite;
    no_length.erase(no_length.find("Content-Length: 4\r\n"), 19);
    ASSERT_TRUE(parse_message(no_length, m));
    EXPECT_EQ(m.body(), "v=0\r\n");
    EXPECT_FALSE(parse_message(no_length, m, {.framing = transport_framing::stream}));
}

TEST(message, copy_mode_owns_its_bytes) {
    message m;
    {
        std::string temporary = invite;
        ASSERT_TRUE(parse_message(temporary, m, {.buffer = buffer_use::copy}));
        temporary.assign(temporary.size(), 'x');
    }
    EXPECT_EQ(m.call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
    EXPECT_EQ(m.top_via().branch, "z9hG4bK776asdhds");
}

TEST(message, responses_never_ask_for_an_answer) {
    message m;
    auto r = parse_message("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n", m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 0);
    r = parse_message("SIP/2.0 4294967301 Huge\r\n\r\n", m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().status, 0);
}

TEST(message, status_lines_are_read_or_rejected_with_their_reason) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2), the version in
    // any case; the code three digits from 100 to 699.
    const std::string rest = "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:b@h>;tag=2\r\n"
                             "From: <sip:a@h>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n";
    struct accepted {
        const char* line;
        int status;
        const char* reason;
    };
    for (const accepted& a :
         {accepted{"SIP/2.0 200 OK", 200, "OK"}, accepted{"sip/2.0 180 Ringing", 180, "Ringing"},
          accepted{"SIP/2.0 100", 100, ""}, accepted{"SIP/2.0 699 ", 699, ""},
          accepted{"SIP/2.0 183 Session Progress", 183, "Session Progress"}}) {
        message m;
        const std::string text = a.line + rest; // the message's views point into it
        auto r = parse_message(text, m);
        ASSERT_TRUE(r) << a.line << ": " << r.error_value().reason;
        EXPECT_EQ(m.status(), a.status) << a.line;
        EXPECT_EQ(m.reason(), a.reason) << a.line;
    }
    struct rejected {
        const char* line;
        const char* reason;
        std::size_t offset;
    };
    for (const rejected& x :
         {rejected{"SIP/2.1 200 OK", "Version Not Supported", 0},
          rejected{"SIP/2.0", "Bad Status Line", 7}, rejected{"SIP/2.0 20", "Bad Status Line", 7},
          rejected{"SIP/2.0 099 Low", "Bad Status Code", 8},
          rejected{"SIP/2.0 700 High", "Bad Status Code", 8},
          rejected{"SIP/2.0 2x0 OK", "Bad Status Code", 8},
          rejected{"SIP/2.0 2000 OK", "Bad Status Code", 8},
          rejected{"SIP/2.0 200 O\x01K", "Bad Reason Phrase", 13}}) {
        message m;
        auto r = parse_message(x.line + rest, m);
        ASSERT_FALSE(r) << x.line;
        EXPECT_EQ(r.error_value().status, 0) << x.line; // a response is dropped, not answered
        EXPECT_STREQ(r.error_value().reason, x.reason) << x.line;
        EXPECT_EQ(r.error_value().offset, x.offset) << x.line;
    }
}

TEST(message, header_names_in_any_case_and_compact_form) {
    EXPECT_EQ(header_id_from_name("via"), header_id::via);
    EXPECT_EQ(header_id_from_name("VIA"), header_id::via);
    EXPECT_EQ(header_id_from_name("V"), header_id::via);
    EXPECT_EQ(header_id_from_name("max-FORWARDS"), header_id::max_forwards);
    EXPECT_EQ(header_id_from_name("p-preferred-identity"), header_id::p_preferred_identity);
    EXPECT_EQ(header_id_from_name("Max-Forward"), header_id::other);
    EXPECT_EQ(header_id_from_name("Max_Forwards"), header_id::other);
    EXPECT_EQ(header_id_from_name("Call-IDs"), header_id::other);
    EXPECT_EQ(header_id_from_name("Tp"), header_id::other);
    for (int i = 1; !header_name(static_cast<header_id>(i)).empty(); ++i) {
        std::string name(header_name(static_cast<header_id>(i)));
        EXPECT_EQ(header_id_from_name(name), static_cast<header_id>(i)) << name;
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(header_id_from_name(name), static_cast<header_id>(i)) << name;
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        EXPECT_EQ(header_id_from_name(name), static_cast<header_id>(i)) << name;
    }
}

TEST(message, via_sent_protocol_in_any_spelling) {
    auto with_via = [](std::string_view via_line) {
        std::string text = invite;
        std::size_t start = text.find("Via:");
        text.replace(start, text.find("\r\n", start) - start, via_line);
        return text;
    };
    message m;
    std::string text = with_via("Via: SIP/2.0/ UDP host.example.com;branch=z9hG4bK1");
    ASSERT_TRUE(parse_message(text, m));
    EXPECT_EQ(m.top_via().transport, "UDP");
    EXPECT_EQ(m.top_via().host, "host.example.com");
    text = with_via("Via: sip / 2.0 / tcp host.example.com:5070;BRANCH=z9hG4bK2;Rport=5");
    ASSERT_TRUE(parse_message(text, m));
    EXPECT_EQ(m.top_via().protocol_name, "sip");
    EXPECT_EQ(m.top_via().transport, "tcp");
    EXPECT_EQ(m.top_via().port, 5070);
    EXPECT_EQ(m.top_via().branch, "z9hG4bK2");
    EXPECT_EQ(m.top_via().rport_value, 5);
    text = with_via("Via: SIP/2.0/UDP host-.example.com");
    auto r = parse_message(text, m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error_value().reason_phrase(), "Bad Via Host");
}

TEST(message, line_ends_anywhere_in_the_16_byte_scans) {
    // The header loop finds line ends 16 bytes at a time: a line of every length from 0 to 200
    // bytes, folded or not, before and after the routing headers, ends where it ends.
    const std::string head = crlf("OPTIONS sip:bob@biloxi.example.com SIP/2.0\n"
                                  "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK7\n");
    const std::string tail = crlf("To: <sip:bob@biloxi.example.com>\n"
                                  "From: <sip:alice@atlanta.example.com>;tag=1\n"
                                  "Call-ID: a84b4c76e66710\n"
                                  "CSeq: 1 OPTIONS\n"
                                  "Content-Length: 0\n\n");
    auto m = std::make_unique<message>();
    for (std::size_t size = 0; size <= 200; ++size)
        for (std::size_t fold : {std::size_t{0}, size / 3, size / 2}) {
            std::string value(size, 'x');
            for (std::size_t i = 7; i < size; i += 11) value[i] = ' ';
            // A fold at `fold` ("\r\n " replaces one byte), kept verbatim inside the value.
            if (fold > 0 && fold + 1 < size && value[fold - 1] != ' ' && value[fold + 1] != ' ')
                value.replace(fold, 1, "\r\n ");
            std::string expected = value; // without the trailing SP the value may end with
            while (!expected.empty() && expected.back() == ' ') expected.pop_back();
            const std::string bytes = head + "Subject: " + value + "\r\n" + tail;
            auto parsed = parse_message(bytes, *m);
            ASSERT_TRUE(parsed) << size << " " << parsed.error_value().reason;
            const header_field* subject = m->find(header_id::subject);
            ASSERT_NE(subject, nullptr);
            EXPECT_EQ(subject->value, expected) << size << " " << fold;
            EXPECT_EQ(m->call_id(), "a84b4c76e66710");
            EXPECT_EQ(m->headers().size(), 7u);
        }
}

TEST(message, header_name_with_a_cr_is_not_a_known_name) {
    // The name lookup folds case with OR 0x20, which maps CR onto '-': "Content\rType" must
    // still fail where the token ends (found while making the lookup one 16-byte compare).
    std::string m = invite;
    std::size_t at = m.find("Content-Type");
    m[at + 7] = '\r';
    auto parsed = parse_message(m, *std::make_unique<message>());
    ASSERT_FALSE(parsed);
    EXPECT_STREQ(parsed.error_value().reason, "Bad Header Line");
    EXPECT_EQ(parsed.error_value().offset, at + 7);
    // Folded or not, a known name split by a line end is no header name either.
    m[at + 7] = '\n';
    parsed = parse_message(m, *std::make_unique<message>());
    ASSERT_FALSE(parsed);
    EXPECT_STREQ(parsed.error_value().reason, "Bad Header Line");
}

TEST(message, header_name_lookup_in_message_matches_the_table_lookup) {
    // Every table name in three spellings plus near misses, followed by what a line holds
    // after a name, so the 16-byte compare sees bytes past the name.
    std::vector<std::string> names;
    for (std::size_t i = 1; !header_name(static_cast<header_id>(i)).empty(); ++i) {
        std::string name(header_name(static_cast<header_id>(i)));
        std::string lower = name, upper = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        names.insert(names.end(), {name, lower, upper, name + "s", name.substr(1),
                                   name.substr(0, name.size() - 1) + "_"});
    }
    names.insert(names.end(), {"", "x", "Tp", "Via\r", "To\r", "Call\rID", "Via \t", "v "});
    for (const std::string& name : names) {
        std::string line = name + ": value that is long enough\r\n";
        std::size_t trimmed = name.find_last_not_of(" \t") + 1;
        header_id expected = header_id_from_name(name.substr(0, trimmed));
        // A name holding a CR, followed by SP or HT, or whose colon is not among the first 16
        // bytes, is left to the byte-by-byte path (nullptr), as is every name not in the table.
        bool in_fast_path = expected != header_id::other && name.size() < 16 &&
                            name.find('\r') == std::string::npos && trimmed == name.size();
        header_id id = header_id::other;
        std::size_t name_size = 0;
        const char* colon = detail::header_lookup::find_known_header_name(
            line.data(), line.data() + line.size(), id, name_size);
        if (!in_fast_path) {
            EXPECT_EQ(colon, nullptr) << name;
            continue;
        }
        EXPECT_EQ(colon, line.data() + name.size()) << name;
        EXPECT_EQ(id, expected) << name;
        EXPECT_EQ(name_size, trimmed) << name;
    }
}

} // namespace
} // namespace parley
