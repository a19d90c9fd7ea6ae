// The typed model: every section type and option, cross-references, every model error message,
// the embedded default and --check-config output.
#include <parley/endpoint/configuration.hpp>

#include <gtest/gtest.h>

#include <string>

namespace parley {
namespace {

const std::string transport = "[udp]\ntype = transport\nprotocol = udp\nbind = 127.0.0.1:5060\n";

config_load_result parse(const std::string& text) {
    return parse_configuration(text, "pjsip.conf");
}

std::string only_error(const config_load_result& r) {
    EXPECT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.config, nullptr);
    return r.errors.empty() ? "" : r.errors.front().to_string();
}

TEST(configuration, full_example_with_every_section_type) {
    auto r = parse(R"(
[global]
type = global
shards = 4
log_level = debug
user_agent = Parley test
default_expires = 600
default_realm = example.org
nonce_lifetime = 60
max_transactions = 1000
max_dialogs = 500
max_sessions = 100
endpoint_identifier_order = ip, username

[tls]
type = transport
protocol = tls
bind = [::]:5061
cert_file = /etc/parley/cert.pem
priv_key_file = /etc/parley/key.pem
external_signaling_address = sip.example.org
external_signaling_port = 5061
external_media_address = 198.51.100.7
local_net = 10.0.0.0/8, 192.168.0.0/255.255.0.0

[tcp]
type = transport
protocol = TCP

[from-phones]
exten => _X.,1,Answer()
 same => n,Echo()

[endpoint-base](!)
type = endpoint
disallow = all
allow = ulaw
allow = alaw,g722
context = from-phones

[6001](endpoint-base)
transport = tls
aors = 6001
auth = 6001
outbound_auth = 6001
from_user = sixthousandone
from_domain = example.org
callerid = "Alice Example" <6001>
trust_id_inbound = yes
trust_id_outbound = on
send_pai = true
send_rpid = 1
100rel = peer_supported
timers = always
timers_min_se = 120
timers_sess_expires = 600
timers_refresher = uas
dtmf_mode = info
rtp_symmetric = yes
allow_transfer = no
max_audio_streams = 2

[6001]
type = aor
contact = sip:6001@192.0.2.10:5060
max_contacts = 3

[6001]
type = auth
auth_type = userpass
username = 6001
password = secret;not a comment\;really
realm = example.org

[trunk]
type = identify
endpoint = 6001
match = 203.0.113.0/24
match = 2001:db8::/32, pbx.example.net
match_header = X-Trunk: carrier-a
)");
    ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
    EXPECT_TRUE(r.warnings.empty()) << r.warnings[0].to_string();
    const configuration& c = *r.config;

    const system_settings& s = c.system();
    EXPECT_EQ(s.shards, 4u);
    EXPECT_EQ(s.log_level, log_level::debug);
    EXPECT_EQ(s.user_agent, "Parley test");
    EXPECT_EQ(s.default_expires, 600u);
    EXPECT_EQ(s.default_realm, "example.org");
    EXPECT_EQ(s.nonce_lifetime, std::chrono::seconds(60));
    EXPECT_EQ(s.max_transactions, 1000u);
    EXPECT_EQ(s.max_dialogs, 500u);
    EXPECT_EQ(s.max_sessions, 100u);
    EXPECT_EQ(s.endpoint_identifier_order,
              (std::vector<identify_method>{identify_method::ip, identify_method::username}));

    ASSERT_EQ(c.transports().size(), 2u);
    const transport_config& tls = *c.find_transport("tls");
    EXPECT_EQ(tls.protocol, transport_protocol::tls);
    EXPECT_EQ(tls.bind.to_string(), "[::]:5061");
    EXPECT_EQ(tls.cert_file, "/etc/parley/cert.pem");
    EXPECT_EQ(tls.external_signaling_address, "sip.example.org");
    EXPECT_EQ(tls.external_signaling_port, 5061);
    EXPECT_EQ(tls.external_media_address, "198.51.100.7");
    ASSERT_EQ(tls.local_net.size(), 2u);
    EXPECT_EQ(tls.local_net[1].to_string(), "192.168.0.0/16");
    const transport_config& tcp = *c.find_transport("tcp");
    EXPECT_EQ(tcp.protocol, transport_protocol::tcp);
    EXPECT_EQ(tcp.bind.to_string(), "0.0.0.0:5060"); // defaults

    ASSERT_EQ(c.endpoints().size(), 1u); // the template is not an endpoint
    const endpoint_config& e = *c.find_endpoint("6001");
    EXPECT_EQ(e.context, "from-phones");
    EXPECT_EQ(e.codecs, (std::vector<codec>{codec::ulaw, codec::alaw, codec::g722}));
    EXPECT_EQ(e.transport, "tls");
    EXPECT_EQ(e.aors, (std::vector<std::string>{"6001"}));
    EXPECT_EQ(e.auth, (std::vector<std::string>{"6001"}));
    EXPECT_EQ(e.outbound_auth, (std::vector<std::string>{"6001"}));
    EXPECT_EQ(e.from_user, "sixthousandone");
    EXPECT_EQ(e.from_domain, "example.org");
    EXPECT_EQ(e.callerid.name, "Alice Example");
    EXPECT_EQ(e.callerid.number, "6001");
    EXPECT_TRUE(e.trust_id_inbound);
    EXPECT_TRUE(e.trust_id_outbound);
    EXPECT_TRUE(e.send_pai);
    EXPECT_TRUE(e.send_rpid);
    EXPECT_EQ(e.rel100, reliable_provisional::peer_supported);
    EXPECT_EQ(e.timers, session_timers_mode::always);
    EXPECT_EQ(e.timers_min_se, 120u);
    EXPECT_EQ(e.timers_sess_expires, 600u);
    EXPECT_EQ(e.timers_refresher, timers_refresher::uas);
    EXPECT_EQ(e.dtmf_mode, dtmf_mode::info);
    EXPECT_TRUE(e.rtp_symmetric);
    EXPECT_FALSE(e.allow_transfer);
    EXPECT_EQ(e.max_audio_streams, 2u);

    const aor_config& a = *c.find_aor("6001");
    EXPECT_EQ(a.contact, (std::vector<std::string>{"sip:6001@192.0.2.10:5060"}));
    EXPECT_EQ(a.max_contacts, 3u);

    const auth_config& au = *c.find_auth("6001");
    EXPECT_EQ(au.type, auth_type::userpass);
    EXPECT_EQ(au.username, "6001");
    EXPECT_EQ(au.password, "secret");
    EXPECT_EQ(au.realm, "example.org");

    ASSERT_EQ(c.identifies().size(), 1u);
    const identify_config& id = c.identifies()[0];
    EXPECT_EQ(id.endpoint, "6001");
    ASSERT_EQ(id.match.size(), 2u);
    EXPECT_EQ(id.match[0].to_string(), "203.0.113.0/24");
    EXPECT_EQ(id.match[1].to_string(), "2001:db8::/32");
    EXPECT_EQ(id.match_hosts, (std::vector<std::string>{"pbx.example.net"}));
    ASSERT_TRUE(id.match_header);
    EXPECT_EQ(id.match_header->name, "X-Trunk");
    EXPECT_EQ(id.match_header->value, "carrier-a");
}

TEST(configuration, endpoint_defaults) {
    auto r = parse(transport + "[e]\ntype=endpoint\nallow=ulaw\n");
    ASSERT_TRUE(r.ok());
    const endpoint_config& e = r.config->endpoints()[0];
    EXPECT_EQ(e.context, "default");
    EXPECT_EQ(e.rel100, reliable_provisional::yes);
    EXPECT_EQ(e.timers, session_timers_mode::yes);
    EXPECT_EQ(e.timers_min_se, 90u);
    EXPECT_EQ(e.timers_sess_expires, 1800u);
    EXPECT_EQ(e.timers_refresher, timers_refresher::automatic);
    EXPECT_EQ(e.dtmf_mode, dtmf_mode::rfc4733);
    EXPECT_FALSE(e.trust_id_inbound);
    EXPECT_TRUE(e.allow_transfer);
    EXPECT_EQ(e.max_audio_streams, 1u);
    const system_settings& s = r.config->system();
    EXPECT_EQ(
        s.endpoint_identifier_order,
        (std::vector<identify_method>{identify_method::username, identify_method::auth_username,
                                      identify_method::ip, identify_method::header}));
    EXPECT_EQ(s.nonce_lifetime, std::chrono::seconds(30));
}

TEST(configuration, allow_and_disallow_in_pjsip_order) {
    auto codecs = [](const std::string& lines) {
        auto r = parse(transport + "[e]\ntype=endpoint\n" + lines);
        EXPECT_TRUE(r.ok());
        return r.ok() ? r.config->endpoints()[0].codecs : std::vector<codec>{};
    };
    EXPECT_EQ(codecs("disallow=all\nallow=ulaw,alaw,g722\n"),
              (std::vector<codec>{codec::ulaw, codec::alaw, codec::g722}));
    EXPECT_EQ(codecs("allow=g722\nallow=ulaw\nallow=g722\n"),
              (std::vector<codec>{codec::g722, codec::ulaw})); // no duplicates, first place kept
    EXPECT_EQ(codecs("allow=all\ndisallow=g729,gsm,opus\n"),
              (std::vector<codec>{codec::ulaw, codec::alaw, codec::g722, codec::telephone_event}));
    EXPECT_EQ(codecs("allow=ulaw,alaw\ndisallow=all\nallow=telephone-event\n"),
              (std::vector<codec>{codec::telephone_event}));
}

TEST(configuration, booleans_in_every_spelling) {
    for (const char* yes : {"yes", "YES", "true", "on", "1"}) {
        auto r = parse(transport + "[e]\ntype=endpoint\nallow=ulaw\nsend_pai=" + yes + "\n");
        ASSERT_TRUE(r.ok()) << yes;
        EXPECT_TRUE(r.config->endpoints()[0].send_pai) << yes;
    }
    for (const char* no : {"no", "False", "off", "0"}) {
        auto r = parse(transport + "[e]\ntype=endpoint\nallow=ulaw\nallow_transfer=" + no + "\n");
        ASSERT_TRUE(r.ok()) << no;
        EXPECT_FALSE(r.config->endpoints()[0].allow_transfer) << no;
    }
}

TEST(configuration, caller_id_forms) {
    auto id = [](const std::string& value) {
        auto r = parse(transport + "[e]\ntype=endpoint\nallow=ulaw\ncallerid=" + value + "\n");
        EXPECT_TRUE(r.ok()) << value;
        return r.ok() ? r.config->endpoints()[0].callerid : caller_id{};
    };
    EXPECT_EQ(id("Bob <200>").name, "Bob");
    EXPECT_EQ(id("Bob <200>").number, "200");
    EXPECT_EQ(id("<300>").name, "");
    EXPECT_EQ(id("<300>").number, "300");
    EXPECT_EQ(id("400").number, "400");
    EXPECT_EQ(id("\"Only Name\"").name, "Only Name");
}

TEST(configuration, same_name_for_endpoint_aor_and_auth_and_md5_cred) {
    auto r = parse(transport + "[6001]\ntype=endpoint\nallow=ulaw\nauth=6001\naors=6001\n"
                               "[6001]\ntype=auth\nauth_type=md5\nusername=6001\n"
                               "md5_cred=939E7578ED9E3C518A452ACEE763BCE9\n"
                               "[6001]\ntype=aor\nmax_contacts=1\n");
    ASSERT_TRUE(r.ok()) << r.errors[0].to_string();
    EXPECT_EQ(r.config->find_auth("6001")->md5_cred, "939e7578ed9e3c518a452acee763bce9");
}

TEST(configuration, sections_may_refer_forward) {
    auto r = parse("[id]\ntype=identify\nendpoint=e\nmatch=10.0.0.1\n" + transport +
                   "[e]\ntype=endpoint\nallow=ulaw\n");
    EXPECT_TRUE(r.ok());
}

TEST(configuration, networks_contain_their_addresses) {
    auto net = ip_network::parse("10.1.2.3/8");
    ASSERT_TRUE(net);
    EXPECT_EQ(net->to_string(), "10.0.0.0/8");
    EXPECT_TRUE(net->contains(*socket_address::from_numeric("10.200.0.1", 5060)));
    EXPECT_FALSE(net->contains(*socket_address::from_numeric("11.0.0.1", 5060)));
    EXPECT_FALSE(net->contains(*socket_address::from_numeric("::ffff:10.0.0.1", 5060)));
    auto v6 = ip_network::parse("2001:db8::/33");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->contains(*socket_address::from_numeric("2001:db8:7fff::1", 0)));
    EXPECT_FALSE(v6->contains(*socket_address::from_numeric("2001:db8:8000::1", 0)));
    auto all = ip_network::parse("0.0.0.0/0");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->contains(*socket_address::from_numeric("203.0.113.9", 0)));
    EXPECT_TRUE(ip_network::parse("[::1]"));
    EXPECT_FALSE(ip_network::parse("10.0.0.0/33"));
    EXPECT_FALSE(ip_network::parse("10.0.0.0/255.0.255.0")); // not contiguous
    EXPECT_FALSE(ip_network::parse("10.0.0.0/"));
}

