#include "sim_network.hpp"

#include <parley/sip/message.hpp>

#include <algorithm>
#include <utility>

namespace parley::test {
namespace {

/// "INVITE" for a request, "180 INVITE" for a response (the CSeq method), from the bytes alone:
/// every message here comes from message_writer, which writes "CSeq: " canonically.
std::string summarize(std::string_view bytes) {
    std::string_view first = bytes.substr(0, bytes.find("\r\n"));
    if (!first.starts_with("SIP/2.0 ")) return std::string(first.substr(0, first.find(' ')));
    std::string out(first.substr(8, 3));
    std::size_t at = bytes.find("\r\nCSeq: ");
    if (at != std::string_view::npos) {
        std::string_view value = bytes.substr(at + 8);
        value = value.substr(0, value.find("\r\n"));
        out.append(" ").append(value.substr(value.find(' ') + 1));
    }
    return out;
}

} // namespace

std::string trace_entry::text() const {
    std::string out = from + ">" + to + " " + summary;
    if (refused)
        out += " (refused)";
    else if (copies == 0)
        out += " (lost)";
    if (copies == 2) out += " (x2)";
    return out;
}

socket_address test_address(int host, std::uint16_t port) {
    return *socket_address::from_numeric("10.0.0." + std::to_string(host), port);
}

// ---- sim_endpoint -----------------------------------------------------------------------------

send_result sim_endpoint::send(const flow& destination, std::string_view bytes) noexcept {
    return network_.enqueue(*this, destination, bytes);
}

transport_protocol sim_endpoint::protocol() const noexcept {
    return network_.protocol();
}

// ---- sim_network ------------------------------------------------------------------------------

sim_network::sim_network(timer_wheel& wheel, const network_options& options)
    : wheel_(wheel), options_(options), random_(options.seed) {
    if (options_.kind == network_kind::stream) options_.loss = options_.duplication = 0.0;
    if (options_.max_delay < options_.min_delay) options_.max_delay = options_.min_delay;
}

sim_endpoint& sim_network::add_endpoint(std::string name, const socket_address& address) {
    endpoints_.push_back(std::make_unique<sim_endpoint>(*this, name, address));
    routes_[address] = {endpoints_.back().get()};
    names_[address] = std::move(name);
    return *endpoints_.back();
}

void sim_network::add_fork(std::string name, const socket_address& alias,
                           std::vector<sim_endpoint*> targets) {
    routes_[alias] = std::move(targets);
    names_[alias] = std::move(name);
}

long long sim_network::now_ms() const noexcept {
    return std::chrono::duration_cast<milliseconds>(wheel_.now().time_since_epoch()).count();
}

std::string sim_network::name_of(const socket_address& address) const {
    auto it = names_.find(address);
    return it == names_.end() ? std::string("?") : it->second;
}

std::uint64_t sim_network::connection_of(const socket_address& a, const socket_address& b) {
    auto key = a < b ? std::pair(a, b) : std::pair(b, a);
    auto [it, added] = connections_.try_emplace(key, connections_.size() + 1);
    (void)added;
    return it->second;
}

duration sim_network::draw_delay() {
    std::uniform_int_distribution<long long> ms(options_.min_delay.count(),
                                                options_.max_delay.count());
    return milliseconds(ms(random_));
}

void sim_network::push(time_point at, const socket_address& from, const flow& destination,
                       std::string bytes) {
    queue_.push_back(in_flight_message{at, sequence_++, from, destination, std::move(bytes)});
    std::push_heap(queue_.begin(), queue_.end(), later{});
}

send_result sim_network::enqueue(const sim_endpoint& from, const flow& destination,
                                 std::string_view bytes) {
    // Drawn only when asked for, so the other options keep their random sequences.
    if (options_.send_failure > 0.0 &&
        std::bernoulli_distribution(options_.send_failure)(random_)) {
        ++counters_.refused;
        if (options_.record_trace)
            trace_.push_back(trace_entry{.at_ms = now_ms(),
                                         .from = from.name(),
                                         .to = name_of(destination.remote),
                                         .summary = summarize(bytes),
                                         .copies = 0,
                                         .refused = true});
        return send_result::failed;
    }
    ++counters_.sent;
    // Every draw is made whatever the outcome, so one message's fate never shifts the
    // random sequence of the messages after it differently between modes.
    std::bernoulli_distribution lose(options_.loss);
    std::bernoulli_distribution duplicate(options_.duplication);
    bool lost = lose(random_);
    bool duplicated = duplicate(random_);
    duration first_delay = draw_delay();
    duration second_delay = draw_delay();
    unsigned copies = lost ? 0 : duplicated ? 2 : 1;
    if (options_.record_trace)
        trace_.push_back(trace_entry{.at_ms = now_ms(),
                                     .from = from.name(),
                                     .to = name_of(destination.remote),
                                     .summary = summarize(bytes),
                                     .copies = copies});
    if (lost) {
        ++counters_.lost;
        return send_result::sent;
    }
    time_point at = wheel_.now() + first_delay;
    if (options_.kind == network_kind::stream) {
        // In order per direction: never before the previous message on this path.
        time_point& last = last_delivery_[{from.address(), destination.remote}];
        at = std::max(at, last);
        last = at;
    }
    push(at, from.address(), destination, std::string(bytes));
    if (duplicated) {
        ++counters_.duplicated;
        push(wheel_.now() + second_delay, from.address(), destination, std::string(bytes));
    }
    return send_result::sent;
}

void sim_network::deliver(in_flight_message m) {
    auto [last, first_on_path] =
        last_delivered_.try_emplace({m.from, m.destination.remote}, m.sequence);
    if (!first_on_path) {
        if (m.sequence < last->second)
            ++counters_.overtaken;
        else
            last->second = m.sequence;
    }
    auto route = routes_.find(m.destination.remote);
    bool delivered = false;
    if (route != routes_.end()) {
        for (sim_endpoint* target : route->second) {
            transaction_layer* layer = target->receiver();
            if (layer == nullptr) continue;
            // As the transport does: a fresh message per datagram or frame, owning its bytes,
            // destroyed right after receive() (ASan catches a layer that keeps a view into it).
            auto parsed = std::make_unique<message>();
            parse_options how{.framing = options_.kind == network_kind::stream
                                             ? transport_framing::stream
                                             : transport_framing::datagram,
                              .buffer = buffer_use::copy};
            if (!parse_message(m.bytes, *parsed, how)) {
                ++counters_.unparsable;
                continue;
            }
            flow source;
            source.protocol = protocol();
            source.remote = m.from;
            source.local = m.destination.remote;
            if (options_.kind == network_kind::stream)
                source.connection = connection_of(m.from, m.destination.remote);
            ++counters_.delivered;
            delivered = true;
            layer->receive(*parsed, source);
        }
    }
    if (!delivered) ++counters_.unroutable;
}

void sim_network::step_to(time_point t) {
    if (t > wheel_.now()) wheel_.advance(t); // fires every timer due by then
    while (!queue_.empty() && queue_.front().at <= wheel_.now()) {
        std::pop_heap(queue_.begin(), queue_.end(), later{});
        in_flight_message m = std::move(queue_.back());
        queue_.pop_back();
        deliver(std::move(m));
    }
}

bool sim_network::run_until_idle(duration limit) {
    time_point end = wheel_.now() + limit;
    for (;;) {
        std::optional<time_point> next = wheel_.next_deadline();
        if (!queue_.empty() && (!next || queue_.front().at < *next)) next = queue_.front().at;
        if (!next) return true;
        if (*next > end) return false;
        step_to(*next);
    }
}

void sim_network::run_for(duration span) {
    time_point end = wheel_.now() + span;
    for (;;) {
        std::optional<time_point> next = wheel_.next_deadline();
        if (!queue_.empty() && (!next || queue_.front().at < *next)) next = queue_.front().at;
        if (!next || *next > end) break;
        step_to(*next);
    }
    step_to(end);
}

std::vector<std::string> sim_network::trace_lines() const {
    std::vector<std::string> out;
    out.reserve(trace_.size());
    for (const trace_entry& e : trace_) out.push_back(e.text());
    return out;
}

} // namespace parley::test
