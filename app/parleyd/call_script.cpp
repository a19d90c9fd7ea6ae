#include "call_script.hpp"
#include "log.hpp"

#include <parley/endpoint/endpoint_identity.hpp>
#include <parley/endpoint/session_endpoint.hpp>
#include <parley/ext/reason.hpp>
#include <parley/media/rtp_media.hpp>
#include <parley/session/session.hpp>

#include <parley/base/text.hpp>
#include <parley/media/codec.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace parley {

namespace {

/// "demo" → "<dir>/demo.wav"; a path with a folder is taken as written.
std::string sound_path(const std::string& dir, const std::string& name) {
    std::string path = name.find('/') == std::string::npos ? dir + "/" + name : name;
    if (path.find('.', path.rfind('/') + 1) == std::string::npos) path += ".wav";
    return path;
}

/// ${EXTEN} replaced by the Request-URI user, kept to characters safe in a file name or URI.
std::string expand(std::string_view text, std::string_view user) {
    std::string safe;
    for (char ch : user)
        if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            ch == '+' || ch == '-' || ch == '_' || ch == '.' || ch == '*' || ch == '#')
            safe += ch;
    std::string out;
    for (std::size_t at = 0;;) {
        std::size_t var = text.find("${EXTEN}", at);
        out.append(text.substr(at, var - at));
        if (var == std::string_view::npos) return out;
        out += safe;
        at = var + 8;
    }
}

/// When a session began (a cookie on every session parleyd runs), for `show channels`.
struct call_start {
    std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
    std::string what; ///< the extension, or the target of a call we placed
    bool outgoing = false;
};
constexpr std::string_view call_start_cookie = "parleyd-start";

const char* state_name(session_state s) {
    switch (s) {
    case session_state::calling: return "calling";
    case session_state::incoming: return "incoming";
    case session_state::early: return "early";
    case session_state::answered: return "answered";
    case session_state::confirmed: return "up";
    case session_state::ending: return "ending";
    }
    return "?";
}

const char* name_of(const call_route& r) {
    return r.extension != nullptr ? r.extension->name.c_str() : "?";
}

} // namespace

/// One incoming call running its extension's steps.
struct call_logic::call {
    call_logic* logic = nullptr;
    session_handle handle;
    call_route route;
    std::size_t next = 0; ///< the next step's index
    bool running = false; ///< inside run(): an end is handled when it returns
    bool ended = false;
    bool waiting = false; ///< a step is in progress (a timer, a playback, digits)
    bool answered = false;
    timer wake;         ///< Wait, Record's maximum, Read's timeout
    std::string digits; ///< Read(): collected so far
    std::uint32_t want_digits = 0;
    bool reading = false;
    bool recording = false;
    std::uint16_t dial_status = 0; ///< the last Dial()'s failure, the default final status
    session_handle leg;            ///< Dial(): the outgoing call
    bool bridged = false;          ///< the leg answered: the two calls are one
    timer dial_timeout;

    void dial_expired() noexcept { logic->dial_expired(*this); }

    void woke() noexcept {
        if (reading) { // Read() timed out with what it has
            reading = false;
            log_event(log_level::info, "read \"" + digits + "\" (timeout)",
                      {{"call", std::to_string(handle.value)}, {"extension", name_of(route)}});
        }
        if (recording) {
            recording = false;
            if (session* s = logic->layer_.find(handle))
                if (auto audio = media::audio_of(*s)) audio->context->stop_recording(audio->id);
        }
        logic->resume(handle.value);
    }
};

call_logic::call_logic(session_layer& layer, timer_wheel& wheel, call_settings settings)
    : layer_(layer), wheel_(wheel), settings_(std::move(settings)) {}

call_logic::~call_logic() = default;

void call_logic::on_incoming(session_handle h, session& s, const message& invite) noexcept {
    (void)invite;
    s.cookies().add_value<call_home>(call_home_cookie, call_home{this, h});
    if (const auto* r = s.cookies().get_value<call_route>(call_route_cookie))
        s.cookies().add_value<call_start>(call_start_cookie, call_start{.what = r->user});
    const call_route* route = s.cookies().get_value<call_route>(call_route_cookie);
    if (route != nullptr && route->replacing) {
        // RFC 3891: it replaces one of our sessions. If that one is bridged, this one takes its
        // place: answered now, bridged to the same party; the layer sends the replaced one BYE
        // once this one is confirmed.
        session_handle replaced = layer_.replaces(h);
        auto peer = replaced ? peers_.find(replaced.value) : peers_.end();
        if (peer == peers_.end()) {
            (void)layer_.reject(h, 481, "Replaced Call Not Bridged Here");
            return;
        }
        session_handle other{peer->second};
        (void)layer_.answer(h);
        swap_peer(replaced, h, other);
        log_event(
            log_level::info, "replaces a bridged call",
            {{"call", std::to_string(h.value)}, {"replaced", std::to_string(replaced.value)}});
        return;
    }
    if (route == nullptr || route->extension == nullptr) { // the router let it through: odd
        (void)layer_.reject(h, 500);
        return;
    }
    auto c = std::make_unique<call>();
    c->logic = this;
    c->handle = h;
    c->route = *route;
    c->wake.bind<&call::woke>(c.get());
    c->dial_timeout.bind<&call::dial_expired>(c.get());
    call& ref = *c;
    calls_.emplace(h.value, std::move(c));
    attach_media(ref, s, false);
    run(ref);
}