// ---- Warnings ---------------------------------------------------------------------------------

TEST(configuration_warnings, unknown_options_and_types_are_warnings) {
    auto r = parse(transport + "[e]\ntype=endpoint\nallow=ulaw\ndirect_media=no\n"
                               "[reg]\ntype=registration\nserver_uri=sip:x\n");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[0].to_string(),
              "pjsip.conf:8: warning: [e] direct_media: unknown option for type=endpoint; ignored");
    EXPECT_EQ(r.warnings[1].to_string(),
              "pjsip.conf:10: warning: [reg] type: type=registration is not supported by Parley; "
              "the section is ignored");
}

TEST(configuration_warnings, endpoint_without_codecs) {
    auto r = parse(transport + "[e]\ntype=endpoint\n");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].to_string(),
              "pjsip.conf:5: warning: [e] allow: the endpoint allows no codec, so calls with "
              "media will fail; expected e.g. \"allow = ulaw,alaw\"");
}

// ---- Every model error, with its exact text ---------------------------------------------------

struct error_case {
    const char* name;
    std::string text;
    std::string expected;
};

/// ctest names show the case's name, not its bytes.
[[maybe_unused]] void PrintTo(const error_case& c, std::ostream* os) {
    *os << c.name;
}

class configuration_errors : public testing::TestWithParam<error_case> {};

