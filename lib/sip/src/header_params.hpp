// Header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
// gen-value = token / host / quoted-string (RFC 3261 §25.1), with LWS around ';' and '='.
#pragma once

#include <parley/sip/params.hpp>

#include "scanner.hpp"

namespace parley::detail {

/// Reads parameters from the scanner's position to the end of `value` and returns them as a
/// param_list over the text after the first ';'. Fails on an empty name, a bad value, or
/// anything left over.
inline result<param_list> parse_header_params(scanner& sc, std::string_view value) noexcept {
    sc.skip_lws();
    if (sc.at_end()) return param_list{};
    if (sc.peek() != ';') return fail(400, "Unexpected Text After Value", sc.offset());
    std::size_t first = sc.pos() + 1;
    while (sc.accept_separator(';')) {
        std::size_t name_at = sc.offset();
        if (sc.token().empty()) return fail(400, "Bad Header Parameter", name_at);
        if (sc.accept_separator('=')) {
            if (sc.peek() == '"') {
                auto q = sc.quoted_string();
                if (!q) return fail(q.error_value());
            } else {
                std::size_t start = sc.pos();
                while (!sc.at_end() && (text::is_token(sc.peek()) || sc.peek() == ':' ||
                                        sc.peek() == '[' || sc.peek() == ']'))
                    sc.advance();
                if (sc.pos() == start) return fail(400, "Bad Header Parameter Value", sc.offset());
            }
        }
        sc.skip_lws();
    }
    if (!sc.at_end()) return fail(400, "Bad Header Parameter", sc.offset());
    return param_list(text::trim(value.substr(first)));
}

} // namespace parley::detail