void call_logic::attach_media(call& c, session& s, bool confirmed) noexcept {
    if (!s.media().open_media) return; // signalling only: no stream to watch
    auto audio = media::audio_of(s);
    if (!audio) return;
    std::uint64_t id = c.handle.value;
    audio->context->on_dtmf(audio->id, [this, id](char d) { digit({id}, d); });
    const auto* endpoint = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    std::uint32_t rtp_timeout =
        endpoint != nullptr && endpoint->endpoint != nullptr ? endpoint->endpoint->rtp_timeout : 0;
    // Phones send no RTP before the 200: the timeout runs once the call is up.
    if (!confirmed || rtp_timeout == 0) return;
    audio->context->set_timeout(
        audio->id, std::chrono::seconds(rtp_timeout), [this, id, rtp_timeout] {
            session_handle handle{id};
            if (session* live = layer_.find(handle)) {
                log_event(log_level::info,
                          "no RTP for " + std::to_string(rtp_timeout) + " s, hanging up",
                          {{"call", std::to_string(id)}});
                live->cookies().remove(ext::reason_cause_cookie);
                live->cookies().add_value<int>(ext::reason_cause_cookie, 41);
                end_call(handle);
            }
        });
}

void call_logic::end_call(session_handle h) noexcept {
    // A script that is still running stops: its pending step must not resume after the BYE.
    if (auto it = calls_.find(h.value); it != calls_.end()) {
        call& c = *it->second;
        c.next = c.route.extension != nullptr ? c.route.extension->steps.size() : 0;
        c.waiting = true;
        c.wake.cancel();
        c.dial_timeout.cancel();
    }
    (void)layer_.terminate(h);
}

void call_logic::run(call& c) noexcept {
    c.running = true;
    while (!c.ended && !c.waiting) {
        if (c.next >= c.route.extension->steps.size()) {
            finish(c, c.dial_status != 0 ? c.dial_status : 480); // no more steps: hang up
            break;
        }
        (void)step(c); // a step that waits sets `waiting`; one that finishes at once clears it
    }
    c.running = false;
    if (c.ended) calls_.erase(c.handle.value);
}

void call_logic::resume(std::uint64_t id) noexcept {
    auto it = calls_.find(id);
    if (it == calls_.end() || it->second->ended) return;
    call& c = *it->second;
    c.waiting = false;
    if (!c.running) run(c); // else the running loop goes on by itself
}

void call_logic::finish(call& c, std::uint16_t status) noexcept {
    c.next = c.route.extension->steps.size();
    c.waiting = true; // nothing more to run; the session's end removes the call
    if (c.answered)
        (void)layer_.terminate(c.handle);
    else
        (void)layer_.reject(c.handle, status);
}

