#include <parley/transport/routing.hpp>

#include <gtest/gtest.h>

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
    flow tcp = udp_from("127.0.0.1", 40000);
    tcp.protocol = transport_protocol::tcp;
    tcp.connection = 7;
    d = response_destination(*top, tcp);
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
