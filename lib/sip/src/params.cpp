#include <parley/sip/params.hpp>

#include <parley/base/text.hpp>

namespace parley {

bool param_list::next(std::size_t& pos, param& out) const noexcept {
    const std::string_view s = text_;
    auto skip_lws = [&] {
        while (pos < s.size() && text::is_lws(s[pos])) ++pos;
    };
    // Skip to the next name: past separators left by the previous parameter.
    while (pos < s.size() && (text::is_lws(s[pos]) || s[pos] == ';')) ++pos;
    if (pos >= s.size()) return false;
    std::size_t name_start = pos;
    while (pos < s.size() && s[pos] != '=' && s[pos] != ';' && !text::is_lws(s[pos])) ++pos;
    out.name = s.substr(name_start, pos - name_start);
    out.value = {};
    out.has_value = false;
    skip_lws();
    if (pos < s.size() && s[pos] == '=') {
        ++pos;
        skip_lws();
        std::size_t value_start = pos;
        if (pos < s.size() && s[pos] == '"') {
            ++pos;
            while (pos < s.size() && s[pos] != '"') pos += (s[pos] == '\\') ? 2 : 1;
            if (pos < s.size()) ++pos;
            if (pos > s.size()) pos = s.size();
        } else {
            while (pos < s.size() && s[pos] != ';' && !text::is_lws(s[pos])) ++pos;
        }
        out.value = s.substr(value_start, pos - value_start);
        out.has_value = true;
    }
    return true;
}

std::optional<std::string_view> param_list::find(std::string_view name) const noexcept {
    std::size_t pos = 0;
    param p;
    while (next(pos, p))
        if (text::iequals(p.name, name)) return p.value;
    return std::nullopt;
}

} // namespace parley
