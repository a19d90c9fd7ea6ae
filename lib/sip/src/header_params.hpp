// Header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
// gen-value = token / host / quoted-string (RFC 3261 §25.1), with LWS around ';' and '='.
#pragma once

#include <parley/sip/params.hpp>

#include "scanner.hpp"

namespace parley::detail {

/// Reads parameters from the scanner's position to the end of `value` and returns them as a
/// param_list over the text after the first ';'. Calls on_param(name, value, has_value) for
/// each parameter (value with quotes for a quoted string); on_param returns result<void>, so a
/// caller extracts what it needs (a tag, a branch) in the same pass. Fails on an empty name, a
/// bad value, or anything left over.
template <class OnParam>
result<param_list> parse_header_params(scanner& sc, std::string_view value,
                                       OnParam&& on_param) noexcept {
    sc.skip_lws();
    if (sc.at_end()) return param_list{};
    if (sc.peek() != ';') return fail(400, "Unexpected Text After Value", sc.offset());
    std::size_t first = sc.pos() + 1;
    while (sc.accept_separator(';')) {
        std::size_t name_at = sc.offset();
        std::string_view name = sc.token();
        if (name.empty()) return fail(400, "Bad Header Parameter", name_at);
        std::string_view param_value;
        bool has_value = false;
        if (sc.accept_separator('=')) {
            has_value = true;
            std::size_t start = sc.pos();
            if (sc.peek() == '"') {
                auto q = sc.quoted_string();
                if (!q) return fail(q.error_value());
            } else {
                while (!sc.at_end() && (text::is_token(sc.peek()) || sc.peek() == ':' ||
                                        sc.peek() == '[' || sc.peek() == ']'))
                    sc.advance();
                if (sc.pos() == start) return fail(400, "Bad Header Parameter Value", sc.offset());
            }
            param_value = sc.slice(start, sc.pos());
        }
        PARLEY_TRY(on_param(name, param_value, has_value));
        sc.skip_lws();
    }
    if (!sc.at_end()) return fail(400, "Bad Header Parameter", sc.offset());
    return param_list(text::trim(value.substr(first)));
}

inline result<param_list> parse_header_params(scanner& sc, std::string_view value) noexcept {
    return parse_header_params(
        sc, value, [](std::string_view, std::string_view, bool) -> result<void> { return {}; });
}

} // namespace parley::detail
