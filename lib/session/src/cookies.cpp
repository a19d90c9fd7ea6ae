#include <parley/session/cookies.hpp>

namespace parley {

bool cookie_jar::add(std::string_view name, std::unique_ptr<cookie> c) {
    if (get(name) != nullptr) return false;
    // A session typically carries a few (endpoint, identity, media stream, application):
    // room for four at once, then two more at a time (doubling would keep 320 bytes for six;
    // the jar lives as long as its call).
    if (entries_.size() == entries_.capacity())
        entries_.reserve(entries_.empty() ? 4 : entries_.size() + 2);
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
