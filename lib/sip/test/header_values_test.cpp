#include <parley/sip/header_values.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

// A request with the mandatory headers, the given extra header lines ('\n' becomes CRLF, so a
// line starting with a space is a fold) and no body.
std::string request_with(std::string_view extra) {
    std::string text = "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
                       "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\n"
                       "Max-Forwards: 70\n"
                       "To: Bob <sip:bob@biloxi.example.com>\n"
                       "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
                       "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                       "CSeq: 314159 INVITE\n";
    text += extra;
    text += "Content-Length: 0\n\n";
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

struct parsed {
    std::string text;
    std::unique_ptr<message> m = std::make_unique<message>();
    /// Offset of `needle` in the message text (the test fails when it is missing).
    std::size_t at(std::string_view needle) const {
        std::size_t pos = text.find(needle);
        EXPECT_NE(pos, std::string::npos) << needle;
        return pos;
    }
};

parsed parse(std::string_view extra) {
    parsed p;
    p.text = request_with(extra);
    auto r = parse_message(p.text, *p.m);
    EXPECT_TRUE(r) << r.error_value().reason << " at " << r.error_value().offset;
    return p;
}

template <class T>
void expect_error(const result<T>& r, std::string_view reason, std::size_t offset) {
    ASSERT_FALSE(r) << "expected " << reason;
    EXPECT_EQ(r.error_value().status, 400);
    EXPECT_EQ(r.error_value().reason_phrase(), reason);
    EXPECT_EQ(r.error_value().offset, offset);
}

// ---- Option tags --------------------------------------------------------------------------------

TEST(option_tags, combines_lines_and_compares_case_insensitively) {
    auto p = parse("Require: 100rel\nSupported: timer, 100rel\nRequire:  Timer ,\n replaces\n");
    auto require = find_require(*p.m);
    ASSERT_TRUE(require);
    EXPECT_TRUE(require->present());
    ASSERT_EQ(require->size(), 3u);
    EXPECT_EQ((*require)[0], "100rel");
    EXPECT_EQ((*require)[1], "Timer");
    EXPECT_EQ((*require)[2], "replaces");
    EXPECT_TRUE(require->contains("timer")); // RFC 3261 §7.3.1: tokens are case-insensitive
    EXPECT_TRUE(require->contains("100REL"));
    EXPECT_FALSE(require->contains("path"));
    auto supported = find_supported(*p.m);
    ASSERT_TRUE(supported);
    EXPECT_EQ(supported->size(), 2u);
}

TEST(option_tags, absent_and_empty) {
    auto p = parse("Supported:\n");
    auto supported = find_supported(*p.m);
    ASSERT_TRUE(supported);
    EXPECT_TRUE(supported->present());
    EXPECT_TRUE(supported->empty());
    auto unsupported = find_unsupported(*p.m);
    ASSERT_TRUE(unsupported);
    EXPECT_FALSE(unsupported->present());
    auto proxy = find_proxy_require(*p.m);
    ASSERT_TRUE(proxy);
    EXPECT_FALSE(proxy->present());
}

TEST(option_tags, compact_form_is_the_same_header) {
    auto p = parse("k: path\nSupported: gruu\n");
    auto supported = find_supported(*p.m);
    ASSERT_TRUE(supported);
    EXPECT_EQ(supported->size(), 2u);
    EXPECT_TRUE(supported->contains("gruu"));
}

TEST(option_tags, errors) {
    auto p = parse("Require: 100rel, tim er\n");
    expect_error(find_require(*p.m), "Bad Require Option Tag", p.at("tim er") + 4);
    auto q = parse("Proxy-Require: a,,b\n");
    expect_error(find_proxy_require(*q.m), "Empty List Element", q.at(",,b") + 1);
    auto r = parse("Unsupported: \"quoted\"\n");
    expect_error(find_unsupported(*r.m), "Bad Unsupported Option Tag", r.at("\"quoted"));
    token_list list;
    expect_error(parse_token_list("a, b;c", 100, list), "Bad Token", 104);
}

// ---- Allow, Accept, Allow-Events, Recv-Info, Info-Package ---------------------------------------

TEST(allow, known_and_unknown_methods) {
    auto p = parse("Allow: INVITE, ACK, CANCEL, BYE, PRACK\nAllow: UPDATE,FOO\n");
    auto allow = find_allow(*p.m);
    ASSERT_TRUE(allow);
    EXPECT_TRUE(allow->tokens.present());
    EXPECT_TRUE(allow->contains(method::prack));
    EXPECT_TRUE(allow->contains(method::update));
    EXPECT_FALSE(allow->contains(method::refer));
    EXPECT_TRUE(allow->contains("FOO"));
    EXPECT_FALSE(allow->contains("foo")); // methods are case-sensitive (RFC 3261 §7.1)
    EXPECT_EQ(allow->tokens.size(), 7u);

    auto none = parse("");
    auto absent = find_allow(*none.m);
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->tokens.present());
    EXPECT_TRUE(absent->known.empty());

    auto bad = parse("Allow: INVITE, A/B\n");
    expect_error(find_allow(*bad.m), "Bad Allow Method", bad.at("A/B") + 1);
}

