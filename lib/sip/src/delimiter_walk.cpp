// delimiter_walk.hpp: the commonest name-addr values from one 64-bit delimiter mask.
#include "delimiter_walk.hpp"

#include <cstdint>
#include <cstring>

#include "byte_scan.hpp"
#include "host_scan.hpp"
#include "scanner.hpp"
#include "uri_parse.hpp"

namespace parley::detail::delimiter_walk {

#if defined(__SSE2__)

namespace {

/// Bit i set when value[i] is not a name byte, for i < n, and bit n set (a stop at the end);
/// the bits past n are clear. n < 64, and the 64 bytes from p are readable.
[[gnu::always_inline]] inline std::uint64_t delimiters(const char* p, std::size_t n) noexcept {
    using scan::sse2::lanes_mask;
    using scan::sse2::load;
    using scan::sse2::name_lanes;
    auto chunk = [p](std::size_t at) {
        return std::uint64_t{~lanes_mask(name_lanes(load(p + at))) & 0xFFFFu} << at;
    };
    std::uint64_t mask = chunk(0);
    if (n > 16) mask |= chunk(16);
    if (n > 32) mask |= chunk(32);
    if (n > 48) mask |= chunk(48);
    const std::uint64_t stop = std::uint64_t{1} << n;
    return (mask & (stop - 1)) | stop;
}

/// The first delimiter at or after `from` (from <= n, so the stop bit bounds it).
[[gnu::always_inline]] inline std::size_t next(std::uint64_t delimiters,
                                               std::size_t from) noexcept {
    return static_cast<std::size_t>(__builtin_ctzll(delimiters >> from << from));
}

/// ';' name [ '=' value ] runs from b[k] while b[k] is ';' (k < n), names and values non-empty
/// runs of name bytes; returns where they stop (a delimiter that is not ';', or n), or 0 on a bad
/// run. Every position it reads the mask from is at most n.
/// Calls on_param(name_start, name_end, value_start, value_end) for each (value_start ==
/// value_end == 0 without a value); on_param returns false to give up.
template <class OnParam>
[[gnu::always_inline]] inline std::size_t parameters(const char* b, std::uint64_t d, std::size_t n,
                                                     std::size_t k, OnParam&& on_param) noexcept {
    while (k < n && b[k] == ';') {
        const std::size_t name_start = k + 1;
        const std::size_t name_end = next(d, name_start);
        if (name_end == name_start) return 0;
        std::size_t value_start = 0;
        std::size_t value_end = 0;
        k = name_end;
        if (name_end < n && b[name_end] == '=') {
            value_start = name_end + 1;
            value_end = next(d, value_start);
            if (value_end == value_start) return 0;
            k = value_end;
        }
        if (!on_param(name_start, name_end, value_start, value_end)) return 0;
    }
    return k;
}

/// The host [host_start, k) (k its first delimiter) checked as scan_host_run and host_kind_of
/// check it, from masks of its 32 bytes; host_kind::none when it is not a valid name or IPv4
/// address under 32 bytes (or fewer than 32 bytes are readable from it).
[[gnu::always_inline]] inline host_kind host_in(const char* b, std::uint64_t d,
                                                std::size_t host_start, std::size_t k,
                                                const char* readable_end,
                                                scan::host_run& run) noexcept {
    if (k == host_start || k - host_start > 31 || readable_end - (b + host_start) < 32)
        return host_kind::none;
    const auto names = static_cast<std::uint32_t>(~(d >> host_start));
    const __m128i low = scan::sse2::load(b + host_start);
    const __m128i high = scan::sse2::load(b + host_start + 16);
    auto both = [](unsigned low_mask, unsigned high_mask) {
        return static_cast<std::uint32_t>(low_mask | (high_mask << 16));
    };
    const __m128i dot = _mm_set1_epi8('.');
    const __m128i hyphen = _mm_set1_epi8('-');
    const std::uint32_t dots = both(scan::sse2::lanes_mask(_mm_cmpeq_epi8(low, dot)),
                                    scan::sse2::lanes_mask(_mm_cmpeq_epi8(high, dot)));
    const std::uint32_t hyphens = both(scan::sse2::lanes_mask(_mm_cmpeq_epi8(low, hyphen)),
                                       scan::sse2::lanes_mask(_mm_cmpeq_epi8(high, hyphen)));
    run = scan::sse2::host_run_in(b + host_start, names, dots, hyphens);
    return host_kind_of(b + host_start, run);
}

/// The port after the ':' at b[k]: one to five digits up to the next delimiter, 1 to 65535.
/// Moves k to that delimiter.
[[gnu::always_inline]] inline bool port_at(const char* b, std::uint64_t d, std::size_t& k,
                                           std::uint16_t& port) noexcept {
    const std::size_t digits = k + 1;
    k = next(d, digits);
    if (k == digits || k - digits > 5) return false;
    std::uint32_t v = 0;
    for (std::size_t i = digits; i < k; ++i) {
        const unsigned digit = static_cast<unsigned char>(b[i]) - unsigned{'0'};
        if (digit > 9) return false;
        v = v * 10 + digit;
    }
    if (v == 0 || v > 65535) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

/// A SIP URI's common form from b[start] ("sip:" in any case), up to the first delimiter that
/// is not part of it (`end`): [ user '@' ] host [ ':' port ] *( ';' name [ '=' value ] ).
struct sip_uri {
    std::size_t start = 0;
    std::size_t end = 0;
    std::size_t user_end = 0; ///< the '@' (0 when no user)
    std::size_t host_start = 0;
    std::size_t host_end = 0;
    host_kind host_type = host_kind::none;
    std::uint16_t port = 0;
    std::size_t params_start = 0; ///< after the first ';' (0 when none)

    /// What parse_uri writes for the same text, into a fresh uri.
    void write(uri& u, const char* b) const noexcept {
        u.text = std::string_view(b + start, end - start);
        u.scheme_text = std::string_view(b + start, 3);
        u.scheme = uri_scheme::sip;
        if (user_end != 0) u.user = std::string_view(b + start + 4, user_end - start - 4);
        u.host = std::string_view(b + host_start, host_end - host_start);
        u.host_type = host_type;
        u.port = port;
        if (params_start != 0)
            u.params = param_list(std::string_view(b + params_start, end - params_start));
    }
};

[[gnu::always_inline]] inline bool sip_uri_at(const char* b, std::uint64_t d, std::size_t n,
                                              std::size_t start, const char* readable_end,
                                              sip_uri& w) noexcept {
    if (start + 5 > n) return false; // "sip:" and a host byte
    std::uint32_t head;
    std::memcpy(&head, b + start, 4);
    if ((head | uri_parse::fold_three) != uri_parse::sip_colon) return false;
    w.start = start;
    std::size_t host_start = start + 4;
    std::size_t k = next(d, host_start);
    if (k < n && b[k] == '@') {
        if (k == host_start) return false;
        w.user_end = k;
        host_start = k + 1;
        k = next(d, host_start);
    }
    scan::host_run run;
    w.host_type = host_in(b, d, host_start, k, readable_end, run);
    if (w.host_type == host_kind::none) return false;
    w.host_start = host_start;
    w.host_end = static_cast<std::size_t>(run.end - b);
    if (k < n && b[k] == ':' && !port_at(b, d, k, w.port)) return false;
    if (k < n && b[k] == ';') {
        w.params_start = k + 1;
        k = parameters(b, d, n, k,
                       [](std::size_t, std::size_t, std::size_t, std::size_t) { return true; });
        if (k == 0) return false;
    }
    w.end = k;
    return true;
}

} // namespace

bool name_addr(parley::name_addr& out, std::string_view value, const char* readable_end,
               bool contact) noexcept {
    const std::size_t n = value.size();
    const char* const b = value.data();
    if (n == 0 || n > 63 || readable_end - b < 64) return false;
    // Past n the walk reads b[n]: a stop bit, whatever the byte is, as every test of b[k]
    // below is made on a delimiter position k < n or on b[n] where the stop ends the walk.
    const std::uint64_t d = delimiters(b, n);

    // [ display-name ] '<'
    std::size_t lt;
    std::string_view display;
    bool quoted = false;
    if (b[0] == '<') {
        lt = 0;
    } else if (b[0] == '"') {
        std::size_t close = next(d, 1);
        while (close < n && b[close] != '"') {
            if (b[close] == '\\') return false;
            close = next(d, close + 1);
        }
        if (close >= n) return false;
        display = std::string_view(b + 1, close - 1);
        quoted = true;
        lt = close + 1;
        while (lt < n && b[lt] == ' ') ++lt;
        if (lt >= n || b[lt] != '<') return false;
    } else {
        // Name-byte runs separated by SPs (tokens and LWS), then '<'.
        std::size_t k = next(d, 0);
        if (k == 0) return false;
        std::size_t display_end = k;
        while (k < n && b[k] == ' ') {
            const std::size_t after = next(d, k + 1);
            if (after > k + 1) display_end = after;
            k = after;
        }
        if (k >= n || b[k] != '<') return false;
        display = std::string_view(b, display_end);
        lt = k;
    }

    // "sip:" [ user '@' ] host [ ':' port ] *( ';' uri-parameter ) '>'
    sip_uri walked;
    if (!sip_uri_at(b, d, n, lt + 1, readable_end, walked) || walked.end >= n ||
        b[walked.end] != '>')
        return false;
    std::size_t k = walked.end;

    // *( ';' generic-param ), the first "tag" with a value kept
    std::string_view tag;
    std::size_t params_start = n;
    if (++k < n) {
        if (contact || b[k] != ';') return false;
        params_start = k + 1;
        bool ok = true;
        k = parameters(b, d, n, k,
                       [&](std::size_t name_start, std::size_t name_end, std::size_t value_start,
                           std::size_t value_end) {
                           if (name_end - name_start == 3 &&
                               token_is(std::string_view(b + name_start, 3), "tag")) {
                               if (value_start == 0) return ok = false;
                               if (tag.empty())
                                   tag = std::string_view(b + value_start, value_end - value_start);
                           }
                           return true;
                       });
        if (k != n || !ok) return false;
    }

    out.text = value;
    if (!display.empty() || quoted) {
        out.display_name = display;
        out.display_name_quoted = quoted;
    }
    out.bracketed = true;
    walked.write(out.address, b);
    if (params_start != n)
        out.params = param_list(std::string_view(b + params_start, n - params_start));
    out.tag = tag;
    return true;
}

namespace {

/// The Via walk for a value of under 64 bytes after "SIP/2.0/" (`wide` false: one window) or of
/// 64 to 125 (`wide`: the sent-by from the first 63 bytes, the parameters in a second window).
template <bool wide>
[[gnu::always_inline]] inline bool via_walk(parley::via& out, std::string_view value,
                                            const char* readable_end) noexcept {
    // "SIP/2.0/" transport SP+ host [ ':' port ] *( ';' name [ '=' value ] )
    constexpr std::size_t prefix = 8;
    const std::size_t n = value.size() - prefix;
    const char* const b = value.data() + prefix;
    // A longer value (a response's Via, with received and rport values) stops the first window
    // at 63, and its parameters get their own.
    const std::size_t window = wide ? 63 : n;
    const std::uint64_t d = delimiters(b, window);
    std::size_t k = next(d, 0);
    if (k == 0 || k >= window || b[k] != ' ') return false;
    const std::size_t transport_end = k;
    while (k < window && b[k] == ' ') ++k;
    const std::size_t host_start = k;
    k = next(d, host_start);
    scan::host_run run;
    const host_kind host_type = host_in(b, d, host_start, k, readable_end, run);
    if (host_type == host_kind::none) return false;
    std::uint16_t port = 0;
    if (k < window && b[k] == ':' && !port_at(b, d, k, port)) return false;
    // A host or port that reaches the first window's end may go on past it.
    if (wide && k == window) return false;
    // Parameters: a branch and a received (the last of each wins, as in the general parser),
    // an rport with or without a value; maddr and ttl go the long way.
    std::string_view branch;
    std::string_view received;
    bool rport = false;
    std::uint16_t rport_value = 0;
    std::size_t params_start = n;
    if (k < n) { // always so when wide: the sent-by ended before byte 63
        if (b[k] != ';') return false;
        params_start = k + 1;
        // Within the first window, or from their first ';' in a window of their own.
        const char* base = b;
        std::uint64_t mask = d;
        std::size_t size = n;
        if (wide) {
            base = b + k;
            size = n - k;
            if (size > 63 || readable_end - base < 64) return false;
            mask = delimiters(base, size);
            k = 0;
        }
        bool ok = true;
        k = parameters(base, mask, size, k,
                       [&](std::size_t name_start, std::size_t name_end, std::size_t value_start,
                           std::size_t value_end) {
                           const std::string_view name(base + name_start, name_end - name_start);
                           const std::string_view v(base + value_start, value_end - value_start);
                           if (token_is(name, "branch")) {
                               if (value_start == 0) return ok = false;
                               branch = v;
                           } else if (token_is(name, "rport")) {
                               rport = true;
                               if (value_start != 0) {
                                   // The general parser's reading, up to five digits.
                                   const auto number =
                                       v.size() <= 5 ? parse_decimal(v, 65535) : std::nullopt;
                                   if (!number) return ok = false;
                                   rport_value = static_cast<std::uint16_t>(*number);
                               }
                           } else if (token_is(name, "received")) {
                               // A name or IPv4 address, as the general parser's host scan reads
                               // it. The run ends at value_end (the mask's next non-name byte);
                               // the end check only keeps that explicit.
                               scan::host_run address;
                               if (value_start == 0 ||
                                   host_in(base, mask, value_start, value_end, readable_end,
                                           address) == host_kind::none ||
                                   address.end != base + value_end)
                                   return ok = false;
                               received = v;
                           } else if (token_is(name, "maddr") || token_is(name, "ttl")) {
                               return ok = false;
                           }
                           return true;
                       });
        if (k != size || !ok) return false;
    }
    out.protocol_name = std::string_view(value.data(), 3);
    out.protocol_version = std::string_view(value.data() + 4, 3);
    out.transport = std::string_view(b, transport_end);
    out.host =
        std::string_view(b + host_start, static_cast<std::size_t>(run.end - (b + host_start)));
    out.host_type = host_type;
    out.port = port;
    out.branch = branch;
    out.received = received;
    out.rport = rport;
    out.rport_value = rport_value;
    if (params_start != n)
        out.params = param_list(std::string_view(b + params_start, n - params_start));
    return true;
}

/// The wide walk out of line, so that the common one keeps its registers to itself.
[[gnu::noinline]] bool wide_via(parley::via& out, std::string_view value,
                                const char* readable_end) noexcept {
    return via_walk<true>(out, value, readable_end);
}

} // namespace

bool via(parley::via& out, std::string_view value, const char* readable_end) noexcept {
    constexpr std::size_t prefix = 8;
    if (value.size() <= prefix || value.size() - prefix > 125 ||
        readable_end - value.data() < static_cast<std::ptrdiff_t>(prefix + 64) ||
        std::memcmp(value.data(), "SIP/2.0/", prefix) != 0)
        return false;
    return value.size() - prefix < 64 ? via_walk<false>(out, value, readable_end)
                                      : wide_via(out, value, readable_end);
}

bool request_line(std::string_view line, std::string_view& method_text, uri& request_uri,
                  const char* readable_end) noexcept {
    // Method SP Request-URI SP "SIP/2.0", the method of name bytes and the URI the common form.
    const std::size_t n = line.size();
    const char* const b = line.data();
    if (n < 8 + 7 || n > 63 || readable_end - b < 64 || b[n - 8] != ' ' ||
        ((b[n - 7] | 0x20) != 's' || (b[n - 6] | 0x20) != 'i' || (b[n - 5] | 0x20) != 'p') ||
        std::memcmp(b + n - 4, "/2.0", 4) != 0)
        return false;
    const std::uint64_t d = delimiters(b, n);
    const std::size_t method_end = next(d, 0);
    if (method_end == 0 || b[method_end] != ' ') return false;
    sip_uri walked;
    if (!sip_uri_at(b, d, n, method_end + 1, readable_end, walked) || walked.end != n - 8)
        return false;
    method_text = std::string_view(b, method_end);
    walked.write(request_uri, b);
    return true;
}

#else

bool name_addr(parley::name_addr&, std::string_view, const char*, bool) noexcept {
    return false;
}

bool via(parley::via&, std::string_view, const char*) noexcept {
    return false;
}

bool request_line(std::string_view, std::string_view&, uri&, const char*) noexcept {
    return false;
}

#endif

} // namespace parley::detail::delimiter_walk
