// sdp_handler: the party responsible for one kind of media stream in a session's SDP (the seed's
// ast_sip_session_sdp_handler, grown with what Asterisk learned: apply and stop).
//
// Handlers are registered per stream type ("audio", "video", "image", "application", ...) in
// order (extension_registry::add_sdp_handler). For each m-line of an offer we receive, the
// handlers of its type are asked in order until one answers `handled`; `not_handled` passes to
// the next; `failed` abandons the whole negotiation (the offer is rejected with 488). A stream no
// handler takes is declined (port 0). For an offer we create, each handler may add its stream
// with the same three outcomes. The handler that takes a stream index stays attached to it for
// every later offer of the session; m-lines are never removed, only declined.
//
// One handler object serves every session on every shard: keep per-stream state in the
// session's cookies. Hooks are noexcept and run on the session's shard.
#pragma once

#include <parley/sdp/description.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace parley {

class session;

/// What a handler says about a stream; each value says what the session core does next.
enum class stream_verdict : std::uint8_t {
    not_handled, ///< not mine: ask the next handler of this stream type (none left: decline it)
    handled,     ///< mine: I appended my m-line; I own this stream index from now on
    failed,      ///< abandon this negotiation: an offer we received is rejected with 488
};

class sdp_handler {
public:
    virtual ~sdp_handler() = default;

    /// The m-line `index` of an offer we received. To take it, append exactly one m-line (the
    /// answer to it, RFC 3264 §6) to `answer` and return handled.
    virtual stream_verdict answer_stream(session& s, const sdp::session_description& offer,
                                         std::size_t index,
                                         sdp::session_description& answer) noexcept = 0;

    /// An offer we are creating. To take part, append exactly one m-line to `offer` and return
    /// handled. `index` is the position that m-line will have; `previous` is this handler's
    /// m-line in our last offer or answer when the stream exists already (a re-offer).
    virtual stream_verdict offer_stream(session& s, sdp::session_description& offer,
                                        std::size_t index,
                                        const sdp::media_description* previous) noexcept = 0;

    /// The offer/answer exchange completed: stream `index` now runs as `local` (what we sent)
    /// and `remote` (what the peer sent) say.
    virtual void apply_stream(session& s, const sdp::session_description& local,
                              const sdp::session_description& remote, std::size_t index) noexcept {
        (void)s;
        (void)local;
        (void)remote;
        (void)index;
    }

    /// Stream `index` stopped (declined by a later exchange, or the session ended).
    virtual void stop_stream(session& s, std::size_t index) noexcept {
        (void)s;
        (void)index;
    }
};

} // namespace parley
