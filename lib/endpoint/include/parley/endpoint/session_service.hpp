// session_service: the session core as a service of the distributor — the seed's session
// module that "registers itself with res_sip as a service". It claims new INVITEs, owns the
// dialogs of its sessions (every request inside them goes to the session layer, whatever the
// method) and passes the session layer every other hook it needs (2xx ACK, CANCEL, the
// responses and failures of the BYEs, re-INVITEs and INVITEs it sends).
//
// The endpoint of an incoming INVITE: the session layer does not know endpoints (it sits below
// this layer), so during the offer the context is readable through current_context(); the
// application's session_events::on_incoming, which runs inside that offer, may keep it (with the
// snapshot) in the session's cookies. The service is also the layer's session_policy_source:
// each new session gets its endpoint (the session_endpoint cookie), its 100rel and session
// timer settings, and its media preferences (allow/disallow codecs, dtmf_mode's
// telephone-event, rtp_symmetric, max_audio_streams) before it begins.
//
// Borrows the session layer (it outlives the service). Single-threaded: one shard.
#pragma once

#include <parley/endpoint/distributor.hpp>
#include <parley/endpoint/session_endpoint.hpp>
#include <parley/session/session_layer.hpp>

#include <string>
#include <vector>

namespace parley {

struct session_service_options {
    /// Option tags the session core implements (Supported, the Require check): RFC 3262
    /// reliable provisionals, RFC 4028 session timers, RFC 3891 Replaces. An endpoint that
    /// turns 100rel or timers off answers 420 itself (session_layer, per session).
    std::vector<std::string> option_tags = {"100rel", "timer", "replaces"};
    /// Our Contact and Via sent-by for sessions whose INVITE came over a given protocol (a
    /// TCP caller must get a Contact that reaches our TCP listener, with ;transport=tcp);
    /// none for a protocol: the session layer's own.
    struct local_address {
        transport_protocol protocol = transport_protocol::udp;
        std::string contact;     ///< "<sip:parleyd@127.0.0.1:5060;transport=tcp>"
        std::string via_address; ///< "127.0.0.1:5060"
    };
    std::vector<local_address> local_addresses;
};

/// The session policy an endpoint's configuration asks for (100rel, timers).
session_policy policy_of(const endpoint_config& endpoint) noexcept;
/// The media preferences of an endpoint's sessions (codecs, telephone-event, symmetric RTP,
/// audio stream limit). The codec list is the endpoint's shared one (sdp_codecs) when it has one.
media_preferences media_of(const endpoint_config& endpoint);

class session_service final : public service, public session_policy_source {
public:
    /// Becomes `layer`'s policy source (session_layer::use_policies) until destroyed.
    explicit session_service(session_layer& layer, session_service_options options = {});
    ~session_service() override;
    session_service(const session_service&) = delete;
    session_service& operator=(const session_service&) = delete;

    /// The endpoint of the INVITE being offered (kept in the session's cookie, its media
    /// preferences set), else the layer's defaults.
    session_policy policy_for(const message& invite, session& s) noexcept override;

    std::string_view name() const noexcept override { return "session"; }
    service_capabilities capabilities() const override;
    service_claim offer(const incoming_request& request,
                        const request_context& context) noexcept override;
    bool owns_dialog(const message& request) noexcept override;
    std::size_t dialog_count() const noexcept override { return layer_.size(); }

    void on_ack(const message& ack, const flow& source) noexcept override;
    void on_cancel(transaction_id invite_server, const message& cancel) noexcept override;
    void on_response(transaction_id client, const message& response) noexcept override;
    void on_stray_response(const message& response, const flow& source) noexcept override;
    void on_client_failure(transaction_id client, failure_reason why) noexcept override;
    void on_server_failure(transaction_id server, failure_reason why) noexcept override;
    void on_terminated(transaction_id id) noexcept override;

    /// The context of the request being offered to the session layer now; nullptr outside
    /// offer(). Valid for the duration of the call it is read in.
    const request_context* current_context() const noexcept { return current_; }

private:
    session_layer& layer_;
    session_service_options options_;
    const request_context* current_ = nullptr;
    const incoming_request* current_request_ = nullptr;
};

/// The external addresses (transport external_signaling_address / external_media_address) a
/// session with `source` uses when `source` is outside the transport's local_net, written into
/// `policy` (Contact, Via) and `media` (o=, c=); `contact`/`via_address` are the layer's own,
/// whose host:port is replaced. Nothing when the transport has no external address.
void apply_external_addresses(const transport_config& transport, const socket_address& source,
                              std::string_view contact, std::string_view via_address,
                              session_policy& policy, media_preferences& media);

} // namespace parley
