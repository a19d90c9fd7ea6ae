// result<T>: the value-or-error return type of every data-path function in Parley.
//
// Untrusted input never throws (docs/architecture.md, "Errors"): a parser, a transaction or a
// session returns result<T>, and its error carries a SIP status hint (400, 420, 481, 488, ...)
// plus a reason phrase and the byte offset where the problem was found, so the layer that
// answers a peer needs no switch over error kinds. The reason is a string with static storage
// (a literal): an error costs no allocation. Pure value type; no threads, no I/O.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace parley {

/// What went wrong, where, and what a server should answer.
struct error {
    /// The SIP status a server should answer with (0 when there is nothing to answer, e.g. a
    /// response that is simply dropped, or an error that is not about a SIP message).
    std::uint16_t status = 0;
    /// A short human phrase, usable verbatim as the reason phrase of the answer. Static storage.
    const char* reason = "";
    /// Byte offset into the input where the problem was found (0 when not about input bytes).
    std::size_t offset = 0;

    std::string_view reason_phrase() const noexcept { return reason; }
    friend bool operator==(const error&, const error&) = default;
};

/// Builds an error; `reason` must be a string literal (or otherwise have static storage).
constexpr error make_error(std::uint16_t status, const char* reason,
                           std::size_t offset = 0) noexcept {
    return error{status, reason, offset};
}

/// Wrapper that says "this is the error alternative" at a return statement.
struct unexpected {
    error value;
};
// fail() is cold and out of line: a branch that ends in it is laid out away from the path that
// succeeds and predicted not taken, what a profile of real traffic would teach the compiler
// (measured on the SIP parser: INVITE and ACK parses 6-7 % faster, docs/performance.md).
[[gnu::cold, gnu::noinline]] constexpr unexpected fail(std::uint16_t status, const char* reason,
                                                       std::size_t offset = 0) noexcept {
    return unexpected{error{status, reason, offset}};
}
[[gnu::cold, gnu::noinline]] constexpr unexpected fail(error e) noexcept {
    return unexpected{e};
}

/// Holds either a T or an error. Small subset of C++23 std::expected<T, error>.
template <class T>
class [[nodiscard]] result {
public:
    using value_type = T;

    result(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>) : ok_(true) {
        ::new (&value_) T(v);
    }
    result(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(true) {
        ::new (&value_) T(std::move(v));
    }
    template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, result> &&
             !std::is_same_v<std::remove_cvref_t<U>, unexpected>) result(U&& v)
        : ok_(true) {
        ::new (&value_) T(std::forward<U>(v));
    }
    result(unexpected u) noexcept : ok_(false) { ::new (&error_) error(u.value); }

    result(const result& o) : ok_(o.ok_) {
        if (ok_)
            ::new (&value_) T(o.value_);
        else
            ::new (&error_) error(o.error_);
    }
    result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(o.ok_) {
        if (ok_)
            ::new (&value_) T(std::move(o.value_));
        else
            ::new (&error_) error(o.error_);
    }
    result& operator=(result o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        destroy();
        ok_ = o.ok_;
        if (ok_)
            ::new (&value_) T(std::move(o.value_));
        else
            ::new (&error_) error(o.error_);
        return *this;
    }
    ~result() { destroy(); }

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }

    T& value() & noexcept { return value_; }
    const T& value() const& noexcept { return value_; }
    T&& value() && noexcept { return std::move(value_); }
    T& operator*() & noexcept { return value_; }
    const T& operator*() const& noexcept { return value_; }
    T&& operator*() && noexcept { return std::move(value_); }
    T* operator->() noexcept { return &value_; }
    const T* operator->() const noexcept { return &value_; }

    /// Only meaningful when !has_value().
    const error& error_value() const noexcept { return error_; }

private:
    void destroy() noexcept {
        if (ok_) value_.~T();
    }
    union {
        T value_;
        error error_;
    };
    bool ok_;
};

/// result<void>: success or an error.
/// Success writes only the flag (returning {} is one store, not four); the error is
/// constructed only for a failure, so error_value() is meaningful only when !has_value().
template <>
class [[nodiscard]] result<void> {
public:
    result() noexcept : ok_(true) {}
    result(unexpected u) noexcept : ok_(false) { ::new (&error_) error(u.value); }
    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const error& error_value() const noexcept {
        assert(!ok_ && "error_value() of a success: nothing was stored");
        return error_;
    }

private:
    bool ok_;
    union {
        error error_;
    };
};

/// Propagates the error of a result-returning expression; the one propagation macro.
/// The temporary gets a unique name, so PARLEY_TRY may nest (inside a lambda) without shadowing.
#define PARLEY_TRY(expr) PARLEY_TRY_IMPL(expr, PARLEY_CONCAT(parley_try_result_, __COUNTER__))
#define PARLEY_CONCAT(a, b) PARLEY_CONCAT_IMPL(a, b)
#define PARLEY_CONCAT_IMPL(a, b) a##b
#define PARLEY_TRY_IMPL(expr, name)                                                                \
    do {                                                                                           \
        if (auto name = (expr); !name) return ::parley::unexpected{name.error_value()};            \
    } while (0)

} // namespace parley
