// Test harness for the transaction layer: a manual clock (a timer_wheel advanced by hand), a
// fake network that records what was sent and when, a TU that records every hook, and builders
// for the messages of RFC 3261-style call flows. Every test ends with no transaction and no
// armed timer left (checked in TearDown).
#pragma once

#include <parley/sip/message_writer.hpp>
#include <parley/transaction/transaction_layer.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::test {

using std::chrono::milliseconds;

inline flow udp_flow(std::uint16_t remote_port = 5070) {
    flow f;
    f.protocol = transport_protocol::udp;
    f.remote = *socket_address::from_numeric("127.0.0.1", remote_port);
    f.local = *socket_address::from_numeric("127.0.0.1", 5060);
    return f;
}

inline flow tcp_flow(std::uint64_t connection = 7) {
    flow f = udp_flow();
    f.protocol = transport_protocol::tcp;
    f.connection = connection;
    return f;
}

struct sent_message {
    long long at_ms; ///< wheel time when sent
    flow destination;
    std::string bytes;
    /// "SIP/2.0 200 OK" or "INVITE sip:... SIP/2.0"
    std::string first_line() const { return bytes.substr(0, bytes.find("\r\n")); }
};

class fake_sender final : public message_sender {
public:
    explicit fake_sender(const timer_wheel& wheel) : wheel_(wheel) {}
    send_result send(const flow& destination, std::string_view bytes) noexcept override {
        if (fail_next_ > 0) {
            --fail_next_;
            return send_result::failed;
        }
        sent.push_back(sent_message{
            std::chrono::duration_cast<milliseconds>(wheel_.now().time_since_epoch()).count(),
            destination, std::string(bytes)});
        return send_result::sent;
    }
    /// Times (ms) of every message sent so far whose first line starts with `prefix`.
    std::vector<long long> times(std::string_view prefix) const {
        std::vector<long long> out;
        for (const sent_message& m : sent)
            if (m.bytes.starts_with(prefix)) out.push_back(m.at_ms);
        return out;
    }
    std::vector<sent_message> sent;
    int fail_next_ = 0;

private:
    const timer_wheel& wheel_;
};

enum class hook {
    request,
    ack,
    cancel,
    response,
    stray,
    client_failure,
    server_failure,
    terminated
};

struct tu_event {
    hook what;
    transaction_id id{};
    std::uint16_t status = 0;
    std::string method;
    failure_reason why = failure_reason::timeout;
    std::string top_via;
};

class recording_tu final : public transaction_user {
public:
    void on_request(const incoming_request& r) noexcept override {
        events.push_back({.what = hook::request,
                          .id = r.server,
                          .method = std::string(r.request.method_text()),
                          .top_via = std::string(r.top_via)});
        last_server = r.server;
        if (answer_requests) answer_requests(r);
    }
    void on_ack(const message& ack, const flow&) noexcept override {
        events.push_back({.what = hook::ack, .method = std::string(ack.method_text())});
    }
    void on_cancel(transaction_id invite, const message&) noexcept override {
        events.push_back({.what = hook::cancel, .id = invite});
    }
    void on_response(transaction_id client, const message& r) noexcept override {
        events.push_back({.what = hook::response,
                          .id = client,
                          .status = r.status(),
                          .method = std::string(r.cseq().method_text)});
    }
    void on_stray_response(const message& r, const flow&) noexcept override {
        events.push_back({.what = hook::stray, .status = r.status()});
    }
    void on_client_failure(transaction_id id, failure_reason why) noexcept override {
        events.push_back({.what = hook::client_failure, .id = id, .why = why});
    }
    void on_server_failure(transaction_id id, failure_reason why) noexcept override {
        events.push_back({.what = hook::server_failure, .id = id, .why = why});
    }
    void on_terminated(transaction_id id) noexcept override {
        events.push_back({.what = hook::terminated, .id = id});
    }
    std::size_t count(hook h) const {
        std::size_t n = 0;
        for (const tu_event& e : events) n += e.what == h ? 1 : 0;
        return n;
    }
    std::vector<tu_event> events;
    transaction_id last_server{};
    std::function<void(const incoming_request&)> answer_requests;
};

/// A request as a UAC at 127.0.0.1:5070 sends it.
inline std::string make_request(std::string_view method, std::string_view branch = "z9hG4bKc1",
                                std::string_view extra_headers = "",
                                std::string_view transport = "UDP") {
    std::string r;
    r.append(method).append(" sip:bob@127.0.0.1 SIP/2.0\r\n");
    r.append("Via: SIP/2.0/").append(transport).append(" 127.0.0.1:5070");
    if (!branch.empty()) r.append(";branch=").append(branch);
    r.append("\r\nMax-Forwards: 70\r\n"
             "From: Alice <sip:alice@127.0.0.1>;tag=a1\r\n"
             "To: Bob <sip:bob@127.0.0.1>\r\n"
             "Call-ID: call-1@127.0.0.1\r\n"
             "CSeq: 1 ");
    r.append(method == "ACK" || method == "CANCEL" ? "XXX" : method).append("\r\n");
    r.append(extra_headers);
    r.append("Content-Length: 0\r\n\r\n");
    if (method == "ACK" || method == "CANCEL") // CSeq number kept, method = request method
        r.replace(r.find("CSeq: 1 XXX"), 11, std::string("CSeq: 1 ").append(method));
    return r;
}

/// A response to `request_text` as the UAS sends it (To tag b1 on anything above 100).
inline std::string make_response(const std::string& request_text, std::uint16_t status,
                                 std::string_view to_tag = "b1") {
    message request;
    EXPECT_TRUE(parse_message(request_text, request));
    return response_to(request, status, {.to_tag = to_tag}).finish();
}

class transaction_test : public ::testing::Test {
protected:
    explicit transaction_test(const transaction_options& options = {})
        : layer(sender, tu, wheel, options) {}

    void TearDown() override {
        EXPECT_EQ(layer.size(), 0u) << "a transaction is left";
        EXPECT_EQ(wheel.size(), 0u) << "a timer is left armed";
    }

    /// Moves the manual clock to `ms` after the start, firing what is due.
    void advance_to(long long ms) { wheel.advance(time_point{} + milliseconds(ms)); }
    long long now_ms() const {
        return std::chrono::duration_cast<milliseconds>(wheel.now().time_since_epoch()).count();
    }

    /// Parses `text` as arriving on `source` and hands it to the layer.
    void deliver(const std::string& text, const flow& source = udp_flow()) {
        auto m = std::make_unique<message>();
        auto r = parse_message(text, *m, {.buffer = buffer_use::copy});
        ASSERT_TRUE(r) << r.error_value().reason << " in\n" << text;
        layer.receive(*m, source);
    }

    transaction_id send(std::string_view method, std::string_view branch = "z9hG4bKc1",
                        const flow& destination = udp_flow(), std::string_view extra_headers = "") {
        auto id = layer.send_request({.bytes = make_request(method, branch, extra_headers),
                                      .branch = branch,
                                      .method = method,
                                      .destination = destination});
        EXPECT_TRUE(id) << (id ? "" : id.error_value().reason);
        return id ? *id : transaction_id{};
    }

    /// A response for the server transaction `id` to `request_text`, with the stamped Via.
    void respond(transaction_id id, const std::string& request_text, std::uint16_t status) {
        auto r = layer.respond(id, status, make_response(request_text, status));
        EXPECT_TRUE(r) << (r ? "" : r.error_value().reason);
    }

    timer_wheel wheel{time_point{}};
    fake_sender sender{wheel};
    recording_tu tu;
    transaction_layer layer;
};

} // namespace parley::test