TEST(accept, media_ranges_wildcards_and_q) {
    auto p = parse("Accept: application/sdp;level=1, application/*;q=0.5,\n"
                   " text/plain;q=0\nAccept: */*;q=0.1\n");
    auto accept = find_accept(*p.m);
    ASSERT_TRUE(accept);
    ASSERT_EQ(accept->size(), 4u);
    EXPECT_EQ((*accept)[0].type, "application");
    EXPECT_EQ((*accept)[0].subtype, "sdp");
    EXPECT_EQ((*accept)[0].params.find("level"), "1");
    EXPECT_EQ((*accept)[0].q, -1);
    EXPECT_EQ((*accept)[1].subtype, "*");
    EXPECT_EQ((*accept)[1].q, 500);
    EXPECT_EQ((*accept)[2].q, 0);
    EXPECT_TRUE(accept->accepts("application", "sdp"));
    EXPECT_TRUE(accept->accepts("APPLICATION", "isup"));
    EXPECT_FALSE(accept->accepts("text", "plain")); // q=0 on the most specific range
    EXPECT_TRUE(accept->accepts("image", "png"));   // */*
}

TEST(accept, absent_means_sdp_and_empty_means_nothing) {
    auto none = parse("");
    auto absent = find_accept(*none.m);
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->present());
    EXPECT_TRUE(absent->accepts("application", "sdp"));
    EXPECT_FALSE(absent->accepts("text", "plain"));

    auto p = parse("Accept:\n");
    auto empty = find_accept(*p.m);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->present());
    EXPECT_FALSE(empty->accepts("application", "sdp"));
}

TEST(accept, errors) {
    auto p = parse("Accept: application\n");
    expect_error(find_accept(*p.m), "Bad Accept", p.at("application\r") + 11);
    auto q = parse("Accept: */sdp\n");
    expect_error(find_accept(*q.m), "Bad Accept", q.at("*/sdp") + 2);
    auto r = parse("Accept: text/html;q=1.5\n");
    expect_error(find_accept(*r.m), "Bad Accept q-value", r.at("1.5"));
    expect_error(parse_media_range("a/b;q", 2), "Bad Accept q-value", 6);
}

TEST(events, allow_events_recv_info_info_package) {
    auto p = parse("Allow-Events: presence, dialog\nu: presence.winfo\n"
                   "Recv-Info: foo;x=1, bar\nRecv-Info:\nInfo-Package: foo;v=2\n");
    auto events = find_allow_events(*p.m);
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 3u);
    EXPECT_TRUE(events->contains("presence.winfo"));
    auto recv = find_recv_info(*p.m);
    ASSERT_TRUE(recv);
    ASSERT_EQ(recv->size(), 2u);
    EXPECT_EQ((*recv)[0], "foo");
    EXPECT_TRUE(recv->contains("bar"));
    auto package = find_info_package(*p.m);
    ASSERT_TRUE(package);
    ASSERT_TRUE(package->has_value());
    EXPECT_EQ((*package)->name, "foo");
    EXPECT_EQ((*package)->params.find("v"), "2");

    auto bad = parse("Recv-Info: foo;=1\nInfo-Package: ;x\n");
    expect_error(find_recv_info(*bad.m), "Bad Header Parameter", bad.at(";=1") + 1);
    expect_error(find_info_package(*bad.m), "Bad Info Package", bad.at(";x"));
}

// ---- Expires, Min-Expires -----------------------------------------------------------------------

TEST(delta_seconds, expires_min_expires) {
    auto p = parse("Expires: 3600\nMin-Expires:  60 \n");
    auto expires = find_expires(*p.m);
    ASSERT_TRUE(expires);
    EXPECT_EQ(expires->value(), 3600u);
    auto min = find_min_expires(*p.m);
    ASSERT_TRUE(min);
    EXPECT_EQ(min->value(), 60u);

    auto none = parse("");
    auto absent = find_expires(*none.m);
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());

    // RFC 4475 §3.1.2.4: an overlarge value is clamped, not an error.
    auto large = parse("Expires: 10000000000000000000000000000\n");
    ASSERT_TRUE(find_expires(*large.m));
    EXPECT_EQ(find_expires(*large.m)->value(), 4294967295u);

    auto bad = parse("Expires: 3600 s\n");
    expect_error(find_expires(*bad.m), "Bad Expires", bad.at("3600 s") + 5);
    auto twice = parse("Expires: 1\nExpires: 2\n");
    expect_error(find_expires(*twice.m), "Duplicate Expires Header", twice.at("Expires: 2") + 9);
    auto negative = parse("Min-Expires: -1\n");
    expect_error(find_min_expires(*negative.m), "Bad Min-Expires", negative.at("-1"));
    expect_error(parse_delta_seconds("", 7), "Bad Delta-Seconds", 7);
}

