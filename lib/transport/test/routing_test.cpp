#include <parley/transport/routing.hpp>
#include <parley/transport/shard.hpp>

#include <parley/sip/message.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace parley {
namespace {

flow udp_from(std::string_view host, std::uint16_t port) {
    flow f;
    f.protocol = transport_protocol::udp;
    f.remote = *socket_address::from_numeric(host, port);
    return f;
}

TEST(socket_address, numeric_forms) {
    auto v4 = socket_address::from_numeric("192.0.2.1", 5060);
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->to_string(), "192.0.2.1:5060");
    auto v6 = socket_address::from_numeric("[2001:db8::1]", 5061);
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->to_string(), "[2001:db8::1]:5061");
    EXPECT_EQ(v6->host_text(), "2001:db8::1");
    EXPECT_EQ(socket_address::from_numeric("0.0.0.0", 0)->host_text(), "0.0.0.0");
    EXPECT_EQ(socket_address::from_numeric("255.255.255.255", 0)->host_text(), "255.255.255.255");
    EXPECT_EQ(socket_address::from_numeric("10.200.3.45", 0)->host_text(), "10.200.3.45");
    EXPECT_EQ(socket_address{}.host_text(), "");
    EXPECT_FALSE(socket_address::from_numeric("example.com", 5060));
    EXPECT_TRUE(socket_address::from_numeric("127.0.0.1", 1)->is_loopback());
    EXPECT_TRUE(socket_address::from_numeric("::1", 1)->is_loopback());
}

TEST(socket_address, ipv4_text_has_every_octet_width) {
    for (std::string_view host : {"0.0.0.0", "9.10.99.100", "255.255.255.255", "10.0.2.15",
                                  "192.168.100.1", "1.20.203.0"}) {
        auto a = socket_address::from_numeric(host, 5060);
        ASSERT_TRUE(a) << host;
        EXPECT_EQ(a->host_text(), host);
    }
}

std::unique_ptr<message> parsed(std::string text) {
    std::string wire;
    for (char c : text) {
        if (c == '\n') wire += '\r';
        wire += c;
    }
    auto m = std::make_unique<message>();
    auto r = parse_message(wire, *m, {.buffer = buffer_use::copy});
    EXPECT_TRUE(r) << r.error_value().reason;
    return m;
}

/// A Call-ID whose hash names shard `index` of `shards`.
std::string call_id_of(const shard_group& shards, std::size_t index) {
    for (int i = 0;; ++i) {
        std::string id = "c" + std::to_string(i) + "@h";
        if (shards.index_for(id) == index) return id;
    }
}

TEST(shard_group, dispatch_follows_our_marks_and_replaces_rfc3891) {
    shard_group shards{3};
    EXPECT_EQ(shard_group::mark(2), "~2");
    EXPECT_EQ(shards.marked("a1b2-5~2"), 2u);
    EXPECT_FALSE(shards.marked("a1b2-5~3"));  // not one of our shards
    EXPECT_FALSE(shards.marked("a1b2-5~"));   // no number
    EXPECT_FALSE(shards.marked("a1b2-5~1x")); // not a number
    EXPECT_FALSE(shards.marked("a1b2~1234")); // too long to be ours
    EXPECT_FALSE(shards.marked("plain"));

    const std::string on_0 = call_id_of(shards, 0);
    const std::string on_1 = call_id_of(shards, 1);
    auto request = [&](std::string_view method, std::string_view to_tag, std::string_view extra) {
        return parsed(std::string(method) +
                      " sip:p@127.0.0.1 SIP/2.0\n"
                      "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\n"
                      "From: <sip:a@h>;tag=peer~2\n"
                      "To: <sip:p@h>" +
                      std::string(to_tag.empty() ? "" : ";tag=") + std::string(to_tag) +
                      "\nCall-ID: " + on_0 + "\nCSeq: 1 " + std::string(method) +
                      "\nMax-Forwards: 70\n" + std::string(extra) + "Content-Length: 0\n\n");
    };
    // Out of dialog: the Call-ID's hash (the peer's From tag is not ours to read).
    EXPECT_EQ(shards.index_for(*request("OPTIONS", "", "")), 0u);
    // In a dialog: our To tag names the shard, whatever the Call-ID.
    EXPECT_EQ(shards.index_for(*request("BYE", "abc-1~1", "")), 1u);
    EXPECT_EQ(shards.index_for(*request("BYE", "abc-1", "")), 0u); // unmarked: the hash
    // An INVITE with Replaces joins the replaced dialog: its to-tag's mark, else its Call-ID.
    EXPECT_EQ(
        shards.index_for(*request("INVITE", "", "Replaces: " + on_1 + ";to-tag=t~2;from-tag=f\n")),
        2u);
    EXPECT_EQ(
        shards.index_for(*request("INVITE", "", "Replaces: " + on_1 + ";to-tag=t;from-tag=f~2\n")),
        1u);
    EXPECT_EQ(shards.index_for(*request("INVITE", "", "Replaces: broken\n")), 0u);
    // A response: the mark of our branch.
    auto response = parsed("SIP/2.0 200 OK\n"
                           "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKabc1~2\n"
                           "From: <sip:p@h>;tag=ours~1\nTo: <sip:b@h>;tag=theirs\n"
                           "Call-ID: " +
                           on_0 + "\nCSeq: 2 BYE\nContent-Length: 0\n\n");
    EXPECT_EQ(shards.index_for(*response), 2u);
    shard_group one{1};
    EXPECT_EQ(one.index_for(*response), 0u);
}

