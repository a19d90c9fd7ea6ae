// Session cookies (the seed's ast_sip_session_cookie): named per-session data that supplements
// and SDP handlers attach to a session. The seed's destroy callback is the cookie's destructor:
// remove() destroys the cookie, and every cookie left is destroyed (newest first) when the
// session ends, after the supplements' session_end hooks ran.
//
// A session holds few cookies, so they sit in a small vector searched by name. Single-threaded:
// a cookie jar belongs to its session's shard.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley {

/// Base of every cookie: derive from it and the destructor does the cleanup.
class cookie {
public:
    virtual ~cookie() = default;
};

/// A cookie holding one value of type T.
template <class T>
class value_cookie : public cookie {
public:
    template <class... Args>
    explicit value_cookie(Args&&... args) : value(std::forward<Args>(args)...) {}
    T value;
};

class cookie_jar {
public:
    cookie_jar() = default;
    cookie_jar(const cookie_jar&) = delete;
    cookie_jar& operator=(const cookie_jar&) = delete;
    ~cookie_jar() { clear(); }

    /// Adds a cookie; false (and the cookie is destroyed) when one with this name exists.
    bool add(std::string_view name, std::unique_ptr<cookie> c);
    /// The cookie named `name`, or nullptr when there is none.
    cookie* get(std::string_view name) noexcept;
    /// Removes and destroys the cookie; false when there is none.
    bool remove(std::string_view name);
    /// Destroys every cookie, newest first.
    void clear() noexcept;
    std::size_t size() const noexcept { return entries_.size(); }

    /// add(name, make_unique<value_cookie<T>>(args...)).
    template <class T, class... Args>
    bool add_value(std::string_view name, Args&&... args) {
        return add(name, std::make_unique<value_cookie<T>>(std::forward<Args>(args)...));
    }
    /// The value of a value_cookie<T> named `name`; nullptr when absent or of another type.
    template <class T>
    T* get_value(std::string_view name) noexcept {
        auto* c = dynamic_cast<value_cookie<T>*>(get(name));
        return c != nullptr ? &c->value : nullptr;
    }

private:
    std::vector<std::pair<std::string, std::unique_ptr<cookie>>> entries_;
};

} // namespace parley
