// sim_network: an in-process network for scenario tests. User agents built on the transaction
// and dialog layers send through a sim_endpoint (their message_sender); the network queues every
// message with a delivery time drawn from one seeded std::mt19937_64, loses or duplicates it as
// the options say, and delivers it by parsing the bytes (as the real transport does, with
// buffer_use::copy, one fresh message per delivery) and calling the receiving endpoint's
// transaction_layer::receive(). Reordering falls out of random delays.
//
// Time: one timer_wheel, borrowed, is the clock of every user agent on the network. run_*()
// advances it to the next event (the next delivery or wheel.next_deadline()), so a 30-second
// call takes no real time. The same seed and the same calls give the same run, byte for byte.
//
// Modes: datagram (UDP flows; loss, duplication, any order) and stream (TCP flows, one
// connection per pair of addresses; no loss, no duplication, in order per direction), with
// which the layers zero their retransmission timers.
//
// Ownership: the network owns its endpoints (stable references); an endpoint borrows the layer
// it delivers to, which must outlive any run. Single-threaded.
#pragma once

#include <parley/base/timer_wheel.hpp>
#include <parley/transaction/transaction_layer.hpp>
#include <parley/transaction/types.hpp>
#include <parley/transport/address.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace parley::test {

enum class network_kind : std::uint8_t {
    datagram, ///< UDP: each message may be lost, duplicated and overtaken
    stream,   ///< TCP: no loss, no duplication, in order per direction
};

struct network_options {
    network_kind kind = network_kind::datagram;
    double loss = 0.0;        ///< probability a message is lost (datagram only)
    double duplication = 0.0; ///< probability a delivered message arrives twice (datagram only)
    /// Probability a send is refused on the spot (a reset connection, an unreachable host): the
    /// sender sees send_result::failed and the layers run RFC 3261 §17.1.4 / §17.2.4.
    double send_failure = 0.0;
    milliseconds min_delay{10};
    milliseconds max_delay{10};
    std::uint64_t seed = 1;
    bool record_trace = true; ///< keep one trace_entry per message sent (scripted tests)
};

/// One message as it was sent, with what the network did to it.
struct trace_entry {
    long long at_ms = 0;      ///< simulated time of the send
    std::string from;         ///< endpoint names
    std::string to;           ///< endpoint (or fork) name; "?" when nothing is at that address
    std::string summary;      ///< "INVITE", "ACK", "180 INVITE", "200 BYE"
    unsigned copies = 1;      ///< 0: lost or refused, 2: duplicated
    bool refused = false;     ///< the send failed (send_failure)
    std::string text() const; ///< "uac>uas INVITE", with " (lost)", " (x2)" or " (refused)"
};

struct network_counters {
    std::uint64_t sent = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t delivered = 0;
    std::uint64_t overtaken = 0;  ///< deliveries sent before one already delivered on their path
    std::uint64_t refused = 0;    ///< sends that failed (send_failure)
    std::uint64_t unroutable = 0; ///< nothing at the destination address (or it is offline)
    std::uint64_t unparsable = 0; ///< delivered bytes that did not parse: always a bug
};

class sim_network;

/// One address on the network: the message_sender of the layer that lives there.
class sim_endpoint final : public message_sender {
public:
    sim_endpoint(sim_network& network, std::string name, const socket_address& address)
        : network_(network), name_(std::move(name)), address_(address) {}

    send_result send(const flow& destination, std::string_view bytes) noexcept override;

    /// Where arriving messages go; must outlive every run of the network.
    void attach(transaction_layer& receiver) noexcept { receiver_ = &receiver; }
    /// An offline endpoint receives nothing (a host that is down): tests Timer B.
    void set_offline(bool offline) noexcept { offline_ = offline; }

    const std::string& name() const noexcept { return name_; }
    const socket_address& address() const noexcept { return address_; }
    transport_protocol protocol() const noexcept;
    transaction_layer* receiver() const noexcept { return offline_ ? nullptr : receiver_; }

private:
    sim_network& network_;
    std::string name_;
    socket_address address_;
    transaction_layer* receiver_ = nullptr;
    bool offline_ = false;
};

class sim_network {
public:
    sim_network(timer_wheel& wheel, const network_options& options);
    sim_network(const sim_network&) = delete;
    sim_network& operator=(const sim_network&) = delete;

    /// A new endpoint at `address`; `name` appears in the trace.
    sim_endpoint& add_endpoint(std::string name, const socket_address& address);
    /// Messages to `alias` reach every one of `targets`, each its own copy (a forking proxy
    /// folded into the network: each UAS answers with its own To tag and Contact).
    void add_fork(std::string name, const socket_address& alias,
                  std::vector<sim_endpoint*> targets);

    /// Runs every event (deliveries, timers) until nothing is in flight and no timer is armed.
    /// Returns false when that takes more than `limit` of simulated time (a livelock).
    bool run_until_idle(duration limit = seconds(600));
    /// Runs every event up to now + `span`, then sets the clock there.
    void run_for(duration span);

    transport_protocol protocol() const noexcept {
        return options_.kind == network_kind::stream ? transport_protocol::tcp
                                                     : transport_protocol::udp;
    }
    timer_wheel& wheel() noexcept { return wheel_; }
    long long now_ms() const noexcept;
    std::size_t in_flight() const noexcept { return queue_.size(); }
    const network_counters& counters() const noexcept { return counters_; }
    const std::vector<trace_entry>& trace() const noexcept { return trace_; }
    /// trace() as text, one entry per line: what a scripted test compares.
    std::vector<std::string> trace_lines() const;
    void clear_trace() { trace_.clear(); }

private:
    friend class sim_endpoint;
    struct in_flight_message {
        time_point at;
        std::uint64_t sequence; ///< ties broken by send order
        socket_address from;
        flow destination;
        std::string bytes;
    };
    struct later {
        bool operator()(const in_flight_message& a, const in_flight_message& b) const noexcept {
            return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
        }
    };

    send_result enqueue(const sim_endpoint& from, const flow& destination, std::string_view bytes);
    void push(time_point at, const socket_address& from, const flow& destination,
              std::string bytes);
    duration draw_delay();
    void step_to(time_point t);
    void deliver(in_flight_message m);
    std::string name_of(const socket_address& address) const;
    std::uint64_t connection_of(const socket_address& a, const socket_address& b);

    timer_wheel& wheel_;
    network_options options_;
    std::mt19937_64 random_;
    std::vector<std::unique_ptr<sim_endpoint>> endpoints_;
    std::map<socket_address, std::vector<sim_endpoint*>> routes_;
    std::map<socket_address, std::string> names_;
    /// Stream mode: the latest delivery time per direction, so nothing overtakes.
    std::map<std::pair<socket_address, socket_address>, time_point> last_delivery_;
    std::map<std::pair<socket_address, socket_address>, std::uint64_t> connections_;
    /// The latest send sequence delivered per direction, to count reordering.
    std::map<std::pair<socket_address, socket_address>, std::uint64_t> last_delivered_;
    std::vector<in_flight_message> queue_; ///< a heap ordered by `later`
    std::uint64_t sequence_ = 0;
    network_counters counters_;
    std::vector<trace_entry> trace_;
};

/// "10.0.0.<host>:5060": the addresses scenario tests give their user agents.
socket_address test_address(int host, std::uint16_t port = 5060);

} // namespace parley::test
