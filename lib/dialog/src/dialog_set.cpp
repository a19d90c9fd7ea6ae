#include <parley/dialog/dialog_set.hpp>

namespace parley {

dialog* dialog_set::find(std::string_view remote_tag) noexcept {
    for (auto& d : dialogs_)
        if (d->id().remote_tag == remote_tag) return d.get();
    return nullptr;
}

result<dialog_set::update> dialog_set::on_response(const message& request,
                                                   const message& response) {
    std::uint16_t status = response.status();
    if (status >= 300) {
        // §13.2.2.3: a non-2xx final ends every early dialog of the INVITE.
        for (auto& d : dialogs_)
            if (d->state() == dialog_state::early) d->terminate();
        return update{outcome::failed, nullptr};
    }
    if (status == 100 || response.to().tag.empty()) return update{};
    dialog* d = find(response.to().tag);
    if (d == nullptr) {
        auto created = dialog::create_uac(request, response, local_contact_);
        PARLEY_TRY(created);
        dialogs_.push_back(std::make_unique<dialog>(std::move(*created)));
        d = dialogs_.back().get();
        if (status < 200) return update{outcome::early_created, d};
    } else {
        d->receive_response(response, method::invite);
        if (status < 200) return update{outcome::early_updated, d};
    }
    // A 2xx. One from a dialog a non-2xx final ended (forking) confirms it all the same.
    if (d->state() == dialog_state::terminated) d->confirm_after_fork_failure();
    if (confirmed_ != nullptr && confirmed_ != d) {
        d->confirm();
        return update{outcome::extra_2xx, d};
    }
    d->confirm();
    confirmed_ = d;
    return update{outcome::confirmed, d};
}

std::size_t dialog_table::id_hash::operator()(dialog_id_view id) const {
    std::hash<std::string_view> h;
    std::size_t v = h(id.call_id);
    v ^= h(id.local_tag) + 0x9e3779b97f4a7c15u + (v << 6) + (v >> 2);
    v ^= h(id.remote_tag) + 0x9e3779b97f4a7c15u + (v << 6) + (v >> 2);
    return v;
}

dialog* dialog_table::insert(dialog d) {
    if (find(d.id()) != nullptr) return nullptr;
    auto owned = std::make_unique<dialog>(std::move(d));
    dialog* p = owned.get();
    dialogs_.insert(std::move(owned));
    return p;
}

dialog* dialog_table::find(dialog_id_view id) noexcept {
    auto it = dialogs_.find(id);
    return it == dialogs_.end() ? nullptr : it->get();
}

dialog* dialog_table::match_request(const message& request) noexcept {
    if (request.to().tag.empty()) return nullptr;
    // Seen from our side (dialog_id_of_received): To carries our tag, From theirs.
    return find(request.call_id(), request.to().tag, request.from().tag);
}

void dialog_table::erase(dialog_id_view id) noexcept {
    // `id` may be the dialog's own: find first, then free the node (the views die with it).
    auto it = dialogs_.find(id);
    if (it != dialogs_.end()) dialogs_.erase(it);
}

} // namespace parley