bool call_logic::step(call& c) noexcept {
    const dialplan_step& st = c.route.extension->steps[c.next++];
    session* s = layer_.find(c.handle);
    if (s == nullptr) {
        c.ended = true;
        return false;
    }
    auto audio = media::audio_of(*s);
    switch (st.action) {
    case dialplan_action::answer:
        if (!c.answered) (void)layer_.answer(c.handle);
        c.answered = true;
        return true;
    case dialplan_action::ringing:
        if (!c.answered) (void)layer_.ring(c.handle);
        return true;
    case dialplan_action::progress:
        if (!c.answered) (void)layer_.progress(c.handle);
        return true;
    case dialplan_action::no_media:
        return true; // chosen by the router before the SDP was negotiated
    case dialplan_action::echo:
        if (audio) audio->context->echo(audio->id);
        c.waiting = true; // until the call ends
        return false;
    case dialplan_action::playback: {
        if (!audio) return true;
        std::string dir = c.route.snapshot->system().sounds_dir;
        std::string path =
            sound_path(dir.empty() ? settings_.sounds_dir : dir, expand(st.text, c.route.user));
        std::string error;
        auto source = media::open_sound_file(path, audio->context->audio_rate_of(audio->id), error);
        if (!source) {
            log_event(log_level::warning, "Playback(" + st.text + "): " + error,
                      {{"call", std::to_string(c.handle.value)}});
            return true; // as Asterisk: a missing file is skipped
        }
        std::uint64_t id = c.handle.value;
        c.waiting = true; // before play(): an empty file is done at once, inside it
        audio->context->play(audio->id, std::move(source), [this, id] { resume(id); });
        return false;
    }
    case dialplan_action::tone: {
        c.waiting = true; // an endless tone (no duration) never resumes
        if (!audio) {     // nothing to play it on: just the time it takes
            if (st.number != 0) wheel_.schedule_after(c.wake, milliseconds(st.number));
            return false;
        }
        auto tone = media::make_tone(st.tones, audio->context->audio_rate_of(audio->id),
                                     std::chrono::milliseconds(st.number));
        std::uint64_t id = c.handle.value;
        audio->context->play(audio->id, std::move(tone), [this, id] { resume(id); });
        return false;
    }
    case dialplan_action::record: {
        if (!audio) return true;
        std::string path = expand(st.text, c.route.user);
        if (path.find('/') == std::string::npos)
            path = c.route.snapshot->system().recordings_dir + "/" + path;
        if (path.find('.', path.rfind('/') + 1) == std::string::npos) path += ".wav";
        std::string error;
        if (!audio->context->record(audio->id, path, error)) {
            log_event(log_level::warning, "Record(" + st.text + "): " + error,
                      {{"call", std::to_string(c.handle.value)}});
            return true;
        }
        log_event(log_level::info, "recording to " + path,
                  {{"call", std::to_string(c.handle.value)}});
        c.recording = true;
        c.waiting = true; // until '#', the maximum, or the end of the call
        if (st.number != 0) wheel_.schedule_after(c.wake, milliseconds(st.number));
        return false;
    }
    case dialplan_action::wait:
        c.waiting = true;
        if (st.number != 0) wheel_.schedule_after(c.wake, milliseconds(st.number));
        return false;
    case dialplan_action::read:
        c.digits.clear();
        c.want_digits = st.number;
        c.reading = true;
        c.waiting = true;
        wheel_.schedule_after(c.wake, milliseconds(st.number2));
        return false;
    case dialplan_action::dial: dial(c, st); return !c.waiting;
    case dialplan_action::reject: finish(c, static_cast<std::uint16_t>(st.number)); return false;
    case dialplan_action::hangup:
        finish(c, st.number != 0 ? static_cast<std::uint16_t>(st.number) : 480);
        return false;
    }
    return true;
}

void call_logic::digit(session_handle h, char d) noexcept {
    auto it = calls_.find(h.value);
    if (it == calls_.end()) return;
    call& c = *it->second;
    log_event(log_level::info, std::string("DTMF ") + d,
              {{"call", std::to_string(h.value)}, {"extension", name_of(c.route)}});
    if (c.recording && d == '#') {
        c.recording = false;
        if (session* s = layer_.find(h))
            if (auto audio = media::audio_of(*s)) audio->context->stop_recording(audio->id);
        c.wake.cancel();
        resume(h.value);
        return;
    }
    if (!c.reading) return;
    if (d != '#') c.digits += d;
    if (d == '#' || c.digits.size() >= c.want_digits) {
        c.reading = false;
        c.wake.cancel();
        log_event(log_level::info, "read \"" + c.digits + "\"",
                  {{"call", std::to_string(h.value)}, {"extension", name_of(c.route)}});
        resume(h.value);
    }
}

