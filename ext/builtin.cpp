#include <parley/ext/builtin.hpp>

#include <memory>

namespace parley::ext {

std::vector<registration> register_builtin(extension_registry& registry,
                                           const builtin_options& options) {
    std::vector<registration> out;
    // Supplements, in the order they run.
    out.push_back(registry.add_supplement(std::make_shared<info_dtmf_supplement>(options.dtmf),
                                          {.name = "info-dtmf", .methods = {method::info}}));
    out.push_back(registry.add_supplement(
        options.transfer ? options.transfer : std::make_shared<transfer_supplement>(),
        {.name = "transfer", .methods = {method::refer, method::notify, method::subscribe}}));
    out.push_back(registry.add_supplement(std::make_shared<reason_supplement>(),
                                          {.name = "reason",
                                           .methods = {method::invite, method::bye, method::cancel},
                                           .phases = {response_phase::before_media}}));
    // SDP handlers, per stream type, in the order they are asked.
    if (options.audio == audio_handler::null_media)
        out.push_back(registry.add_sdp_handler(
            "audio", std::make_shared<null_media>(options.null_media), "null-media"));
    return out;
}

} // namespace parley::ext
