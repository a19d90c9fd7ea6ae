#include <parley/session/session.hpp>

#include <parley/sdp/offer_answer.hpp>

#include <array>

namespace parley {
namespace {

bool method_matches(const supplement_options& o, method m) noexcept {
    return o.methods.empty() || o.methods.contains(m);
}

method method_of(const outgoing_message& m) noexcept {
    return method_from_token(m.method());
}

} // namespace

session::session(std::shared_ptr<const extension_snapshot> extensions, session_options options)
    : extensions_(std::move(extensions)), id_(options.id),
      sdp_username_(options.sdp_username.data()), sdp_address_(options.sdp_address.data()),
      sdp_username_size_(static_cast<std::uint32_t>(options.sdp_username.size())),
      sdp_address_size_(static_cast<std::uint32_t>(options.sdp_address.size())) {}

const media_preferences session::default_media{};

media_preferences& session::edit_media() {
    if (!media_) media_ = std::make_unique<media_preferences>();
    return *media_;
}

session::~session() {
    end();
}

void session::begin() noexcept {
    if (begun_ || ended_) return;
    begun_ = true;
    for (const auto& s : extensions_->supplements) s.hooks->session_begin(*this);
}

void session::end() noexcept {
    if (ended_) return;
    ended_ = true;
    for (std::size_t i = 0; i < streams_.size(); ++i) stop(i);
    // The seed: session_end for every supplement of a session that began; then cookies go.
    if (begun_)
        for (const auto& s : extensions_->supplements) s.hooks->session_end(*this);
    cookies_.clear();
}

request_verdict session::incoming_request(const message& request,
                                          request_responder* responder) noexcept {
    request_responder* outer = responder_;
    responder_ = responder;
    request_verdict verdict = request_verdict::proceed();
    for (const auto& s : extensions_->supplements) {
        if (!method_matches(s.options, request.method())) continue;
        verdict = s.hooks->incoming_request(*this, request);
        if (!verdict.proceeds()) break;
    }
    responder_ = outer;
    return verdict;
}

result<void> session::respond(std::uint16_t status, std::string_view reason,
                              const response_extras& extras) {
    if (responder_ == nullptr) return fail(500, "No Request to Answer");
    return responder_->respond(status, reason, extras);
}

result<void> session::send_request(std::string_view m, const response_extras& extras,
                                   dialog_requester::response_callback done) {
    switch (method_from_token(m)) {
    case method::invite:
    case method::ack:
    case method::cancel:
    case method::prack:
    case method::bye: return fail(500, "The Session Layer Sends This Method Itself");
    default: break;
    }
    if (requester_ == nullptr || ended_) return fail(481, "No Dialog");
    return requester_->send_request(m, extras, std::move(done));
}

void session::incoming_response(const message& response, response_phase phase) noexcept {
    for (const auto& s : extensions_->supplements)
        if (s.options.phases.contains(phase) && method_matches(s.options, response.cseq().method))
            s.hooks->incoming_response(*this, response, phase);
}

void session::outgoing_request(outgoing_message& request) noexcept {
    method m = method_of(request);
    for (const auto& s : extensions_->supplements)
        if (method_matches(s.options, m)) s.hooks->outgoing_request(*this, request);
}

void session::outgoing_response(outgoing_message& response) noexcept {
    // A response carries the method of the request it answers (outgoing_message::method()).
    method m = method_of(response);
    for (const auto& s : extensions_->supplements)
        if (method_matches(s.options, m)) s.hooks->outgoing_response(*this, response);
}

sdp::session_description session::skeleton() const {
    // RFC 8866 §5: v=, o=, s=, t= are required; the negotiator stamps the o= version.
    sdp::session_description d;
    sdp::origin_field origin;
    origin.username = std::string_view(sdp_username_, sdp_username_size_);
    std::string session_id = std::to_string(id_);
    origin.session_id = session_id;
    origin.session_version = 1;
    origin.network_type = "IN";
    std::string_view address = media().address.empty()
                                   ? std::string_view(sdp_address_, sdp_address_size_)
                                   : media().address;
    origin.address_type = address.find(':') == std::string_view::npos ? "IP4" : "IP6";
    origin.address = address;
    d.set_origin(origin);
    d.set_session_name("-");
    d.add_timing({0, 0});
    return d;
}

void session::fill_session_connection(sdp::session_description& d) {
    // Every m-line needs a c= (its own or the session's, RFC 8866 §5.7). Handlers write their
    // own; a declined stream has none, so the first stream's goes to session level too.
    if (d.connection()) return;
    for (const auto& m : d.media())
        if (!m.connections.empty()) {
            d.set_connection(m.connections[0]);
            return;
        }
}

result<sdp::session_description> session::answer_offer(const sdp::session_description& offer) {
    sdp::session_description answer = skeleton();
    std::vector<stream> streams = streams_;
    if (streams.size() < offer.media().size()) streams.resize(offer.media().size());
    bool any_accepted = false;
    std::uint32_t audio_accepted = 0; ///< media_preferences::max_audio_streams counts these
    for (std::size_t i = 0; i < offer.media().size(); ++i) {
        const sdp::media_description& offered = offer.media()[i];
        sdp_handler* taker = nullptr;
        auto ask = [&](sdp_handler& h) -> result<bool> {
            stream_verdict v = h.answer_stream(*this, offer, i, answer);
            if (v == stream_verdict::failed) return fail(488, "Not Acceptable Here");
            if (v == stream_verdict::not_handled) {
                if (answer.media().size() != i) return fail(500, "SDP Handler Broke the Answer");
                return false;
            }
            if (answer.media().size() != i + 1) return fail(500, "SDP Handler Broke the Answer");
            return true;
        };
        if (streams[i].handler != nullptr && streams[i].type == offered.media) {
            // The handler attached to this index keeps it (a later offer of the same stream).
            auto took = ask(*streams[i].handler);
            if (!took) return fail(took.error_value());
            if (*took) taker = streams[i].handler;
        } else if (offered.port != 0 &&
                   !(offered.media == "audio" && media().max_audio_streams != 0 &&
                     audio_accepted >= media().max_audio_streams)) {
            if (const auto* chain = extensions_->handlers_for(offered.media)) {
                for (const auto& entry : *chain) {
                    auto took = ask(*entry.handler);
                    if (!took) return fail(took.error_value());
                    if (*took) {
                        taker = entry.handler.get();
                        break;
                    }
                }
            }
        }
        if (taker == nullptr) {
            sdp::add_declined_stream(answer, offered); // RFC 3264 §6: port 0
        } else {
            any_accepted = any_accepted || answer.media()[i].port != 0;
            if (offered.media == "audio" && answer.media()[i].port != 0) ++audio_accepted;
        }
        streams[i] = {taker, std::string(offered.media)};
    }
    if (!any_accepted) return fail(488, "No Acceptable Media");
    fill_session_connection(answer);
    // Commit: from now on these handlers own these indexes; one that lost its stream stops.
    for (std::size_t i = 0; i < streams_.size(); ++i)
        if (streams_[i].handler != nullptr && streams_[i].handler != streams[i].handler) stop(i);
    streams_ = std::move(streams);
    return answer;
}

result<sdp::session_description> session::create_offer(const sdp::session_description* last_local) {
    sdp::session_description offer = skeleton();
    std::vector<stream> streams = streams_;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        const sdp::media_description* previous =
            last_local != nullptr && i < last_local->media().size() ? &last_local->media()[i]
                                                                    : nullptr;
        if (streams[i].handler != nullptr) {
            stream_verdict v = streams[i].handler->offer_stream(*this, offer, i, previous);
            if (v == stream_verdict::failed) return fail(488, "Not Acceptable Here");
            if (v == stream_verdict::handled && offer.media().size() == i + 1) continue;
            if (offer.media().size() != i) return fail(500, "SDP Handler Broke the Offer");
            streams[i].handler = nullptr; // it gave the stream up: declined from now on
        }
        // RFC 3264 §8: m-lines are never removed; a declined one is offered with port 0.
        if (previous != nullptr)
            sdp::add_declined_stream(offer, *previous);
        else // RFC 8866 §5.14: an m= line needs a format even when declined
            offer.add_media(streams[i].type, 0, "RTP/AVP", std::array<std::string_view, 1>{"0"});
    }
    if (streams.empty()) {
        for (const auto& type : extensions_->stream_types) {
            for (const auto& entry : type.handlers) {
                std::size_t index = offer.media().size();
                stream_verdict v = entry.handler->offer_stream(*this, offer, index, nullptr);
                if (v == stream_verdict::failed) return fail(488, "Not Acceptable Here");
                if (v == stream_verdict::not_handled) {
                    if (offer.media().size() != index)
                        return fail(500, "SDP Handler Broke the Offer");
                    continue;
                }
                if (offer.media().size() != index + 1)
                    return fail(500, "SDP Handler Broke the Offer");
                streams.push_back({entry.handler.get(), type.name});
                break; // one stream per type from the first handler that adds one
            }
        }
    }
    if (offer.media().empty()) return fail(488, "No Media to Offer");
    fill_session_connection(offer);
    streams_ = std::move(streams);
    return offer;
}

void session::apply_negotiated(const sdp::session_description& local,
                               const sdp::session_description& remote) noexcept {
    for (std::size_t i = 0; i < streams_.size(); ++i) {
        if (streams_[i].handler == nullptr) continue;
        bool declined = i >= local.media().size() || i >= remote.media().size() ||
                        local.media()[i].port == 0 || remote.media()[i].port == 0;
        if (declined) {
            stop(i);
            continue;
        }
        streams_[i].handler->apply_stream(*this, local, remote, i);
    }
}

const sdp_handler* session::stream_handler(std::size_t index) const noexcept {
    return index < streams_.size() ? streams_[index].handler : nullptr;
}

void session::stop(std::size_t index) noexcept {
    if (streams_[index].handler == nullptr) return;
    sdp_handler* h = streams_[index].handler;
    streams_[index].handler = nullptr;
    h->stop_stream(*this, index);
}

} // namespace parley