namespace {

/// Where Dial() sends its INVITE: a SIP URI with a numeric host, or PJSIP/endpoint (the first
/// contact of the endpoint's first aor) as Asterisk writes it.
struct dial_target {
    std::string request_uri;
    flow destination;
    const endpoint_config* endpoint = nullptr; ///< PJSIP/name: the endpoint called
};

std::optional<dial_target> resolve_target(const configuration& config,
                                          registration_store* registrations,
                                          const std::string& text, std::string& error) {
    std::string uri_text = text;
    const endpoint_config* endpoint = nullptr;
    if (text.starts_with("PJSIP/")) {
        std::string name = text.substr(6);
        endpoint = config.find_endpoint(name);
        if (endpoint == nullptr) {
            error = "no endpoint named \"" + name + "\"";
            return std::nullopt;
        }
        // A static contact first, else where the endpoint registered last.
        for (const std::string& aor_name : endpoint->aors) {
            if (const aor_config* aor = config.find_aor(aor_name); aor && !aor->contact.empty()) {
                uri_text = aor->contact.front();
                break;
            }
            if (registrations == nullptr) continue;
            auto bound = registrations->bindings(aor_name, std::chrono::steady_clock::now());
            if (!bound.empty()) {
                uri_text = bound.front().contact;
                break;
            }
        }
        if (uri_text == text) {
            error = "endpoint \"" + name + "\" has no contact and is not registered";
            return std::nullopt;
        }
    }
    auto parsed = parse_uri(uri_text);
    if (!parsed || !parsed->is_sip()) {
        error = "not a SIP URI: \"" + uri_text + "\"";
        return std::nullopt;
    }
    auto address =
        socket_address::from_numeric(parsed->host, parsed->port != 0 ? parsed->port : 5060);
    if (!address) {
        error = "the host of \"" + uri_text + "\" is not a numeric address";
        return std::nullopt;
    }
    dial_target out;
    out.endpoint = endpoint;
    out.request_uri = uri_text;
    out.destination.protocol = transport_protocol::udp;
    out.destination.remote = *address;
    return out;
}

/// The failure a Dial() reports to the caller when nothing follows it in the dialplan.
std::uint16_t dial_failure(std::uint16_t status, end_reason why) {
    switch (why) {
    case end_reason::no_answer:
    case end_reason::local_hangup: return 480;     // no answer in time (our timeout: CANCEL)
    case end_reason::transport_failed: return 503; // unreachable
    default: break;
    }
    if (status == 486 || status == 600) return 486; // busy
    if (status == 404 || status == 484 || status == 604) return 404;
    if (status == 408 || status == 480 || status == 487) return 480;
    if (status == 603) return 603;
    if (status >= 500) return 503;
    return status >= 400 ? status : 503;
}

} // namespace

void call_logic::dial(call& c, const dialplan_step& st) noexcept {
    std::string text = expand(st.text, c.route.user);
    std::string error;
    auto target = resolve_target(*c.route.snapshot, settings_.registrations, text, error);
    if (!target) {
        log_event(log_level::warning, "Dial(" + text + "): " + error,
                  {{"call", std::to_string(c.handle.value)}});
        c.dial_status = 503; // Asterisk's CHANUNAVAIL: the script goes on
        return;
    }
    outgoing_call leg{.request_uri = target->request_uri,
                      .from = settings_.from,
                      .destination = target->destination};
    // The leg offers the codec the caller's call uses first: then the bridge relays packets
    // as they are, without transcoding.
    leg.media = media_like(c.handle);
    if (target->endpoint != nullptr) {
        // An endpoint called: its from_user/from_domain make our From, its send_pai/send_rpid
        // and trust_id_outbound decide what of the caller's identity goes on (the
        // endpoint-identity supplement), its outbound_auth answers challenges.
        const endpoint_config& e = *target->endpoint;
        std::optional<party_identity> caller;
        if (session* s = layer_.find(c.handle))
            if (const auto* who = s->cookies().get_value<party_identity>(caller_identity_cookie))
                caller = *who;
        std::string our_host = settings_.from.substr(settings_.from.find('@') + 1);
        our_host = our_host.substr(0, our_host.find('>'));
        // A private caller (RFC 3323, RFC 3325) stays private in our From too.
        bool hidden =
            caller && (caller->anonymous || caller->presented == presentation::restricted);
        std::string user = !e.from_user.empty() ? e.from_user
                           : hidden             ? std::string("anonymous")
                           : caller && !expand("${EXTEN}", caller->number).empty()
                               ? caller->number
                               : std::string("parleyd");
        std::string name = !e.callerid.name.empty() ? e.callerid.name
                           : hidden                 ? std::string("Anonymous")
                           : caller                 ? caller->display_name
                                                    : std::string();
        std::string quoted;
        for (char ch : name)
            if (ch != '"' && ch != '\\' && static_cast<unsigned char>(ch) >= 0x20) quoted += ch;
        leg.from = (quoted.empty() ? std::string() : "\"" + quoted + "\" ") +
                   "<sip:" + expand("${EXTEN}", user) + "@" +
                   (e.from_domain.empty() ? our_host : e.from_domain) + ">";
        std::shared_ptr<const configuration> snapshot = c.route.snapshot;
        leg.prepare = [snapshot, endpoint = target->endpoint, caller](session& s) {
            s.cookies().add_value<session_endpoint>(session_endpoint_cookie,
                                                    session_endpoint{snapshot, endpoint});
            if (caller) s.cookies().add_value<party_identity>(caller_identity_cookie, *caller);
        };
    }
    auto placed = layer_.call(leg);
    if (!placed) {
        log_event(log_level::warning, "Dial(" + text + "): " + placed.error_value().reason,
                  {{"call", std::to_string(c.handle.value)}});
        c.dial_status = 503;
        return;
    }
    if (layer_.find(*placed) == nullptr) { // ended at once (the transport refused it)
        c.dial_status = 503;
        return;
    }
    if (session* placed_session = layer_.find(*placed))
        placed_session->cookies().add_value<call_start>(
            call_start_cookie, call_start{.what = target->request_uri, .outgoing = true});
    c.leg = *placed;
    c.bridged = false;
    legs_[placed->value] = c.handle.value;
    wheel_.schedule_after(c.dial_timeout, milliseconds(st.number));
    c.waiting = true; // until the leg answers and one side hangs up, or the leg fails
}

