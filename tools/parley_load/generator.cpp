// The generator's machinery: the event loop, pacing, the network and sender plumbing, and the
// call table. The call flows themselves are in calls.cpp.
#include "generator.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <sys/resource.h>

namespace parley::load {
namespace {

transaction_options layer_options(const load_options& o) {
    transaction_options t;
    t.timers.t1 = o.t1;
    t.timers.t2 = std::max<duration>(t.timers.t2, o.t1);
    // The layer keeps an answered INVITE 64*T1 in Accepted (RFC 6026) and a BYE T4 in
    // Completed: at 40,000 calls/s that is over a million live transactions, far above the
    // default limit, which is meant for a server facing untrusted peers.
    t.limits.max_transactions = 50'000'000;
    // Sized for what lingers at this rate, so that the tables never re-bucket mid-run: a pause
    // there (half a second at 20,000 calls/s) shows as setup latency that is not the server's.
    // Per call: each INVITE (two with a re-INVITE) 64*T1 in Accepted (RFC 6026 §7.2), each
    // non-INVITE (BYE, OPTIONS) T4 in Completed (RFC 3261 §17.1.2.2), a quarter more for the
    // ones still running and the ones whose timer is due but not yet run.
    auto seconds_of = [](duration d) { return std::chrono::duration<double>(d).count(); };
    double invites =
        o.scenario == scenario_kind::reinvite || o.scenario == scenario_kind::mix ? 2 : 1;
    double per_call = invites * 64 * seconds_of(t.timers.t1) + seconds_of(t.timers.t4);
    double expected = o.rate * per_call * 1.25;
    if (o.calls) expected = std::min(expected, static_cast<double>(*o.calls) * (invites + 1));
    t.limits.expected_transactions = static_cast<std::size_t>(expected) + 1024;
    return t;
}

std::chrono::nanoseconds cpu_of(const timeval& tv) {
    return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

std::string host_of(const socket_address& a) {
    return a.family == socket_address::family_type::ipv6 ? "[" + a.host_text() + "]"
                                                         : a.host_text();
}

std::string sdp(const socket_address& local, unsigned version) {
    std::string ip_kind = local.family == socket_address::family_type::ipv6 ? "IP6 " : "IP4 ";
    return "v=0\r\no=parley-load 1 " + std::to_string(version) + " IN " + ip_kind +
           local.host_text() + "\r\ns=-\r\nc=IN " + ip_kind + local.host_text() +
           "\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
}

constexpr std::size_t flush_every = 16; // calls started between flushes within one tick

} // namespace

generator::generator(const load_options& options, thread_share share, const stop_flag& stop)
    : options_(options), share_(share), stop_(stop), net_(options, *this),
      wheel_(steady_clock::now()), transactions_(*this, *this, wheel_, layer_options(options)) {
    std::random_device random;
    char tag[24];
    auto [end, ec] = std::to_chars(tag, tag + sizeof tag, random() % 0xFFFFFF, 16);
    (void)ec;
    run_tag_ = std::string(tag, end) + "t" + std::to_string(share_.index);
    pace_.bind<&generator::on_pace>(this);
}

generator::~generator() = default;

std::string generator::open() {
    if (auto e = net_.open(); !e.empty()) return e;
    std::string_view protocol = via_token(options_.protocol);
    for (std::size_t i = 0; i < net_.size(); ++i) {
        const socket_address& local = net_.local_of(i);
        std::string hostport = host_of(local) + ":" + std::to_string(local.port);
        via_prefix_.push_back("SIP/2.0/" + std::string(protocol) + " " + hostport +
                              ";rport;branch=");
        contact_.push_back(
            "<sip:" + options_.user + "@" + hostport +
            (options_.protocol == transport_protocol::tcp ? ";transport=tcp>" : ">"));
        from_uri_.push_back("<sip:" + options_.user + "@" + host_of(local) + ">");
    }
    request_uri_ = "sip:" + options_.to_user + "@" + options_.target_text;
    if (options_.protocol == transport_protocol::tcp) request_uri_ += ";transport=tcp";
    to_ = "<" + request_uri_ + ">";
    sdp_offer_ = sdp(net_.local_of(0), 1);
    sdp_reoffer_ = sdp(net_.local_of(0), 2);
    sdp_answer_ = sdp(net_.local_of(0), 1);
    return {};
}

void generator::run() {
    rusage before{};
    ::getrusage(RUSAGE_THREAD, &before);
    now_ = steady_clock::now();
    time_point began = now_;
    wheel_.advance(now_);
    generation_start_ = now_;
    generating_ = true;
    time_point drain_deadline{};
    duration drain = options_.drain ? duration(*options_.drain) : duration(64 * options_.t1);
    on_pace(); // the first calls go at once
    net_.flush();
    for (;;) {
        now_ = steady_clock::now();
        wheel_.advance(now_);
        net_.flush();
        if (generating_ && stop_.load(std::memory_order_relaxed) >= 1) {
            generating_ = false;
            pace_.cancel();
        }
        if (!generating_) {
            if (drain_deadline == time_point{}) drain_deadline = now_ + drain;
            if (alive_ == 0 || now_ >= drain_deadline || stop_.load(std::memory_order_relaxed) >= 2)
                break;
        }
        duration wait = milliseconds(100); // the longest sleep: the stop flag is read each loop
        if (auto next = wheel_.next_deadline()) wait = std::min(wait, *next - now_);
        if (!generating_) wait = std::min(wait, drain_deadline - now_);
        net_.poll(std::max(wait, duration::zero()));
        net_.flush();
    }
    stats_.unfinished = alive_;
    stats_.end = steady_clock::now();
    rusage after{};
    ::getrusage(RUSAGE_THREAD, &after);
    stats_.usage.user = cpu_of(after.ru_utime) - cpu_of(before.ru_utime);
    stats_.usage.system = cpu_of(after.ru_stime) - cpu_of(before.ru_stime);
    stats_.usage.wall = stats_.end - began;
    stats_.messages_sent = net_.counters().sent;
    stats_.messages_received = net_.counters().received;
    stats_.send_errors = net_.counters().send_errors;
    stats_.responses_retransmitted += transactions_.stats().retransmissions_absorbed;
}

void generator::on_pace() {
    if (!generating_) return;
    double elapsed = std::chrono::duration<double>(now_ - generation_start_).count();
    // Call k is due at k / rate: floor(rate * elapsed) + 1 by now, counting the one at time
    // zero; with a duration D, the calls due before D, ceil(rate * D), once D has passed.
    auto due = static_cast<std::uint64_t>(std::floor(share_.rate * elapsed)) + 1;
    if (options_.duration) {
        double limit = std::chrono::duration<double>(*options_.duration).count();
        if (elapsed >= limit) due = static_cast<std::uint64_t>(std::ceil(share_.rate * limit));
    }
    if (share_.calls) due = std::min(due, *share_.calls);
    std::size_t since_flush = 0;
    while (due_handled_ < due) {
        if (options_.timeline) {
            // Call k was due k/rate after the start: how late this tick starts it.
            auto due_at =
                std::chrono::duration<double>(static_cast<double>(due_handled_) / share_.rate);
            auto late = now_ - generation_start_ -
                        std::chrono::duration_cast<std::chrono::nanoseconds>(due_at);
            second_stats& s = stats_.second(static_cast<std::size_t>(due_at.count()));
            s.max_late_ns = std::max<std::uint64_t>(
                s.max_late_ns, static_cast<std::uint64_t>(std::max<std::int64_t>(late.count(), 0)));
        }
        ++due_handled_;
        if (alive_ >= share_.max_concurrent) {
            ++stats_.not_started;
            continue;
        }
        start_call(next_scenario());
        if (++since_flush == flush_every) {
            net_.flush();
            since_flush = 0;
        }
    }
    if (since_flush != 0) net_.flush(); // the calls leave now, as they were timed from now
    bool quota_done = share_.calls && due_handled_ >= *share_.calls;
    bool time_done = options_.duration && now_ - generation_start_ >= *options_.duration;
    if (quota_done || time_done) {
        generating_ = false;
        return;
    }
    wheel_.schedule_after(pace_, milliseconds(1));
}

scenario_kind generator::next_scenario() {
    if (options_.scenario != scenario_kind::mix) return options_.scenario;
    // A low-discrepancy sequence (golden ratio) spreads each scenario evenly over the run,
    // deterministic from run to run.
    unsigned total = 0;
    for (unsigned w : options_.mix_weights) total += w;
    double x = std::fmod(static_cast<double>(++mix_counter_) * 0.6180339887498949, 1.0) * total;
    unsigned cumulative = 0;
    for (std::size_t i = 0; i < call_scenario_count; ++i) {
        cumulative += options_.mix_weights[i];
        if (x < cumulative) return static_cast<scenario_kind>(i);
    }
    return scenario_kind::basic;
}

void generator::start_call(scenario_kind kind) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(calls_.size());
        calls_.push_back(std::make_unique<call>());
        calls_.back()->owner = this;
        calls_.back()->slot = slot;
        calls_.back()->hold.bind<&call::on_hold>(calls_.back().get());
    }
    call& c = *calls_[slot];
    ++alive_;
    ++serial_;
    c.kind = kind;
    c.socket = static_cast<std::uint16_t>(serial_ % net_.size());
    c.invite_cseq = 1;
    c.pending = {};
    c.call_id = std::to_string(slot) + "." + std::to_string(serial_) + "." + run_tag_;
    c.ack.clear();
    c.leg.reset();
    c.started = steady_clock::now();
    ++stats_.started;
    ++stats_.started_by_scenario[static_cast<std::size_t>(kind)];
    if (stats_.first_start == time_point{}) stats_.first_start = c.started;
    stats_.last_start = c.started;
    if (kind == scenario_kind::options)
        send_options(c);
    else
        send_invite(c);
}

