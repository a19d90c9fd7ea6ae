// The one visible catalogue of Parley's built-in extensions: what register_builtin() adds to
// an extension_registry, in order. Adding an extension means adding it here.
#pragma once

#include <parley/ext/info_dtmf.hpp>
#include <parley/ext/null_media.hpp>
#include <parley/ext/reason.hpp>
#include <parley/ext/transfer.hpp>
#include <parley/session/extensions.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace parley::ext {

/// Which "audio" SDP handler the catalogue registers.
enum class audio_handler : std::uint8_t {
    null_media, ///< signalling only (benchmarks, tests): negotiates, opens no socket
    none,       ///< the caller registers its own (parleyd registers the media layer's RTP echo)
};

struct builtin_options {
    audio_handler audio = audio_handler::null_media;
    null_media_options null_media{};
    /// The transfer supplement to register (the application makes it with its
    /// transfer_events, and keeps it to send REFER); none: one that declines every REFER.
    std::shared_ptr<transfer_supplement> transfer;
    dtmf_listener* dtmf = nullptr; ///< hears INFO DTMF digits (borrowed; none: cookie only)
};

/// Registers every built-in supplement and SDP handler; they stay registered while the
/// returned registrations live.
std::vector<registration> register_builtin(extension_registry& registry,
                                           const builtin_options& options);

} // namespace parley::ext
