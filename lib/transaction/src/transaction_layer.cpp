#include <parley/transaction/transaction_layer.hpp>

#include "layer_core.hpp"

namespace parley {

transaction_layer::transaction_layer(message_sender& sender, transaction_user& user,
                                     timer_wheel& wheel, const transaction_options& options)
    : core_(std::make_unique<layer_core>(sender, user, wheel, options)) {}

transaction_layer::~transaction_layer() = default;

void transaction_layer::receive(const message& incoming, const flow& source) noexcept {
    core_->receive(incoming, source);
}

result<transaction_id> transaction_layer::send_request(client_request request) {
    return core_->send_request(std::move(request.bytes), request.branch, request.method,
                               request.destination);
}

result<void> transaction_layer::respond(transaction_id server, std::uint16_t status,
                                        std::string bytes) {
    return core_->respond(server, status, std::move(bytes));
}

result<void> transaction_layer::cancel(transaction_id invite_client) {
    return core_->cancel(invite_client);
}

void transaction_layer::transport_error(const flow& destination) noexcept {
    core_->transport_error(destination);
}

std::optional<transaction_state> transaction_layer::state(transaction_id id) const noexcept {
    if (transaction* t = core_->find(id)) return t->state();
    if (lingering* record = core_->find_lingering(id)) return record->state();
    return std::nullopt;
}

std::size_t transaction_layer::size() const noexcept {
    return core_->size();
}

const transaction_stats& transaction_layer::stats() const noexcept {
    return core_->stats_;
}

const transaction_options& transaction_layer::options() const noexcept {
    return core_->options_;
}

} // namespace parley
