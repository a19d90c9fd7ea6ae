// configuration: the typed, validated model of a pjsip.conf-style file, shared by all shards.
//
// A configuration is an immutable snapshot: load_configuration() or parse_configuration()
// builds one from text (config_reader.hpp gives the syntax), checks every value and every
// cross-reference, and hands it out as std::shared_ptr<const configuration>. Shards, the
// identifier and the authenticator read it without locks; a reload builds a new snapshot and
// swaps the pointer, and whoever still holds the old one (an established session holding its
// endpoint) keeps it alive. Nothing in a snapshot changes after it is built.
//
// A bad file never yields a snapshot: config_load_result carries every error (file, line,
// section, option, what was expected) and every warning (unknown options, which are ignored).
// check_configuration() is the `--check-config` entry point: the text to print and the exit
// code. The model is pure (no sockets, no clocks); only load_configuration reads files, through
// the reader's loader hook.
//
// Sections and their `type=`: transport, endpoint, aor, auth, identify, and Parley's own
// settings in `type=global` or `type=system` (docs/configuration.md lists every option). A
// section without `type=` whose lines are `exten =>` / `same =>` is a dialplan context
// (dialplan.hpp); a file with no context gets the built-in ones.
// pjsip.conf commonly gives one name to an endpoint, its aor and its auth ([6001]); names are
// unique per type.
#pragma once

#include <parley/endpoint/config_reader.hpp>
#include <parley/endpoint/dialplan.hpp>
#include <parley/endpoint/digest.hpp>
#include <parley/sdp/offer_answer.hpp>
#include <parley/transport/address.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

/// An IPv4 or IPv6 network: an address and a prefix length ("192.168.0.0/16", "::1/128").
struct ip_network {
    socket_address address; ///< port unused (0)
    std::uint8_t prefix_length = 0;

    /// "10.0.0.0/8", "10.1.2.3" (a /32), "2001:db8::/32", "[::1]", "192.168.0.0/255.255.0.0".
    static std::optional<ip_network> parse(std::string_view text) noexcept;
    bool contains(const socket_address& a) const noexcept;
    std::string to_string() const;
};

// ---- Parley's own settings (type=global / type=system) -----------------------------------------

enum class log_level : std::uint8_t { trace, debug, info, warning, error, off };

/// How an out-of-dialog request finds its endpoint; tried in the configured order.
enum class identify_method : std::uint8_t {
    username,      ///< From user (or user@domain) names an endpoint
    auth_username, ///< Authorization/Proxy-Authorization username → auth → endpoint using it
    ip,            ///< source address in an identify section's match
    header,        ///< an identify section's match_header
};
std::string_view to_string(identify_method m) noexcept;

struct system_settings {
    std::uint32_t shards = 0; ///< 0: one per core
    parley::log_level log_level = log_level::info;
    std::string user_agent = "Parley";
    std::uint32_t default_expires = 3600;
    /// The realm of every inbound challenge (one realm for all users, so a challenge never
    /// tells whether a user exists).
    std::string default_realm = "parley";
    std::chrono::seconds nonce_lifetime{30};
    /// auth_check_uri: credentials whose uri parameter names another resource than the
    /// Request-URI fail (RFC 7616 §3.4.6). Off for clients that write another uri (SIPp without
    /// -auth_uri) or behind a proxy that rewrites the Request-URI after the client signed it.
    bool auth_check_uri = true;
    /// default_auth_algorithms_uas: the digest algorithms of every inbound challenge, in order
    /// of preference (RFC 7616 §3.7), one header each. The same for every user, so a challenge
    /// never tells users apart. Credentials in another algorithm fail.
    std::vector<digest_hash> auth_algorithms_uas{digest_hash::sha_256, digest_hash::md5};
    /// Every answered INVITE and every BYE linger 32 s (RFC 6026, Timer J): a server at R
    /// calls/s holds about 64·R transactions, so this default carries ~15,000 calls/s
    /// (~400 MB at the limit).
    std::uint32_t max_transactions = 1'000'000;
    std::uint32_t max_dialogs = 100'000;
    std::uint32_t max_sessions = 50'000;
    std::string sounds_dir;              ///< Playback() files; "" = the built-in sounds
    std::string recordings_dir = "/tmp"; ///< where a relative Record() file goes
    std::vector<identify_method> endpoint_identifier_order{
        identify_method::username, identify_method::auth_username, identify_method::ip,
        identify_method::header};
};

