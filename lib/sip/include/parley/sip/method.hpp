// SIP request methods (RFC 3261 §7.1 and the extensions a session core meets).
// Methods are case-sensitive tokens; anything else is method::unknown with its text kept by
// the message. Pure; no allocation.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace parley {

enum class method : std::uint8_t {
    unknown,
    invite,
    ack,
    bye,
    cancel,
    options,
    register_,
    prack,     ///< RFC 3262
    update,    ///< RFC 3311
    refer,     ///< RFC 3515
    info,      ///< RFC 6086
    subscribe, ///< RFC 6665
    notify,    ///< RFC 6665
    message,   ///< RFC 3428
    publish,   ///< RFC 3903
};

/// The method named by `token` (exact, case-sensitive match), or method::unknown.
method method_from_token(std::string_view token) noexcept;

/// The canonical token of a known method ("INVITE", ...); "" for method::unknown.
std::string_view to_string(method m) noexcept;

/// A set of methods, e.g. a supplement's filter or an Allow header. Empty means "none".
class method_set {
public:
    constexpr method_set() noexcept = default;
    constexpr method_set(std::initializer_list<method> methods) noexcept {
        for (method m : methods) add(m);
    }
    constexpr void add(method m) noexcept { bits_ |= bit(m); }
    constexpr bool contains(method m) const noexcept { return (bits_ & bit(m)) != 0; }
    constexpr bool empty() const noexcept { return bits_ == 0; }
    friend constexpr bool operator==(method_set, method_set) = default;

private:
    static constexpr std::uint32_t bit(method m) noexcept {
        return std::uint32_t{1} << static_cast<unsigned>(m);
    }
    std::uint32_t bits_ = 0;
};

} // namespace parley
