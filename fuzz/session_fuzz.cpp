// session_fuzz: drives a session_layer (on a real transaction layer, manual clock) with a
// sequence of operations decoded from the input: requests and responses of a peer built from
// templates with fuzzed fields (methods, tags, CSeqs, branches, bodies, statuses), the
// application's calls (answer, ring, reject, hang up, re-INVITE, UPDATE, new calls), time
// passing, and raw messages. What must always hold, beside no crash or sanitizer report:
//  - once every session is hung up and time has passed, nothing is left: no session, no
//    transaction (every wait is bounded);
//  - every session that began ran the supplements' end hook exactly once, and the application
//    heard on_ended once for each session it was told about.
// A violation aborts, so libFuzzer keeps the input and the corpus replay test fails.
#include "test_audio_handler.hpp"
#include "tu_relay.hpp"

#include <parley/ext/transfer.hpp>
#include <parley/session/session_layer.hpp>
#include <parley/sip/message.hpp>
#include <parley/transaction/transaction_layer.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace parley;

struct input {
    const std::uint8_t* data;
    std::size_t size;
    bool empty() const noexcept { return size == 0; }
    std::uint8_t byte() noexcept {
        if (size == 0) return 0;
        --size;
        return *data++;
    }
    std::string_view bytes(std::size_t n) noexcept {
        n = std::min(n, size);
        std::string_view v(reinterpret_cast<const char*>(data), n);
        data += n;
        size -= n;
        return v;
    }
};

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "session_fuzz: %s\n", what);
    std::abort();
}

/// Keeps what the layer sent: the peer answers the requests among them.
struct sender_log final : message_sender {
    std::vector<std::string> sent;
    bool trace = std::getenv("SESSION_FUZZ_TRACE") != nullptr; ///< print each start line
    send_result send(const flow&, std::string_view bytes) noexcept override {
        if (trace)
            std::fprintf(stderr, "  sent %.*s\n",
                         int(std::min(bytes.size(), bytes.find("\r\n\r\n"))), bytes.data());
        if (sent.size() == 16) sent.erase(sent.begin());
        sent.emplace_back(bytes);
        return send_result::sent;
    }
};

struct counting_supplement final : supplement {
    long begun = 0;
    long ended = 0;
    /// Requests of this method are refused by the supplement (403): its handled path.
    std::string_view refuse;
    request_verdict incoming_request(session&, const message& request) noexcept override {
        if (!refuse.empty() && request.method_text() == refuse)
            return request_verdict::reject(403, "Refused by the Fuzzer");
        return request_verdict::proceed();
    }
    void session_begin(session&) noexcept override { ++begun; }
    void session_end(session&) noexcept override {
        ++ended;
        check(ended <= begun, "session_end without session_begin");
    }
};

/// Accepts every transfer; its progress is reported by the input (application op).
struct transfers final : ext::transfer_events {
    void on_transfer(session&, const ext::transfer_request&) noexcept override {}
};

struct app final : session_events {
    std::vector<session_handle> live;
    long told = 0; ///< sessions the application learnt of (incoming, or placed)
    long ended = 0;
    bool placing = false; ///< inside session_layer::call(): its session may end at once
    std::vector<session_handle> ended_while_placing;
    void on_incoming(session_handle h, session&, const message&) noexcept override {
        if (std::getenv("SESSION_FUZZ_TRACE") != nullptr)
            std::fprintf(stderr, "incoming: session %llu\n",
                         static_cast<unsigned long long>(h.value));
        ++told;
        live.push_back(h);
    }
    void on_ended(session_handle h, session&, end_reason) noexcept override {
        ++ended;
        auto it = std::find(live.begin(), live.end(), h);
        if (it == live.end()) {
            check(placing, "on_ended for a session the application never had");
            ended_while_placing.push_back(h);
            return;
        }
        live.erase(it);
    }
};

constexpr std::array<std::string_view, 6> bodies = {
    "", // none
    "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 20000 RTP/AVP 0\r\n",
    "v=0\r\no=a 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
    "m=audio 20000 RTP/AVP 0\r\na=sendonly\r\n",
    "v=0\r\no=a 1 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 20000 RTP/AVP 0\r\nm=video 20002 RTP/AVP 31\r\n",
    "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 20000 RTP/AVP 8\r\n", // nothing we take: 488
    "v=0\r\nthis is not SDP\r\n",  // 400
};

constexpr std::array<std::string_view, 10> methods = {
    "ACK", "BYE", "INVITE", "UPDATE", "PRACK", "INFO", "OPTIONS", "CANCEL", "NOTIFY", "REFER"};

constexpr std::array<std::uint16_t, 14> statuses = {100, 180, 183, 200, 202, 302, 401,
                                                    408, 422, 481, 487, 491, 500, 603};

