// Typed accessors for the headers a session core reads on demand (everything the message does
// not parse eagerly): option tags, Allow, Accept, RSeq/RAck, session timers, REFER and Replaces,
// events, identity and privacy, Reason, Retry-After, Content-Disposition, Expires and digest
// authentication.
//
// Two entry points per header:
//  - parse_<header>(value, base) reads one header value (one list element for list headers) and
//    validates all of it; `base` is the value's offset in the message (header_field::
//    value_offset), so an error's offset points into the message bytes.
//  - find_<header>(const message&) reads every line of that header in the message.
//
// Conventions (one for all headers):
//  - Absent header: a single-valued header returns result<std::optional<T>> holding nullopt;
//    a list header (one that may be written on several lines, RFC 3261 §7.3.1) returns
//    result<list> whose present() is false. Lines of a list header are combined in order.
//  - Malformed header: an error with status 400, a reason naming the header, and the offset of
//    the offending byte. A single-valued header written twice is malformed (offset: the second).
//  - Tokens compare case-insensitively (RFC 3261 §7.3.1: "Tokens are always case-insensitive");
//    method names are case-sensitive (§7.1).
//  - Every string_view is a slice of the message (or of the value passed in) and lives as long
//    as it; quoted values are returned without their quotes but with escapes as written
//    (unquote() decodes them). Only decoded text (unquote, Replaces embedded in a URI) is a
//    std::string.
// Pure functions: no I/O, no clocks, no globals; lists allocate (std::vector), nothing else does.
// They only read the message, so any thread may call them on a message no one is changing.
#pragma once

#include <parley/base/result.hpp>
#include <parley/sip/headers.hpp>
#include <parley/sip/message.hpp>
#include <parley/sip/method.hpp>
#include <parley/sip/params.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley {

// ---- Lists --------------------------------------------------------------------------------------

/// The values of a list header, all lines combined. present() tells "absent" from "empty" (which
/// matters for Allow and Accept, RFC 3261 §20.1, §20.5).
template <class T>
class value_list {
public:
    bool present() const noexcept { return present_; }
    bool empty() const noexcept { return items_.empty(); }
    std::size_t size() const noexcept { return items_.size(); }
    const T& operator[](std::size_t i) const noexcept { return items_[i]; }
    auto begin() const noexcept { return items_.begin(); }
    auto end() const noexcept { return items_.end(); }

    void mark_present() noexcept { present_ = true; }
    void push_back(const T& value) { items_.push_back(value); }

private:
    std::vector<T> items_;
    bool present_ = false;
};

/// A list of tokens (option tags, event types, info packages, privacy values).
class token_list : public value_list<std::string_view> {
public:
    /// Case-insensitive membership (RFC 3261 §7.3.1).
    bool contains(std::string_view token) const noexcept;
};

/// Calls fn(value, value_offset) for every line of header `id`, stopping at the first error.
template <class Fn>
result<void> for_each_header_value(const message& m, header_id id, Fn&& fn) {
    for (const header_field& h : m.headers())
        if (h.id == id) PARLEY_TRY(fn(h.value, std::size_t{h.value_offset}));
    return {};
}

/// The only line of a single-valued header: nullptr when absent, an error when written twice.
result<const header_field*> find_single_header(const message& m, header_id id) noexcept;

/// Parses the only line of header `id` with parse(value, base): nullopt when absent.
template <class Parse>
auto find_single_value(const message& m, header_id id, Parse&& parse)
    -> result<std::optional<typename decltype(parse(std::string_view{}, 0))::value_type>> {
    using value_type = typename decltype(parse(std::string_view{}, 0))::value_type;
    auto line = find_single_header(m, id);
    PARLEY_TRY(line);
    if (*line == nullptr) return std::optional<value_type>{};
    auto parsed = parse((*line)->value, std::size_t{(*line)->value_offset});
    PARLEY_TRY(parsed);
    return std::optional<value_type>{std::move(*parsed)};
}

// ---- Scalars: delta-seconds (RFC 3261 §25.1) ----------------------------------------------------

/// 1*DIGIT; values above 2^32-1 are clamped to it, as Contact expires is (RFC 4475 §3.1.2.4).
result<std::uint32_t> parse_delta_seconds(std::string_view value, std::size_t base = 0) noexcept;