generator::call* generator::find_call(std::string_view call_id) noexcept {
    std::uint32_t slot = 0;
    auto [end, ec] = std::from_chars(call_id.data(), call_id.data() + call_id.size(), slot);
    if (ec != std::errc{} || end == call_id.data() + call_id.size() || *end != '.') return nullptr;
    if (slot >= calls_.size()) return nullptr;
    call* c = calls_[slot].get();
    if (c->call_id != call_id) return nullptr; // a finished call, or not ours
    return c;
}

void generator::track(call& c, transaction_id id) {
    c.pending = id;
    by_transaction_[id.value] = c.slot;
}

void generator::untrack(call& c) {
    if (c.pending) by_transaction_.erase(c.pending.value);
    c.pending = {};
}

void generator::release(call& c) {
    untrack(c);
    c.hold.cancel();
    c.leg.reset();
    c.call_id.clear(); // find_call no longer matches: late responses are strays
    --alive_;
    free_slots_.push_back(c.slot);
}

void generator::record_setup(time_point started) {
    auto took = static_cast<std::uint64_t>((now_ - started).count());
    stats_.setup_latency.record(took);
    if (!options_.timeline) return;
    second_stats& s = stats_.second(static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(started - generation_start_).count()));
    ++s.setups;
    s.over_1ms += took > 1'000'000;
    s.over_10ms += took > 10'000'000;
    s.max_setup_ns = std::max(s.max_setup_ns, took);
}

