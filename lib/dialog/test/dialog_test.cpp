#include <parley/dialog/dialog_set.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley {
namespace {

std::unique_ptr<message> parse(const std::string& text) {
    auto m = std::make_unique<message>();
    auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason << " at " << r.error_value().offset;
    return m;
}

const std::string invite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                           "Max-Forwards: 70\r\n"
                           "To: Bob <sip:bob@biloxi.example.com>\r\n"
                           "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                           "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                           "CSeq: 314159 INVITE\r\n"
                           "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                           "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
                           "Content-Length: 0\r\n\r\n";

std::string
response(int status, std::string_view to_tag, std::string_view contact,
         std::string_view record_route = "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>") {
    std::string r = "SIP/2.0 " + std::to_string(status) +
                    " X\r\n"
                    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                    "To: Bob <sip:bob@biloxi.example.com>";
    if (!to_tag.empty()) r += ";tag=" + std::string(to_tag);
    r += "\r\nFrom: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
         "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
         "CSeq: 314159 INVITE\r\n";
    if (!contact.empty()) r += "Contact: " + std::string(contact) + "\r\n";
    if (!record_route.empty()) r += "Record-Route: " + std::string(record_route) + "\r\n";
    return r + "Content-Length: 0\r\n\r\n";
}

TEST(dialog, keeps_its_id_and_texts_in_one_block_through_copies_and_target_refresh) {
    auto request = parse(invite);
    auto created = dialog::create_uas(*request, "a6c85cf", "<sip:bob@192.0.2.4>");
    ASSERT_TRUE(created);
    dialog copy = *created; // a deep copy: the original's block may change or go
    dialog moved = std::move(*created);
    auto refresh = parse("UPDATE sip:bob@192.0.2.4 SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKupd\r\n"
                         "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
                         "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                         "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                         "CSeq: 314160 UPDATE\r\n"
                         "Contact: <sip:alice@192.0.2.9:5070>\r\n"
                         "Content-Length: 0\r\n\r\n");
    ASSERT_TRUE(moved.receive_request(*refresh)); // §12.2.2: a target refresh
    EXPECT_EQ(moved.remote_target(), "sip:alice@192.0.2.9:5070");
    EXPECT_EQ(copy.remote_target(), "sip:alice@pc33.atlanta.example.com");
    for (const dialog* d : {&copy, &moved}) {
        EXPECT_EQ(d->id().call_id, "a84b4c76e66710@pc33.atlanta.example.com");
        EXPECT_EQ(d->id().local_tag, "a6c85cf");
        EXPECT_EQ(d->id().remote_tag, "1928301774");
        EXPECT_EQ(d->local_uri(), "Bob <sip:bob@biloxi.example.com>");
        EXPECT_EQ(d->remote_uri(), "\"Alice\" <sip:alice@atlanta.example.com>");
        EXPECT_EQ(d->local_contact(), "<sip:bob@192.0.2.4>");
        ASSERT_EQ(d->route_set().size(), 2u); // the Record-Route list, copied
        EXPECT_EQ(d->route_set()[1], "<sip:p1.example.com;lr>");
    }
    copy = moved;
    EXPECT_EQ(copy.remote_target(), "sip:alice@192.0.2.9:5070");
    dialog_id owned = copy.id();
    EXPECT_EQ(owned.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
    dialog_table table;
    dialog* in = table.insert(std::move(copy));
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(table.find(owned), in);
    EXPECT_EQ(table.insert(moved), nullptr); // the same id
    table.erase(in->id());                   // its own id: the views die with it
    EXPECT_EQ(table.size(), 0u);
}

TEST(dialog, uas_from_invite_rfc3261_12_1_1_and_a_bye_with_loose_routing) {
    auto request = parse(invite);
    auto d = dialog::create_uas(*request, "a6c85cf", "<sip:bob@192.0.2.4>");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->role(), dialog_role::uas);
    EXPECT_EQ(d->id().local_tag, "a6c85cf");
    EXPECT_EQ(d->id().remote_tag, "1928301774");
    EXPECT_EQ(d->remote_target(), "sip:alice@pc33.atlanta.example.com");
    ASSERT_EQ(d->route_set().size(), 2u);
    EXPECT_EQ(d->route_set()[0], "<sip:p2.example.com;lr>"); // in order for the UAS
    EXPECT_EQ(d->remote_cseq(), 314159u);

    std::string bye =
        d->build_request({.method = "BYE", .via = "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKbye"})
            .finish();
    auto m = parse(bye);
    EXPECT_EQ(m->request_uri().text, "sip:alice@pc33.atlanta.example.com");
    ASSERT_EQ(m->routes().size(), 2u);
    EXPECT_EQ(m->routes()[0].address.host, "p2.example.com");
    EXPECT_EQ(m->from().tag, "a6c85cf");
    EXPECT_EQ(m->to().tag, "1928301774");
    EXPECT_EQ(m->to().display_name, "Alice");
    EXPECT_EQ(m->cseq().number, 1u);
    EXPECT_EQ(m->cseq().method, method::bye);
    EXPECT_EQ(m->contacts().size(), 0u);
}

TEST(dialog, invite_without_contact_is_400) {
    std::string no_contact = invite;
    no_contact.erase(no_contact.find("Contact: "),
                     std::string("Contact: <sip:alice@pc33.atlanta.example.com>\r\n").size());
    auto request = parse(no_contact);
    auto d = dialog::create_uas(*request, "t", "<sip:b@h>");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error_value().status, 400);
}

