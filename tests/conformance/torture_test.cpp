// RFC 4475 and RFC 5118 torture messages, checked table-driven against INDEX.tsv.
//
// Every message in the corpus gets a verdict: `valid` must parse (and the few facts the RFC
// stresses are checked); `invalid` must be rejected with the status the RFC asks for (0 for a
// response: it is dropped); `invalid(may-accept)` follows the choice written in
// docs/conformance.md. Messages are parsed as single UDP datagrams.
#include <parley/sip/message.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace parley {
namespace {

const std::filesystem::path corpus = PARLEY_CONFORMANCE_DIR;

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct entry {
    std::string file;
    std::string verdict;
};

std::vector<entry> index_of(const std::filesystem::path& folder) {
    std::vector<entry> out;
    std::istringstream lines(read(folder / "INDEX.tsv"));
    std::string line;
    std::getline(lines, line); // header
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        entry e;
        std::string section;
        std::getline(fields, e.file, '\t');
        std::getline(fields, section, '\t');
        std::getline(fields, e.verdict, '\t');
        out.push_back(e);
    }
    return out;
}

// Our answer to every message the RFC lets us choose on (docs/conformance.md), and the status
// for each invalid one. 0 = accepted by the parser.
const std::map<std::string, int> expected_rejections = {
    // invalid
    {"badinv01.dat", 400},
    {"clerr.dat", 400},
    {"ncl.dat", 400},
    {"scalar02.dat", 400},
    {"scalarlg.dat", -1}, // response: rejected, nothing to answer
    {"badvers.dat", 505},
    {"mismatch01.dat", 400},
    {"mismatch02.dat", 400},
    {"bigcode.dat", -1},
    {"insuf.dat", 400},
    {"multi01.dat", 400},
    {"mcl01.dat", 400},
    {"ipv6-bad.sip", 400},
    // invalid(may-accept): our choices
    {"quotbal.dat", 400},
    {"ltgtruri.dat", 400},
    {"lwsruri.dat", 400},
    {"lwsstart.dat", 400},
    {"trws.dat", 0},
    {"escruri.dat", 0},
    {"baddate.dat", 0},
    {"regbadct.dat", 400},
    {"badaspec.dat", 0},
    {"baddn.dat", 400},
};

struct verdict_case {
    std::filesystem::path path;
    std::string verdict;
};

void check(const std::filesystem::path& path, const std::string& verdict) {
    SCOPED_TRACE(path.filename().string() + " (" + verdict + ")");
    std::string bytes = read(path);
    ASSERT_FALSE(bytes.empty());
    message m;
    auto r = parse_message(bytes, m);
    std::string name = path.filename().string();
    if (name == "test.dat") return; // n/a: in the archive, in no section; only must not crash
    int expect = 0;
    if (auto it = expected_rejections.find(name); it != expected_rejections.end())
        expect = it->second;
    else
        ASSERT_EQ(verdict, "valid") << "every non-valid message needs an expected verdict";
    if (expect == 0) {
        ASSERT_TRUE(r) << r.error_value().reason << " at offset " << r.error_value().offset;
    } else {
        ASSERT_FALSE(r) << "accepted a message that must be rejected";
        EXPECT_EQ(r.error_value().status, expect == -1 ? 0 : expect) << r.error_value().reason;
    }
}

TEST(conformance, rfc4475_every_message_gets_its_verdict) {
    auto entries = index_of(corpus / "rfc4475");
    ASSERT_EQ(entries.size(), 50u);
    for (const auto& e : entries) check(corpus / "rfc4475" / e.file, e.verdict);
}

TEST(conformance, rfc5118_every_message_gets_its_verdict) {
    auto entries = index_of(corpus / "rfc5118");
    ASSERT_EQ(entries.size(), 12u);
    for (const auto& e : entries) check(corpus / "rfc5118" / "wire" / (e.file + ".sip"), e.verdict);
}

// The facts RFC 4475 stresses for some valid messages.
message& parsed(const std::string& file, std::string& storage, message& m) {
    storage = read(corpus / file);
    auto r = parse_message(storage, m);
    EXPECT_TRUE(r) << file;
    return m;
}