void call_logic::dial_expired(call& c) noexcept {
    session_handle leg = c.leg;
    if (!leg) return;
    // No answer in time. The leg is let go of now: its CANCEL waits for a provisional
    // (RFC 3261 §9.1), which an unreachable callee never sends, and the script must not wait
    // for Timer B.
    legs_.erase(leg.value);
    c.leg = {};
    unbridge_caller(c);
    (void)layer_.terminate(leg);
    c.dial_status = 480;
    log_event(log_level::info, "Dial failed: no answer in time",
              {{"call", std::to_string(c.handle.value)}, {"extension", name_of(c.route)}});
    resume(c.handle.value);
}

void call_logic::unbridge_caller(call& c) noexcept {
    if (session* s = layer_.find(c.handle))
        if (auto audio = media::audio_of(*s)) audio->context->unbridge(audio->id);
}

void call_logic::bridge_media(call& c) noexcept {
    bridge_sessions(c.handle, c.leg);
}

void call_logic::bridge_sessions(session_handle a, session_handle b) noexcept {
    session* x = layer_.find(a);
    session* y = layer_.find(b);
    if (x == nullptr || y == nullptr) return;
    auto p = media::audio_of(*x);
    auto q = media::audio_of(*y);
    if (!p || !q || p->context != q->context) return;
    p->context->bridge(p->id, q->id);
    // A codec change on one side is offered to the other (so the bridge stops transcoding).
    p->context->on_format_change(p->id, [this, a] { follow_codec(a); });
    q->context->on_format_change(q->id, [this, b] { follow_codec(b); });
}

void call_logic::follow_codec(session_handle changed) noexcept {
    auto peer = peers_.find(changed.value);
    if (peer == peers_.end()) return;
    session_handle other{peer->second};
    // A change that answers a follow-up of ours (the leg's answer to the re-INVITE we sent it)
    // is not passed back: two legs that each answer with another codec than the one offered
    // first would re-INVITE each other forever.
    if (auto f = follows_.find(changed.value); f != follows_.end() && f->second.in_flight > 0)
        return;
    session* from = layer_.find(changed);
    session* to = layer_.find(other);
    if (from == nullptr || to == nullptr) return;
    auto x = media::audio_of(*from);
    auto y = media::audio_of(*to);
    if (!x || !y) return;
    auto mine = x->context->format_of(x->id);
    auto theirs = y->context->format_of(y->id);
    if (!mine || !theirs || mine->codec == theirs->codec) return;
    // And a bound whatever the cause: a few follow-ups per leg in a window.
    constexpr int max_follows = 3;
    constexpr auto window = std::chrono::seconds(30);
    auto now = std::chrono::steady_clock::now();
    follow_state& state = follows_[other.value];
    if (now - state.window_start >= window) {
        state.window_start = now;
        state.sent = 0;
    }
    std::string call_field = std::to_string(changed.value);
    std::string to_field = std::to_string(other.value);
    if (state.sent >= max_follows) {
        log_event(log_level::warning,
                  "codec change not passed on: " + std::to_string(max_follows) +
                      " follow-ups to the other leg in " + std::to_string(window.count()) + " s",
                  {{"call", call_field}, {"to", to_field}});
        return;
    }
    ++state.sent;
    ++state.in_flight; // before: the layer may answer (fail) the re-INVITE at once
    media_preferences before = to->media();
    to->edit_media() = media_like(changed);
    to->edit_media().hold = before.hold;
    auto sent = layer_.send_refresh(
        other, refresh_method::reinvite, [this](session_handle h, session&, std::uint16_t) {
            if (auto f = follows_.find(h.value); f != follows_.end() && f->second.in_flight > 0)
                --f->second.in_flight;
        });
    if (!sent) {
        if (auto f = follows_.find(other.value); f != follows_.end() && f->second.in_flight > 0)
            --f->second.in_flight;
        if (session* still = layer_.find(other))
            still->edit_media() = std::move(before); // no re-INVITE: later offers stay as they were
        log_event(log_level::warning,
                  "codec change not passed on: " + std::string(sent.error_value().reason),
                  {{"call", call_field}, {"to", to_field}});
        return;
    }
    log_event(log_level::info,
              std::string("codec change passed on: ") + std::string(media::codec_name(mine->codec)),
              {{"call", call_field}, {"to", to_field}});
}

