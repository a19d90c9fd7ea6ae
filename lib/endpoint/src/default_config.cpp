// The embedded default configuration: what parleyd runs with when no file is given. It must
// let a caller on loopback reach the built-in services with no account, and nothing else.
#include <parley/endpoint/configuration.hpp>

namespace parley {

std::string_view embedded_default_configuration() noexcept {
    return R"(; Parley's embedded default configuration (docs/configuration.md).
; Loopback only: UDP and TCP on 127.0.0.1:5060, and one endpoint that every local caller
; reaches without authentication.

[global]
type = global
user_agent = Parley
endpoint_identifier_order = username,auth_username,ip,header

[udp]
type = transport
protocol = udp
bind = 127.0.0.1:5060

[tcp]
type = transport
protocol = tcp
bind = 127.0.0.1:5060

[anonymous]
type = endpoint
context = default
disallow = all
allow = ulaw,alaw,g722,telephone-event
; 18x go reliably (PRACK) whenever the caller supports 100rel: "ring" and "early" show it
100rel = peer_supported

[anonymous]
type = identify
endpoint = anonymous
match = 127.0.0.0/8, ::1
)";
}

config_load_result default_configuration() {
    return parse_configuration(embedded_default_configuration(), "<embedded default>");
}

} // namespace parley
