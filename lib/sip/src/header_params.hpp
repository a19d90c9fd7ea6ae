// Header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
// gen-value = token / host / quoted-string (RFC 3261 §25.1), with LWS around ';' and '='.
#pragma once

#include <parley/sip/params.hpp>

#include "byte_scan.hpp"
#include "scanner.hpp"

#include <array>
#include <utility>

namespace parley::detail {

// gen-value bytes that are not in a quoted string: token chars, ':' and brackets (host values).
constexpr std::array<bool, 256> make_gen_value_bytes() {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = text::is_token(static_cast<char>(c));
    t[':'] = t['['] = t[']'] = true;
    return t;
}
inline constexpr auto gen_value_bytes = make_gen_value_bytes();

/// What the bytes of a parameter value are: `name_bytes` when the value is not empty and made of
/// name bytes alone (byte_scan.hpp), so it is token text without a second look (a tag, a branch).
enum class param_value_bytes { name_bytes, other };

/// Reads parameters from value[pos] to the end of `value` into `out` (a param_list over the text
/// after the first ';'). Calls on_param(name, value, has_value, value_bytes) for each parameter
/// (value with quotes for a quoted string); on_param returns result<void>, so a caller extracts
/// what it needs (a tag, a branch) in the same pass. Fails on an empty name, a bad value, or
/// anything left over. Errors are at base + their position in `value`. A tight pointer loop: most
/// values carry one or two short parameters, and this runs for every routing header of every
/// message. `readable_begin`: where the text enclosing `value` starts (see parse_into.hpp).
template <class OnParam>
result<void> scan_header_params_in(std::string_view value, std::size_t pos, std::size_t base,
                                   param_list& out, const char* readable_begin,
                                   OnParam&& on_param) noexcept {
    const char* const begin = value.data();
    const char* const end = begin + value.size();
    const char* p = begin + pos;
    auto at = [&](const char* q) { return base + static_cast<std::size_t>(q - begin); };
    auto skip_lws = [&] {
        while (p < end && text::is_lws(*p)) ++p;
    };
    skip_lws();
    if (p == end) return {};
    if (*p != ';') return fail(400, "Unexpected Text After Value", at(p));
    const char* const first = p + 1;
    while (p < end && *p == ';') {
        ++p;
        skip_lws();
        const char* const name_start = p;
        p = scan::skip_name_bytes(p, readable_begin, end); // name bytes are token bytes
        while (p < end && text::is_token(*p)) ++p;
        if (p == name_start) return fail(400, "Bad Header Parameter", at(name_start));
        std::string_view name(name_start, static_cast<std::size_t>(p - name_start));
        std::string_view param_value;
        bool has_value = false;
        param_value_bytes value_bytes = param_value_bytes::other;
        const char* const after_name = p;
        skip_lws();
        if (p < end && *p == '=') {
            ++p;
            skip_lws();
            has_value = true;
            const char* const value_start = p;
            if (p < end && *p == '"') {
                // quoted-string; RFC 3261 §25.1 quoted-pair: any octet but CR and LF may follow.
                ++p;
                while (true) {
                    if (p == end) return fail(400, "Unterminated Quoted String", at(value_start));
                    if (*p == '"') break;
                    if (*p == '\\') {
                        if (end - p < 2 || p[1] == '\r' || p[1] == '\n')
                            return fail(400, "Bad Quoted Pair", at(p));
                        p += 2;
                        continue;
                    }
                    ++p;
                }
                ++p;
            } else {
                p = scan::skip_name_bytes(p, readable_begin, end); // name bytes are gen-value bytes
                const char* const name_bytes_end = p;
                while (p < end && gen_value_bytes[static_cast<unsigned char>(*p)]) ++p;
                if (p == value_start) return fail(400, "Bad Header Parameter Value", at(p));
                if (p == name_bytes_end) value_bytes = param_value_bytes::name_bytes;
            }
            param_value = std::string_view(value_start, static_cast<std::size_t>(p - value_start));
        } else {
            p = after_name;
        }
        PARLEY_TRY(on_param(name, param_value, has_value, value_bytes));
        skip_lws();
    }
    if (p != end) return fail(400, "Bad Header Parameter", at(p));
    out = param_list(text::trim(std::string_view(first, static_cast<std::size_t>(end - first))));
    return {};
}

template <class OnParam>
result<void> scan_header_params(std::string_view value, std::size_t pos, std::size_t base,
                                param_list& out, OnParam&& on_param) noexcept {
    return scan_header_params_in(value, pos, base, out, value.data(),
                                 [&](std::string_view name, std::string_view v, bool has_value,
                                     param_value_bytes) { return on_param(name, v, has_value); });
}

/// Reads parameters from the scanner's position to the end of `value` (the scanner's text) and
/// returns them as a param_list over the text after the first ';'. Calls on_param like
/// scan_header_params.
template <class OnParam>
result<param_list> parse_header_params(scanner& sc, std::string_view value,
                                       OnParam&& on_param) noexcept {
    param_list out;
    PARLEY_TRY(scan_header_params(value, sc.pos(), sc.offset() - sc.pos(), out,
                                  std::forward<OnParam>(on_param)));
    sc.set_pos(value.size());
    return out;
}

inline result<param_list> parse_header_params(scanner& sc, std::string_view value) noexcept {
    return parse_header_params(
        sc, value, [](std::string_view, std::string_view, bool) -> result<void> { return {}; });
}

} // namespace parley::detail
