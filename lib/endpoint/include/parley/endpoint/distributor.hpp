// distributor: the request pipeline of one shard, between its transaction layer and the
// services ("registers itself with res_sip as a service", in the seed's words). It is the
// shard's transaction_user; services register with a priority and see only the requests the
// pipeline lets through.
//
//   new request (on_request)
//     │
//     ├─ To tag (in dialog) ── a service owns_dialog() ─► Require check ─► owner's offer()
//     │                        none ─► 481 (RFC 3261 §12.2.2)
//     │
//     └─ out of dialog
//          1. overload: transactions or dialogs past the shard limits ─► 503 + Retry-After
//          2. identify the endpoint (endpoint_identifier, the configured order)
//          3. authenticate (digest_authenticator): challenge / stale / failure ─► 401 or 407
//             with the challenge headers (failures counted per source and reported)
//          4. method: no service declares it ─► 481 / 405 + Allow / 501 (see below)
//          5. Require: an option tag nobody supports ─► 420 + Unsupported (§8.2.2.3)
//          6. offer() to each service, lower priority first, until one claims
//          7. nobody claimed ─► 481 for methods that only exist in a dialog (BYE, PRACK,
//             UPDATE, INFO, NOTIFY), 405 + Allow for another known method, 501 for an
//             unknown one (§8.2.1)
//
// ACK and CANCEL never reach on_request (the transaction layer handles them) and are never
// challenged (§22.1): a 2xx ACK goes to the dialog's owner, a CANCEL to the service that
// claimed the INVITE. Responses and failures of client transactions go to every service (each
// ignores ids it did not start: the distributor never sees a client transaction begin).
//
// Overload (§21.5.4, RFC 6357): the transaction layer refuses statelessly at its hard limit;
// the distributor refuses new out-of-dialog work earlier, at its own soft limit, so the room
// between the two is left for requests inside established dialogs (BYE, re-INVITE), which are
// never refused here. Every refusal is a 503 with Retry-After, also over UDP: the server
// transaction already exists, and answering lets it end after Timer J instead of lingering.
//
// Ownership: the distributor borrows the transaction layer and the services (both outlive
// it), shares the identifier (immutable, swapped on reload) and owns the shard's
// digest_authenticator. Single-threaded: one shard. Hooks run inside the transaction layer's.
#pragma once

#include <parley/base/timer_wheel.hpp>
#include <parley/endpoint/configuration.hpp>
#include <parley/endpoint/digest_server.hpp>
#include <parley/endpoint/identify.hpp>
#include <parley/sip/method.hpp>
#include <parley/transaction/transaction_layer.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley {

enum class dialog_position : std::uint8_t {
    out_of_dialog, ///< no To tag: identified and authenticated before the offer
    in_dialog,     ///< To tag of a dialog the service owns: neither identified nor challenged
};

/// What the pipeline knows about a request when it offers it. Valid during offer() only: a
/// service that keeps the endpoint also keeps the snapshot (`snapshot` is a shared_ptr).
struct request_context {
    dialog_position position = dialog_position::out_of_dialog;
    /// The identified endpoint; nullptr in a dialog (the owner knows its dialog's endpoint).
    const endpoint_config* endpoint = nullptr;
    std::optional<identify_method> identified_by; ///< which method found `endpoint`
    /// not_required or authenticated: a request is offered only after either.
    digest_outcome authentication = digest_outcome::not_required;
    const auth_config* authenticated_as = nullptr; ///< with authenticated
    /// The configuration `endpoint` points into (null in a dialog).
    const std::shared_ptr<const configuration>* snapshot = nullptr;
};

/// A service's answer to offer(); every value says what happens next.
enum class service_claim : std::uint8_t {
    declined, ///< not for this service: the next one is asked (or the default answer is sent)
    claimed,  ///< the service owns the request and answers it through the transaction layer
};

/// What a service tells the distributor once, when it is added.
struct service_capabilities {
    /// Methods the service may claim out of a dialog: they make the Allow header.
    method_set methods;
    /// Option tags it implements (RFC 3261 §19.2): Supported, and the Require check.
    std::vector<std::string> option_tags;
};

