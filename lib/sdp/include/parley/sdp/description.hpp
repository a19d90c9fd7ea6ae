// session_description: the SDP model (RFC 8866), its parser and its serializer.
//
// Ownership: a session_description owns one arena (a single heap block for a typical SDP)
// holding a copy of the parsed text plus the arrays of media, attributes and formats. Every
// std::string_view in the model points into that arena, so a description is self-contained:
// it can outlive the SIP message it came from, be moved for the price of a pointer and be copied
// (a deep copy into a fresh arena). Readers get const references; writers go through the
// setters here and through media_editor, which copy the text they are given into the arena.
// Replaced text is not reclaimed until the description is copied or destroyed (monotonic
// storage), which is fine for the few edits an answer or a re-offer needs.
//
// Parsing is strict about what offer/answer depends on (v=0 first, o=, s=, t=, a c= for every
// m=, m= port/proto/format syntax, RTP payload types 0-127) and tolerant of everything else
// (unknown line types and attributes are kept verbatim; LF accepted as a line end). Errors carry
// status 400, a reason naming the problem ("SDP: missing o= line") and the byte offset.
// Serialization always writes CRLF and the RFC 8866 §5 line order; parse(serialize(d)) == d.
//
// Pure: no I/O, no threads, no clocks, no globals. A description is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <parley/base/arena.hpp>
#include <parley/base/result.hpp>
#include <parley/sdp/attributes.hpp>
#include <parley/sdp/slice_vector.hpp>

namespace parley::sdp {

/// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (§5.2).
struct origin_field {
    std::string_view username{};
    /// Kept as text: only ever compared, and some peers send more than 64 bits of digits.
    std::string_view session_id{};
    std::uint64_t session_version = 0;
    std::string_view network_type{};
    std::string_view address_type{};
    std::string_view address{};
    friend bool operator==(const origin_field&, const origin_field&) = default;
};

/// c=<nettype> <addrtype> <connection-address> (§5.7). IPv6 addresses are unbracketed.
struct connection_field {
    std::string_view network_type{};
    std::string_view address_type{};
    std::string_view address{};
    /// IP4 multicast TTL (`/<ttl>`), when present.
    std::optional<std::uint8_t> ttl{};
    /// Number of addresses (`/<n>` after the TTL for IP4, directly after the address for IP6).
    std::optional<std::uint32_t> address_count{};

    bool is_ip4() const noexcept { return address_type == "IP4"; }
    bool is_ip6() const noexcept { return address_type == "IP6"; }
    /// RFC 2543 hold (RFC 3264 §8.4 still requires understanding it): c=IN IP4 0.0.0.0.
    bool is_hold() const noexcept { return is_ip4() && address == "0.0.0.0"; }
    friend bool operator==(const connection_field&, const connection_field&) = default;
};

/// b=<bwtype>:<bandwidth> (§5.8).
struct bandwidth_field {
    std::string_view type{};
    std::uint64_t value = 0;
    friend bool operator==(const bandwidth_field&, const bandwidth_field&) = default;
};

/// t=<start-time> <stop-time> (§5.9) and its r= lines (§5.10), kept as text.
struct timing_field {
    std::uint64_t start = 0;
    std::uint64_t stop = 0;
    slice_vector<std::string_view> repeats{};
    friend bool operator==(const timing_field&, const timing_field&) = default;
};

/// A line whose type letter RFC 8866 does not define; kept so a relay loses nothing.
struct extension_line {
    char type = 0;
    std::string_view value{};
    friend bool operator==(const extension_line&, const extension_line&) = default;
};

/// One m= section (§5.14) and the lines that belong to it.
struct media_description {
    std::string_view media{}; ///< "audio", "video", "application", ...
    std::uint16_t port = 0;
    std::optional<std::uint16_t> port_count{}; ///< `<port>/<number of ports>`
    std::string_view proto{}; ///< "RTP/AVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF", "udp", ...
    slice_vector<std::string_view> formats{};
    std::optional<std::string_view> information{};
    slice_vector<connection_field> connections{};
    slice_vector<bandwidth_field> bandwidths{};
    std::optional<std::string_view> key{};
    slice_vector<attribute> attributes{};
    slice_vector<extension_line> extensions{};

