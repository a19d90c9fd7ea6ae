#include <parley/ext/info_dtmf.hpp>

#include <parley/base/text.hpp>
#include <parley/session/session.hpp>

#include <string>

namespace parley::ext {

namespace {

std::optional<char> valid_digit(std::string_view text) noexcept {
    text = text::trim(text);
    if (text.size() != 1) {
        // Some phones send the event number of RFC 4733 (10 is *, 11 is #, 16 is a flash).
        if (text == "10") return '*';
        if (text == "11") return '#';
        if (text == "16") return '!';
        return std::nullopt;
    }
    char c = text[0];
    if (c == '!') return '!'; // hook flash
    if (text::is_digit(c) || c == '*' || c == '#') return c;
    if (c >= 'A' && c <= 'D') return c;
    if (c >= 'a' && c <= 'd') return static_cast<char>(c - 'a' + 'A');
    return std::nullopt;
}

/// The value of the "name=value" line of a dtmf-relay body, or nullopt.
std::optional<std::string_view> relay_field(std::string_view body, std::string_view name) noexcept {
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) end = body.size();
        std::string_view line = text::trim(body.substr(pos, end - pos));
        pos = end + 1;
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        if (text::iequals(text::trim(line.substr(0, eq)), name)) return line.substr(eq + 1);
    }
    return std::nullopt;
}

} // namespace

std::uint32_t dtmf_duration(std::string_view body) noexcept {
    auto value = relay_field(body, "Duration");
    if (!value) return 0;
    std::string_view digits = text::trim(*value);
    std::uint32_t ms = 0;
    if (digits.empty() || digits.size() > 6) return 0;
    for (char c : digits) {
        if (!text::is_digit(c)) return 0;
        ms = ms * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return ms;
}

std::optional<char> dtmf_digit(std::string_view subtype, std::string_view body) noexcept {
    if (text::iequals(subtype, "dtmf")) return valid_digit(body);
    // dtmf-relay: lines "Signal=<digit>" and "Duration=<ms>", in any order and case.
    auto signal = relay_field(body, "Signal");
    if (!signal) return std::nullopt;
    return valid_digit(*signal);
}

request_verdict info_dtmf_supplement::incoming_request(session& s,
                                                       const message& request) noexcept {
    if (request.method() != method::info) return request_verdict::proceed();
    if (request.find(header_id::info_package) != nullptr)
        return request_verdict::reject(469, "Bad Info Package"); // RFC 6086 §4.2.2: none supported
    const media_type& type = request.content_type();
    if (!text::iequals(type.type, "application") ||
        (!text::iequals(type.subtype, "dtmf-relay") && !text::iequals(type.subtype, "dtmf")))
        return request_verdict::proceed(); // not ours: the next supplement or the core decides
    auto digit = dtmf_digit(type.subtype, request.body());
    if (!digit) return request_verdict::reject(400, "Bad DTMF Digit");
    auto* digits = s.cookies().get_value<std::string>(dtmf_digits_cookie);
    if (digits == nullptr) {
        s.cookies().add_value<std::string>(dtmf_digits_cookie);
        digits = s.cookies().get_value<std::string>(dtmf_digits_cookie);
    }
    if (digits != nullptr && digits->size() < 256) digits->push_back(*digit); // bounded
    (void)s.respond(200);
    if (listener_ != nullptr)
        listener_->on_dtmf(s, *digit,
                           text::iequals(type.subtype, "dtmf-relay") ? dtmf_duration(request.body())
                                                                     : 0);
    return request_verdict::handled();
}

} // namespace parley::ext