TEST_P(configuration_errors, names_file_line_section_option_and_expectation) {
    EXPECT_EQ(only_error(parse(GetParam().text)), GetParam().expected);
}

const std::string ep = "[e]\ntype=endpoint\nallow=ulaw\n"; // lines 5-7 after `transport`

INSTANTIATE_TEST_SUITE_P(
    all, configuration_errors,
    testing::Values(
        error_case{"missing_type", transport + "[e]\ncontext=x\n",
                   "pjsip.conf:5: error: [e] type: expected a \"type =\" option (transport, "
                   "endpoint, aor, auth, identify, global or system), or only \"exten =>\" and "
                   "\"same =>\" lines (a dialplan context)"},
        error_case{"unknown_type", transport + "[e]\ntype=endpont\n",
                   "pjsip.conf:6: error: [e] type: expected transport, endpoint, aor, auth, "
                   "identify, global or system, got \"endpont\""},
        error_case{"second_global", transport + "[g]\ntype=global\n[h]\ntype=global\n",
                   "pjsip.conf:7: error: [h] type: a second type=global section; expected at "
                   "most one"},
        error_case{"duplicate_endpoint", transport + ep + "[e]\ntype=endpoint\nallow=ulaw\n",
                   "pjsip.conf:8: error: [e] a second section of this type named \"e\" (the "
                   "first is at pjsip.conf:5)"},
        error_case{"bad_shards", transport + "[g]\ntype=system\nshards=many\n",
                   "pjsip.conf:7: error: [g] shards: expected a number of shards from 0 (one per "
                   "core) to 1024, got \"many\""},
        error_case{"bad_log_level", transport + "[g]\ntype=system\nlog_level=loud\n",
                   "pjsip.conf:7: error: [g] log_level: expected trace, debug, info, warning, "
                   "error or off, got \"loud\""},
        error_case{"bad_expires", transport + "[g]\ntype=global\ndefault_expires=0\n",
                   "pjsip.conf:7: error: [g] default_expires: expected a number of seconds >= 1, "
                   "got \"0\""},
        error_case{"bad_realm", transport + "[g]\ntype=global\ndefault_realm=\n",
                   "pjsip.conf:7: error: [g] default_realm: expected a realm without double "
                   "quotes, got \"\""},
        error_case{"bad_nonce_lifetime", transport + "[g]\ntype=global\nnonce_lifetime=0\n",
                   "pjsip.conf:7: error: [g] nonce_lifetime: expected a number of seconds from 1 "
                   "to 86400, got \"0\""},
        error_case{"bad_limit", transport + "[g]\ntype=global\nmax_dialogs=-1\n",
                   "pjsip.conf:7: error: [g] max_dialogs: expected a number >= 1, got \"-1\""},
        error_case{"bad_identifier_order",
                   transport + "[g]\ntype=global\nendpoint_identifier_order=ip,ip\n",
                   "pjsip.conf:7: error: [g] endpoint_identifier_order: expected a list of "
                   "distinct methods from username, auth_username, ip, header, got \"ip,ip\""},
        error_case{"bad_auth_algorithms",
                   transport + "[g]\ntype=global\ndefault_auth_algorithms_uas=md5,sha-512\n",
                   "pjsip.conf:7: error: [g] default_auth_algorithms_uas: expected a list of "
                   "distinct digest algorithms from SHA-256, MD5, got \"md5,sha-512\""},
        error_case{"bad_protocol", "[t]\ntype=transport\nprotocol=ws\n",
                   "pjsip.conf:3: error: [t] protocol: expected udp, tcp or tls, got \"ws\""},
        error_case{"bad_bind", "[t]\ntype=transport\nbind=localhost:5060\n",
                   "pjsip.conf:3: error: [t] bind: expected an IP address with an optional port "
                   "(0.0.0.0:5060, [::]:5060), got \"localhost:5060\""},
        error_case{"bad_external_address",
                   "[t]\ntype=transport\nexternal_media_address=1.2.3.4:5\n",
                   "pjsip.conf:3: error: [t] external_media_address: expected a host name or IP "
                   "address (no port), got \"1.2.3.4:5\""},
        error_case{"bad_external_port", "[t]\ntype=transport\nexternal_signaling_port=0\n",
                   "pjsip.conf:3: error: [t] external_signaling_port: expected a port from 1 to "
                   "65535, got \"0\""},
        error_case{"bad_local_net", "[t]\ntype=transport\nlocal_net=10.0.0.0/40\n",
                   "pjsip.conf:3: error: [t] local_net: expected a network (192.168.0.0/16, "
                   "10.0.0.0/255.0.0.0, fd00::/8), got \"10.0.0.0/40\""},
        error_case{"tls_without_certificate", "[t]\ntype=transport\nprotocol=tls\n",
                   "pjsip.conf:1: error: [t] cert_file: expected cert_file and priv_key_file for "
                   "protocol = tls"},
        error_case{"same_bind_twice", transport + "[u2]\ntype=transport\nbind=127.0.0.1\n",
                   "pjsip.conf:5: error: [u2] bind: expected an address no other UDP transport "
                   "binds, got 127.0.0.1:5060 (also bound by [udp])"},
        error_case{"no_transport", "[e]\ntype=endpoint\nallow=ulaw\n",
                   "pjsip.conf: error: no transport configured: expected at least one section "
                   "with \"type = transport\""},
        error_case{"unknown_codec", transport + "[e]\ntype=endpoint\nallow=ulaw,speex\n",
                   "pjsip.conf:7: error: [e] allow: expected codec names from ulaw, alaw, g722, "
                   "g729, gsm, opus, telephone-event or all, got \"ulaw,speex\""},
        error_case{"bad_bool", transport + ep + "send_pai=maybe\n",
                   "pjsip.conf:8: error: [e] send_pai: expected yes or no (also true/false, "
                   "on/off, 1/0), got \"maybe\""},
        error_case{"bad_100rel", transport + ep + "100rel=sometimes\n",
                   "pjsip.conf:8: error: [e] 100rel: expected no, yes, required or "
                   "peer_supported, got \"sometimes\""},
        error_case{"bad_timers", transport + ep + "timers=forced\n",
                   "pjsip.conf:8: error: [e] timers: expected no, yes, required or always, got "
                   "\"forced\""},
        error_case{"bad_timers_refresher", transport + ep + "timers_refresher=both\n",
                   "pjsip.conf:8: error: [e] timers_refresher: expected auto, uac or uas, got "
                   "\"both\""},
        error_case{"min_se_below_90", transport + ep + "timers_min_se=30\n",
                   "pjsip.conf:8: error: [e] timers_min_se: expected a number of seconds >= 90, "
                   "got \"30\""},
        error_case{"sess_expires_below_min_se",
                   transport + ep + "timers_min_se=600\ntimers_sess_expires=300\n",
                   "pjsip.conf:9: error: [e] timers_sess_expires: expected a value >= "
                   "timers_min_se (600), got \"300\""},
        error_case{"bad_dtmf_mode", transport + ep + "dtmf_mode=rfc2833\n",
                   "pjsip.conf:8: error: [e] dtmf_mode: expected rfc4733, inband, info, auto or "
                   "auto_info, got \"rfc2833\""},
        error_case{"bad_max_audio_streams", transport + ep + "max_audio_streams=0\n",
                   "pjsip.conf:8: error: [e] max_audio_streams: expected a number from 1 to 64, "
                   "got \"0\""},
        error_case{"bad_callerid", transport + ep + "callerid=\"Bob <200\n",
                   "pjsip.conf:8: error: [e] callerid: expected \"Name\" <number>, Name "
                   "<number>, <number> or number, got \"\"Bob <200\""},
        error_case{"bad_context", transport + ep + "context=\n",
                   "pjsip.conf:8: error: [e] context: expected a context (route) name, got \"\""},
        error_case{"bad_from_domain", transport + ep + "from_domain=a b\n",
                   "pjsip.conf:8: error: [e] from_domain: expected a domain name, got \"a b\""},
        error_case{"missing_auth", transport + ep + "auth=nobody\n",
                   "pjsip.conf:8: error: [e] auth: expected the name of a type=auth section, got "
                   "\"nobody\" (no such auth)"},
        error_case{"missing_outbound_auth", transport + ep + "outbound_auth=nobody\n",
                   "pjsip.conf:8: error: [e] outbound_auth: expected the name of a type=auth "
                   "section, got \"nobody\" (no such auth)"},
        error_case{"missing_aor", transport + ep + "aors=nowhere\n",
                   "pjsip.conf:8: error: [e] aors: expected the name of a type=aor section, got "
                   "\"nowhere\" (no such aor)"},
        error_case{"missing_transport", transport + ep + "transport=tls\n",
                   "pjsip.conf:8: error: [e] transport: expected the name of a type=transport "
                   "section, got \"tls\" (no such transport)"},
        error_case{"bad_contact", transport + "[a]\ntype=aor\ncontact=192.0.2.1\n",
                   "pjsip.conf:7: error: [a] contact: expected a SIP URI (sip:user@host or "
                   "sips:...), got \"192.0.2.1\""},
        error_case{"bad_max_contacts", transport + "[a]\ntype=aor\nmax_contacts=lots\n",
                   "pjsip.conf:7: error: [a] max_contacts: expected a number from 0 to 65535, "
                   "got \"lots\""},
        error_case{"bad_auth_type",
                   transport + "[a]\ntype=auth\nauth_type=oauth\nusername=u\npassword=p\n",
                   "pjsip.conf:7: error: [a] auth_type: expected userpass or md5, got \"oauth\""},
        error_case{"auth_without_username", transport + "[a]\ntype=auth\npassword=p\n",
                   "pjsip.conf:5: error: [a] username: expected a \"username =\" option"},
        error_case{"userpass_without_password", transport + "[a]\ntype=auth\nusername=u\n",
                   "pjsip.conf:5: error: [a] password: expected a \"password =\" option "
                   "(auth_type = userpass)"},
        error_case{"md5_without_cred", transport + "[a]\ntype=auth\nauth_type=md5\nusername=u\n",
                   "pjsip.conf:5: error: [a] md5_cred: expected a \"md5_cred =\" option "
                   "(auth_type = md5)"},
        error_case{"bad_md5_cred",
                   transport + "[a]\ntype=auth\nauth_type=md5\nusername=u\nmd5_cred=abc\n",
                   "pjsip.conf:9: error: [a] md5_cred: expected 32 hexadecimal digits (MD5 of "
                   "username:realm:password), got \"abc\""},
        error_case{"inbound_md5_in_another_realm",
                   transport + ep +
                       "auth=a\n[a]\ntype=auth\nauth_type=md5\nusername=u\n"
                       "realm=elsewhere\nmd5_cred=939e7578ed9e3c518a452acee763bce9\n",
                   "pjsip.conf:9: error: [a] realm: expected the realm of an inbound md5 auth to "
                   "equal default_realm \"parley\" (md5_cred hashes the realm), got \"elsewhere\""},
        error_case{"identify_unknown_endpoint",
                   transport + "[i]\ntype=identify\nendpoint=ghost\nmatch=10.0.0.1\n",
                   "pjsip.conf:7: error: [i] endpoint: expected the name of a type=endpoint "
                   "section, got \"ghost\" (no such endpoint)"},
        error_case{"identify_without_endpoint", transport + "[i]\ntype=identify\nmatch=10.0.0.1\n",
                   "pjsip.conf:5: error: [i] endpoint: expected an \"endpoint =\" option"},
        error_case{"identify_without_match", transport + ep + "[i]\ntype=identify\nendpoint=e\n",
                   "pjsip.conf:8: error: [i] match: expected at least one \"match =\" or a "
                   "\"match_header =\" option"},
        error_case{"bad_match",
                   transport + ep + "[i]\ntype=identify\nendpoint=e\nmatch=10.0.0.0/99\n",
                   "pjsip.conf:11: error: [i] match: expected an IP address, a network "
                   "(10.0.0.0/8, fd00::/8) or a host name, got \"10.0.0.0/99\""},
        error_case{"bad_match_header",
                   transport + ep + "[i]\ntype=identify\nendpoint=e\nmatch_header=X-Trunk\n",
                   "pjsip.conf:11: error: [i] match_header: expected \"Header-Name: value\", got "
                   "\"X-Trunk\""},
        error_case{"regex_match_header",
                   transport + ep + "[i]\ntype=identify\nendpoint=e\nmatch_header=X-T: /a.*/\n",
                   "pjsip.conf:11: error: [i] match_header: expected an exact header value "
                   "(regular expressions are not supported), got \"X-T: /a.*/\""}),
    [](const testing::TestParamInfo<error_case>& param_info) {
        return std::string(param_info.param.name);
    });