// ---- transport --------------------------------------------------------------------------------

struct transport_config {
    std::string name;
    transport_protocol protocol = transport_protocol::udp;
    socket_address bind; ///< default 0.0.0.0 with the protocol's default port
    std::string cert_file;
    std::string priv_key_file;
    std::string external_signaling_address; ///< host, "" when not behind NAT
    std::uint16_t external_signaling_port = 0;
    std::string external_media_address;
    std::vector<ip_network> local_net; ///< addresses not rewritten with the external ones
    config_location where;
};

// ---- endpoint ---------------------------------------------------------------------------------

enum class codec : std::uint8_t { ulaw, alaw, g722, g729, gsm, opus, telephone_event };
/// "ulaw", "alaw", "g722", "g729", "gsm", "opus", "telephone-event".
std::string_view to_string(codec c) noexcept;
std::optional<codec> codec_from_name(std::string_view name) noexcept;

/// 100rel (RFC 3262).
enum class reliable_provisional : std::uint8_t {
    no,             ///< never send or ask for reliable provisionals
    yes,            ///< Supported: 100rel; reliable when the peer requires it
    required,       ///< Require: 100rel; calls from peers that lack it are rejected (420)
    peer_supported, ///< reliable whenever the peer supports it
};
/// Session timers (RFC 4028).
enum class session_timers_mode : std::uint8_t {
    no,       ///< never
    yes,      ///< when the peer asks
    required, ///< reject peers without timer support
    always,   ///< always run timers, even when the peer does not ask
};
/// Who refreshes (RFC 4028 §9) when the caller's INVITE does not say.
enum class timers_refresher : std::uint8_t {
    automatic, ///< the caller when it supports timers, else we
    uac,       ///< the caller when it supports timers (the same as automatic)
    uas,       ///< we do
};
enum class dtmf_mode : std::uint8_t { rfc4733, inband, info, auto_, auto_info };

struct caller_id {
    std::string name;   ///< "" when absent
    std::string number; ///< "" when absent
};

struct endpoint_config {
    std::string name;
    std::string transport; ///< "" means any transport
    std::string context = "default";
    std::vector<codec> codecs; ///< allow/disallow applied, in preference order
    /// `codecs` as the SDP handlers take them, built once with the configuration so that every
    /// call of the endpoint shares it (media_of); null in a hand-built endpoint_config (media_of
    /// then builds it per call). Code that changes `codecs` afterwards rebuilds it
    /// (sdp_codecs_of) or resets it.
    std::shared_ptr<const std::vector<sdp::codec>> sdp_codecs;
    std::vector<std::string> aors;
    std::vector<std::string> auth; ///< inbound: callers must authenticate as one of these
    /// The methods that may find this endpoint (Asterisk's identify_by). Default: all four for
    /// an endpoint with auth=, else only ip and header: anyone can write a From user, so an
    /// endpoint that asks for no password is found only by what an identify section vouches
    /// for. Filled by the configuration builder; a hand-built endpoint_config sets it too.
    std::vector<identify_method> identify_by;
    std::vector<std::string> outbound_auth;
    std::string from_user;
    std::string from_domain;
    caller_id callerid;
    bool trust_id_inbound = false;
    bool trust_id_outbound = false;
    bool send_pai = false;
    bool send_rpid = false;
    reliable_provisional rel100 = reliable_provisional::yes;
    session_timers_mode timers = session_timers_mode::yes;
    std::uint32_t timers_min_se = 90;         ///< seconds, >= 90 (RFC 4028 §4)
    std::uint32_t timers_sess_expires = 1800; ///< seconds, >= timers_min_se
    parley::timers_refresher timers_refresher = timers_refresher::automatic;
    parley::dtmf_mode dtmf_mode = dtmf_mode::rfc4733;
    bool rtp_symmetric = false;
    bool allow_transfer = true;
    std::uint32_t max_audio_streams = 1;
    std::uint32_t rtp_timeout = 0; ///< seconds without RTP before the call is hung up (0: never)
    config_location where;

    bool identified_by(identify_method m) const noexcept {
        for (identify_method allowed : identify_by)
            if (allowed == m) return true;
        return false;
    }
};

/// An endpoint's codecs as the SDP handlers take them (telephone-event is dtmf_mode's, not here):
/// what the configuration stores in endpoint_config::sdp_codecs.
std::shared_ptr<const std::vector<sdp::codec>> sdp_codecs_of(const std::vector<codec>& codecs);

