// negotiator: the RFC 3264 offer/answer state machine of one session (modelled on pjmedia
// sdp_neg.h).
//
// It decides nothing about codecs: the session layer builds offers and answers (with the
// helpers in offer_answer.hpp) and hands them in; the negotiator checks that each step is
// allowed now, validates what the peer sent against what was offered, stamps the o= line of
// what we send (RFC 3264 §8: username and session id fixed, version +1 exactly when the content
// changed) and, when a round completes, keeps the active local and remote descriptions.
//
//                 set_local_offer              receive_remote_offer
//        +------------------------ [null] ------------------------+
//        |                           ^ cancel_offer (nothing       |
//        v                           | agreed yet)                 v
//   [local_offer]                    |                       [remote_offer]
//     |  receive_remote_answer (§5, §7)                        |  set_local_answer (§6)
//     |  cancel_offer -> done / null |                         |  cancel_offer -> done / null
//     +--------------------> [wait_negotiate] <----------------+
//                                    |  negotiate
//                                    v
//                                 [done]  -- set_local_offer (§8) -------> [local_offer]
//                                         -- receive_remote_offer (§8) --> [remote_offer]
//
// Ownership: the negotiator owns copies of every description handed to it (they are moved
// in). Errors never change the state. Single-threaded: it belongs to its session's shard.
//
// Memory: a held call needs its agreed descriptions only when the next offer or answer comes,
// and RFC 3264 §8 needs little of them then: our own as we sent it (the base of our next offer,
// and what its o= line is stamped against) and the peer's m-line count (a new offer of theirs
// may not remove m-lines). So park() keeps just that: the text we sent (a few hundred bytes
// instead of two parsed descriptions of 1-2 KB each) and a count; active_local() parses our text
// back on first use, active_remote() is null from then on. The parsed descriptions of a round
// live in one part allocated while a round needs them. What we send is serialized once, by the
// negotiator (local_text()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <parley/base/result.hpp>
#include <parley/sdp/description.hpp>

namespace parley::sdp {

enum class negotiator_state : std::uint8_t {
    null,           ///< no offer yet and nothing agreed
    local_offer,    ///< we sent an offer; waiting for the answer
    remote_offer,   ///< we received an offer; we owe an answer
    wait_negotiate, ///< offer and answer are both known; negotiate() commits them
    done,           ///< an offer/answer round completed; active descriptions are set
};

std::string_view to_string(negotiator_state s) noexcept;

class negotiator {
public:
    negotiator() = default;

    negotiator_state state() const noexcept { return state_; }

    /// RFC 3264 §5 (first offer, from null) and §8 (new offer, from done): null/done ->
    /// local_offer. The offer is stamped (see header) and kept as pending_local(), which is
    /// what to send. A new offer must keep every m-line of the active one (§8).
    /// Errors: 500 in another state or for a §8 violation.
    result<void> set_local_offer(session_description offer);

    /// RFC 3264 §5/§8: null/done -> remote_offer. A re-offer that removes m-lines fails with
    /// 488. In local_offer the error is 491 (glare, RFC 3261 §14.2), in remote_offer or
    /// wait_negotiate 500 (an offer is already being answered).
    result<void> receive_remote_offer(session_description offer);

    /// RFC 3264 §6: remote_offer -> wait_negotiate. The answer must match the offer's m-lines
    /// (validate_answer); it is stamped and kept as pending_local(). Errors: 500.
    result<void> set_local_answer(session_description answer);

    /// RFC 3264 §7 (the offerer receives the answer): local_offer -> wait_negotiate. A
    /// mismatched answer fails with 488 and leaves the offer pending (cancel_offer() or a new
    /// offer after cancel decides what next). 400 without a pending local offer.
    result<void> receive_remote_answer(session_description answer);

    /// wait_negotiate -> done: the pending offer and answer become the active descriptions.
    result<void> negotiate();

    /// Abandons the pending offer (ours, e.g. a re-INVITE answered 488; or theirs, which we
    /// reject): local_offer/remote_offer -> done, or -> null when nothing was agreed before.
    result<void> cancel_offer();

    /// The descriptions of the last completed round (null before the first). After park()
    /// active_local() parses our text back on first use and active_remote() is null (only its
    /// m-line count is kept). A pointer stays valid until the next park() or state change.
    const session_description* active_local() const noexcept {
        unpark();
        return parts_ ? parts_->active_local.get() : nullptr;
    }
    const session_description* active_remote() const noexcept {
        return parts_ ? parts_->active_remote.get() : nullptr;
    }

    /// What we sent last: the stamped pending_local(), serialized once when it was set; after a
    /// completed round, the active local description's; after cancel_offer() of ours, the
    /// cancelled offer's (RFC 3264 §8 stamps the next one against it).
    std::string_view local_text() const noexcept { return {texts_.get(), sent_size_}; }

    /// In done: drops the parsed descriptions, keeping our text and the peer's m-line count
    /// (see the header). A no-op in other states.
    void park();
    bool parked() const noexcept { return parked_; }
    /// The offer or answer in flight (stamped local; received remote), or null.
    const session_description* pending_local() const noexcept {
        return parts_ ? parts_->pending_local.get() : nullptr;
    }
    const session_description* pending_remote() const noexcept {
        return parts_ ? parts_->pending_remote.get() : nullptr;
    }

    /// The base of a new offer: a copy of the active local description, else of the last one
    /// we sent; an empty description when we never sent anything.
    session_description next_offer_base() const;

private:
    /// The parsed descriptions: allocated while any is set (an established call keeps none).
    struct parts {
        std::unique_ptr<session_description> active_local;
        std::unique_ptr<session_description> active_remote;
        std::unique_ptr<session_description> pending_local;
        std::unique_ptr<session_description> pending_remote;
    };
    parts& parts_for_round();
    void release_parts_when_empty() noexcept;
    /// Our text of the active local description (the tail of texts_ after a cancelled offer).
    std::string_view active_local_text() const noexcept {
        return sent_is_active_
                   ? local_text()
                   : std::string_view(texts_.get() + sent_size_, texts_size_ - sent_size_);
    }
    /// Keeps `sent` (and, when given, the active local's text after it) as texts_.
    void keep_texts(std::string_view sent, std::string_view active = {});
    void stamp(session_description& outgoing) const;
    void unpark() const noexcept;

    negotiator_state state_ = negotiator_state::null;
    mutable bool parked_ = false;    ///< the active local is only in its text, the remote a count
    bool sent_is_active_ = false;    ///< local_text() is the active local description's
    std::uint32_t remote_media_ = 0; ///< the active remote's m-line count (RFC 3264 §8)
    std::uint32_t sent_size_ = 0;    ///< local_text() is texts_'s first sent_size_ bytes
    std::uint32_t texts_size_ = 0;
    /// What we sent last, then (only when parked after a cancelled offer of ours) the active
    /// local description's text: one block.
    /// Exactly as large as the texts: a serialized std::string has room to spare (its size is
    /// estimated ahead) and 24 bytes of its own.
    std::unique_ptr<char[]> texts_;
    mutable std::unique_ptr<parts> parts_;
};

} // namespace parley::sdp