// ---- RSeq, RAck ---------------------------------------------------------------------------------

TEST(rseq, range_one_to_two_pow_31_minus_one) {
    auto p = parse("RSeq: 988789\n");
    auto rseq = find_rseq(*p.m);
    ASSERT_TRUE(rseq);
    EXPECT_EQ(rseq->value(), 988789u);
    EXPECT_EQ(parse_rseq("2147483647").value(), 2147483647u);
    EXPECT_EQ(parse_rseq("1").value(), 1u);
    expect_error(parse_rseq("2147483648", 10), "Bad RSeq", 10);
    expect_error(parse_rseq("0", 10), "Bad RSeq", 10);
    expect_error(parse_rseq("", 10), "Bad RSeq", 10);
    expect_error(parse_rseq("12 3", 10), "Bad RSeq", 13);

    auto none = parse("");
    ASSERT_TRUE(find_rseq(*none.m));
    EXPECT_FALSE(find_rseq(*none.m)->has_value());
    auto twice = parse("RSeq: 1\nRSeq: 2\n");
    expect_error(find_rseq(*twice.m), "Duplicate RSeq Header", twice.at("RSeq: 2") + 6);
}

TEST(rack, rfc3262_example_and_errors) {
    auto p = parse("RAck: 776656 1\n INVITE\n"); // folded, RFC 3262 §7.2 example
    auto rack = find_rack(*p.m);
    ASSERT_TRUE(rack);
    ASSERT_TRUE(rack->has_value());
    EXPECT_EQ((*rack)->response_number, 776656u);
    EXPECT_EQ((*rack)->cseq_number, 1u);
    EXPECT_EQ((*rack)->method, method::invite);
    EXPECT_EQ((*rack)->method_text, "INVITE");

    auto ext = parse_rack("1 4294967295 FOO");
    ASSERT_TRUE(ext);
    EXPECT_EQ(ext->method, method::unknown);
    EXPECT_EQ(ext->method_text, "FOO");

    expect_error(parse_rack("0 1 INVITE", 5), "Bad RAck Response Number", 5);
    expect_error(parse_rack("1 4294967296 INVITE", 5), "Bad RAck CSeq Number", 7);
    expect_error(parse_rack("1 2", 5), "Bad RAck", 8);
    expect_error(parse_rack("1 2 /", 5), "Bad RAck Method", 9);
    expect_error(parse_rack("1 2 INVITE x", 5), "Bad RAck", 16);
    expect_error(parse_rack("1x 2 INVITE", 5), "Bad RAck", 6);
}

// ---- Session timers -----------------------------------------------------------------------------

TEST(session_timers, session_expires_and_min_se) {
    auto p = parse("Session-Expires: 4000;refresher=uac;foo=bar\nMin-SE: 90;x\n");
    auto se = find_session_expires(*p.m);
    ASSERT_TRUE(se);
    ASSERT_TRUE(se->has_value());
    EXPECT_EQ((*se)->delta_seconds, 4000u);
    EXPECT_EQ((*se)->refresher, refresher_role::uac);
    EXPECT_EQ((*se)->params.find("foo"), "bar");
    auto min = find_min_se(*p.m);
    ASSERT_TRUE(min);
    EXPECT_EQ(min->value(), 90u);

    auto compact = parse("x: 1800 ; Refresher = UAS\n");
    auto uas = find_session_expires(*compact.m);
    ASSERT_TRUE(uas);
    EXPECT_EQ((*uas)->refresher, refresher_role::uas);
    EXPECT_EQ((*uas)->delta_seconds, 1800u);

    auto plain = parse_session_expires("1800");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->refresher, refresher_role::unspecified);

    auto bad = parse("Session-Expires: 1800;refresher=both\n");
    expect_error(find_session_expires(*bad.m), "Bad Session-Expires Refresher", bad.at("both"));
    expect_error(parse_session_expires("abc", 3), "Bad Session-Expires", 3);
    expect_error(parse_session_expires("90 x", 3), "Unexpected Text After Value", 6);
    expect_error(parse_min_se("", 3), "Bad Min-SE", 3);
    expect_error(parse_min_se("90;", 3), "Bad Header Parameter", 6);
    auto twice = parse("Session-Expires: 90\nx: 100\n");
    expect_error(find_session_expires(*twice.m), "Duplicate Session-Expires Header",
                 twice.at("x: 100") + 3);
}

// ---- Replaces, Refer-To, Referred-By, Refer-Sub -------------------------------------------------

TEST(replaces, rfc3891_example) {
    auto p = parse("Replaces: 425928@bobster.example.org;to-tag=7743;from-tag=6472\n");
    auto r = find_replaces(*p.m);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->call_id, "425928@bobster.example.org");
    EXPECT_EQ((*r)->to_tag, "7743");
    EXPECT_EQ((*r)->from_tag, "6472");
    EXPECT_FALSE((*r)->early_only);

    auto early = parse_replaces("98732@sip.example.com\n ;from-tag=r33th4x0r\n ;to-tag=ff87ff"
                                ";early-only");
    ASSERT_TRUE(early);
    EXPECT_EQ(early->call_id, "98732@sip.example.com");
    EXPECT_EQ(early->from_tag, "r33th4x0r");
    EXPECT_TRUE(early->early_only);
}

