// session_service: the session layer behind the distributor (session_service.hpp).
#include <parley/endpoint/session_service.hpp>

namespace parley {

session_service::session_service(session_layer& layer, session_service_options options)
    : layer_(layer), options_(std::move(options)) {}

service_capabilities session_service::capabilities() const {
    // INVITE out of a dialog; ACK, CANCEL, BYE and UPDATE (RFC 3311) belong to its sessions
    // (Allow lists them).
    return {.methods = {method::invite, method::ack, method::cancel, method::bye, method::update},
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
    current_ = &context;
    layer_.on_request(request);
    current_ = outer;
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