TEST(dialog, uac_reverses_the_route_set_and_strict_routes_rfc3261_12_2_1_1) {
    auto request = parse(invite);
    auto ok = parse(response(200, "b1", "<sip:bob@192.0.2.4>",
                             "<sip:p2.example.com>, <sip:p1.example.com;lr>"));
    auto d = dialog::create_uac(*request, *ok, "<sip:alice@pc33.atlanta.example.com>");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->state(), dialog_state::confirmed);
    ASSERT_EQ(d->route_set().size(), 2u);
    EXPECT_EQ(d->route_set()[0], "<sip:p1.example.com;lr>"); // reversed for the UAC
    EXPECT_EQ(d->local_cseq(), 314159u);
    auto bye =
        parse(d->build_request({.method = "BYE", .via = "SIP/2.0/UDP h;branch=z9hG4bKb"}).finish());
    EXPECT_EQ(bye->request_uri().text, "sip:bob@192.0.2.4"); // loose: first route has lr
    EXPECT_EQ(bye->cseq().number, 314160u);

    // Strict routing: the first route has no lr.
    auto strict_ok = parse(response(200, "b2", "<sip:bob@192.0.2.4>",
                                    "<sip:p1.example.com;lr>, <sip:strict.example.com>"));
    auto s = dialog::create_uac(*request, *strict_ok, "<sip:a@h>");
    ASSERT_TRUE(s);
    auto r =
        parse(s->build_request({.method = "BYE", .via = "SIP/2.0/UDP h;branch=z9hG4bKc"}).finish());
    EXPECT_EQ(r->request_uri().text, "sip:strict.example.com");
    ASSERT_EQ(r->routes().size(), 2u);
    EXPECT_EQ(r->routes()[0].address.host, "p1.example.com");
    EXPECT_EQ(r->routes()[1].address.text, "sip:bob@192.0.2.4"); // remote target last
}

TEST(dialog, cseq_must_grow_and_target_refresh_updates_the_remote_target) {
    auto request = parse(invite);
    auto d = dialog::create_uas(*request, "t", "<sip:b@h>");
    ASSERT_TRUE(d);
    std::string reinvite = invite;
    reinvite.replace(reinvite.find("To: Bob <sip:bob@biloxi.example.com>"), 36,
                     "To: Bob <sip:bob@biloxi.example.com>;tag=t");
    reinvite.replace(reinvite.find("CSeq: 314159"), 12, "CSeq: 314160");
    reinvite.replace(reinvite.find("Contact: <sip:alice@pc33"), 24, "Contact: <sip:alice@pc44");
    auto second = parse(reinvite);
    ASSERT_TRUE(d->receive_request(*second));
    EXPECT_EQ(d->remote_target(), "sip:alice@pc44.atlanta.example.com");
    auto again = d->receive_request(*second); // same CSeq on a new transaction
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error_value().status, 500);
    std::string ack = reinvite;
    ack.replace(0, 6, "ACK   ");
    ack.replace(ack.find("CSeq: 314160 INVITE"), 19, "CSeq: 314160 ACK   ");
    ack = "ACK" + ack.substr(6);
    auto ack_message = parse(ack);
    EXPECT_TRUE(d->receive_request(*ack_message)); // ACK is exempt from ordering
}