TEST(replaces, errors) {
    expect_error(parse_replaces(";to-tag=1;from-tag=2", 4), "Bad Replaces Call-ID", 4);
    expect_error(parse_replaces("a@;to-tag=1;from-tag=2", 4), "Bad Replaces Call-ID", 6);
    expect_error(parse_replaces("abc;from-tag=2", 4), "Missing Replaces To-Tag", 18);
    expect_error(parse_replaces("abc;to-tag=1", 4), "Missing Replaces From-Tag", 16);
    expect_error(parse_replaces("abc;to-tag=\"1\";from-tag=2", 4), "Bad Replaces To-Tag", 8);
    expect_error(parse_replaces("abc;to-tag=1;from-tag", 4), "Bad Replaces From-Tag", 17);
    auto none = parse("");
    ASSERT_TRUE(find_replaces(*none.m));
    EXPECT_FALSE(find_replaces(*none.m)->has_value());
}

TEST(refer_to, name_addr_with_embedded_replaces) {
    // RFC 3891 §7.1 style: the Replaces header travels escaped in the Refer-To URI.
    auto q = parse("Refer-To: <sips:bob@bob.example.com?Replaces=12345%40192.168.118.3%3B"
                   "to-tag%3D12345%3Bfrom-tag%3D5FFE-3994>;x=1\n");
    auto r = find_refer_to(*q.m);
    ASSERT_TRUE(r) << r.error_value().reason;
    ASSERT_TRUE(r->has_value());
    const refer_to& refer = **r;
    EXPECT_EQ(refer.target.address.host, "bob.example.com");
    EXPECT_EQ(refer.target.params.find("x"), "1");
    ASSERT_TRUE(refer.embedded_replaces.has_value());
    EXPECT_EQ(*refer.embedded_replaces, "12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994");
    auto replaced = parse_replaces(*refer.embedded_replaces);
    ASSERT_TRUE(replaced);
    EXPECT_EQ(replaced->call_id, "12345@192.168.118.3");
    EXPECT_EQ(replaced->to_tag, "12345");
    EXPECT_EQ(replaced->from_tag, "5FFE-3994");
}

TEST(refer_to, plain_forms_and_errors) {
    auto p = parse("r: sip:carol@cleveland.example.org\n");
    auto r = find_refer_to(*p.m);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)->target.address.user, "carol");
    EXPECT_FALSE((*r)->embedded_replaces.has_value());

    auto two = parse("Refer-To: <sip:a@example.com>, <sip:b@example.com>\n");
    expect_error(find_refer_to(*two.m), "Multiple Refer-To Values", two.at("<sip:b@"));
    auto bad = parse("Refer-To: <sip:a@example.com?Replaces=abc%3Bto-tag%3D1>\n");
    expect_error(find_refer_to(*bad.m), "Missing Replaces From-Tag", bad.at("Replaces=abc"));
    auto twice = parse("Refer-To: <sip:a@example.com>\nr: <sip:b@example.com>\n");
    expect_error(find_refer_to(*twice.m), "Duplicate Refer-To Header", twice.at("<sip:b@"));
    auto none = parse("");
    ASSERT_TRUE(find_refer_to(*none.m));
    EXPECT_FALSE(find_refer_to(*none.m)->has_value());
}

TEST(refer_to, uri_header_decoding) {
    auto u = parse_uri("sip:a@example.com?Subject=Hi%20there&replaces=x%253D");
    ASSERT_TRUE(u);
    EXPECT_EQ(uri_header(*u, "subject"), "Hi there");
    EXPECT_EQ(uri_header(*u, "Replaces"), "x%3D"); // decoded once, never recursively
    EXPECT_FALSE(uri_header(*u, "Priority").has_value());
}

TEST(referred_by, rfc3892_example) {
    auto p = parse("Referred-By: <sip:referrer@referrer.example>\n"
                   " ;cid=\"20398823.2UWQFN309shb3@referrer.example\"\n");
    auto r = find_referred_by(*p.m);
    ASSERT_TRUE(r) << r.error_value().reason;
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->referrer.address.user, "referrer");
    EXPECT_EQ((*r)->cid, "20398823.2UWQFN309shb3@referrer.example");

    auto compact = parse("b: sip:alice@example.com\n");
    auto c = find_referred_by(*compact.m);
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)->cid, "");

    auto bad = parse("Referred-By: <sip:a@example.com>;cid=nothing\n");
    expect_error(find_referred_by(*bad.m), "Bad Referred-By cid", bad.at("cid=nothing"));
    expect_error(parse_referred_by("<sip:a@example.com>;cid", 3), "Bad Referred-By cid", 23);
}

