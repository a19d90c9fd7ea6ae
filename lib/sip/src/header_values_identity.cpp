// Identity, privacy and Reason headers (header_values.hpp): P-Asserted-Identity and
// P-Preferred-Identity (RFC 3325 §9), Remote-Party-ID (draft-ietf-sip-privacy-04 §6), Privacy
// (RFC 3323 §4.2) and Reason (RFC 3326 §2).
#include <parley/sip/header_values.hpp>

#include "header_params.hpp"
#include "scanner.hpp"

namespace parley {

using detail::scanner;

namespace {

std::size_t offset_of(std::string_view value, std::size_t base, std::string_view slice) noexcept {
    return base + static_cast<std::size_t>(slice.data() - value.data());
}

std::string_view strip_quotes(std::string_view v) noexcept {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
    return v;
}

/// Calls parse(element, offset) for every comma-separated element of every line of `id`.
template <class T, class Parse>
result<value_list<T>> list_of(const message& m, header_id id, Parse parse) {
    value_list<T> out;
    auto append = [&](std::string_view element, std::size_t base) -> result<void> {
        auto v = parse(element, base);
        PARLEY_TRY(v);
        out.push_back(*v);
        return {};
    };
    auto each_line = [&](std::string_view value, std::size_t base) -> result<void> {
        out.mark_present();
        return for_each_list_element(value, base, [&](std::string_view element, std::size_t lead) {
            return append(element, base + lead);
        });
    };
    auto done = for_each_header_value(m, id, each_line);
    PARLEY_TRY(done);
    return out;
}

} // namespace

// ---- P-Asserted-Identity, P-Preferred-Identity, Remote-Party-ID ---------------------------------

result<value_list<name_addr>> find_p_asserted_identity(const message& m) {
    // PAssertedID = "P-Asserted-Identity" HCOLON PAssertedID-value *(COMMA PAssertedID-value)
    // PAssertedID-value = name-addr / addr-spec
    return list_of<name_addr>(
        m, header_id::p_asserted_identity,
        [](std::string_view v, std::size_t base) { return parse_name_addr(v, base); });
}

result<value_list<name_addr>> find_p_preferred_identity(const message& m) {
    return list_of<name_addr>(
        m, header_id::p_preferred_identity,
        [](std::string_view v, std::size_t base) { return parse_name_addr(v, base); });
}

result<remote_party_id> parse_remote_party_id(std::string_view value, std::size_t base) noexcept {
    // rpid = [display-name] LAQUOT addr-spec RAQUOT *(SEMI rpi-token); rpi-token = rpi-screen /
    // rpi-pty-type / rpi-id-type / rpi-privacy / other-rpi-token
    auto address = parse_name_addr(value, base);
    PARLEY_TRY(address);
    if (!address->bracketed) return fail(400, "Bad Remote-Party-ID", base);
    remote_party_id out;
    out.address = *address;
    std::size_t pos = 0;
    param p;
    while (out.address.params.next(pos, p)) {
        std::string_view v = strip_quotes(p.value);
        if (text::iequals(p.name, "party")) {
            out.party = v;
        } else if (text::iequals(p.name, "privacy")) {
            out.privacy = v;
        } else if (text::iequals(p.name, "id-type")) {
            out.id_type = v;
        } else if (text::iequals(p.name, "screen")) {
            // rpi-screen = "screen" EQUAL ("no" / "yes")
            if (!text::iequals(v, "yes") && !text::iequals(v, "no"))
                return fail(400, "Bad Remote-Party-ID Screen", offset_of(value, base, p.name));
            out.screen = v;
        }
    }
    return out;
}

result<value_list<remote_party_id>> find_remote_party_id(const message& m) {
    return list_of<remote_party_id>(m, header_id::remote_party_id, parse_remote_party_id);
}

// ---- Privacy ------------------------------------------------------------------------------------

result<token_list> find_privacy(const message& m) {
    // Privacy-hdr = "Privacy" HCOLON priv-value *(";" priv-value). Commas are accepted as well:
    // several deployed stacks write "id, header", and the meaning is not in doubt.
    token_list out;
    auto each_line = [&](std::string_view value, std::size_t base) -> result<void> {
        out.mark_present();
        scanner sc(value, base);
        sc.skip_lws();
        do {
            std::string_view token = sc.token();
            if (token.empty()) return fail(400, "Bad Privacy", sc.offset());
            out.push_back(token);
        } while (sc.accept_separator(';') || sc.accept_separator(','));
        sc.skip_lws();
        if (!sc.at_end()) return fail(400, "Bad Privacy", sc.offset());
        return {};
    };
    auto done = for_each_header_value(m, header_id::privacy, each_line);
    PARLEY_TRY(done);
    return out;
}

// ---- Reason -------------------------------------------------------------------------------------

result<reason_value> parse_reason(std::string_view value, std::size_t base) noexcept {
    // reason-value = protocol *(SEMI reason-params); protocol = "SIP" / "Q.850" / token
    // reason-params = protocol-cause / reason-text / reason-extension
    // protocol-cause = "cause" EQUAL cause; cause = 1*DIGIT; reason-text = "text" EQUAL
    // quoted-string (a bare token is accepted too)
    scanner sc(value, base);
    sc.skip_lws();
    reason_value out;
    out.protocol = sc.token();
    if (out.protocol.empty()) return fail(400, "Bad Reason Protocol", sc.offset());
    auto params = detail::parse_header_params(sc, value);
    PARLEY_TRY(params);
    out.params = *params;
    std::size_t pos = 0;
    param p;
    while (out.params.next(pos, p)) {
        if (text::iequals(p.name, "cause")) {
            auto cause = text::parse_decimal(p.value);
            if (!cause) return fail(400, "Bad Reason Cause", offset_of(value, base, p.name));
            out.cause = static_cast<std::uint32_t>(*cause);
        } else if (text::iequals(p.name, "text")) {
            out.text = strip_quotes(p.value);
        }
    }
    return out;
}

result<value_list<reason_value>> find_reason(const message& m) {
    return list_of<reason_value>(m, header_id::reason, parse_reason);
}

} // namespace parley