/// Expires (§20.19) and Min-Expires (§20.23): delta-seconds.
result<std::optional<std::uint32_t>> find_expires(const message& m) noexcept;
result<std::optional<std::uint32_t>> find_min_expires(const message& m) noexcept;

/// Removes the quotes of a quoted-string (when present) and decodes its quoted-pairs.
std::string unquote(std::string_view text);

// ---- Option tags, Allow, Accept (RFC 3261 §19.2, §20.1, §20.5) ---------------------------------

/// Option tags of Require, Supported, Unsupported, Proxy-Require (comma lists of tokens).
result<token_list> find_require(const message& m);
result<token_list> find_supported(const message& m);
result<token_list> find_unsupported(const message& m);
result<token_list> find_proxy_require(const message& m);
/// Appends the tokens of one comma-separated token-list value (`Supported:` may be empty).
result<void> parse_token_list(std::string_view value, std::size_t base, token_list& out);

/// Allow: the known methods as a set, and every token as written (unknown ones included).
struct allowed_methods {
    method_set known;
    token_list tokens;
    bool contains(method m) const noexcept { return known.contains(m); }
    bool contains(std::string_view method_token) const noexcept; ///< case-sensitive
};
result<allowed_methods> find_allow(const message& m);

/// One Accept media-range with its parameters (RFC 3261 §20.1): "*/*", "type/*" or
/// "type/subtype".
struct media_range {
    std::string_view type;
    std::string_view subtype;
    param_list params;
    std::int16_t q = -1; ///< q-value in thousandths, -1 when absent
    bool matches(std::string_view t, std::string_view s) const noexcept;
};
class media_range_list : public value_list<media_range> {
public:
    /// RFC 3261 §20.1: no Accept header means application/sdp; q=0 means "not acceptable".
    bool accepts(std::string_view type, std::string_view subtype) const noexcept;
};
result<media_range> parse_media_range(std::string_view value, std::size_t base = 0) noexcept;
result<media_range_list> find_accept(const message& m);

/// Allow-Events (RFC 6665 §8.4, event types), Recv-Info (RFC 6086 §8.2.3, info package names).
result<token_list> find_allow_events(const message& m);
result<token_list> find_recv_info(const message& m);