media_preferences call_logic::media_like(session_handle like) noexcept {
    session* s = layer_.find(like);
    if (s == nullptr) return {};
    media_preferences wanted = s->media();
    if (auto audio = media::audio_of(*s))
        if (auto format = audio->context->format_of(audio->id)) {
            std::vector<sdp::codec> codecs =
                wanted.codecs ? *wanted.codecs : audio->context->settings().codecs;
            std::string_view name = media::codec_name(format->codec);
            std::stable_partition(codecs.begin(), codecs.end(), [&](const sdp::codec& k) {
                return text::iequals(k.encoding_name, name);
            });
            wanted.codecs = std::make_shared<const std::vector<sdp::codec>>(std::move(codecs));
        }
    wanted.address.clear();
    wanted.hold = false;
    return wanted;
}

void call_logic::link(session_handle a, session_handle b) noexcept {
    peers_[a.value] = b.value;
    peers_[b.value] = a.value;
    // Either side may now transfer the other (REFER reaches this call logic).
    for (session_handle h : {a, b})
        if (session* s = layer_.find(h);
            s != nullptr && s->cookies().get(call_home_cookie) == nullptr)
            s->cookies().add_value<call_home>(call_home_cookie, call_home{this, h});
}

void call_logic::swap_peer(session_handle old, session_handle replacement,
                           session_handle peer) noexcept {
    unlink(old);
    if (auto t = calls_.find(old.value); t != calls_.end() && t->second->leg == peer) {
        legs_.erase(peer.value); // the old party's script lets go of its leg
        t->second->leg = {};
        t->second->bridged = false;
    }
    if (auto k = calls_.find(peer.value); k != calls_.end() && k->second->leg == old) {
        legs_.erase(old.value); // the peer's script now talks to the replacement
        k->second->leg = replacement;
        legs_[replacement.value] = peer.value;
    }
    bridge_sessions(peer, replacement);
    link(peer, replacement);
}

void call_logic::unlink(session_handle a) noexcept {
    auto it = peers_.find(a.value);
    if (it == peers_.end()) return;
    std::uint64_t b = it->second;
    peers_.erase(it);
    if (auto back = peers_.find(b); back != peers_.end() && back->second == a.value)
        peers_.erase(back);
}

void call_logic::leg_ended(call& c, session& leg, end_reason why) noexcept {
    c.leg = {};
    c.dial_timeout.cancel();
    if (c.bridged) { // the called party hung up: so does the caller's call
        finish(c, 480);
        return;
    }
    unbridge_caller(c); // early media from the leg ends with it
    c.dial_status = dial_failure(leg.final_status(), why);
    log_event(log_level::info, "Dial failed: " + std::to_string(c.dial_status),
              {{"call", std::to_string(c.handle.value)}, {"extension", name_of(c.route)}});
    resume(c.handle.value);
}

void call_logic::on_progress(session_handle h, session&, std::uint16_t status,
                             early_media media) noexcept {
    if (auto it = transfers_.find(h.value); it != transfers_.end()) notify(it->second, status);
    auto leg = legs_.find(h.value);
    if (leg == legs_.end()) return;
    auto it = calls_.find(leg->second);
    if (it == calls_.end() || it->second->answered) return;
    call& c = *it->second;
    // Forward the callee's progress: ringing, or early media (relayed from now on). The layer
    // may end the caller inside these calls (its 18x failed): `running` keeps `c` alive.
    c.running = true;
    if (media == early_media::present) {
        (void)layer_.progress(c.handle);
        if (!c.ended) bridge_media(c);
    } else if (status == 180) {
        (void)layer_.ring(c.handle);
    }
    c.running = false;
    if (c.ended) calls_.erase(c.handle.value);
}

void call_logic::on_confirmed(session_handle h, session& s) noexcept {
    if (auto it = calls_.find(h.value); it != calls_.end()) {
        attach_media(*it->second, s, true);
        return;
    }
    if (auto leg = legs_.find(h.value); leg != legs_.end()) {
        if (auto call_it = calls_.find(leg->second); call_it != calls_.end()) {
            call& c = *call_it->second;
            c.dial_timeout.cancel();
            c.bridged = true;
            c.running = true; // answer() may end the caller (no offer possible): keep `c`
            if (!c.answered) (void)layer_.answer(c.handle);
            c.answered = true;
            if (!c.ended) {
                bridge_media(c);
                link(c.handle, h);
            }
            c.running = false;
            if (c.ended) {
                calls_.erase(c.handle.value);
                (void)layer_.terminate(h); // the caller is gone: so goes the callee
            }
        } else {
            return;
        }
        return;
    }
    auto it = transfers_.find(h.value);
    if (it == transfers_.end()) return;
    session_handle transferred = it->second;
    transfers_.erase(it);
    if (auto r = remaining_.find(h.value); r != remaining_.end()) {
        // A bridged call was transferred: its other party (the remaining one) is bridged to
        // the target now, and the transferor leaves.
        session_handle remaining{r->second};
        remaining_.erase(r);
        swap_peer(transferred, h, remaining);
    }
    notify(transferred, 200);
    end_call(transferred); // the transfer is done: our part of it ends
}