TEST(refer_sub, true_false_and_errors) {
    auto p = parse("Refer-Sub: false\n");
    auto r = find_refer_sub(*p.m);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->value(), refer_sub::no_subscription);
    EXPECT_EQ(parse_refer_sub("TRUE;x=y").value(), refer_sub::subscription);
    expect_error(parse_refer_sub("maybe", 9), "Bad Refer-Sub", 9);
    expect_error(parse_refer_sub("true false", 9), "Unexpected Text After Value", 14);
}

// ---- Event, Subscription-State ------------------------------------------------------------------

TEST(event, type_package_and_id) {
    auto p = parse("o: presence.winfo ; id=1234\n");
    auto e = find_event(*p.m);
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->has_value());
    EXPECT_EQ((*e)->type, "presence.winfo");
    EXPECT_EQ((*e)->package, "presence");
    EXPECT_EQ((*e)->id, "1234");
    EXPECT_EQ(parse_event("refer").value().package, "refer");
    expect_error(parse_event("presence.", 2), "Bad Event Type", 2);
    expect_error(parse_event("", 2), "Bad Event Type", 2);
    expect_error(parse_event("refer;id=\"x\"", 2), "Bad Event Id", 11);
}

TEST(subscription_state, states_and_params) {
    auto p = parse("Subscription-State: terminated;reason=timeout;retry-after=30\n");
    auto s = find_subscription_state(*p.m);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->state, substate::terminated);
    EXPECT_EQ((*s)->reason, "timeout");
    EXPECT_EQ((*s)->retry_after, 30u);
    EXPECT_FALSE((*s)->expires.has_value());

    auto active = parse_subscription_state("Active;expires=600");
    ASSERT_TRUE(active);
    EXPECT_EQ(active->state, substate::active);
    EXPECT_EQ(active->expires, 600u);
    EXPECT_EQ(parse_subscription_state("pending").value().state, substate::pending);
    EXPECT_EQ(parse_subscription_state("frozen").value().state, substate::extension);

    expect_error(parse_subscription_state("active;expires=soon", 1),
                 "Bad Subscription-State Expires", 16);
    expect_error(parse_subscription_state("active;retry-after", 1),
                 "Bad Subscription-State Retry-After", 8);
    expect_error(parse_subscription_state(";x", 1), "Bad Subscription-State", 1);
}

// ---- Retry-After, Content-Disposition -----------------------------------------------------------

TEST(retry_after, comment_and_duration) {
    auto p = parse("Retry-After: 18000;duration=3600\n");
    auto r = find_retry_after(*p.m);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)->delta_seconds, 18000u);
    EXPECT_EQ((*r)->duration, 3600u);

    auto c = parse_retry_after("120 (I'm in a meeting (really) \\) ok)");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->delta_seconds, 120u);
    EXPECT_EQ(c->comment, "I'm in a meeting (really) \\) ok");
    EXPECT_FALSE(c->duration.has_value());

    expect_error(parse_retry_after("120 (open", 3), "Unterminated Retry-After Comment", 7);
    expect_error(parse_retry_after("120 (a\\", 3), "Unterminated Retry-After Comment", 7);
    expect_error(parse_retry_after("soon", 3), "Bad Retry-After", 3);
    expect_error(parse_retry_after("1;duration=x", 3), "Bad Retry-After Duration", 14);
}

TEST(content_disposition, handling) {
    auto p = parse("Content-Disposition: session;handling=optional\n");
    auto d = find_content_disposition(*p.m);
    ASSERT_TRUE(d);
    EXPECT_EQ((*d)->type, "session");
    EXPECT_EQ((*d)->handling, disposition_handling::optional);
    auto required = parse_content_disposition("signal; handling=required");
    ASSERT_TRUE(required);
    EXPECT_EQ(required->handling, disposition_handling::required);
    auto implicit = parse_content_disposition("render");
    ASSERT_TRUE(implicit);
    EXPECT_EQ(implicit->handling, disposition_handling::required); // RFC 3261 §20.11 default
    auto other = parse_content_disposition("icon;handling=maybe");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->handling, disposition_handling::other);
    EXPECT_EQ(other->handling_text, "maybe");
    expect_error(parse_content_disposition("", 2), "Bad Content-Disposition", 2);
    expect_error(parse_content_disposition("render;handling=\"x\"", 2),
                 "Bad Content-Disposition Handling", 18);
}

TEST(unquote, decodes_quoted_pairs) {
    EXPECT_EQ(unquote("\"a\\\"b\\\\c\""), "a\"b\\c");
    EXPECT_EQ(unquote("plain"), "plain");
    EXPECT_EQ(unquote("\"\""), "");
}

// ---- Identity, privacy, Reason ------------------------------------------------------------------