/// A token with generic parameters: Info-Package (RFC 6086 §8.2.2).
struct info_package {
    std::string_view name;
    param_list params;
};
result<info_package> parse_info_package(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<info_package>> find_info_package(const message& m) noexcept;

// ---- Reliable provisional responses (RFC 3262 §7) -----------------------------------------------

/// RSeq = response-num, 1..2^31-1.
result<std::uint32_t> parse_rseq(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<std::uint32_t>> find_rseq(const message& m) noexcept;

/// RAck = response-num LWS CSeq-num LWS Method.
struct rack {
    std::uint32_t response_number = 0;
    std::uint32_t cseq_number = 0;
    parley::method method = method::unknown;
    std::string_view method_text;
};
result<rack> parse_rack(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<rack>> find_rack(const message& m) noexcept;

// ---- Session timers (RFC 4028 §4) ---------------------------------------------------------------

enum class refresher_role : std::uint8_t { unspecified, uac, uas };

struct session_expires {
    std::uint32_t delta_seconds = 0;
    refresher_role refresher = refresher_role::unspecified;
    param_list params; ///< all se-params, refresher included
};
result<session_expires> parse_session_expires(std::string_view value,
                                              std::size_t base = 0) noexcept;
result<std::optional<session_expires>> find_session_expires(const message& m) noexcept;

/// Min-SE = delta-seconds *(SEMI generic-param); the parameters are validated and dropped.
result<std::uint32_t> parse_min_se(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<std::uint32_t>> find_min_se(const message& m) noexcept;

// ---- REFER and Replaces (RFC 3515, 4488, 3892, 3891) --------------------------------------------

/// Replaces = callid *(SEMI replaces-param) (RFC 3891 §6.1); to-tag and from-tag are required
/// (§3: "exactly one to-tag and exactly one from-tag").
struct replaces {
    std::string_view call_id;
    std::string_view to_tag;
    std::string_view from_tag;
    bool early_only = false;
    param_list params;
};
result<replaces> parse_replaces(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<replaces>> find_replaces(const message& m) noexcept;

/// The decoded value of header `name` carried in a URI ("sip:b@x?Replaces=a%40b%3Bto-tag%3D1"),
/// or nullopt (RFC 3261 §19.1.1 headers; names compare case-insensitively).
std::optional<std::string> uri_header(const uri& u, std::string_view name);

/// Refer-To (RFC 3515 §2.1): the target, and the Replaces header embedded in its URI (decoded,
/// validated; parse it with parse_replaces(*embedded_replaces) — its slices then point into
/// this struct, so keep it alive).
struct refer_to {
    name_addr target;
    std::optional<std::string> embedded_replaces;
};
result<refer_to> parse_refer_to(std::string_view value, std::size_t base = 0);
result<std::optional<refer_to>> find_refer_to(const message& m);

/// Referred-By (RFC 3892 §3): the referrer and its cid parameter ("" when absent).
struct referred_by {
    name_addr referrer;
    std::string_view cid;
};
result<referred_by> parse_referred_by(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<referred_by>> find_referred_by(const message& m) noexcept;

/// Refer-Sub (RFC 4488 §7.2): "true" or "false", then extension parameters.
enum class refer_sub : std::uint8_t { subscription, no_subscription };
result<refer_sub> parse_refer_sub(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<refer_sub>> find_refer_sub(const message& m) noexcept;

// ---- Events (RFC 6665 §8.4) ---------------------------------------------------------------------

/// Event = event-type *(SEMI event-param); event-type = event-package *("." event-template).
struct event {
    std::string_view type;    ///< "presence.winfo"
    std::string_view package; ///< "presence"
    std::string_view id;      ///< the id parameter, "" when absent
    param_list params;
};
result<event> parse_event(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<event>> find_event(const message& m) noexcept;

enum class substate : std::uint8_t { active, pending, terminated, extension };

struct subscription_state {
    parley::substate state = substate::active;
    std::string_view state_text;
    std::string_view reason;                  ///< "" when absent ("deactivated", "timeout", ...)
    std::optional<std::uint32_t> expires;     ///< delta-seconds
    std::optional<std::uint32_t> retry_after; ///< delta-seconds
    param_list params;
};
result<subscription_state> parse_subscription_state(std::string_view value,
                                                    std::size_t base = 0) noexcept;
result<std::optional<subscription_state>> find_subscription_state(const message& m) noexcept;

// ---- Identity, privacy, Reason (RFC 3325, 3323, 3326, draft-ietf-sip-privacy-04) ----------------

/// P-Asserted-Identity / P-Preferred-Identity (RFC 3325 §9): one or more name-addr or addr-spec.
result<value_list<name_addr>> find_p_asserted_identity(const message& m);
result<value_list<name_addr>> find_p_preferred_identity(const message& m);

/// Remote-Party-ID: name-addr with party, screen, privacy, id-type (values unquoted).
struct remote_party_id {
    name_addr address;
    std::string_view party;   ///< "calling", "called" or a token; "" when absent
    std::string_view screen;  ///< "yes", "no"; "" when absent
    std::string_view privacy; ///< "full", "name", "uri", "off", ...; "" when absent
    std::string_view id_type; ///< "subscriber", "user", "term", ...; "" when absent
};
result<remote_party_id> parse_remote_party_id(std::string_view value,
                                              std::size_t base = 0) noexcept;
result<value_list<remote_party_id>> find_remote_party_id(const message& m);

/// Privacy (RFC 3323 §4.2): priv-value *(";" priv-value): id, header, user, session, none,
/// critical or an extension token.
result<token_list> find_privacy(const message& m);

/// One Reason value (RFC 3326 §2): protocol ;cause= ;text="...".
struct reason_value {
    std::string_view protocol;          ///< "SIP", "Q.850", ...
    std::optional<std::uint32_t> cause; ///< nullopt when absent
    std::string_view text;              ///< unquoted, escapes as written; "" when absent
    param_list params;
};
result<reason_value> parse_reason(std::string_view value, std::size_t base = 0) noexcept;
result<value_list<reason_value>> find_reason(const message& m);

// ---- Retry-After, Content-Disposition (RFC 3261 §20.33, §20.11) ---------------------------------

/// Retry-After = delta-seconds [comment] *(SEMI retry-param) (RFC 3261 §20.33).
struct retry_after {
    std::uint32_t delta_seconds = 0;
    std::string_view comment; ///< without its parentheses; "" when absent
    std::optional<std::uint32_t> duration;
    param_list params;
};
result<retry_after> parse_retry_after(std::string_view value, std::size_t base = 0) noexcept;
result<std::optional<retry_after>> find_retry_after(const message& m) noexcept;

/// RFC 3261 §20.11: a missing handling parameter means required; an unknown one is kept as
/// `other` (with its text) and should be treated as required by a careful receiver.
enum class disposition_handling : std::uint8_t { required, optional, other };

struct content_disposition {
    std::string_view type; ///< "session", "render", "icon", "alert", "signal", ...
    disposition_handling handling = disposition_handling::required;
    std::string_view handling_text; ///< "" when absent
    param_list params;
};
result<content_disposition> parse_content_disposition(std::string_view value,
                                                      std::size_t base = 0) noexcept;
result<std::optional<content_disposition>> find_content_disposition(const message& m) noexcept;

// ---- Authentication (RFC 3261 §22, §25.1; RFC 7616; RFC 8760) -----------------------------------

/// One auth-param as written: name, value without quotes (escapes as written), quoted flag.
struct auth_param {
    std::string_view name;
    std::string_view value;
    bool quoted = false;
};

/// Comma-separated auth-params kept as validated raw text and looked up on demand.
class auth_param_list {
public:
    constexpr auth_param_list() noexcept = default;
    constexpr explicit auth_param_list(std::string_view text) noexcept : text_(text) {}
    std::optional<auth_param> find(std::string_view name) const noexcept;
    bool next(std::size_t& pos, auth_param& out) const noexcept;
    bool empty() const noexcept { return text_.empty(); }
    std::string_view text() const noexcept { return text_; }

private:
    std::string_view text_;
};

enum class digest_algorithm : std::uint8_t {
    unspecified, ///< no algorithm parameter: MD5 (RFC 7616 §3.3)
    md5,
    md5_sess,
    sha_256,
    sha_256_sess,
    sha_512_256,
    sha_512_256_sess,
    other, ///< an unknown token; see algorithm_text
};

/// WWW-Authenticate / Proxy-Authenticate. For a scheme other than Digest only scheme, params
/// and raw_params are filled (RFC 4475 §3.3.7: unknown schemes are well-formed).
struct challenge {
    std::string_view scheme;
    std::string_view raw_params; ///< everything after the scheme
    auth_param_list params;      ///< empty when raw_params is a token68 (e.g. Bearer)
    std::string_view realm;
    std::string_view domain;
    std::string_view nonce;
    std::string_view opaque;
    bool stale = false;
    digest_algorithm algorithm = digest_algorithm::unspecified;
    std::string_view algorithm_text;
    std::string_view qop; ///< qop-options unquoted ("auth,auth-int"), "" when absent
    bool userhash = false;
    std::string_view charset;

    bool is_digest() const noexcept;
    /// True when `qop_value` is one of the qop-options ("auth", "auth-int").
    bool offers_qop(std::string_view qop_value) const noexcept;
};

/// Authorization / Proxy-Authorization.
struct credentials {
    std::string_view scheme;
    std::string_view raw_params;
    auth_param_list params;
    std::string_view username;
    std::string_view realm;
    std::string_view nonce;
    std::string_view uri;
    std::string_view response;
    digest_algorithm algorithm = digest_algorithm::unspecified;
    std::string_view algorithm_text;
    std::string_view cnonce;
    std::string_view opaque;
    std::string_view qop;
    std::string_view nc;           ///< 8LHEX as written, "" when absent
    std::uint32_t nonce_count = 0; ///< nc decoded
    bool userhash = false;

    bool is_digest() const noexcept;
};

digest_algorithm digest_algorithm_from_token(std::string_view token) noexcept;

result<challenge> parse_challenge(std::string_view value, std::size_t base = 0) noexcept;
result<credentials> parse_credentials(std::string_view value, std::size_t base = 0) noexcept;
/// Each line is one challenge / credentials (RFC 3261 §7.3.1: these never combine with commas).
result<value_list<challenge>> find_www_authenticate(const message& m);
result<value_list<challenge>> find_proxy_authenticate(const message& m);
result<value_list<credentials>> find_authorization(const message& m);
result<value_list<credentials>> find_proxy_authorization(const message& m);

} // namespace parley