TEST(dialog_set, forking_early_dialogs_and_an_extra_2xx_rfc3261_13_2_2_4) {
    auto request = parse(invite);
    dialog_set set("<sip:alice@pc33.atlanta.example.com>");
    auto trying = parse(response(100, "", ""));
    EXPECT_EQ(set.on_response(*request, *trying)->what, dialog_set::outcome::ignored);
    auto ringing_a = parse(response(180, "A", "<sip:bob@192.0.2.4>"));
    auto ringing_b = parse(response(180, "B", "<sip:bob@192.0.2.5>"));
    EXPECT_EQ(set.on_response(*request, *ringing_a)->what, dialog_set::outcome::early_created);
    EXPECT_EQ(set.on_response(*request, *ringing_b)->what, dialog_set::outcome::early_created);
    EXPECT_EQ(set.on_response(*request, *ringing_a)->what, dialog_set::outcome::early_updated);
    EXPECT_EQ(set.size(), 2u);
    auto ok_b = parse(response(200, "B", "<sip:bob@192.0.2.5>"));
    auto u = set.on_response(*request, *ok_b);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->what, dialog_set::outcome::confirmed);
    EXPECT_EQ(set.confirmed()->id().remote_tag, "B");
    auto ok_a = parse(response(200, "A", "<sip:bob@192.0.2.4>"));
    u = set.on_response(*request, *ok_a);
    EXPECT_EQ(u->what, dialog_set::outcome::extra_2xx);
    EXPECT_EQ(u->affected->id().remote_tag, "A");
    EXPECT_EQ(set.confirmed()->id().remote_tag, "B");
    auto ok_c = parse(response(200, "C", "<sip:bob@192.0.2.6>"));
    EXPECT_EQ(set.on_response(*request, *ok_c)->what, dialog_set::outcome::extra_2xx);
}

TEST(dialog_set, a_final_failure_ends_every_early_dialog) {
    auto request = parse(invite);
    dialog_set set("<sip:a@h>");
    auto ringing = parse(response(180, "A", "<sip:bob@192.0.2.4>"));
    EXPECT_EQ(set.on_response(*request, *ringing)->what, dialog_set::outcome::early_created);
    auto busy = parse(response(486, "A", ""));
    EXPECT_EQ(set.on_response(*request, *busy)->what, dialog_set::outcome::failed);
    EXPECT_EQ(set.find("A")->state(), dialog_state::terminated);
}

TEST(dialog_table, matches_in_dialog_requests_or_leaves_them_for_481) {
    auto request = parse(invite);
    dialog_table table;
    auto d = dialog::create_uas(*request, "t", "<sip:b@h>");
    ASSERT_TRUE(d);
    ASSERT_NE(table.insert(std::move(*d)), nullptr);
    EXPECT_EQ(table.size(), 1u);
    std::string bye = "BYE sip:bob@192.0.2.4 SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKbye1\r\n"
                      "To: Bob <sip:bob@biloxi.example.com>;tag=t\r\n"
                      "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                      "CSeq: 314160 BYE\r\nContent-Length: 0\r\n\r\n";
    auto m = parse(bye);
    EXPECT_NE(table.match_request(*m), nullptr);
    std::string unknown = bye;
    unknown.replace(unknown.find("tag=t"), 5, "tag=x");
    auto u = parse(unknown);
    EXPECT_EQ(table.match_request(*u), nullptr); // the caller answers 481
    auto again = dialog::create_uas(*request, "t", "<sip:b@h>");
    EXPECT_EQ(table.insert(std::move(*again)), nullptr);
    table.erase(dialog_id_of_received(*m));
    EXPECT_EQ(table.size(), 0u);
}

} // namespace
} // namespace parley