TEST(identity, p_asserted_identity_rfc3325_examples) {
    auto p = parse("P-Asserted-Identity: \"Cullen Jennings\" <sip:fluffy@cisco.com>\n"
                   "P-Asserted-Identity: tel:+14085264000\n");
    auto pai = find_p_asserted_identity(*p.m);
    ASSERT_TRUE(pai);
    ASSERT_EQ(pai->size(), 2u);
    EXPECT_EQ((*pai)[0].display_name, "Cullen Jennings");
    EXPECT_EQ((*pai)[0].address.user, "fluffy");
    EXPECT_EQ((*pai)[1].address.scheme, uri_scheme::tel);

    auto one_line = parse("P-Preferred-Identity: <sip:a@example.com>, <tel:+15551234>\n");
    auto ppi = find_p_preferred_identity(*one_line.m);
    ASSERT_TRUE(ppi);
    EXPECT_EQ(ppi->size(), 2u);

    auto none = parse("");
    ASSERT_TRUE(find_p_asserted_identity(*none.m));
    EXPECT_FALSE(find_p_asserted_identity(*none.m)->present());

    auto bad = parse("P-Asserted-Identity: <sip:a@example.com\n");
    expect_error(find_p_asserted_identity(*bad.m), "Missing '>'", bad.at("<sip:a@"));
}

TEST(identity, remote_party_id) {
    auto p = parse("Remote-Party-ID: \"John Doe\" <sip:jdoe@foo.com>;party=calling;\n"
                   " id-type=subscriber;privacy=full;screen=yes\n");
    auto rpid = find_remote_party_id(*p.m);
    ASSERT_TRUE(rpid) << rpid.error_value().reason;
    ASSERT_EQ(rpid->size(), 1u);
    const remote_party_id& r = (*rpid)[0];
    EXPECT_EQ(r.address.display_name, "John Doe");
    EXPECT_EQ(r.party, "calling");
    EXPECT_EQ(r.id_type, "subscriber");
    EXPECT_EQ(r.privacy, "full");
    EXPECT_EQ(r.screen, "yes");

    auto quoted = parse_remote_party_id("<sip:x@y>;privacy=\"off\"");
    ASSERT_TRUE(quoted);
    EXPECT_EQ(quoted->privacy, "off");
    EXPECT_EQ(quoted->party, "");
    expect_error(parse_remote_party_id("sip:x@y;party=called", 4), "Bad Remote-Party-ID", 4);
    expect_error(parse_remote_party_id("<sip:x@y>;screen=maybe", 4), "Bad Remote-Party-ID Screen",
                 14);
    expect_error(parse_remote_party_id("<sip:x@y>;screen", 4), "Bad Remote-Party-ID Screen", 14);
}

TEST(privacy, tokens_separated_by_semicolons) {
    auto p = parse("Privacy: id;header ; user\nPrivacy: critical\n");
    auto privacy = find_privacy(*p.m);
    ASSERT_TRUE(privacy);
    ASSERT_EQ(privacy->size(), 4u);
    EXPECT_TRUE(privacy->contains("id"));
    EXPECT_TRUE(privacy->contains("Header"));
    EXPECT_TRUE(privacy->contains("critical"));
    EXPECT_FALSE(privacy->contains("none"));

    auto none = parse("");
    ASSERT_TRUE(find_privacy(*none.m));
    EXPECT_FALSE(find_privacy(*none.m)->present());

    auto bad = parse("Privacy: id;;header\n");
    expect_error(find_privacy(*bad.m), "Bad Privacy", bad.at(";;header") + 1);
    auto empty = parse("Privacy:\n");
    expect_error(find_privacy(*empty.m), "Bad Privacy", empty.at("Privacy:") + 8);
}

TEST(reason, rfc3326_examples_combined) {
    auto p =
        parse("Reason: SIP ;cause=580 ;text=\"Precondition Failure\"\n"
              "Reason: Q.850 ;cause=16 ;text=\"Terminated, \\\"normally\\\"\", SIP;cause=200\n");
    auto reasons = find_reason(*p.m);
    ASSERT_TRUE(reasons);
    ASSERT_EQ(reasons->size(), 3u);
    EXPECT_EQ((*reasons)[0].protocol, "SIP");
    EXPECT_EQ((*reasons)[0].cause, 580u);
    EXPECT_EQ((*reasons)[0].text, "Precondition Failure");
    EXPECT_EQ((*reasons)[1].protocol, "Q.850");
    EXPECT_EQ((*reasons)[1].cause, 16u);
    EXPECT_EQ(unquote((*reasons)[1].text), "Terminated, \"normally\"");
    EXPECT_EQ((*reasons)[2].cause, 200u);
    EXPECT_EQ((*reasons)[2].text, "");

    auto no_cause = parse_reason("preemption ;text=x");
    ASSERT_TRUE(no_cause);
    EXPECT_FALSE(no_cause->cause.has_value());
    expect_error(parse_reason("SIP;cause=abc", 2), "Bad Reason Cause", 6);
    expect_error(parse_reason(";cause=1", 2), "Bad Reason Protocol", 2);
    expect_error(parse_reason("SIP;text=\"open", 2), "Unterminated Quoted String", 11);
}

