#include <parley/sdp/negotiator.hpp>

#include <utility>

#include <parley/sdp/offer_answer.hpp>

namespace parley::sdp {

namespace {
constexpr std::uint16_t status_bad_request = 400;
constexpr std::uint16_t status_server_internal_error = 500;
constexpr std::uint16_t status_request_pending = 491;

// A rule our own description broke is our bug, not the peer's: answer 500, keep the reason.
unexpected as_local_error(const error& e) {
    return fail(status_server_internal_error, e.reason, e.offset);
}
} // namespace

std::string_view to_string(negotiator_state s) noexcept {
    switch (s) {
    case negotiator_state::null: return "null";
    case negotiator_state::local_offer: return "local_offer";
    case negotiator_state::remote_offer: return "remote_offer";
    case negotiator_state::wait_negotiate: return "wait_negotiate";
    case negotiator_state::done: return "done";
    }
    return "null";
}

void negotiator::stamp(session_description& outgoing) const {
    // What we sent last: a cancelled offer of ours, else the active local description.
    const session_description* previous = last_sent_ ? last_sent_.get() : active_local();
    if (previous == nullptr) return; // the first description we send sets username, id and version
    // RFC 3264 §8: the o= line stays the same except the version, which is incremented by one
    // when anything changed since the last description we sent, and kept otherwise.
    origin_field origin = outgoing.origin();
    origin.username = previous->origin().username;
    origin.session_id = previous->origin().session_id;
    origin.session_version = previous->origin().session_version;
    outgoing.set_origin(origin);
    if (!outgoing.same_content_as(*previous))
        outgoing.set_session_version(origin.session_version + 1);
}

result<void> negotiator::set_local_offer(session_description offer) {
    if (state_ != negotiator_state::null && state_ != negotiator_state::done)
        return fail(status_server_internal_error, "SDP: cannot offer while an offer is pending");
    if (const session_description* active = active_local()) {
        // RFC 3264 §8: m-lines are never removed from a later offer, only set to port 0.
        if (auto ok = validate_new_offer(*active, offer); !ok)
            return as_local_error(ok.error_value());
    }
    stamp(offer);
    local_text_ = offer.serialize();
    pending_local_ = std::make_unique<session_description>(std::move(offer));
    last_sent_.reset(); // pending_local_ is now what we sent last
    state_ = negotiator_state::local_offer;
    return {};
}

result<void> negotiator::receive_remote_offer(session_description offer,
                                              std::string_view received) {
    if (state_ == negotiator_state::local_offer)
        // RFC 3261 §14.2 / RFC 3264 §4: offers crossed (glare).
        return fail(status_request_pending, "SDP: offer received while our offer is pending");
    if (state_ != negotiator_state::null && state_ != negotiator_state::done)
        return fail(status_server_internal_error, "SDP: offer received before answering the last");
    if (const session_description* active = active_remote())
        PARLEY_TRY(validate_new_offer(*active, offer)); // §8, 488
    pending_remote_ = std::make_unique<session_description>(std::move(offer));
    pending_remote_text_.assign(received);
    state_ = negotiator_state::remote_offer;
    return {};
}

result<void> negotiator::set_local_answer(session_description answer) {
    if (state_ != negotiator_state::remote_offer)
        return fail(status_server_internal_error, "SDP: no remote offer to answer");
    // RFC 3264 §6: same m-lines, same order; declined streams keep their m-line with port 0.
    if (auto ok = validate_answer(*pending_remote_, answer); !ok)
        return as_local_error(ok.error_value());
    stamp(answer);
    local_text_ = answer.serialize();
    pending_local_ = std::make_unique<session_description>(std::move(answer));
    last_sent_.reset();
    state_ = negotiator_state::wait_negotiate;
    return {};
}

result<void> negotiator::receive_remote_answer(session_description answer,
                                               std::string_view received) {
    if (state_ != negotiator_state::local_offer)
        return fail(status_bad_request, "SDP: answer received without a pending offer");
    // RFC 3264 §7: the offerer checks the answer against its offer (488 on mismatch).
    PARLEY_TRY(validate_answer(*pending_local_, answer));
    pending_remote_ = std::make_unique<session_description>(std::move(answer));
    pending_remote_text_.assign(received);
    state_ = negotiator_state::wait_negotiate;
    return {};
}

result<void> negotiator::negotiate() {
    if (state_ != negotiator_state::wait_negotiate)
        return fail(status_server_internal_error, "SDP: nothing to negotiate");
    // The round completes: the offer and answer in flight become the session's descriptions
    // (and the local one is what we sent last).
    active_local_ = std::move(pending_local_);
    active_remote_ = std::move(pending_remote_);
    active_remote_text_.swap(pending_remote_text_);
    pending_remote_text_.clear();
    parked_ = false;
    state_ = negotiator_state::done;
    return {};
}

result<void> negotiator::cancel_offer() {
    if (state_ != negotiator_state::local_offer && state_ != negotiator_state::remote_offer)
        return fail(status_server_internal_error, "SDP: no pending offer to cancel");
    // The previous agreement (if any) stays in force (RFC 3261 §14.1: a failed re-INVITE
    // leaves the session as it was). A cancelled offer of ours stays the last one we sent.
    if (pending_local_) last_sent_ = std::move(pending_local_);
    pending_remote_.reset();
    pending_remote_text_.clear();
    state_ = active_local_ || parked_ ? negotiator_state::done : negotiator_state::null;
    return {};
}

void negotiator::park() {
    // A cancelled offer of ours keeps local_text_ for itself: the active local then has no text.
    if (parked_ || state_ != negotiator_state::done || last_sent_ || !active_local_ ||
        !active_remote_)
        return;
    if (active_remote_text_.empty()) active_remote_text_ = active_remote_->serialize();
    active_local_.reset();
    active_remote_.reset();
    parked_ = true;
}

void negotiator::unpark() const noexcept {
    if (!parked_) return;
    parked_ = false;
    // Both texts parsed before (ours is our own serialization: parse(serialize(d)) == d; theirs
    // parsed when it arrived), so only a limit could make them fail now: none applies here.
    static constexpr parse_options unlimited{.max_bytes = std::size_t(-1),
                                             .max_media = std::size_t(-1),
                                             .max_attributes = std::size_t(-1)};
    if (auto local = session_description::parse(local_text_, unlimited))
        active_local_ = std::make_unique<session_description>(std::move(*local));
    if (auto remote = session_description::parse(active_remote_text_, unlimited))
        active_remote_ = std::make_unique<session_description>(std::move(*remote));
}

session_description negotiator::next_offer_base() const {
    if (const session_description* active = active_local()) return *active;
    if (last_sent_) return *last_sent_;
    return session_description{};
}

} // namespace parley::sdp