constexpr std::array<std::string_view, 6> extras = {
    "",
    "Supported: 100rel, timer\r\n",
    "Require: 100rel\r\n",
    "Session-Expires: 90;refresher=uac\r\nSupported: timer\r\n",
    "Require: frobnicate\r\n",
    "RAck: 1 1 INVITE\r\nRSeq: 1\r\n",
};

/// The transfer supplement's clock: the wheel's manual time.
time_point fuzz_time{};
time_point fuzz_now() noexcept {
    return fuzz_time;
}

class harness {
public:
    /// `setup`: the input's first byte. Bit 0: the peer over TCP (no retransmissions either
    /// way; its Vias say TCP); bits 1-2: the session timer mode; bits 3-4: 100rel; bits 5-7: a
    /// method the supplement refuses.
    explicit harness(std::uint8_t setup) {
        fuzz_time = wheel_.now();
        peer_.protocol = setup & 1 ? transport_protocol::tcp : transport_protocol::udp;
        peer_.remote = *socket_address::from_numeric("127.0.0.1", 5062);
        if (setup & 1) peer_.connection = 7;
        session_layer_options options;
        options.max_sessions = 8;
        options.timers.mode = static_cast<session_timer_mode>((setup >> 1) & 3);
        options.timers.session_expires = 120;
        options.timers.min_se = 90;
        options.reliable_provisionals = static_cast<reliable_mode>((setup >> 3) & 3);
        constexpr std::array<std::string_view, 8> refused = {"",    "",       "INVITE", "INFO",
                                                             "BYE", "UPDATE", "PRACK",  ""};
        counter_->refuse = refused[setup >> 5];
        layer_ = std::make_unique<session_layer>(transactions_, sender_, wheel_, registry_, app_,
                                                 options);
        tu_.to = layer_.get();
    }
    ~harness() {
        layer_.reset();
        tu_.to = nullptr;
    }

    void run(input& in) {
        for (int steps = 0; !in.empty() && steps < 64 && !shut_down_; ++steps) step(in);
        if (shut_down_) {
            // The layer destroyed with its sessions live (a server stopping): each ends once,
            // reported with on_ended, and nothing is left to reach a freed layer: the wheel
            // runs on (a timer of the layer's left armed would fire into freed memory, which
            // the sanitizers report) and the peer still answers what was sent.
            tu_.to = nullptr;
            layer_.reset();
            advance(seconds(1));
            deliver_answers();
            advance(seconds(70));
            check(app_.live.empty(), "the application still holds a session after shutdown");
            check(counter_->begun == counter_->ended, "a session began but never ended");
            check(app_.told == app_.ended, "a session the application knew of never ended");
            return;
        }
        // Hang everything up and let every timer run out (Timer B/F/H, the linger, 64*T1).
        std::vector<session_handle> live = app_.live; // on_ended erases from app_.live
        for (session_handle h : live) (void)layer_->terminate(h);
        for (int i = 0; i < 400 && (layer_->size() > 0 || transactions_.size() > 0); ++i)
            advance(seconds(1));
        if (sender_.trace)
            for (session_handle h : layer_->handles())
                std::fprintf(stderr, "left: session %llu state %d\n",
                             static_cast<unsigned long long>(h.value),
                             static_cast<int>(layer_->state(h)));
        check(layer_->size() == 0, "a session outlived every timer");
        advance(seconds(70)); // anything still armed fires now, under the sanitizers
        check(wheel_.size() == 0, "a timer is still armed with nothing left to time");
        check(transactions_.size() == 0, "a transaction outlived every timer");
        check(app_.live.empty(), "the application still holds a session");
        check(counter_->begun == counter_->ended, "a session began but never ended");
        check(app_.told == app_.ended, "a session the application knew of never ended");
    }

private:
    void step(input& in) {
        std::uint8_t op = in.byte();
        if (op % 16 == 15) { // rare: the layer goes away with whatever is live
            shut_down_ = true;
            return;
        }
        switch (op % 8) {
        case 0: deliver(request_text("INVITE", in, true)); break;
        case 1: deliver(request_text(methods[in.byte() % methods.size()], in, false)); break;
        case 2: respond_to_ours(in); break;
        case 3: advance(milliseconds(std::uint64_t{in.byte()} * 97)); break;
        case 4: application(in); break;
        case 5: deliver(std::string(in.bytes(in.byte()))); break;
        case 6: place_call(in); break;
        default: advance(seconds(in.byte() % 40)); break;
        }
    }

    void advance(duration d) {
        fuzz_time = wheel_.now() + d;
        wheel_.advance(fuzz_time);
    }

    void deliver(const std::string& bytes) {
        auto m = std::make_unique<message>();
        if (!parse_message(bytes, *m, {.buffer = buffer_use::copy})) return;
        if (sender_.trace)
            std::fprintf(stderr, "got  %.*s\n", int(std::min(bytes.size(), bytes.find("\r\n\r\n"))),
                         bytes.data());
        transactions_.receive(*m, peer_);
    }

