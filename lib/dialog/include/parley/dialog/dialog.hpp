// dialog: the RFC 3261 §12 peer-to-peer relationship between two user agents.
//
// A dialog is created from an INVITE (or another dialog-creating request) and its response:
// as UAS from the request we answer (§12.1.1), as UAC from a response to our request (§12.1.2).
// It keeps, in storage it owns (nothing points into a message), the dialog id (Call-ID, local and
// remote tag), local and remote URIs, the remote target, the route set, and the local and remote
// CSeq numbers, and builds the requests sent inside it (§12.2.1.1, loose and strict routing).
//
//        create_uac(1xx with To tag)           create_uas(request) + our 1xx/2xx
//                  |                                       |
//                  v                                       v
//              [early] --- 2xx (confirm) ----------> [confirmed]
//                  |                                       |
//                  +--- non-2xx final / BYE / 481 ---> [terminated] <--- BYE, 408, 481
//
// Pure: no I/O, no clock. Owned by the dialog layer's table on the dialog's shard.
#pragma once

#include <parley/base/result.hpp>
#include <parley/sip/message.hpp>
#include <parley/sip/message_writer.hpp>
#include <parley/sip/outgoing_message.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

struct dialog_id_view;

struct dialog_id {
    std::string call_id;
    std::string local_tag;
    std::string remote_tag;
    friend bool operator==(const dialog_id&, const dialog_id&) = default;
    operator dialog_id_view() const noexcept;
};

/// A dialog id that points into storage someone else owns: a dialog's own (dialog::id(), valid
/// while the dialog lives and its id does not change), or a message's parts.
struct dialog_id_view {
    std::string_view call_id;
    std::string_view local_tag;
    std::string_view remote_tag;
    friend bool operator==(const dialog_id_view&, const dialog_id_view&) = default;
    /// An owning copy.
    operator dialog_id() const {
        return {std::string(call_id), std::string(local_tag), std::string(remote_tag)};
    }
};

inline dialog_id::operator dialog_id_view() const noexcept {
    return {call_id, local_tag, remote_tag};
}

enum class dialog_state : std::uint8_t { early, confirmed, terminated };
enum class dialog_role : std::uint8_t { uac, uas };

/// The id of the dialog a message belongs to, seen from our side: for a request we receive the
/// local tag is the To tag, for a response it is the From tag (§12.2.2, §12.2.1.2).
dialog_id dialog_id_of_received(const message& m);

class dialog {
public:
    /// RFC 3261 §12.1.1: we answer `request` (a dialog-creating request) with a response that
    /// carries `local_tag` in To and `local_contact` in Contact.
    static result<dialog> create_uas(const message& request, std::string_view local_tag,
                                     std::string_view local_contact);
    /// RFC 3261 §12.1.2: `response` (a 1xx with a To tag, or a 2xx) answers our `request`.
    static result<dialog> create_uac(const message& request, const message& response,
                                     std::string_view local_contact);

    /// Views of the dialog's own storage.
    dialog_id_view id() const noexcept {
        return {text(call_id_text), text(local_tag_text), text(remote_tag_text)};
    }
    dialog_state state() const noexcept { return state_; }
    dialog_role role() const noexcept { return role_; }
    bool secure() const noexcept { return secure_; }
    /// Name-addr text for From (UAC) / To (UAS), without tag.
    std::string_view local_uri() const noexcept { return text(local_uri_text); }
    /// Name-addr text for To (UAC) / From (UAS), without tag.
    std::string_view remote_uri() const noexcept { return text(remote_uri_text); }
    std::string_view remote_target() const noexcept { return text(remote_target_text); }
    std::string_view local_contact() const noexcept { return text(local_contact_text); }
    const std::vector<std::string>& route_set() const noexcept {
        return route_set_ ? *route_set_ : no_routes();
    }
    std::uint32_t local_cseq() const noexcept { return local_cseq_; }
    std::optional<std::uint32_t> remote_cseq() const noexcept { return remote_cseq_; }

    /// An opaque value for whoever uses the dialog (the session layer keeps its session's
    /// handle here, so a dialog found by id leads to its session without a second table).
    std::uint64_t user() const noexcept { return user_; }
    void set_user(std::uint64_t value) noexcept { user_ = value; }