/// A service: the session core for INVITE, the OPTIONS responder, later a registrar.
/// Hooks are noexcept with no-op defaults (offer excepted); they run on the shard.
class service {
public:
    virtual ~service() = default;

    virtual std::string_view name() const noexcept = 0;
    virtual service_capabilities capabilities() const = 0;

    /// A request that passed the pipeline. In a dialog it is only offered to the owner, which
    /// should claim it (declined: the default answer for its method is sent).
    virtual service_claim offer(const incoming_request& request,
                                const request_context& context) noexcept = 0;

    /// Whether the dialog of an in-dialog request (or of a 2xx ACK) is this service's.
    virtual bool owns_dialog(const message& request) noexcept {
        (void)request;
        return false;
    }
    /// Dialogs the service holds, for the shard's dialog limit.
    virtual std::size_t dialog_count() const noexcept { return 0; }

    // The other transaction_user hooks, routed as the header comment says.
    virtual void on_ack(const message& ack, const flow& source) noexcept {
        (void)ack;
        (void)source;
    }
    virtual void on_cancel(transaction_id invite_server, const message& cancel) noexcept {
        (void)invite_server;
        (void)cancel;
    }
    virtual void on_response(transaction_id client, const message& response) noexcept {
        (void)client;
        (void)response;
    }
    virtual void on_stray_response(const message& response, const flow& source) noexcept {
        (void)response;
        (void)source;
    }
    virtual void on_client_failure(transaction_id client, failure_reason why) noexcept {
        (void)client;
        (void)why;
    }
    virtual void on_server_failure(transaction_id server, failure_reason why) noexcept {
        (void)server;
        (void)why;
    }
    virtual void on_terminated(transaction_id id) noexcept { (void)id; }
};

struct service_registration {
    int priority = 100; ///< lower first; equal priorities keep the order they were added in
};

/// Shard limits for new out-of-dialog requests; 0 means no limit.
struct overload_limits {
    std::size_t max_transactions = 0; ///< live transactions (keep it below the layer's limit)
    std::size_t max_dialogs = 0;      ///< the sum of the services' dialog_count()
    std::uint32_t retry_after_seconds = 5;
};

/// One authentication failure, for the log: who, why, and how often from that address.
struct auth_failure_report {
    const flow& source;
    const message& request;
    const endpoint_config* endpoint; ///< nullptr: no endpoint identified
    digest_failure why;
    std::uint32_t failures_from_source; ///< digest_authenticator::failure_count(source)
};

struct distributor_options {
    digest_authenticator::key_type key{}; ///< shared by the shards (generate_key())
    digest_server_options digest{};       ///< issuer: the shard index
    overload_limits limits{};
    /// Option tags supported beyond the services' own (Supported and the Require check).
    std::vector<std::string> option_tags;
    /// Called for every authentication failure (the server logs it); may be empty.
    std::function<void(const auth_failure_report&)> on_auth_failure;
    /// Ends every To tag the distributor makes, as session_layer_options::id_suffix: a sharded
    /// server marks them with their shard, so the ACK to a 401/407/4xx of an INVITE that joined
    /// another shard than its Call-ID's (Replaces, RFC 3891) reaches its transaction there.
    std::string id_suffix;
    /// How many server transactions the distributor should expect at once (lingering ones
    /// included: it remembers which service claimed each until it terminates). Its table is
    /// sized for them up front, so it never re-buckets mid-load: at 20,000 calls/s about 1.3
    /// million linger, and each doubling of a table that size is a pause of tens of
    /// milliseconds. 0: grow as needed. Set it as transaction_limits::expected_transactions.
    std::size_t expected_transactions = 0;
};

struct distributor_stats {
    std::uint64_t requests = 0;      ///< every request on_request saw
    std::uint64_t claimed = 0;       ///< claimed by a service
    std::uint64_t challenged = 0;    ///< 401/407 for missing or stale credentials
    std::uint64_t auth_failures = 0; ///< 401/407 (or 403) for wrong credentials
    std::uint64_t overloaded_503 = 0;
    std::uint64_t no_dialog_481 = 0;
    std::uint64_t not_allowed_405 = 0;
    std::uint64_t not_implemented_501 = 0;
    std::uint64_t bad_extension_420 = 0;
    std::uint64_t malformed_400 = 0;
    std::uint64_t acks_without_owner = 0;
};

