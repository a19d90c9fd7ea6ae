#include <parley/session/cookies.hpp>

namespace parley {

bool cookie_jar::add(std::string_view name, std::unique_ptr<cookie> c) {
    if (get(name) != nullptr) return false;
    // A session typically carries a few (endpoint, identity, media stream, application):
    // one allocation for them rather than one per growth.
    if (entries_.empty()) entries_.reserve(4);
    entries_.emplace_back(std::string(name), std::move(c));
    return true;
}

cookie* cookie_jar::get(std::string_view name) noexcept {
    for (auto& [key, value] : entries_)
        if (key == name) return value.get();
    return nullptr;
}

bool cookie_jar::remove(std::string_view name) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->first != name) continue;
        // Take it out first: a destructor that touches the jar sees a consistent one.
        std::unique_ptr<cookie> doomed = std::move(it->second);
        entries_.erase(it);
        return true;
    }
    return false;
}

void cookie_jar::clear() noexcept {
    while (!entries_.empty()) {
        std::unique_ptr<cookie> doomed = std::move(entries_.back().second);
        entries_.pop_back();
    }
}

} // namespace parley