struct aor_config {
    std::string name;
    std::vector<std::string> contact; ///< static contacts (SIP URIs)
    std::uint32_t max_contacts = 0;   ///< registrations allowed (0: none)
    config_location where;
};

enum class auth_type : std::uint8_t { userpass, md5 };

struct auth_config {
    std::string name;
    parley::auth_type type = auth_type::userpass;
    std::string username;
    std::string password; ///< userpass
    std::string md5_cred; ///< md5: lowercase hex MD5(username:realm:password)
    std::string realm;    ///< "" means any realm (outbound) / default_realm (inbound)
    config_location where;
};

/// match_header "Name: value": the request has a header Name whose value is exactly value.
struct header_match {
    std::string name;
    std::string value;
};

struct identify_config {
    std::string name;
    std::string endpoint;
    std::vector<ip_network> match;        ///< addresses and networks, in order written
    std::vector<std::string> match_hosts; ///< host names; resolved by the caller (no DNS here)
    std::optional<header_match> match_header;
    config_location where;
};

// ---- The snapshot -----------------------------------------------------------------------------

class configuration {
public:
    const system_settings& system() const noexcept { return system_; }
    const std::vector<transport_config>& transports() const noexcept { return transports_; }
    const std::vector<endpoint_config>& endpoints() const noexcept { return endpoints_; }
    const std::vector<aor_config>& aors() const noexcept { return aors_; }
    const std::vector<auth_config>& auths() const noexcept { return auths_; }
    const std::vector<identify_config>& identifies() const noexcept { return identifies_; }
    /// The dialplan contexts (the built-in ones when the file has none).
    const std::vector<dialplan_context>& contexts() const noexcept { return contexts_; }

    /// By name; nullptr when absent. The pointers live as long as the snapshot.
    const transport_config* find_transport(std::string_view name) const noexcept;
    const endpoint_config* find_endpoint(std::string_view name) const noexcept;
    const aor_config* find_aor(std::string_view name) const noexcept;
    const auth_config* find_auth(std::string_view name) const noexcept;
    const dialplan_context* find_context(std::string_view name) const noexcept;

    /// The file (or name) it was read from.
    const std::string& source() const noexcept { return source_; }

private:
    friend class configuration_builder;

    std::string source_;
    system_settings system_;
    std::vector<transport_config> transports_;
    std::vector<endpoint_config> endpoints_;
    std::vector<aor_config> aors_;
    std::vector<auth_config> auths_;
    std::vector<identify_config> identifies_;
    std::vector<dialplan_context> contexts_;
};

struct config_load_result {
    std::shared_ptr<const configuration> config; ///< null when there is any error
    std::vector<config_diagnostic> errors;
    std::vector<config_diagnostic> warnings;

    bool ok() const noexcept { return errors.empty() && config != nullptr; }
};

struct load_options {
    reader_options reader{};
};

/// Reads, checks and builds a snapshot from the file `path` (and what it includes).
config_load_result load_configuration(const std::string& path, const load_options& options = {});
/// The same from text; `name` stands for the file name in messages and for relative includes.
config_load_result parse_configuration(std::string_view text, std::string_view name,
                                       const load_options& options = {});
/// Builds a snapshot from an already read document (diagnostics so far are carried over).
config_load_result build_configuration(const config_document& document, std::string_view name,
                                       std::vector<config_diagnostic> diagnostics = {});

/// The configuration used when none is given: UDP and TCP on 127.0.0.1:5060 and an anonymous
/// endpoint ("anonymous", context "default", ulaw/alaw/g722/telephone-event) that every caller
/// on loopback reaches without authentication.
std::string_view embedded_default_configuration() noexcept;
/// parse_configuration(embedded_default_configuration(), "<embedded default>").
config_load_result default_configuration();

/// What `--check-config` prints and the process exit code.
struct config_check_report {
    std::string text;  ///< one line per diagnostic, then a summary line
    int exit_code = 0; ///< 0: valid (warnings allowed), 1: errors
};
/// Checks `path` (the embedded default when empty).
config_check_report check_configuration(const std::string& path, const load_options& options = {});
/// Formats an already loaded result the same way (also what a server prints before it exits).
config_check_report describe_load_result(const config_load_result& loaded, std::string_view name);

} // namespace parley
