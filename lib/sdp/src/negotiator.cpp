#include <parley/sdp/negotiator.hpp>

#include <cstring>
#include <optional>
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

negotiator::parts& negotiator::parts_for_round() {
    if (!parts_) parts_ = std::make_unique<parts>();
    return *parts_;
}

void negotiator::keep_texts(std::string_view sent, std::string_view active) {
    // Into a new block: `sent` may be the old one's.
    std::size_t size = sent.size() + active.size();
    auto block = std::make_unique_for_overwrite<char[]>(size);
    if (!sent.empty()) std::memcpy(block.get(), sent.data(), sent.size());
    if (!active.empty()) std::memcpy(block.get() + sent.size(), active.data(), active.size());
    texts_ = std::move(block);
    texts_size_ = static_cast<std::uint32_t>(size);
    sent_size_ = static_cast<std::uint32_t>(sent.size());
}

void negotiator::release_parts_when_empty() noexcept {
    if (parts_ && !parts_->active_local && !parts_->active_remote && !parts_->pending_local &&
        !parts_->pending_remote)
        parts_.reset();
}

namespace {
// Our texts were serialized by us (parse(serialize(d)) == d), so only a limit could make them
// fail to parse again: none applies to them.
constexpr parse_options unlimited{
    .max_bytes = std::size_t(-1), .max_media = std::size_t(-1), .max_attributes = std::size_t(-1)};
} // namespace

void negotiator::stamp(session_description& outgoing) const {
    if (sent_size_ == 0) return; // the first description we send sets username, id and version
    // What we sent last: the active local description, or an offer of ours that was cancelled
    // (kept only as text: parsed again here, which happens only after such a cancel).
    std::optional<session_description> cancelled;
    const session_description* previous = nullptr;
    if (sent_is_active_) {
        previous = active_local();
    } else if (auto parsed = session_description::parse(local_text(), unlimited)) {
        cancelled = std::move(*parsed);
        previous = &*cancelled;
    }
    if (previous == nullptr) return;
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
    // The active local (if any) is parsed now (active_local() above), so its text can go.
    keep_texts(offer.serialize());
    sent_is_active_ = false;
    parts_for_round().pending_local = std::make_unique<session_description>(std::move(offer));
    state_ = negotiator_state::local_offer;
    return {};
}

result<void> negotiator::receive_remote_offer(session_description offer) {
    if (state_ == negotiator_state::local_offer)
        // RFC 3261 §14.2 / RFC 3264 §4: offers crossed (glare).
        return fail(status_request_pending, "SDP: offer received while our offer is pending");
    if (state_ != negotiator_state::null && state_ != negotiator_state::done)
        return fail(status_server_internal_error, "SDP: offer received before answering the last");
    if (state_ == negotiator_state::done)
        PARLEY_TRY(validate_new_offer(remote_media_, offer)); // §8, 488
    parts_for_round().pending_remote = std::make_unique<session_description>(std::move(offer));
    state_ = negotiator_state::remote_offer;
    return {};
}

result<void> negotiator::set_local_answer(session_description answer) {
    if (state_ != negotiator_state::remote_offer)
        return fail(status_server_internal_error, "SDP: no remote offer to answer");
    // RFC 3264 §6: same m-lines, same order; declined streams keep their m-line with port 0.
    if (auto ok = validate_answer(*parts_->pending_remote, answer); !ok)
        return as_local_error(ok.error_value());
    // The active local is parsed back (when parked) before its text is replaced below.
    (void)active_local();
    stamp(answer);
    keep_texts(answer.serialize());
    sent_is_active_ = false;
    parts_->pending_local = std::make_unique<session_description>(std::move(answer));
    state_ = negotiator_state::wait_negotiate;
    return {};
}

result<void> negotiator::receive_remote_answer(session_description answer) {
    if (state_ != negotiator_state::local_offer)
        return fail(status_bad_request, "SDP: answer received without a pending offer");
    // RFC 3264 §7: the offerer checks the answer against its offer (488 on mismatch).
    PARLEY_TRY(validate_answer(*parts_->pending_local, answer));
    parts_->pending_remote = std::make_unique<session_description>(std::move(answer));
    state_ = negotiator_state::wait_negotiate;
    return {};
}

result<void> negotiator::negotiate() {
    if (state_ != negotiator_state::wait_negotiate)
        return fail(status_server_internal_error, "SDP: nothing to negotiate");
    // The round completes: the offer and answer in flight become the session's descriptions
    // (and the local one is what we sent last: local_text()).
    parts_->active_local = std::move(parts_->pending_local);
    parts_->active_remote = std::move(parts_->pending_remote);
    remote_media_ = static_cast<std::uint32_t>(parts_->active_remote->media().size());
    sent_is_active_ = true;
    parked_ = false;
    state_ = negotiator_state::done;
    return {};
}

result<void> negotiator::cancel_offer() {
    if (state_ != negotiator_state::local_offer && state_ != negotiator_state::remote_offer)
        return fail(status_server_internal_error, "SDP: no pending offer to cancel");
    // The previous agreement (if any) stays in force (RFC 3261 §14.1: a failed re-INVITE
    // leaves the session as it was). A cancelled offer of ours stays the last one we sent
    // (local_text()); the active local description was parsed back when it was stamped.
    parts_->pending_local.reset();
    parts_->pending_remote.reset();
    bool agreed = parts_->active_local || parked_;
    release_parts_when_empty();
    state_ = agreed ? negotiator_state::done : negotiator_state::null;
    return {};
}

void negotiator::park() {
    if (parked_ || state_ != negotiator_state::done || !parts_ || !parts_->active_local) return;
    // After a cancelled offer of ours local_text() is that offer's: the active local's text
    // goes after it, in the same block.
    if (!sent_is_active_) {
        keep_texts(local_text(), parts_->active_local->serialize());
    }
    parts_->active_local.reset();
    parts_->active_remote.reset();
    release_parts_when_empty();
    parked_ = true;
}

void negotiator::unpark() const noexcept {
    if (!parked_) return;
    parked_ = false;
    if (auto local = session_description::parse(active_local_text(), unlimited)) {
        if (!parts_) parts_ = std::make_unique<parts>();
        parts_->active_local = std::make_unique<session_description>(std::move(*local));
    }
}

session_description negotiator::next_offer_base() const {
    if (const session_description* active = active_local()) return *active;
    if (sent_size_ != 0)
        if (auto sent = session_description::parse(local_text(), unlimited)) return *sent;
    return session_description{};
}

} // namespace parley::sdp