// ---- Authentication -----------------------------------------------------------------------------

TEST(auth, rfc3261_challenge_folded) {
    auto p = parse("WWW-Authenticate: Digest realm=\"atlanta.com\",\n"
                   "  domain=\"sip:boxesbybob.com\", qop=\"auth\",\n"
                   "  nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\n"
                   "  opaque=\"\", stale=FALSE, algorithm=MD5\n");
    auto challenges = find_www_authenticate(*p.m);
    ASSERT_TRUE(challenges) << challenges.error_value().reason;
    ASSERT_EQ(challenges->size(), 1u);
    const challenge& c = (*challenges)[0];
    EXPECT_TRUE(c.is_digest());
    EXPECT_EQ(c.realm, "atlanta.com");
    EXPECT_EQ(c.domain, "sip:boxesbybob.com");
    EXPECT_EQ(c.nonce, "f84f1cec41e6cbe5aea9c8e88d359");
    EXPECT_EQ(c.opaque, "");
    EXPECT_FALSE(c.stale);
    EXPECT_EQ(c.algorithm, digest_algorithm::md5);
    EXPECT_TRUE(c.offers_qop("auth"));
    EXPECT_FALSE(c.offers_qop("auth-int"));
    ASSERT_TRUE(c.params.find("QOP").has_value());
    EXPECT_TRUE(c.params.find("qop")->quoted);
}

TEST(auth, rfc7616_sha256_challenges_on_two_lines) {
    auto p = parse("Proxy-Authenticate: Digest realm=\"http-auth@example.org\",\n"
                   " qop=\"auth, auth-int\", algorithm=SHA-256,\n"
                   " nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\n"
                   " opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", userhash=true\n"
                   "Proxy-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth\",\n"
                   " algorithm=MD5-sess, nonce=\"x\", stale=\"true\", charset=UTF-8\n");
    auto challenges = find_proxy_authenticate(*p.m);
    ASSERT_TRUE(challenges) << challenges.error_value().reason;
    ASSERT_EQ(challenges->size(), 2u);
    EXPECT_EQ((*challenges)[0].algorithm, digest_algorithm::sha_256);
    EXPECT_TRUE((*challenges)[0].offers_qop("auth-int"));
    EXPECT_TRUE((*challenges)[0].userhash);
    EXPECT_EQ((*challenges)[1].algorithm, digest_algorithm::md5_sess);
    EXPECT_TRUE((*challenges)[1].stale);
    EXPECT_EQ((*challenges)[1].charset, "UTF-8");
    EXPECT_EQ(digest_algorithm_from_token("sha-512-256"), digest_algorithm::sha_512_256);
    EXPECT_EQ(digest_algorithm_from_token("SHA-512-256-sess"), digest_algorithm::sha_512_256_sess);
    EXPECT_EQ(digest_algorithm_from_token("AKAv1-MD5"), digest_algorithm::other);
}

TEST(auth, rfc3261_credentials) {
    auto p = parse("Authorization: Digest username=\"bob\", realm=\"biloxi.com\",\n"
                   " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\",\n"
                   " qop=auth, nc=0000001f, cnonce=\"0a4f113b\",\n"
                   " response=\"6629fae49393a05397450978507c4ef1\",\n"
                   " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\n");
    auto creds = find_authorization(*p.m);
    ASSERT_TRUE(creds) << creds.error_value().reason;
    ASSERT_EQ(creds->size(), 1u);
    const credentials& c = (*creds)[0];
    EXPECT_EQ(c.username, "bob");
    EXPECT_EQ(c.realm, "biloxi.com");
    EXPECT_EQ(c.uri, "sip:bob@biloxi.com");
    EXPECT_EQ(c.qop, "auth");
    EXPECT_EQ(c.nc, "0000001f");
    EXPECT_EQ(c.nonce_count, 31u);
    EXPECT_EQ(c.cnonce, "0a4f113b");
    EXPECT_EQ(c.response, "6629fae49393a05397450978507c4ef1");
    EXPECT_EQ(c.algorithm, digest_algorithm::unspecified);

    auto escaped = parse_credentials("Digest username=\"a\\\"b\", realm=r, nonce=\"\", "
                                     "uri=\"sip:x\", response=\"\"");
    ASSERT_TRUE(escaped);
    EXPECT_EQ(escaped->username, "a\\\"b"); // escaped as written
    EXPECT_EQ(unquote(escaped->username), "a\"b");
    EXPECT_EQ(escaped->realm, "r");

    auto none = parse("");
    ASSERT_TRUE(find_proxy_authorization(*none.m));
    EXPECT_FALSE(find_proxy_authorization(*none.m)->present());
}