// ---- Embedded default and --check-config ------------------------------------------------------

TEST(configuration, embedded_default_is_valid_and_loopback_only) {
    auto r = default_configuration();
    ASSERT_TRUE(r.ok()) << r.errors[0].to_string();
    EXPECT_TRUE(r.warnings.empty());
    const configuration& c = *r.config;
    ASSERT_EQ(c.transports().size(), 2u);
    EXPECT_EQ(c.transports()[0].protocol, transport_protocol::udp);
    EXPECT_EQ(c.transports()[0].bind.to_string(), "127.0.0.1:5060");
    EXPECT_EQ(c.transports()[1].protocol, transport_protocol::tcp);
    EXPECT_EQ(c.transports()[1].bind.to_string(), "127.0.0.1:5060");
    const endpoint_config* anonymous = c.find_endpoint("anonymous");
    ASSERT_NE(anonymous, nullptr);
    EXPECT_TRUE(anonymous->auth.empty());
    EXPECT_EQ(anonymous->context, "default");
    EXPECT_EQ(anonymous->codecs,
              (std::vector<codec>{codec::ulaw, codec::alaw, codec::g722, codec::telephone_event}));
    ASSERT_EQ(c.identifies().size(), 1u);
    const identify_config& id = c.identifies()[0];
    ASSERT_EQ(id.match.size(), 2u);
    EXPECT_TRUE(id.match[0].contains(*socket_address::from_numeric("127.8.9.10", 0)));
    EXPECT_TRUE(id.match[1].contains(*socket_address::from_numeric("::1", 0)));
    EXPECT_FALSE(id.match[0].contains(*socket_address::from_numeric("192.0.2.1", 0)));
}