void call_logic::on_remote_hold(session_handle h, session&, remote_hold change) noexcept {
    log_event(log_level::info,
              change == remote_hold::held ? "held by the peer" : "resumed by the peer",
              {{"call", std::to_string(h.value)}});
    // A bridged call passes the hold to the other leg with a re-INVITE (RFC 6337 §5.3).
    session_handle other;
    if (auto it = peers_.find(h.value); it != peers_.end()) other = session_handle{it->second};
    session* far = other ? layer_.find(other) : nullptr;
    if (far == nullptr) return;
    far->edit_media().hold = change == remote_hold::held;
    (void)layer_.send_refresh(other, refresh_method::reinvite);
}

void call_logic::on_ended(session_handle h, session& s, end_reason why) noexcept {
    remaining_.erase(h.value); // a transfer's target call that failed
    follows_.erase(h.value);
    // The transferred call went away before its transfer finished: the call to the target
    // has nobody left to serve.
    for (auto it = transfers_.begin(); it != transfers_.end();) {
        if (it->second == h) {
            session_handle target{it->first};
            remaining_.erase(it->first);
            it = transfers_.erase(it);
            (void)layer_.terminate(target);
        } else {
            ++it;
        }
    }
    if (auto it = peers_.find(h.value); it != peers_.end()) {
        // A bridged party hung up: so does the other (a call's script does it its own way
        // below; a second terminate of an ending session does nothing).
        session_handle other{it->second};
        unlink(h);
        if (calls_.find(other.value) == calls_.end()) (void)layer_.terminate(other);
    }
    if (auto leg = legs_.find(h.value); leg != legs_.end()) {
        std::uint64_t owner = leg->second;
        legs_.erase(leg);
        if (auto it = calls_.find(owner); it != calls_.end() && !it->second->ended)
            leg_ended(*it->second, s, why);
        return;
    }
    if (auto it = calls_.find(h.value); it != calls_.end()) {
        call& c = *it->second;
        c.ended = true;
        c.wake.cancel();
        c.dial_timeout.cancel();
        if (c.leg) (void)layer_.terminate(c.leg); // the caller hung up: so does the callee
        if (!c.running) calls_.erase(it);
    }
    auto it = transfers_.find(h.value);
    if (it == transfers_.end()) return;
    session_handle transferred = it->second;
    transfers_.erase(it);
    std::uint16_t status = s.final_status();
    notify(transferred, status >= 300 ? status : 487);
}

void call_logic::transfer(session_handle transferred, const ext::transfer_request& t) noexcept {
    auto target = parse_uri(t.target);
    std::optional<socket_address> address;
    if (target && target->is_sip())
        address =
            socket_address::from_numeric(target->host, target->port != 0 ? target->port : 5060);
    if (!address) {
        notify(transferred, 503, "Transfer Target Not Reachable");
        return;
    }
    flow destination;
    destination.protocol = transport_protocol::udp;
    destination.remote = *address;
    outgoing_call placing{
        .request_uri = t.target, .from = settings_.from, .destination = destination};
    // RFC 3892: the triggered INVITE names the transferor; RFC 3891: an attended transfer
    // replaces the transfer target's dialog with the transferor.
    if (!t.referred_by.empty()) placing.headers.emplace_back("Referred-By", t.referred_by);
    if (t.replaces) placing.headers.emplace_back("Replaces", *t.replaces);
    // A bridged call: the party left behind is connected to the target (parleyd is a B2BUA
    // here, not the transferee itself).
    std::optional<session_handle> remaining;
    if (auto it = peers_.find(transferred.value); it != peers_.end()) {
        remaining = session_handle{it->second};
        placing.media = media_like(*remaining);
    }
    auto placed = layer_.call(placing);
    if (!placed) {
        notify(transferred, placed.error_value().status);
        return;
    }
    if (layer_.find(*placed) == nullptr) { // ended at once (the transport refused it)
        notify(transferred, 503, "Transfer Target Not Reachable");
        return;
    }
    transfers_[placed->value] = transferred;
    if (remaining) remaining_[placed->value] = remaining->value;
    if (session* s = layer_.find(*placed))
        s->cookies().add_value<call_start>(call_start_cookie,
                                           call_start{.what = t.target, .outgoing = true});
}

