#include <parley/sip/header_id.hpp>

#include "header_lookup.hpp"

namespace parley {

header_id header_id_from_name(std::string_view name) noexcept {
    return detail::header_lookup::find_header_id(name);
}

std::string_view header_name(header_id id) noexcept {
    auto i = static_cast<std::size_t>(id);
    return i < detail::header_lookup::entries.size() ? detail::header_lookup::entries[i].name
                                                     : std::string_view{};
}

} // namespace parley