    /// RFC 3264 §6: port 0 means the stream is declined (or was removed).
    bool is_declined() const noexcept { return port == 0; }
    /// True for RTP profiles (proto contains "RTP/"), whose formats are payload types.
    bool is_rtp() const noexcept;
    /// The payload type of format `i` for RTP media (std::nullopt if not RTP or not a number).
    std::optional<std::uint8_t> payload_type(std::size_t i) const noexcept;
    /// The first attribute with this name, or null.
    const attribute* find_attribute(std::string_view name) const noexcept;
    /// The direction attribute at this level, if any (the last one wins).
    std::optional<direction> declared_direction() const noexcept;
    /// a=rtpmap for `payload_type`, or the RFC 3551 static mapping when there is no rtpmap.
    std::optional<rtpmap> find_rtpmap(std::uint8_t payload_type) const noexcept;
    /// The parameters of a=fmtp for `format` (e.g. "0-16" for telephone-event).
    std::optional<std::string_view> find_fmtp(std::string_view format) const noexcept;
    std::optional<std::uint32_t> ptime() const noexcept;
    std::optional<std::uint32_t> maxptime() const noexcept;
    std::optional<rtcp_attribute> rtcp() const noexcept;
    bool has_rtcp_mux() const noexcept;
    std::optional<std::string_view> mid() const noexcept;

    friend bool operator==(const media_description&, const media_description&) = default;
};

/// How strictly the RFC 8866 §5 line order is checked within the session and media sections.
enum class line_order : std::uint8_t {
    /// Lines of a section may come in any order (each still lands in its section); the
    /// serializer writes the canonical order. What deployed user agents need.
    tolerant,
    /// Out-of-order lines fail with "SDP: line out of order".
    strict,
};

/// Limits on untrusted input; each has tests at, below and above it.
struct parse_options {
    line_order order = line_order::tolerant;
    std::size_t max_bytes = 64 * 1024;
    std::size_t max_media = 32;
    /// a= lines in the whole description (session plus all media).
    std::size_t max_attributes = 512;
};

class media_editor;

class session_description {
public:
    /// An empty description (no lines); fill it with the setters. Allocates nothing.
    session_description() noexcept = default;
    session_description(const session_description& other);
    session_description& operator=(const session_description& other);
    // Inline so that moving a freshly parsed description into its result costs a few stores.
    session_description(session_description&&) noexcept = default;
    session_description& operator=(session_description&&) noexcept;
    ~session_description();

    /// Parses `text` (copied into the description). Status 400 on error.
    static result<session_description> parse(std::string_view text,
                                             const parse_options& options = {});

    /// Appends the SDP text (CRLF line ends, RFC 8866 §5 order) to `out`.
    void serialize_to(std::string& out) const;
    std::string serialize() const;

    // ---- reading --------------------------------------------------------------------------
    const origin_field& origin() const noexcept { return origin_; }
    std::string_view session_name() const noexcept { return session_name_; }
    const std::optional<std::string_view>& information() const noexcept { return information_; }
    const std::optional<std::string_view>& uri() const noexcept { return uri_; }
    const slice_vector<std::string_view>& emails() const noexcept { return emails_; }
    const slice_vector<std::string_view>& phones() const noexcept { return phones_; }
    const std::optional<connection_field>& connection() const noexcept { return connection_; }
    const slice_vector<bandwidth_field>& bandwidths() const noexcept { return bandwidths_; }
    const slice_vector<timing_field>& timings() const noexcept { return timings_; }
    const std::optional<std::string_view>& time_zones() const noexcept { return time_zones_; }
    const std::optional<std::string_view>& key() const noexcept { return key_; }
    const slice_vector<attribute>& attributes() const noexcept { return attributes_; }
    const slice_vector<extension_line>& extensions() const noexcept { return extensions_; }
    const slice_vector<media_description>& media() const noexcept { return media_; }

    /// The session-level direction attribute, if any.
    std::optional<direction> declared_direction() const noexcept;
    /// RFC 8866 §6.7: media level overrides session level; the default is sendrecv.
    direction effective_direction(std::size_t media_index) const noexcept;
    /// The connection that applies to media `i`: its first c=, else the session c=.
    const connection_field* effective_connection(std::size_t media_index) const noexcept;
    /// True when media `i` is on hold the RFC 2543 way (its effective c= is 0.0.0.0).
    bool is_connection_hold(std::size_t media_index) const noexcept;

    /// Model equality (RFC 8866 content, not bytes): parse(serialize(d)) == d.
    friend bool operator==(const session_description& a, const session_description& b);
    /// Equality ignoring the o= session version: "did anything change?" (RFC 3264 §8).
    bool same_content_as(const session_description& other) const;

