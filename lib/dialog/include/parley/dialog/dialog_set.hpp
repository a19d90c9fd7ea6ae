// dialog_set and dialog_table.
//
// dialog_set: the dialogs one INVITE of ours creates. A forking proxy may return provisional
// responses from several UASs (one early dialog per To tag, RFC 3261 §12.1.2) and even several
// 2xx (§13.2.2.4): the first 2xx confirms its dialog; every later 2xx from another tag creates a
// dialog only so that the TU can ACK it and send BYE. A non-2xx final ends every early dialog.
//
// dialog_table: the dialogs of one shard by id, for matching in-dialog requests (RFC 3261
// §12.2.2: a request with a To tag that matches no dialog is answered 481).
// Both own their dialogs (unique_ptr); pointers they return stay valid until erase().
#pragma once

#include <parley/dialog/dialog.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace parley {

class dialog_set {
public:
    enum class outcome : std::uint8_t {
        ignored,       ///< nothing for a dialog (100, or a 1xx without To tag)
        early_created, ///< a new early dialog (first 1xx from this To tag)
        early_updated, ///< another 1xx on a known early dialog
        confirmed,     ///< the first 2xx: this dialog is the call
        extra_2xx,     ///< a 2xx from another To tag after the first: ACK it, then BYE it
        failed,        ///< a non-2xx final: every early dialog ended
    };
    struct update {
        outcome what = outcome::ignored;
        dialog* affected = nullptr;
    };

    dialog_set(std::string local_contact) : local_contact_(std::move(local_contact)) {}

    /// Feeds a response to our INVITE `request`.
    result<update> on_response(const message& request, const message& response);

    dialog* confirmed() noexcept { return confirmed_; }
    std::size_t size() const noexcept { return dialogs_.size(); }
    dialog* find(std::string_view remote_tag) noexcept;

private:
    std::string local_contact_;
    std::vector<std::unique_ptr<dialog>> dialogs_;
    dialog* confirmed_ = nullptr;
};

class dialog_table {
public:
    /// Adds a dialog; returns nullptr when one with the same id exists.
    dialog* insert(dialog d);
    dialog* find(dialog_id_view id) noexcept;
    /// The same, from the parts of an id as a message carries them (no copies made).
    dialog* find(std::string_view call_id, std::string_view local_tag,
                 std::string_view remote_tag) noexcept {
        return find(dialog_id_view{call_id, local_tag, remote_tag});
    }
    /// RFC 3261 §12.2.2: the dialog a received in-dialog request (To tag present) belongs to.
    dialog* match_request(const message& request) noexcept;
    /// A dialog that came from this table; erasing it destroys it.
    void erase(dialog_id_view id) noexcept;
    std::size_t size() const noexcept { return dialogs_.size(); }

private:
    // A set of the dialogs themselves, looked up by a dialog_id_view (C++20 heterogeneous
    // lookup): the key is the dialog's own id, so a node holds one pointer (and its hash) and a
    // lookup builds no string. Dialogs are heap-allocated and never move.
    struct id_hash {
        using is_transparent = void;
        std::size_t operator()(dialog_id_view id) const;
        std::size_t operator()(const std::unique_ptr<dialog>& d) const { return (*this)(d->id()); }
    };
    struct id_equal {
        using is_transparent = void;
        static dialog_id_view id_of(dialog_id_view id) noexcept { return id; }
        static dialog_id_view id_of(const std::unique_ptr<dialog>& d) noexcept { return d->id(); }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return id_of(a) == id_of(b);
        }
    };
    // id_hash is not noexcept on purpose: libstdc++ then keeps each node's hash in the node
    // (rehashing and lookups compare it first instead of hashing ids again); the node is 24
    // bytes, the smallest malloc chunk either way.
    std::unordered_set<std::unique_ptr<dialog>, id_hash, id_equal> dialogs_;
};

} // namespace parley