    /// The To tag of the last response we sent for `call_id`, "" when none.
    std::string our_tag(std::string_view call_id) const {
        for (auto it = sender_.sent.rbegin(); it != sender_.sent.rend(); ++it) {
            message m;
            if (!parse_message(*it, m, {.buffer = buffer_use::copy})) continue;
            if (m.call_id() != call_id) continue;
            if (m.is_response()) return std::string(m.to().tag);
            return std::string(m.from().tag);
        }
        return {};
    }

    std::string request_text(std::string_view method, input& in, bool initial) {
        std::uint8_t pick = in.byte();
        std::string call_id = "c" + std::to_string(pick % 3);
        std::string from_tag = "a" + call_id;
        std::uint8_t flags = in.byte();
        std::string to_tag = initial && (flags & 1) == 0 ? std::string() : our_tag(call_id);
        if ((pick & 0x80) && !placed_.empty()) {
            // From the callee of a call we placed (its tag as respond_to_ours gives it).
            const auto& [placed_call_id, our_from_tag] = placed_[pick % placed_.size()];
            call_id = placed_call_id;
            to_tag = our_from_tag;
            from_tag = "fork0";
        }
        if (flags & 2) to_tag = "stale";
        std::string branch = "z9hG4bK" + std::to_string(flags & 4 ? 1 : ++branches_);
        std::uint32_t cseq = in.byte() % 6 + 1;
        std::string_view body = bodies[in.byte() % bodies.size()];
        std::string_view extra = extras[(flags >> 4) % extras.size()];
        std::string s = std::string(method) + " sip:bob@127.0.0.1 SIP/2.0\r\n" + "Via: SIP/2.0/" +
                        (peer_.protocol == transport_protocol::tcp ? "TCP" : "UDP") +
                        " 127.0.0.1:5062;branch=" + branch + "\r\n" +
                        "From: <sip:alice@127.0.0.1>;tag=" + from_tag + "\r\n" +
                        "To: <sip:bob@127.0.0.1>" +
                        (to_tag.empty() ? std::string() : ";tag=" + to_tag) + "\r\n" +
                        "Call-ID: " + call_id + "\r\n" + "CSeq: " + std::to_string(cseq) + " " +
                        std::string(method) + "\r\nMax-Forwards: 70\r\n";
        if (!(flags & 128)) s += "Contact: <sip:alice@127.0.0.1:5062>\r\n";
        std::string_view type = "application/sdp";
        if (method == "NOTIFY") {
            // RFC 3515 §2.4.5: the transfer's progress as a sipfrag; terminated ends it.
            s += "Event: refer\r\n";
            s += flags & 64 ? "Subscription-State: terminated;reason=noresource\r\n"
                            : "Subscription-State: active;expires=20\r\n";
            type = "message/sipfrag";
            body = flags & 64 ? "SIP/2.0 200 OK\r\n" : "SIP/2.0 180 Ringing\r\n";
        }
        if (method == "REFER") s += "Refer-To: <sip:carol@127.0.0.1>\r\n";
        s += extra;
        // A body without its Content-Type, now and then.
        if (!body.empty() && !(flags & 8)) s += "Content-Type: " + std::string(type) + "\r\n";
        s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        s += body;
        return s;
    }

    /// A response of the peer to one of the requests we sent (picked by the input).
    void respond_to_ours(input& in) {
        std::vector<const std::string*> requests;
        for (const auto& s : sender_.sent)
            if (s.compare(0, 8, "SIP/2.0 ") != 0 && s.compare(0, 4, "ACK ") != 0)
                requests.push_back(&s);
        if (requests.empty()) return;
        const std::string& request = *requests[in.byte() % requests.size()];
        std::uint16_t status = statuses[in.byte() % statuses.size()];
        answer(std::string(request), status, in.byte());
    }

    /// The peer's `status` to one of our requests.
    void answer(const std::string& request, std::uint16_t status, std::uint8_t flags) {
        message m;
        if (!parse_message(request, m, {.buffer = buffer_use::copy})) return;
        std::string_view body = status >= 180 && status < 300 ? bodies[flags % bodies.size()] : "";
        std::string s = "SIP/2.0 " + std::to_string(status) + " X\r\n";
        for (const header_field& h : m.headers())
            if (h.id == header_id::via) s += "Via: " + std::string(h.value) + "\r\n";
        s += "From: " + std::string(m.from().text) + "\r\n";
        s += "To: " + std::string(m.to().text);
        if (m.to().tag.empty() && status > 100) s += ";tag=fork" + std::to_string(flags >> 6);
        s += "\r\nCall-ID: " + std::string(m.call_id()) + "\r\n";
        s += "CSeq: " + std::to_string(m.cseq().number) + " " + std::string(m.cseq().method_text) +
             "\r\nContact: <sip:bob@127.0.0.1:5062>\r\n";
        if (status == 183 && (flags & 8)) s += "Require: 100rel\r\nRSeq: 1\r\n";
        if (status == 302) s += "Contact: <sip:carol@127.0.0.1:5064>\r\n";
        if (status == 491 || status == 500) s += "Retry-After: 1\r\n";
        if (!body.empty()) s += "Content-Type: application/sdp\r\n";
        s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        s += body;
        deliver(s);
    }