TEST(auth, unknown_schemes_parse) {
    // RFC 4475 §3.3.7 regaut01.
    auto p = parse("Authorization: NoOneKnowsThisScheme opaque-data=here\n");
    auto creds = find_authorization(*p.m);
    ASSERT_TRUE(creds) << creds.error_value().reason;
    ASSERT_EQ(creds->size(), 1u);
    EXPECT_FALSE((*creds)[0].is_digest());
    EXPECT_EQ((*creds)[0].scheme, "NoOneKnowsThisScheme");
    EXPECT_EQ((*creds)[0].raw_params, "opaque-data=here");
    EXPECT_EQ((*creds)[0].params.find("opaque-data")->value, "here");

    auto bearer = parse_credentials("Bearer mF_9.B5f-4.1JqM/ab+c==");
    ASSERT_TRUE(bearer);
    EXPECT_EQ(bearer->raw_params, "mF_9.B5f-4.1JqM/ab+c==");
    EXPECT_TRUE(bearer->params.empty());
    auto bare = parse_challenge("Negotiate");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->scheme, "Negotiate");
}

TEST(auth, errors) {
    expect_error(parse_challenge("Digest realm=\"a\"", 3), "Missing Digest Nonce", 19);
    expect_error(parse_challenge("Digest nonce=\"a\"", 3), "Missing Digest Realm", 19);
    expect_error(parse_challenge("Digest realm=a, nonce=b, Realm=c", 3), "Duplicate Auth Parameter",
                 28);
    expect_error(parse_challenge("Digest realm=a, nonce=b, stale=maybe", 3), "Bad Digest Stale",
                 28);
    expect_error(parse_challenge("Digest", 3), "Missing Auth Parameters", 9);
    expect_error(parse_challenge("Digest realm", 3), "Bad Auth Parameter", 15);
    expect_error(parse_challenge("Digest realm=\"a, nonce=b", 3), "Unterminated Quoted String", 16);
    expect_error(parse_challenge("Digest realm=a nonce=b", 3), "Bad Auth Parameter", 18);
    expect_error(parse_challenge(" ", 3), "Bad Challenge", 4);
    expect_error(parse_credentials("Foo a b", 3), "Bad Auth Parameter", 8);
    const std::string base = "Digest username=u, realm=r, nonce=n, uri=\"sip:x\", response=\"\"";
    ASSERT_TRUE(parse_credentials(base));
    expect_error(parse_credentials(base + ", nc=12", 1), "Bad Digest Nonce Count", base.size() + 3);
    expect_error(parse_credentials(base + ", qop=auth", 1), "Missing Digest Cnonce",
                 base.size() + 11);
    expect_error(parse_credentials(base + ", qop=auth, cnonce=c", 1), "Missing Digest Nonce Count",
                 base.size() + 21);
    expect_error(parse_credentials("Digest realm=r, nonce=n, uri=u, response=x", 0),
                 "Missing Digest Username", 42);
    auto p = parse("Authorization: Digest username=\"bob\", realm=\"b\", nonce=\"n\", uri=\"u\"\n");
    expect_error(find_authorization(*p.m), "Missing Digest Response", p.at("uri=\"u\"") + 7);
}

// ---- Robustness: every prefix of a valid value parses or fails cleanly (ASan/UBSan builds) ------

TEST(header_values, every_prefix_fails_cleanly) {
    const std::string samples[] = {
        "Digest username=\"a\\\"b\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"1\", "
        "qop=auth, nc=00000001, cnonce=\"c\"",
        "Digest realm=\"atlanta.com\",\r\n domain=\"sip:b\", qop=\"auth\", nonce=\"f8\", "
        "stale=true",
        "120 (a (nested) \\) comment);duration=60",
        "776656 1 INVITE",
        "4000;refresher=uac;x=\"y\"",
        "425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only",
        "<sips:b@example.com?Replaces=1%40x%3Bto-tag%3D2%3Bfrom-tag%3D3>;x",
        "\"John\" <sip:j@foo.com>;party=calling;screen=yes",
        "Q.850 ;cause=16 ;text=\"Terminated\"",
        "terminated;reason=timeout;retry-after=30",
    };
    for (const std::string& sample : samples) {
        for (std::size_t n = 0; n <= sample.size(); ++n) {
            const std::string prefix =
                sample.substr(0, n); // its own allocation: ASan sees overruns
            auto check = [&](const auto& r) {
                if (!r) {
                    EXPECT_LE(r.error_value().offset, 10 + prefix.size()) << prefix;
                }
            };
            check(parse_credentials(prefix, 10));
            check(parse_challenge(prefix, 10));
            check(parse_retry_after(prefix, 10));
            check(parse_rack(prefix, 10));
            check(parse_session_expires(prefix, 10));
            check(parse_replaces(prefix, 10));
            check(parse_refer_to(prefix, 10));
            check(parse_remote_party_id(prefix, 10));
            check(parse_reason(prefix, 10));
            check(parse_subscription_state(prefix, 10));
            check(parse_event(prefix, 10));
            check(parse_media_range(prefix, 10));
            check(parse_content_disposition(prefix, 10));
        }
    }
}

} // namespace
} // namespace parley