    // ---- writing (every string is copied into this description) --------------------------
    void set_origin(const origin_field& origin);
    void set_session_version(std::uint64_t version) noexcept { origin_.session_version = version; }
    void set_session_name(std::string_view name);
    void set_information(std::optional<std::string_view> information);
    void set_uri(std::optional<std::string_view> uri);
    void add_email(std::string_view email);
    void add_phone(std::string_view phone);
    void set_connection(const std::optional<connection_field>& connection);
    void add_bandwidth(const bandwidth_field& bandwidth);
    /// Adds a t= line (with its r= lines copied).
    void add_timing(const timing_field& timing);
    void set_time_zones(std::optional<std::string_view> zones);
    void set_key(std::optional<std::string_view> key);
    void add_attribute(std::string_view name, std::optional<std::string_view> value = {});
    /// Removes every session-level attribute with this name.
    void remove_attributes(std::string_view name);
    /// Replaces any session-level direction attribute (std::nullopt: remove it).
    void set_direction(std::optional<direction> d);
    void add_extension(char type, std::string_view value);

    /// Appends an m= line (RFC 3264 §8: new streams are only ever appended).
    media_editor add_media(std::string_view media, std::uint16_t port, std::string_view proto,
                           std::span<const std::string_view> formats);
    /// Appends a deep copy of `from` (which may live in another description).
    media_editor add_media_copy(const media_description& from);
    /// Edits media `i` (must be < media().size()).
    media_editor edit_media(std::size_t i);

private:
    friend class media_editor;
    friend class parser;
    struct storage;
    struct storage_deleter {
        void operator()(storage* s) const noexcept;
    };

    arena& memory();
    std::string_view keep(std::string_view text) { return memory().copy(text); }
    std::optional<std::string_view> keep(std::optional<std::string_view> text);
    connection_field keep(const connection_field& c);
    void copy_from(const session_description& other);

    std::unique_ptr<storage, storage_deleter> storage_;
    origin_field origin_;
    std::string_view session_name_{};
    std::optional<std::string_view> information_{};
    std::optional<std::string_view> uri_{};
    slice_vector<std::string_view> emails_{};
    slice_vector<std::string_view> phones_{};
    std::optional<connection_field> connection_{};
    slice_vector<bandwidth_field> bandwidths_{};
    slice_vector<timing_field> timings_{};
    std::optional<std::string_view> time_zones_{};
    std::optional<std::string_view> key_{};
    slice_vector<attribute> attributes_{};
    slice_vector<extension_line> extensions_{};
    slice_vector<media_description> media_{};
};

/// Writes to one m= section of a session_description; returned by add_media / edit_media.
/// A borrow: valid while the description is alive and no media is added to it.
class media_editor {
public:
    media_editor(session_description& owner, std::size_t index) noexcept
        : owner_(&owner), index_(index) {}

    const media_description& get() const noexcept { return owner_->media_[index_]; }
    std::size_t index() const noexcept { return index_; }

    media_editor& set_port(std::uint16_t port) noexcept;
    media_editor& set_port_count(std::optional<std::uint16_t> count) noexcept;
    media_editor& set_proto(std::string_view proto);
    media_editor& set_formats(std::span<const std::string_view> formats);
    media_editor& add_format(std::string_view format);
    media_editor& set_information(std::optional<std::string_view> information);
    /// Replaces every c= of this media with `connection` (std::nullopt: none).
    media_editor& set_connection(const std::optional<connection_field>& connection);
    media_editor& add_connection(const connection_field& connection);
    media_editor& add_bandwidth(const bandwidth_field& bandwidth);
    media_editor& clear_bandwidths() noexcept;
    media_editor& set_key(std::optional<std::string_view> key);
    media_editor& add_attribute(std::string_view name, std::optional<std::string_view> value = {});
    media_editor& remove_attributes(std::string_view name) noexcept;
    media_editor& remove_attributes(attribute_kind kind) noexcept;
    media_editor& clear_attributes() noexcept;
    /// Replaces any direction attribute of this media (std::nullopt: remove it).
    media_editor& set_direction(std::optional<direction> d);
    media_editor& add_extension(char type, std::string_view value);

private:
    media_description& media() noexcept { return owner_->media_[index_]; }
    session_description* owner_;
    std::size_t index_;
};

} // namespace parley::sdp
