// The one visible catalogue of Parley's built-in extensions: what register_builtin() adds to
// an extension_registry, in order. Adding an extension means adding it here.
#pragma once

#include <parley/ext/null_media.hpp>
#include <parley/session/extensions.hpp>

#include <vector>

namespace parley::ext {

struct builtin_options {
    null_media_options null_media{};
};

/// Registers every built-in supplement and SDP handler; they stay registered while the
/// returned registrations live.
std::vector<registration> register_builtin(extension_registry& registry,
                                           const builtin_options& options);

} // namespace parley::ext
