// Internal parsers that write straight into their destination (a message member or an arena
// slot) instead of returning a result<T> of a 200-byte struct that each caller copies again.
// The public parse_uri / parse_name_addr / parse_via / parse_contact wrap these. `out` must be
// default-constructed; on error it holds partial content and the caller discards it.
//
// `readable_begin` (nullptr: the value itself) is where the enclosing text starts, the message a
// value was sliced from: the 16- and 32-byte scans (byte_scan.hpp) may read any byte from there
// to the end of the value, so a short value still gets whole loads that end at its end.
#pragma once

#include <parley/sip/headers.hpp>
#include <parley/sip/uri.hpp>

#include <optional>

namespace parley::detail {

result<void> parse_uri_into(uri& out, std::string_view text, std::size_t base,
                            const char* readable_begin = nullptr) noexcept;

/// The first expires and q parameters of a Contact value, picked up during the name-addr
/// parameter pass so parse_contact need not walk the parameters again.
struct contact_param_values {
    std::optional<std::string_view> expires;
    std::optional<std::string_view> q;
};

result<void> parse_name_addr_into(name_addr& out, std::string_view value, std::size_t base,
                                  contact_param_values* contact_params = nullptr,
                                  const char* readable_begin = nullptr) noexcept;
result<void> parse_via_into(via& out, std::string_view value, std::size_t base,
                            const char* readable_begin = nullptr) noexcept;
result<void> parse_contact_into(contact& out, std::string_view value, std::size_t base,
                                const char* readable_begin = nullptr) noexcept;
result<void> parse_cseq_into(cseq& out, std::string_view value, std::size_t base,
                             const char* readable_begin = nullptr) noexcept;
result<void> parse_media_type_into(media_type& out, std::string_view value, std::size_t base,
                                   const char* readable_begin = nullptr) noexcept;

/// A public parse function (parse_via, parse_cseq, ...) made of its parse_into: a default value
/// filled in place and returned.
template <class T, auto parse_into>
result<T> parse_value(std::string_view value, std::size_t base) noexcept {
    T out;
    PARLEY_TRY(parse_into(out, value, base, nullptr));
    return out;
}

} // namespace parley::detail