void generator::complete(call& c) {
    stats_.call_latency.record(static_cast<std::uint64_t>((now_ - c.started).count()));
    ++stats_.completed;
    ++stats_.completed_by_scenario[static_cast<std::size_t>(c.kind)];
    release(c);
}

void generator::fail(call& c, failure why, std::uint16_t status) {
    ++stats_.failed;
    switch (why) {
    case failure::status: ++stats_.failed_by_status[status]; break;
    case failure::timeout: ++stats_.failed_timeout; break;
    case failure::transport: ++stats_.failed_transport; break;
    case failure::local: ++stats_.failed_local; break;
    }
    release(c);
}

send_result generator::send(const flow& destination, std::string_view bytes) noexcept {
    // Outside send_request() and receive(), the layer sends only from its timers: a
    // retransmission (Timer A/E), or rarely the CANCEL of Timer C.
    if (sending_context_ == 0) ++stats_.requests_retransmitted;
    return net_.send(destination, bytes) ? send_result::sent : send_result::failed;
}

void generator::on_batch_start() noexcept {
    now_ = steady_clock::now();
    wheel_.advance(now_); // the layer reads `now` from the wheel
}

void generator::on_packet(std::string_view bytes, const flow& source,
                          transport_framing framing) noexcept {
    if (!parse_message(bytes, scratch_in_, {.framing = framing})) {
        ++stats_.unparsable_received;
        return;
    }
    ++sending_context_;
    transactions_.receive(scratch_in_, source);
    --sending_context_;
}

void generator::on_flow_error(const flow& f) noexcept {
    ++sending_context_;
    transactions_.transport_error(f);
    --sending_context_;
}

void generator::on_client_failure(transaction_id client, failure_reason why) noexcept {
    auto it = by_transaction_.find(client.value);
    if (it == by_transaction_.end()) return;
    call& c = *calls_[it->second];
    if (c.pending != client) return;
    fail(c, why == failure_reason::timeout ? failure::timeout : failure::transport);
}

} // namespace parley::load
