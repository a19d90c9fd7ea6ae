// session_service: the session layer behind the distributor (session_service.hpp).
#include <parley/endpoint/session_service.hpp>

namespace parley {

session_policy policy_of(const endpoint_config& endpoint) noexcept {
    session_policy p;
    switch (endpoint.rel100) {
    case reliable_provisional::no: p.reliable = reliable_mode::off; break;
    case reliable_provisional::yes: p.reliable = reliable_mode::supported; break;
    case reliable_provisional::required: p.reliable = reliable_mode::required; break;
    case reliable_provisional::peer_supported: p.reliable = reliable_mode::peer_supported; break;
    }
    switch (endpoint.timers) {
    case session_timers_mode::no: p.timers.mode = session_timer_mode::off; break;
    case session_timers_mode::yes: p.timers.mode = session_timer_mode::on; break;
    case session_timers_mode::required: p.timers.mode = session_timer_mode::required; break;
    case session_timers_mode::always: p.timers.mode = session_timer_mode::always; break;
    }
    p.timers.min_se = endpoint.timers_min_se;
    p.timers.session_expires = endpoint.timers_sess_expires;
    p.timers.we_prefer_to_refresh = endpoint.timers_refresher == timers_refresher::uas;
    return p;
}

session_service::session_service(session_layer& layer, session_service_options options)
    : layer_(layer), options_(std::move(options)) {
    layer_.use_policies(this);
}

session_service::~session_service() {
    layer_.use_policies(nullptr);
}

media_preferences media_of(const endpoint_config& endpoint) {
    media_preferences m;
    // The configuration's list, shared by every call of the endpoint (no copy per call).
    m.codecs = endpoint.sdp_codecs ? endpoint.sdp_codecs : sdp_codecs_of(endpoint.codecs);
    // RFC 4733 events for rfc4733 and the auto modes (which fall back to inband / INFO when the
    // peer does not offer them); inband and info never negotiate them.
    m.telephone_event = endpoint.dtmf_mode == dtmf_mode::rfc4733 ||
                        endpoint.dtmf_mode == dtmf_mode::auto_ ||
                        endpoint.dtmf_mode == dtmf_mode::auto_info;
    m.symmetric_rtp = endpoint.rtp_symmetric;
    m.max_audio_streams = endpoint.max_audio_streams;
    return m;
}

void apply_external_addresses(const transport_config& transport, const socket_address& source,
                              std::string_view contact, std::string_view via_address,
                              session_policy& policy, media_preferences& media) {
    if (transport.external_signaling_address.empty() && transport.external_media_address.empty())
        return;
    for (const ip_network& local : transport.local_net)
        if (local.contains(source)) return; // a peer on our side of the NAT
    if (!transport.external_signaling_address.empty()) {
        std::string_view port = via_address.substr(via_address.rfind(':') + 1);
        std::string external = transport.external_signaling_address + ":" +
                               (transport.external_signaling_port != 0
                                    ? std::to_string(transport.external_signaling_port)
                                    : std::string(port));
        policy.via_address = external;
        policy.contact = std::string(contact);
        if (std::size_t at = policy.contact.find(via_address); at != std::string::npos)
            policy.contact.replace(at, via_address.size(), external);
    }
    if (!transport.external_media_address.empty()) media.address = transport.external_media_address;
}

session_policy session_service::policy_for(const message& invite, session& s) noexcept {
    (void)invite;
    if (current_ == nullptr || current_->endpoint == nullptr) return layer_.default_policy();
    const endpoint_config& endpoint = *current_->endpoint;
    if (current_->snapshot != nullptr)
        s.cookies().add_value<session_endpoint>(session_endpoint_cookie,
                                                session_endpoint{*current_->snapshot, &endpoint});
    s.edit_media() = media_of(endpoint);
    session_policy policy = policy_of(endpoint);
    std::string_view contact = layer_.options().contact;
    std::string_view via_address = layer_.options().via_address;
    if (current_request_ != nullptr)
        for (const auto& local : options_.local_addresses)
            if (local.protocol == current_request_->source.protocol) {
                policy.contact = local.contact;
                policy.via_address = local.via_address;
                contact = local.contact;
                via_address = local.via_address;
            }
    if (current_->snapshot != nullptr && *current_->snapshot != nullptr &&
        current_request_ != nullptr) {
        // The endpoint's transport, else the first of the request's protocol.
        const configuration& config = **current_->snapshot;
        const transport_config* transport =
            endpoint.transport.empty() ? nullptr : config.find_transport(endpoint.transport);
        for (const transport_config& t : config.transports())
            if (transport == nullptr && t.protocol == current_request_->source.protocol)
                transport = &t;
        if (transport != nullptr)
            apply_external_addresses(*transport, current_request_->source.remote, contact,
                                     via_address, policy, s.edit_media());
    }
    return policy;
}

service_capabilities session_service::capabilities() const {
    // INVITE out of a dialog; ACK, CANCEL, BYE, UPDATE (RFC 3311) and PRACK (RFC 3262) belong
    // to its sessions (Allow lists them).
    return {.methods = {method::invite, method::ack, method::cancel, method::bye, method::update,
                        method::prack},
            .option_tags = options_.option_tags};
}

service_claim session_service::offer(const incoming_request& request,
                                     const request_context& context) noexcept {
    if (context.position == dialog_position::out_of_dialog &&
        request.request.method() != method::invite)
        return service_claim::declined;
    // Restored, not cleared: a nested offer (a request handled inside a callback) keeps the
    // outer one readable once it returns.
    const request_context* outer = current_;
    const incoming_request* outer_request = current_request_;
    current_ = &context;
    current_request_ = &request;
    layer_.on_request(request);
    current_ = outer;
    current_request_ = outer_request;
    return service_claim::claimed;
}

bool session_service::owns_dialog(const message& request) noexcept {
    return layer_.owns_dialog(request);
}

void session_service::on_ack(const message& ack, const flow& source) noexcept {
    layer_.on_ack(ack, source);
}
void session_service::on_cancel(transaction_id invite_server, const message& cancel) noexcept {
    layer_.on_cancel(invite_server, cancel);
}
void session_service::on_response(transaction_id client, const message& response) noexcept {
    layer_.on_response(client, response);
}
void session_service::on_stray_response(const message& response, const flow& source) noexcept {
    layer_.on_stray_response(response, source);
}
void session_service::on_client_failure(transaction_id client, failure_reason why) noexcept {
    layer_.on_client_failure(client, why);
}
void session_service::on_server_failure(transaction_id server, failure_reason why) noexcept {
    layer_.on_server_failure(server, why);
}
void session_service::on_terminated(transaction_id id) noexcept {
    layer_.on_terminated(id);
}

} // namespace parley