void call_logic::hang_up_all() noexcept {
    for (session_handle h : layer_.handles()) {
        if (session* s = layer_.find(h)) {
            s->cookies().remove(ext::reason_cause_cookie);
            s->cookies().add_value<int>(ext::reason_cause_cookie, 16); // normal clearing
        }
        end_call(h);
    }
}

void call_logic::describe(std::string& out) const {
    auto now = std::chrono::steady_clock::now();
    for (session_handle h : layer_.handles()) {
        session* s = layer_.find(h);
        if (s == nullptr) continue;
        const auto* endpoint = s->cookies().get_value<session_endpoint>(session_endpoint_cookie);
        const auto* start = s->cookies().get_value<call_start>(call_start_cookie);
        std::string codec = "-";
        if (auto audio = media::audio_of(*s))
            if (auto format = audio->context->format_of(audio->id))
                codec = media::codec_name(format->codec);
        long up = 0;
        if (start != nullptr)
            up = static_cast<long>(
                std::chrono::duration_cast<std::chrono::seconds>(now - start->at).count());
        char line[256];
        std::snprintf(line, sizeof line, "%-10llu %-16s %-4s %-9s %-5s %02ld:%02ld:%02ld  %s\n",
                      static_cast<unsigned long long>(h.value),
                      endpoint != nullptr && endpoint->endpoint != nullptr
                          ? endpoint->endpoint->name.c_str()
                          : "-",
                      start != nullptr && start->outgoing ? "out" : "in",
                      state_name(layer_.state(h)), codec.c_str(), up / 3600, up / 60 % 60, up % 60,
                      start != nullptr ? start->what.c_str() : "-");
        out += line;
    }
}

void call_logic::notify(session_handle transferred, std::uint16_t status, std::string_view reason) {
    if (session* s = layer_.find(transferred))
        (void)ext::transfer_supplement::notify(*s, status, reason);
}

// ---- the shared adapters ------------------------------------------------------------------------

request_verdict call_router::incoming_request(session& s, const message& request) noexcept {
    if (request.method() != method::invite || !request.to().tag.empty())
        return request_verdict::proceed(); // in a dialog: routed when the call began
    for (const header_field& h : request.headers())
        if (h.id == header_id::replaces) {
            const auto* endpoint = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
            s.cookies().add_value<call_route>(
                call_route_cookie,
                call_route{endpoint != nullptr ? endpoint->snapshot : nullptr, nullptr,
                           std::string(request.request_uri().user), true});
            return request_verdict::proceed();
        }
    if (stopping_.load(std::memory_order_relaxed))
        return request_verdict::reject(503, "Server Stopping");
    const auto* endpoint = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    if (endpoint == nullptr || endpoint->endpoint == nullptr || endpoint->snapshot == nullptr)
        return request_verdict::reject(404, "No Route");
    const dialplan_context* context = endpoint->snapshot->find_context(endpoint->endpoint->context);
    std::string user(request.request_uri().user);
    const dialplan_extension* extension = context != nullptr ? context->find(user) : nullptr;
    if (extension == nullptr || extension->steps.empty()) return request_verdict::reject(404);
    if (null_media_ || extension->steps.front().action == dialplan_action::no_media)
        s.edit_media().open_media = false;
    s.cookies().add_value<call_route>(call_route_cookie,
                                      call_route{endpoint->snapshot, extension, std::move(user)});
    return request_verdict::proceed();
}

void dtmf_router::on_dtmf(session& s, char digit, std::uint32_t) noexcept {
    if (auto* home = s.cookies().get_value<call_home>(call_home_cookie))
        home->logic->digit(home->handle, digit);
}

ext::transfer_verdict transfer_router::allow(session& s, const ext::transfer_request&) noexcept {
    if (s.cookies().get_value<call_home>(call_home_cookie) == nullptr)
        return ext::transfer_verdict::declined; // a call we placed: not ours to move
    const auto* endpoint = s.cookies().get_value<session_endpoint>(session_endpoint_cookie);
    if (endpoint != nullptr && endpoint->endpoint != nullptr && !endpoint->endpoint->allow_transfer)
        return ext::transfer_verdict::declined; // allow_transfer = no
    return ext::transfer_verdict::accept;
}

void transfer_router::on_transfer(session& s, const ext::transfer_request& t) noexcept {
    if (auto* home = s.cookies().get_value<call_home>(call_home_cookie))
        home->logic->transfer(home->handle, t);
}

} // namespace parley