TEST(routing, response_destination_rfc3261_18_2_2_and_rfc3581) {
    auto top = parse_via("SIP/2.0/UDP pc33.example.com:5070;branch=z9hG4bK1");
    ASSERT_TRUE(top);
    auto d = response_destination(*top, udp_from("127.0.0.1", 40000));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->remote.to_string(), "127.0.0.1:5070"); // source address, sent-by port
    auto rport = parse_via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;rport");
    d = response_destination(*rport, udp_from("127.0.0.1", 40000));
    EXPECT_EQ(d->remote.to_string(), "127.0.0.1:40000"); // RFC 3581: the source port
    auto no_port = parse_via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1");
    d = response_destination(*no_port, udp_from("127.0.0.1", 40000));
    EXPECT_EQ(d->remote.to_string(), "127.0.0.1:5060");
    auto maddr = parse_via("SIP/2.0/UDP h;branch=z9hG4bK1;maddr=127.0.0.9");
    d = response_destination(*maddr, udp_from("127.0.0.1", 40000));
    EXPECT_EQ(d->remote.to_string(), "127.0.0.9:5060");
    // TCP and TLS: the connection the request came on, and for a new one once it has closed,
    // the source address at the sent-by port (the source port is the client's ephemeral one).
    flow tcp = udp_from("127.0.0.1", 40000);
    tcp.protocol = transport_protocol::tcp;
    tcp.connection = 7;
    d = response_destination(*top, tcp);
    EXPECT_EQ(d->connection, 7u);
    EXPECT_EQ(d->protocol, transport_protocol::tcp);
    EXPECT_EQ(d->remote.to_string(), "127.0.0.1:5070");
    d = response_destination(*rport, tcp); // rport does not apply to a connection (RFC 3581 §4)
    EXPECT_EQ(d->remote.to_string(), "127.0.0.1:5060");
    flow tls = tcp;
    tls.protocol = transport_protocol::tls;
    d = response_destination(*no_port, tls);
    EXPECT_EQ(d->remote.to_string(), "127.0.0.1:5061");
    EXPECT_EQ(d->connection, 7u);
}

TEST(routing, stamp_top_via_adds_received_and_fills_rport) {
    std::string raw = "SIP/2.0/UDP pc33.example.com:5070;branch=z9hG4bK1;rport";
    auto top = parse_via(raw);
    ASSERT_TRUE(top);
    EXPECT_EQ(stamp_top_via(raw, *top, udp_from("127.0.0.1", 40000)),
              "SIP/2.0/UDP pc33.example.com:5070;branch=z9hG4bK1;rport=40000;received=127.0.0.1");
    std::string same = "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2";
    top = parse_via(same);
    EXPECT_EQ(stamp_top_via(same, *top, udp_from("127.0.0.1", 5070)), same);
    std::string spaced = "SIP/2.0/UDP h; branch=z9hG4bK4";
    top = parse_via(spaced);
    EXPECT_EQ(stamp_top_via(spaced, *top, udp_from("127.0.0.2", 5060)),
              "SIP/2.0/UDP h;branch=z9hG4bK4;received=127.0.0.2");
    std::string old = "SIP/2.0/UDP host ;branch=z9hG4bK3 ;received=192.0.2.9";
    top = parse_via(old);
    EXPECT_EQ(stamp_top_via(old, *top, udp_from("127.0.0.2", 5060)),
              "SIP/2.0/UDP host;branch=z9hG4bK3;received=127.0.0.2");
}

TEST(routing, udp_size_rule_rfc3261_18_1_1) {
    EXPECT_FALSE(too_large_for_udp(1300));
    EXPECT_TRUE(too_large_for_udp(1301));
}

} // namespace
} // namespace parley