class distributor final : public transaction_user {
public:
    /// `wheel` is the shard's: its time dates nonces.
    distributor(transaction_layer& transactions, const timer_wheel& wheel,
                std::shared_ptr<const endpoint_identifier> identifier,
                distributor_options options = {});
    distributor(const distributor&) = delete;
    distributor& operator=(const distributor&) = delete;

    /// Adds a borrowed service (it outlives the distributor). Start-up only.
    void add_service(service& s, service_registration registration = {});
    /// A reload: new requests are identified against the new snapshot; services keep theirs.
    void set_identifier(std::shared_ptr<const endpoint_identifier> identifier) noexcept;

    /// "INVITE, ACK, CANCEL, BYE, OPTIONS": the services' methods, in method order.
    const std::string& allow() const noexcept { return allow_; }
    /// The supported option tags, comma separated ("" when none).
    const std::string& supported() const noexcept { return supported_; }
    /// Answers a request with a plain response (a To tag is added out of a dialog);
    /// `extra` headers are appended as given. For services and the defaults.
    void respond(const incoming_request& request, std::uint16_t status,
                 const std::vector<auth_header>& extra = {}, std::string_view reason = {});
    /// Whether new out-of-dialog requests are refused now.
    bool overloaded() const noexcept;

    const distributor_stats& stats() const noexcept { return stats_; }
    digest_authenticator& authenticator() noexcept { return authenticator_; }

    // ---- transaction_user ---------------------------------------------------------------------
    void on_request(const incoming_request& request) noexcept override;
    void on_ack(const message& ack, const flow& source) noexcept override;
    void on_cancel(transaction_id invite_server, const message& cancel) noexcept override;
    void on_response(transaction_id client, const message& response) noexcept override;
    void on_stray_response(const message& response, const flow& source) noexcept override;
    void on_client_failure(transaction_id client, failure_reason why) noexcept override;
    void on_server_failure(transaction_id server, failure_reason why) noexcept override;
    void on_terminated(transaction_id id) noexcept override;

private:
    struct entry {
        service* handler;
        int priority;
        service_capabilities capabilities;
    };

    void in_dialog(const incoming_request& in);
    void out_of_dialog(const incoming_request& in);
    /// false when the request was answered (420 or 400).
    bool require_supported(const incoming_request& in);
    void offer(const incoming_request& in, const request_context& context);
    void answer_unclaimed(const incoming_request& in, dialog_position position);
    bool declared(method m) const noexcept;
    void rebuild_headers();
    std::string new_tag();

    transaction_layer& transactions_;
    const timer_wheel& wheel_;
    std::shared_ptr<const endpoint_identifier> identifier_;
    distributor_options options_;
    digest_authenticator authenticator_;
    std::vector<entry> services_;
    std::vector<std::string> option_tags_; ///< options_.option_tags + the services', deduplicated
    std::string allow_;
    std::string supported_;
    /// Server transactions a service claimed → that service (CANCEL, failures, termination).
    std::unordered_map<std::uint64_t, service*> claimed_by_;
    distributor_stats stats_;
    std::uint64_t tag_seed_;
    std::uint64_t tags_ = 0;
};

/// The built-in OPTIONS responder (RFC 3261 §11.2): 200 with Allow, Accept (application/sdp)
/// and Supported for out-of-dialog OPTIONS. In a dialog, OPTIONS goes to the dialog's owner.
class options_service final : public service {
public:
    explicit options_service(distributor& owner) noexcept : owner_(owner) {}
    std::string_view name() const noexcept override { return "options"; }
    service_capabilities capabilities() const override;
    service_claim offer(const incoming_request& request,
                        const request_context& context) noexcept override;

private:
    distributor& owner_;
};

} // namespace parley