    /// After a shutdown: the peer answers 200 to every request we sent (the layer's BYEs and
    /// whatever was outstanding), to transactions whose user is gone.
    void deliver_answers() {
        std::vector<std::string> requests;
        for (const auto& s : sender_.sent)
            if (s.compare(0, 8, "SIP/2.0 ") != 0 && s.compare(0, 4, "ACK ") != 0)
                requests.push_back(s);
        for (const std::string& request : requests) answer(request, 200, 0);
    }

    void application(input& in) {
        std::uint8_t pick = in.byte();
        std::uint8_t action = in.byte();
        if (app_.live.empty()) return;
        session_handle h = app_.live[pick % app_.live.size()];
        switch (action % 12) {
        case 0: (void)layer_->answer(h); break;
        case 1: (void)layer_->ring(h); break;
        case 2: (void)layer_->progress(h); break;
        case 3: (void)layer_->reject(h, 486); break;
        case 4: (void)layer_->terminate(h); break;
        case 5:
            (void)layer_->send_reinvite(h, [](session_handle, session&, std::uint16_t) {});
            break;
        case 6: (void)layer_->send_refresh(h, refresh_method::update); break;
        case 7: (void)layer_->send_refresh(h, refresh_method::update_no_sdp); break;
        case 8:
            if (session* s = layer_->find(h)) s->edit_media().hold = !s->media().hold;
            (void)layer_->send_reinvite(h);
            break;
        case 9: // as transferor
            if (session* s = layer_->find(h)) (void)transfer_->refer(*s, "<sip:carol@127.0.0.1>");
            break;
        default: // as transferee: the transfer's progress
            if (session* s = layer_->find(h))
                (void)ext::transfer_supplement::notify(*s, action % 2 ? 180 : 200);
            break;
        }
    }

    void place_call(input& in) {
        outgoing_call c;
        c.request_uri = "sip:carol@127.0.0.1:5062";
        c.from = "<sip:parley@127.0.0.1>";
        c.destination = peer_;
        c.offer = in.byte() & 1 ? offer_timing::delayed : offer_timing::in_invite;
        app_.placing = true;
        auto placed = layer_->call(c);
        app_.placing = false;
        if (!placed) {
            check(app_.ended_while_placing.empty(), "a refused call() reported on_ended");
            return;
        }
        ++app_.told;
        if (!sender_.sent.empty()) {
            message invite;
            if (parse_message(sender_.sent.back(), invite, {.buffer = buffer_use::copy}) &&
                invite.is_request())
                placed_.emplace_back(std::string(invite.call_id()), std::string(invite.from().tag));
        }
        auto& early = app_.ended_while_placing;
        if (std::find(early.begin(), early.end(), *placed) == early.end())
            app_.live.push_back(*placed);
        early.clear();
    }

    timer_wheel wheel_{time_point{}};
    sender_log sender_;
    test::tu_relay tu_;
    transaction_layer transactions_{sender_, tu_, wheel_};
    extension_registry registry_;
    std::shared_ptr<test::test_audio_handler> audio_ = std::make_shared<test::test_audio_handler>();
    registration audio_registration_ = registry_.add_sdp_handler("audio", audio_, "fuzz-audio");
    std::shared_ptr<counting_supplement> counter_ = std::make_shared<counting_supplement>();
    registration counter_registration_ = registry_.add_supplement(counter_, {.name = "counter"});
    transfers transfer_events_;
    std::shared_ptr<ext::transfer_supplement> transfer_ =
        std::make_shared<ext::transfer_supplement>(&transfer_events_, &fuzz_now);
    registration transfer_registration_ = registry_.add_supplement(
        transfer_,
        {.name = "transfer", .methods = {method::refer, method::notify, method::subscribe}});
    app app_;
    std::unique_ptr<session_layer> layer_;
    flow peer_;
    std::uint64_t branches_ = 1;
    bool shut_down_ = false; ///< an op asked for the layer to go with sessions live
    /// Calls we placed: Call-ID and our From tag, for the callee's requests.
    std::vector<std::pair<std::string, std::string>> placed_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input in{data, size};
    harness h(in.byte());
    h.run(in);
    return 0;
}
