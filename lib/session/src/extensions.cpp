#include <parley/session/extensions.hpp>

#include <algorithm>

namespace parley {

const std::vector<extension_snapshot::handler_entry>*
extension_snapshot::handlers_for(std::string_view type) const noexcept {
    for (const stream_type& t : stream_types)
        if (t.name == type) return &t.handlers;
    return nullptr;
}

registration& registration::operator=(registration&& other) noexcept {
    if (this != &other) {
        reset();
        owner_ = other.owner_;
        serial_ = other.serial_;
        other.owner_ = nullptr;
    }
    return *this;
}

void registration::reset() noexcept {
    if (owner_ == nullptr) return;
    owner_->remove(serial_);
    owner_ = nullptr;
}

extension_registry::extension_registry() : current_(std::make_shared<extension_snapshot>()) {}

std::shared_ptr<const extension_snapshot> extension_registry::snapshot() const {
    std::lock_guard lock(mutex_);
    return current_;
}

void extension_registry::publish(std::shared_ptr<extension_snapshot> next) {
    // Stable order: priority, then registration order (Asterisk inserts before the first
    // strictly greater priority, which is the same thing).
    std::stable_sort(next->supplements.begin(), next->supplements.end(),
                     [](const auto& a, const auto& b) {
                         if (a.options.priority != b.options.priority)
                             return a.options.priority < b.options.priority;
                         return a.serial < b.serial;
                     });
    current_ = std::move(next);
}

registration extension_registry::add_supplement(std::shared_ptr<supplement> hooks,
                                                supplement_options options) {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<extension_snapshot>(*current_);
    std::uint64_t serial = next_serial_++;
    next->supplements.push_back({std::move(hooks), std::move(options), serial});
    publish(std::move(next));
    return registration(this, serial);
}

registration extension_registry::add_sdp_handler(std::string_view stream_type,
                                                 std::shared_ptr<sdp_handler> handler,
                                                 std::string name) {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<extension_snapshot>(*current_);
    std::uint64_t serial = next_serial_++;
    auto type = std::find_if(next->stream_types.begin(), next->stream_types.end(),
                             [&](const auto& t) { return t.name == stream_type; });
    if (type == next->stream_types.end()) {
        next->stream_types.push_back({std::string(stream_type), {}});
        type = std::prev(next->stream_types.end());
    }
    type->handlers.push_back({std::move(handler), std::move(name), serial});
    publish(std::move(next));
    return registration(this, serial);
}

void extension_registry::remove(std::uint64_t serial) noexcept {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<extension_snapshot>(*current_);
    std::erase_if(next->supplements, [&](const auto& e) { return e.serial == serial; });
    for (auto& type : next->stream_types)
        std::erase_if(type.handlers, [&](const auto& e) { return e.serial == serial; });
    std::erase_if(next->stream_types, [](const auto& t) { return t.handlers.empty(); });
    publish(std::move(next));
}

} // namespace parley