TEST(conformance, rfc4475_details) {
    std::string bytes;
    message m;
    // §3.1.1.1: folding, odd spacing, compact and odd-case names.
    parsed("rfc4475/wsinv.dat", bytes, m);
    EXPECT_EQ(m.to().tag, "1918181833n");
    EXPECT_EQ(m.from().tag, "98asjd8");
    EXPECT_EQ(m.from().display_name, "J Rosenberg \\\\\\\"");
    EXPECT_EQ(m.max_forwards(), 68);
    EXPECT_EQ(m.cseq().number, 9u);
    ASSERT_EQ(m.vias().size(), 3u);
    EXPECT_EQ(m.vias()[1].branch, "z9hG4bK9ikj8");
    EXPECT_EQ(m.vias()[2].branch, "z9hG4bK30239");
    EXPECT_EQ(m.vias()[2].host, "192.168.255.111");
    ASSERT_EQ(m.contacts().size(), 1u);
    EXPECT_EQ(m.contacts()[0].q, 330);
    EXPECT_EQ(m.body().size(), 150u);
    // §3.1.1.2: an unknown method made of token punctuation.
    parsed("rfc4475/intmeth.dat", bytes, m);
    EXPECT_EQ(m.method(), method::unknown);
    EXPECT_EQ(m.method_text(), "!interesting-Method0123456789_*+`.%indeed'~");
    EXPECT_EQ(m.request_uri().password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    // §3.1.1.5: % is not an escape in a method or a header name.
    parsed("rfc4475/esc02.dat", bytes, m);
    EXPECT_EQ(m.method(), method::unknown);
    EXPECT_EQ(m.method_text(), "RE%47IST%45R");
    ASSERT_EQ(m.contacts().size(), 2u) << "C%6Fntact is not Contact";
    EXPECT_EQ(m.contacts()[1].address.address.host, "host3.example.com");
    EXPECT_EQ(m.find("C%6Fntact")->value, "<sip:alias2@host2.example.com>");
    // §3.1.1.4: %00 in a user part keeps two distinct contacts.
    parsed("rfc4475/escnull.dat", bytes, m);
    ASSERT_EQ(m.contacts().size(), 2u);
    EXPECT_NE(unescape(m.contacts()[0].address.address.user),
              unescape(m.contacts()[1].address.address.user));
    // §3.1.1.8: only the REGISTER of the datagram.
    parsed("rfc4475/dblreq.dat", bytes, m);
    EXPECT_EQ(m.method(), method::register_);
    EXPECT_LT(m.bytes().size(), bytes.size());
    // §3.1.1.9
    parsed("rfc4475/semiuri.dat", bytes, m);
    EXPECT_EQ(unescape(m.request_uri().user), "user;par=u@example.net");
    // §3.3.2: an unknown scheme parses (the application answers 416).
    parsed("rfc4475/unkscm.dat", bytes, m);
    EXPECT_EQ(m.request_uri().scheme, uri_scheme::other);
    // §3.4.1: RFC 2543 style, body to the end of the datagram.
    parsed("rfc4475/inv2543.dat", bytes, m);
    EXPECT_FALSE(m.has_content_length());
    EXPECT_FALSE(m.body().empty());
    EXPECT_EQ(m.top_via().branch, "");
    EXPECT_EQ(m.max_forwards(), -1);
    // §3.1.1.12 / §3.1.1.13: reason phrases.
    parsed("rfc4475/noreason.dat", bytes, m);
    EXPECT_EQ(m.status(), 100);
    EXPECT_EQ(m.reason(), "");
}

TEST(conformance, rfc5118_details) {
    std::string bytes;
    message m;
    parsed("rfc5118/wire/port-unambiguous.sip", bytes, m);
    EXPECT_EQ(m.request_uri().host, "2001:db8::10");
    EXPECT_EQ(m.request_uri().port, 5070);
    parsed("rfc5118/wire/port-ambiguous.sip", bytes, m);
    EXPECT_EQ(m.request_uri().host, "2001:db8::10:5070");
    EXPECT_EQ(m.request_uri().port, 0);
    parsed("rfc5118/wire/via-received-param-with-delim.sip", bytes, m);
    EXPECT_EQ(m.top_via().received, "2001:db8::9:255");
    parsed("rfc5118/wire/via-received-param-no-delim.sip", bytes, m);
    EXPECT_EQ(m.top_via().received, "2001:db8::9:255");
    parsed("rfc5118/wire/mult-ip-in-header.sip", bytes, m);
    ASSERT_EQ(m.vias().size(), 3u);
    EXPECT_EQ(m.vias()[0].host_type, host_kind::ipv6);
}

} // namespace
} // namespace parley