    /// §12.1 / §13.2.2.4: a 2xx confirms an early dialog.
    void confirm() noexcept {
        if (state_ == dialog_state::early) state_ = dialog_state::confirmed;
    }
    void terminate() noexcept { state_ = dialog_state::terminated; }
    /// RFC 3261 §13.2.2.4 (and §16.7: a proxy forwards every 2xx): a 2xx arriving after a
    /// non-2xx final from another fork still confirms its dialog, even though that final ended
    /// the early dialog. Only dialog_set calls this.
    void confirm_after_fork_failure() noexcept { state_ = dialog_state::confirmed; }

    /// RFC 3261 §12.2.2 for a request received inside the dialog: CSeq must grow (lower or equal
    /// → 500; ACK and CANCEL are exempt), and a target refresh request (re-INVITE, UPDATE,
    /// SUBSCRIBE, NOTIFY) with a Contact replaces the remote target. On error the status to
    /// answer is in the error and nothing changed.
    result<void> receive_request(const message& request);
    /// A 2xx to our target refresh request (re-INVITE, UPDATE) replaces the remote target too
    /// (§12.2.1.2); an early dialog's 1xx/2xx updates it as well (§12.1.2, §13.2.2.4).
    void receive_response(const message& response, method request_method);

    struct request_options {
        std::string_view method;
        /// For ACK and CANCEL: the CSeq of the INVITE (they do not take a new number).
        std::optional<std::uint32_t> cseq{};
        std::string_view via;           ///< the Via value (with branch) for this hop
        std::string_view local_contact; ///< Contact to send (target refresh requests)
        int max_forwards = 70;
    };
    /// RFC 3261 §12.2.1.1: starts a request inside the dialog: Request-URI and Route from the
    /// remote target and route set (loose routing when the first route has `lr`, otherwise the
    /// strict-routing rewrite), To/From with tags, Call-ID, CSeq (the next local number unless
    /// given), Max-Forwards, Via and Contact. Callers add headers and a body, then finish().
    message_writer build_request(const request_options& options);
    /// The same request as an editable outgoing_message (for supplements' outgoing hooks).
    outgoing_message build_outgoing(const request_options& options);

    dialog(const dialog& other);
    dialog& operator=(const dialog& other);
    dialog(dialog&& other) noexcept;
    dialog& operator=(dialog&& other) noexcept;
    ~dialog() = default;

private:
    dialog() = default;
    // The dialog's texts, back to back in one block (one allocation instead of seven strings).
    enum text_index : std::uint8_t {
        call_id_text,
        local_tag_text,
        remote_tag_text,
        local_uri_text,
        remote_uri_text,
        remote_target_text,
        local_contact_text,
        text_count,
    };
    std::string_view text(text_index i) const noexcept {
        std::uint32_t start = i == 0 ? 0 : ends_[i - 1];
        return {texts_.get() + start, ends_[i] - start};
    }
    /// Writes the texts back to back (any view may point into the old block).
    void set_texts(const std::string_view (&parts)[text_count]);
    /// The same with the From/To as their display name and URI without parameters.
    void set_texts(dialog_id_view id, const name_addr& local, const name_addr& remote,
                   std::string_view remote_target, std::string_view local_contact);
    void set_remote_target(std::string_view target);
    void add_route(std::string_view route);

    dialog_state state_ = dialog_state::early;
    dialog_role role_ = dialog_role::uas;
    bool secure_ = false;
    std::uint32_t local_cseq_ = 0;
    std::optional<std::uint32_t> remote_cseq_;
    std::uint64_t user_ = 0;
    /// The id (Call-ID, local and remote tag), the local and remote URIs, the remote target and
    /// our Contact: text i ends at ends_[i] and starts where text i - 1 ends.
    /// Exactly as large as the texts (a std::string would cost 24 bytes more per dialog).
    std::unique_ptr<char[]> texts_;
    std::uint32_t ends_[text_count] = {};
    /// Each a name-addr ("<sip:p1;lr>"); allocated only when there is one (a call through no
    /// Record-Route proxy keeps 8 bytes, not 24).
    std::unique_ptr<std::vector<std::string>> route_set_;
    static const std::vector<std::string>& no_routes() noexcept;
};

/// Method that refreshes the remote target (RFC 3261 §12.2, RFC 3311 §5, RFC 6665 §4.1.3).
constexpr bool is_target_refresh(method m) noexcept {
    return m == method::invite || m == method::update || m == method::subscribe ||
           m == method::notify;
}

} // namespace parley