TEST(configuration, check_config_reports_and_exit_codes) {
    auto good = check_configuration("");
    EXPECT_EQ(good.exit_code, 0);
    EXPECT_EQ(good.text, "<embedded default>: valid: 2 transports, 1 endpoint, 0 aors, 0 auths, "
                         "1 identify section, 1 dialplan context (0 warnings)\n");

    load_options options;
    options.reader.load_file = [](const std::string& path) -> std::optional<std::string> {
        if (path != "/etc/parley/pjsip.conf") return std::nullopt;
        return "[udp]\ntype=transport\n[e]\ntype=endpoint\nallow=ulaw\ntimers=maybe\nfoo=bar\n";
    };
    auto bad = check_configuration("/etc/parley/pjsip.conf", options);
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(bad.text,
              "/etc/parley/pjsip.conf:6: error: [e] timers: expected no, yes, required or always, "
              "got \"maybe\"\n"
              "/etc/parley/pjsip.conf:7: warning: [e] foo: unknown option for type=endpoint; "
              "ignored\n"
              "/etc/parley/pjsip.conf: 1 error, 1 warning; the configuration was not loaded\n");

    auto missing = check_configuration("/etc/parley/other.conf", options);
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.text, "/etc/parley/other.conf: error: cannot read the configuration file\n"
                            "/etc/parley/other.conf: 1 error, 0 warnings; the configuration was "
                            "not loaded\n");
}

} // namespace
} // namespace parley
