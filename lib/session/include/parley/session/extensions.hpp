// extension_registry: where supplements and SDP handlers are registered, and the immutable
// snapshot every session takes when it begins.
//
// The registry is owned by whoever assembles the stack (the endpoint layer), never a global.
// Registration returns an RAII `registration`: dropping it unregisters. Registering and
// unregistering may happen at any time from any thread (under a mutex); each change publishes a
// new immutable `extension_snapshot`, and sessions keep the snapshot they began with, so a
// change never affects a live session. The registry must outlive its registrations.
#pragma once

#include <parley/session/sdp_handler.hpp>
#include <parley/session/supplement.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// What a session sees of the registry: supplements in run order, SDP handlers per stream type.
struct extension_snapshot {
    struct supplement_entry {
        std::shared_ptr<supplement> hooks;
        supplement_options options;
        std::uint64_t serial = 0; ///< registration order, the tie-breaker after priority
    };
    struct handler_entry {
        std::shared_ptr<sdp_handler> handler;
        std::string name;
        std::uint64_t serial = 0;
    };
    struct stream_type {
        std::string name;                    ///< "audio", "video", ...
        std::vector<handler_entry> handlers; ///< in registration order
    };

    std::vector<supplement_entry> supplements; ///< sorted by (priority, serial)
    std::vector<stream_type> stream_types;     ///< in order of their first registration

    /// The handlers for a stream type (media name compared case-sensitively, as SDP does).
    const std::vector<handler_entry>* handlers_for(std::string_view type) const noexcept;
};

class extension_registry;

/// Unregisters on destruction. Movable, not copyable.
class registration {
public:
    registration() noexcept = default;
    registration(registration&& other) noexcept : owner_(other.owner_), serial_(other.serial_) {
        other.owner_ = nullptr;
    }
    registration& operator=(registration&& other) noexcept;
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;
    ~registration() { reset(); }

    /// Unregisters now.
    void reset() noexcept;
    bool active() const noexcept { return owner_ != nullptr; }

private:
    friend class extension_registry;
    registration(extension_registry* owner, std::uint64_t serial) noexcept
        : owner_(owner), serial_(serial) {}
    extension_registry* owner_ = nullptr;
    std::uint64_t serial_ = 0;
};

class extension_registry {
public:
    extension_registry();
    extension_registry(const extension_registry&) = delete;
    extension_registry& operator=(const extension_registry&) = delete;

    [[nodiscard]] registration add_supplement(std::shared_ptr<supplement> hooks,
                                              supplement_options options);
    /// `stream_type` is an SDP media name: "audio", "video", "image", "application", "text", ...
    [[nodiscard]] registration add_sdp_handler(std::string_view stream_type,
                                               std::shared_ptr<sdp_handler> handler,
                                               std::string name = {});

    /// The current snapshot (what a session begins with).
    std::shared_ptr<const extension_snapshot> snapshot() const;

private:
    friend class registration;
    void remove(std::uint64_t serial) noexcept;
    void publish(std::shared_ptr<extension_snapshot> next);

    mutable std::mutex mutex_;
    std::shared_ptr<const extension_snapshot> current_;
    std::uint64_t next_serial_ = 1;
};

} // namespace parley
