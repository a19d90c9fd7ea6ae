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
// so park() keeps them as text (what we sent, what the peer sent: a few hundred bytes instead of
// two parsed descriptions of 1-2 KB each) and active_local()/active_remote() parse them back on
// first use. What we send is serialized once, by the negotiator (local_text()).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
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
    /// wait_negotiate 500 (an offer is already being answered). `received` is the text `offer`
    /// was parsed from (with default parse_options, unmodified since), kept for park(); empty
    /// means park() serializes the description instead.
    result<void> receive_remote_offer(session_description offer, std::string_view received = {});

    /// RFC 3264 §6: remote_offer -> wait_negotiate. The answer must match the offer's m-lines
    /// (validate_answer); it is stamped and kept as pending_local(). Errors: 500.
    result<void> set_local_answer(session_description answer);

    /// RFC 3264 §7 (the offerer receives the answer): local_offer -> wait_negotiate. A
    /// mismatched answer fails with 488 and leaves the offer pending (cancel_offer() or a new
    /// offer after cancel decides what next). 400 without a pending local offer. `received` as
    /// for receive_remote_offer.
    result<void> receive_remote_answer(session_description answer, std::string_view received = {});

    /// wait_negotiate -> done: the pending offer and answer become the active descriptions.
    result<void> negotiate();

    /// Abandons the pending offer (ours, e.g. a re-INVITE answered 488; or theirs, which we
    /// reject): local_offer/remote_offer -> done, or -> null when nothing was agreed before.
    result<void> cancel_offer();

    /// The descriptions of the last completed round (null before the first). After park() the
    /// first call parses them back; a pointer stays valid until the next park() or state change.
    const session_description* active_local() const noexcept {
        unpark();
        return opt(active_local_);
    }
    const session_description* active_remote() const noexcept {
        unpark();
        return opt(active_remote_);
    }

    /// What we send (the stamped pending_local(), serialized once when it was set); after a
    /// completed round, the active local description's text.
    const std::string& local_text() const noexcept { return local_text_; }

    /// In done: keeps the active descriptions as text only (see the header). A no-op in other
    /// states and when a cancelled offer of ours is kept for stamping.
    void park();
    bool parked() const noexcept { return parked_; }
    /// The offer or answer in flight (stamped local; received remote), or null.
    const session_description* pending_local() const noexcept { return opt(pending_local_); }
    const session_description* pending_remote() const noexcept { return opt(pending_remote_); }

    /// The base of a new offer: a copy of the active local description, else of the last one
    /// we sent; an empty description when we never sent anything.
    session_description next_offer_base() const;

private:
    static const session_description* opt(const std::unique_ptr<session_description>& d) noexcept {
        return d.get();
    }
    void stamp(session_description& outgoing) const;
    void unpark() const noexcept;

    // Held by pointer: a negotiator lives in every session, and most of its slots are empty
    // most of the time (an established call keeps only the two active descriptions).
    negotiator_state state_ = negotiator_state::null;
    mutable bool parked_ = false; ///< the active descriptions are only in their texts
    mutable std::unique_ptr<session_description> active_local_;
    mutable std::unique_ptr<session_description> active_remote_;
    std::unique_ptr<session_description> pending_local_;
    std::unique_ptr<session_description> pending_remote_;
    /// The last description we sent when it is neither pending_local_ nor active_local_ (an
    /// offer of ours that was cancelled), for RFC 3264 §8 version stamping.
    std::unique_ptr<session_description> last_sent_;
    std::string local_text_;          ///< pending_local_ serialized, then active_local_'s
    std::string pending_remote_text_; ///< as received, or empty
    std::string active_remote_text_;  ///< as received, or serialized by park()
};

} // namespace parley::sdp
