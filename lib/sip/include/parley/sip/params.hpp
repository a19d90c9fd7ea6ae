// param_list: the ";name=value" parameters of a URI or a header value, kept as the raw text
// the parser already validated, and looked up on demand (names are case-insensitive).
// A parameter without "=value" is present with an empty value. Header parameter values may be
// quoted strings; find() returns them with their quotes. Slices only: valid while the text is.
#pragma once

#include <optional>
#include <string_view>

namespace parley {

struct param {
    std::string_view name;
    std::string_view value; ///< empty when the parameter has no "=value"
    bool has_value = false;
};

class param_list {
public:
    constexpr param_list() noexcept = default;
    /// `text` is what follows the first ';' (e.g. "transport=tcp;lr"), already validated.
    constexpr explicit param_list(std::string_view text) noexcept : text_(text) {}

    /// The value of the parameter `name`; "" for a parameter without a value; nullopt if absent.
    std::optional<std::string_view> find(std::string_view name) const noexcept;
    bool contains(std::string_view name) const noexcept { return find(name).has_value(); }
    bool empty() const noexcept { return text_.empty(); }
    /// The raw text after the first ';'.
    std::string_view text() const noexcept { return text_; }

    /// Calls fn(const param&) for each parameter in order; stops early when fn returns false.
    template <class Fn>
    void for_each(Fn&& fn) const {
        std::size_t pos = 0;
        param p;
        while (next(pos, p))
            if (!fn(p)) return;
    }

    /// Steps through the list; `pos` starts at 0. Returns false at the end.
    bool next(std::size_t& pos, param& out) const noexcept;

private:
    std::string_view text_;
};

} // namespace parley
