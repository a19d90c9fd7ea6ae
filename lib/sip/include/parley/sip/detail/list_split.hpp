// Implementation of for_each_list_element (headers.hpp).
#pragma once

#include <parley/base/text.hpp>

namespace parley {

template <class Fn>
result<void> for_each_list_element(std::string_view value, std::size_t base, Fn&& fn) {
    // Most values hold one element: no comma at all means no split.
    if (value.find(',') == std::string_view::npos) {
        std::string_view element = text::trim(value);
        if (element.empty()) return fail(400, "Empty List Element", base);
        return fn(element, static_cast<std::size_t>(element.data() - value.data()));
    }
    std::size_t start = 0;
    bool in_quotes = false;
    bool in_angle = false;
    for (std::size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size()) {
            char c = value[i];
            if (in_quotes) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    in_quotes = false;
                continue;
            }
            if (c == '"')
                in_quotes = true;
            else if (c == '<')
                in_angle = true;
            else if (c == '>')
                in_angle = false;
            if (c != ',' || in_angle) continue;
        }
        std::string_view element = text::trim(value.substr(start, i - start));
        if (element.empty()) return fail(400, "Empty List Element", base + start);
        std::size_t lead = static_cast<std::size_t>(element.data() - value.data());
        PARLEY_TRY(fn(element, lead));
        start = i + 1;
    }
    return {};
}

} // namespace parley
