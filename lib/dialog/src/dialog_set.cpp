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

std::string dialog_table::key(const dialog_id& id) {
    std::string k;
    k.reserve(id.call_id.size() + id.local_tag.size() + id.remote_tag.size() + 2);
    k.append(id.call_id).push_back('\n');
    k.append(id.local_tag).push_back('\n');
    k.append(id.remote_tag);
    return k;
}

dialog* dialog_table::insert(dialog d) {
    auto [it, inserted] = dialogs_.try_emplace(key(d.id()), nullptr);
    if (!inserted) return nullptr;
    it->second = std::make_unique<dialog>(std::move(d));
    return it->second.get();
}

dialog* dialog_table::find(const dialog_id& id) noexcept {
    auto it = dialogs_.find(key(id));
    return it == dialogs_.end() ? nullptr : it->second.get();
}

dialog* dialog_table::match_request(const message& request) noexcept {
    if (request.to().tag.empty()) return nullptr;
    return find(dialog_id_of_received(request));
}

void dialog_table::erase(const dialog_id& id) noexcept {
    dialogs_.erase(key(id));
}

} // namespace parley
