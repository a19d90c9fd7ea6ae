#include "user_agent.hpp"

#include <parley/sip/uri.hpp>

namespace parley::test {

std::string_view sdp_offer() {
    return "v=0\r\n"
           "o=alice 1 1 IN IP4 10.0.0.1\r\n"
           "s=-\r\n"
           "c=IN IP4 10.0.0.1\r\n"
           "t=0 0\r\n"
           "m=audio 20000 RTP/AVP 0\r\n"
           "a=rtpmap:0 PCMU/8000\r\n";
}

std::string_view sdp_answer() {
    return "v=0\r\n"
           "o=bob 1 1 IN IP4 10.0.0.2\r\n"
           "s=-\r\n"
           "c=IN IP4 10.0.0.2\r\n"
           "t=0 0\r\n"
           "m=audio 30000 RTP/AVP 0\r\n"
           "a=rtpmap:0 PCMU/8000\r\n";
}

user_agent::user_agent(sim_network& network, std::string user, const socket_address& address,
                       const transaction_options& options)
    : network_(network), wheel_(network.wheel()), endpoint_(network.add_endpoint(user, address)),
      user_(std::move(user)), transactions_(endpoint_, *this, wheel_, options) {
    contact_ = "<sip:" + user_ + "@" + address.to_string();
    if (network.protocol() == transport_protocol::tcp) contact_ += ";transport=tcp";
    contact_ += ">";
    endpoint_.attach(transactions_);
}

std::string user_agent::new_branch() {
    return "z9hG4bK" + user_ + "-" + std::to_string(++counter_);
}

std::string user_agent::new_tag() {
    return user_ + "-" + std::to_string(++counter_);
}

std::string user_agent::via(std::string_view branch) const {
    std::string out = "SIP/2.0/";
    out.append(via_token(endpoint_.protocol())).append(" ");
    out.append(endpoint_.address().to_string()).append(";branch=").append(branch);
    out.append(";rport");
    return out;
}

flow user_agent::flow_to(const socket_address& remote) const {
    flow f;
    f.protocol = endpoint_.protocol();
    f.remote = remote;
    f.local = endpoint_.address();
    return f;
}

std::optional<flow> user_agent::flow_to_uri(std::string_view uri_text) const {
    auto parsed = parse_uri(uri_text);
    if (!parsed || !parsed->is_sip()) return std::nullopt;
    auto address = socket_address::from_numeric(
        parsed->host, parsed->has_port() ? parsed->port : default_port(endpoint_.protocol()));
    if (!address) return std::nullopt;
    return flow_to(*address);
}

void user_agent::send_ack(dialog& d, std::uint32_t invite_cseq) {
    auto destination = flow_to_uri(d.remote_target());
    if (!destination) {
        ++refused_calls_;
        return;
    }
    std::string branch = new_branch();
    std::string bytes =
        d.build_request({.method = "ACK", .cseq = invite_cseq, .via = via(branch)}).finish();
    endpoint_.send(*destination, bytes);
}

transaction_id user_agent::send_bye(dialog& d) {
    auto destination = flow_to_uri(d.remote_target());
    if (!destination) {
        ++refused_calls_;
        return {};
    }
    std::string branch = new_branch();
    std::string bytes = d.build_request({.method = "BYE", .via = via(branch)}).finish();
    auto id = transactions_.send_request({.bytes = std::move(bytes),
                                          .branch = branch,
                                          .method = "BYE",
                                          .destination = *destination});
    if (!id) {
        // 503: the network refused the first copy (not the user agent's mistake).
        if (id.error_value().status != 503) ++refused_calls_;
        return {};
    }
    return *id;
}

void user_agent::respond(transaction_id server, std::uint16_t status, std::string bytes) {
    if (!transactions_.respond(server, status, std::move(bytes))) ++refused_calls_;
}

void user_agent::reply(const incoming_request& in, std::uint16_t status) {
    std::string tag = in.request.to().tag.empty() ? new_tag() : std::string();
    respond(in.server, status,
            response_to(in.request, status, {.to_tag = tag, .top_via = in.top_via}).finish());
}

} // namespace parley::test
