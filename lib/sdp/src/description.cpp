// Storage, copying, queries and setters of session_description (parsing and serializing live in
// parse.cpp and serialize.cpp).
#include <parley/sdp/description.hpp>

#include <new>

#include <parley/base/text.hpp>

#include "storage.hpp"

namespace parley::sdp {

// ---- storage ----------------------------------------------------------------------------------

session_description::storage* session_description::storage::create(std::size_t first_block) {
    // One heap block: the arena header followed by its first block.
    void* raw = ::operator new(sizeof(storage) + first_block);
    char* block = static_cast<char*>(raw) + sizeof(storage);
    return ::new (raw) storage(block, first_block);
}

void session_description::storage_deleter::operator()(storage* s) const noexcept {
    s->~storage();
    ::operator delete(static_cast<void*>(s));
}

arena& session_description::memory() {
    // A built answer or offer with one stream (origin, media, formats, connection, a few
    // attributes) fits one block under glibc's 1032-byte tcache limit, with the header.
    if (!storage_) storage_.reset(storage::create(976));
    return storage_->memory;
}

session_description::~session_description() = default;
session_description& session_description::operator=(session_description&&) noexcept = default;

session_description::session_description(const session_description& other) {
    copy_from(other);
}

session_description& session_description::operator=(const session_description& other) {
    if (this != &other) {
        session_description fresh(other);
        *this = std::move(fresh);
    }
    return *this;
}

namespace {

// Deep copy of every view into `to`: the copy owns nothing of the source.
struct deep_copier {
    arena& to;

    std::string_view operator()(std::string_view s) const { return to.copy(s); }
    std::optional<std::string_view> operator()(const std::optional<std::string_view>& s) const {
        if (!s) return std::nullopt;
        return to.copy(*s);
    }
    attribute operator()(const attribute& a) const {
        return {(*this)(a.name), (*this)(a.value), a.kind};
    }
    extension_line operator()(const extension_line& e) const { return {e.type, (*this)(e.value)}; }
    bandwidth_field operator()(const bandwidth_field& b) const {
        return {(*this)(b.type), b.value};
    }
    connection_field operator()(const connection_field& c) const {
        connection_field out = c;
        out.network_type = (*this)(c.network_type);
        out.address_type = (*this)(c.address_type);
        out.address = (*this)(c.address);
        return out;
    }
    std::optional<connection_field> operator()(const std::optional<connection_field>& c) const {
        if (!c) return std::nullopt;
        return (*this)(*c);
    }
    timing_field operator()(const timing_field& t) const {
        return {t.start, t.stop, (*this)(t.repeats)};
    }
    origin_field operator()(const origin_field& o) const {
        origin_field out = o;
        out.username = (*this)(o.username);
        out.session_id = (*this)(o.session_id);
        out.network_type = (*this)(o.network_type);
        out.address_type = (*this)(o.address_type);
        out.address = (*this)(o.address);
        return out;
    }
    media_description operator()(const media_description& m) const {
        media_description out = m;
        out.media = (*this)(m.media);
        out.proto = (*this)(m.proto);
        out.formats = (*this)(m.formats);
        out.information = (*this)(m.information);
        out.connections = (*this)(m.connections);
        out.bandwidths = (*this)(m.bandwidths);
        out.key = (*this)(m.key);
        out.attributes = (*this)(m.attributes);
        out.extensions = (*this)(m.extensions);
        return out;
    }
    template <class T>
    slice_vector<T> operator()(const slice_vector<T>& v) const {
        slice_vector<T> out;
        if (v.empty()) return out;
        out.reserve(to, v.size());
        for (const T& item : v) out.push_back(to, (*this)(item));
        return out;
    }
};

} // namespace

void session_description::copy_from(const session_description& other) {
    if (!other.storage_) return; // nothing was ever set: stays empty
    storage_.reset(storage::create(other.storage_->memory.heap_bytes() + 1024));
    deep_copier copy{storage_->memory};
    origin_ = copy(other.origin_);
    session_name_ = copy(other.session_name_);
    information_ = copy(other.information_);
    uri_ = copy(other.uri_);
    emails_ = copy(other.emails_);
    phones_ = copy(other.phones_);
    connection_ = copy(other.connection_);
    bandwidths_ = copy(other.bandwidths_);
    timings_ = copy(other.timings_);
    time_zones_ = copy(other.time_zones_);
    key_ = copy(other.key_);
    attributes_ = copy(other.attributes_);
    extensions_ = copy(other.extensions_);
    media_ = copy(other.media_);
}

std::optional<std::string_view> session_description::keep(std::optional<std::string_view> text) {
    if (!text) return std::nullopt;
    return keep(*text);
}

connection_field session_description::keep(const connection_field& c) {
    return deep_copier{memory()}(c);
}

// ---- equality ---------------------------------------------------------------------------------

namespace {
bool equal_except_version(const session_description& a, const session_description& b) {
    origin_field oa = a.origin(), ob = b.origin();
    oa.session_version = ob.session_version = 0;
    return oa == ob && a.session_name() == b.session_name() && a.information() == b.information() &&
           a.uri() == b.uri() && a.emails() == b.emails() && a.phones() == b.phones() &&
           a.connection() == b.connection() && a.bandwidths() == b.bandwidths() &&
           a.timings() == b.timings() && a.time_zones() == b.time_zones() && a.key() == b.key() &&
           a.attributes() == b.attributes() && a.extensions() == b.extensions() &&
           a.media() == b.media();
}
} // namespace

bool operator==(const session_description& a, const session_description& b) {
    return a.origin_.session_version == b.origin_.session_version && equal_except_version(a, b);
}

bool session_description::same_content_as(const session_description& other) const {
    return equal_except_version(*this, other);
}

// ---- queries ----------------------------------------------------------------------------------

namespace {
std::optional<direction> last_direction(const slice_vector<attribute>& attributes) noexcept {
    std::optional<direction> found;
    for (const attribute& a : attributes)
        if (auto d = direction_of(a.kind)) found = d;
    return found;
}
} // namespace

bool media_description::is_rtp() const noexcept {
    return proto.find("RTP/") != std::string_view::npos;
}

std::optional<std::uint8_t> media_description::payload_type(std::size_t i) const noexcept {
    if (i >= formats.size() || !is_rtp()) return std::nullopt;
    auto pt = text::parse_decimal(formats[i], 127);
    if (!pt) return std::nullopt;
    return static_cast<std::uint8_t>(*pt);
}

const attribute* media_description::find_attribute(std::string_view name) const noexcept {
    for (const attribute& a : attributes)
        if (a.name == name) return &a;
    return nullptr;
}

std::optional<direction> media_description::declared_direction() const noexcept {
    return last_direction(attributes);
}

std::optional<rtpmap> media_description::find_rtpmap(std::uint8_t payload_type) const noexcept {
    for (const attribute& a : attributes) {
        if (a.kind != attribute_kind::rtpmap || !a.value) continue;
        // Only the rtpmap of this payload type is parsed whole: a value starting with other
        // digits is another one's (leading zeros and odd spacing take the full parse).
        std::string_view v = *a.value;
        bool leading_zero = v.size() > 1 && v[0] == '0' && text::is_digit(v[1]);
        if (!v.empty() && text::is_digit(v[0]) && !leading_zero) {
            unsigned n = 0;
            std::size_t i = 0;
            while (i < v.size() && i < 4 && text::is_digit(v[i]))
                n = n * 10 + unsigned(v[i++] - '0');
            if (i < v.size() && v[i] == ' ' && n != payload_type) continue;
        }
        if (auto map = parse_rtpmap(v); map && map->payload_type == payload_type) return map;
    }
    return static_payload_type(payload_type);
}

std::optional<std::string_view>
media_description::find_fmtp(std::string_view format) const noexcept {
    for (const attribute& a : attributes) {
        if (a.kind != attribute_kind::fmtp || !a.value) continue;
        if (auto f = parse_fmtp(*a.value); f && f->format == format) return f->parameters;
    }
    return std::nullopt;
}

namespace {
std::optional<std::uint32_t> find_milliseconds(const slice_vector<attribute>& attributes,
                                               attribute_kind kind) noexcept {
    for (const attribute& a : attributes)
        if (a.kind == kind && a.value) return parse_milliseconds(*a.value);
    return std::nullopt;
}
} // namespace

std::optional<std::uint32_t> media_description::ptime() const noexcept {
    return find_milliseconds(attributes, attribute_kind::ptime);
}
std::optional<std::uint32_t> media_description::maxptime() const noexcept {
    return find_milliseconds(attributes, attribute_kind::maxptime);
}

std::optional<rtcp_attribute> media_description::rtcp() const noexcept {
    for (const attribute& a : attributes)
        if (a.kind == attribute_kind::rtcp && a.value) return parse_rtcp(*a.value);
    return std::nullopt;
}

bool media_description::has_rtcp_mux() const noexcept {
    for (const attribute& a : attributes)
        if (a.kind == attribute_kind::rtcp_mux) return true;
    return false;
}

std::optional<std::string_view> media_description::mid() const noexcept {
    for (const attribute& a : attributes)
        if (a.kind == attribute_kind::mid && a.value) return *a.value;
    return std::nullopt;
}

std::optional<direction> session_description::declared_direction() const noexcept {
    return last_direction(attributes_);
}

direction session_description::effective_direction(std::size_t media_index) const noexcept {
    // RFC 8866 §6.7: a media-level direction overrides the session-level one.
    if (media_index < media_.size())
        if (auto d = media_[media_index].declared_direction()) return *d;
    if (auto d = declared_direction()) return *d;
    return direction::sendrecv;
}

const connection_field*
session_description::effective_connection(std::size_t media_index) const noexcept {
    if (media_index < media_.size() && !media_[media_index].connections.empty())
        return &media_[media_index].connections.front();
    return connection_ ? &*connection_ : nullptr;
}

bool session_description::is_connection_hold(std::size_t media_index) const noexcept {
    const connection_field* c = effective_connection(media_index);
    return c != nullptr && c->is_hold();
}

// ---- session-level setters --------------------------------------------------------------------

void session_description::set_origin(const origin_field& origin) {
    origin_ = deep_copier{memory()}(origin);
}
void session_description::set_session_name(std::string_view name) {
    session_name_ = keep(name);
}
void session_description::set_information(std::optional<std::string_view> information) {
    information_ = keep(information);
}
void session_description::set_uri(std::optional<std::string_view> uri) {
    uri_ = keep(uri);
}
void session_description::add_email(std::string_view email) {
    emails_.push_back(memory(), keep(email));
}
void session_description::add_phone(std::string_view phone) {
    phones_.push_back(memory(), keep(phone));
}
void session_description::set_connection(const std::optional<connection_field>& connection) {
    connection_ = deep_copier{memory()}(connection);
}
void session_description::add_bandwidth(const bandwidth_field& bandwidth) {
    bandwidths_.push_back(memory(), deep_copier{memory()}(bandwidth));
}
void session_description::add_timing(const timing_field& timing) {
    timings_.push_back(memory(), deep_copier{memory()}(timing));
}
void session_description::set_time_zones(std::optional<std::string_view> zones) {
    time_zones_ = keep(zones);
}
void session_description::set_key(std::optional<std::string_view> key) {
    key_ = keep(key);
}

namespace {
void add_attribute_to(arena& memory, slice_vector<attribute>& list, std::string_view name,
                      std::optional<std::string_view> value) {
    attribute a{memory.copy(name), std::nullopt, classify_attribute(name)};
    if (value) a.value = memory.copy(*value);
    list.push_back(memory, a);
}
template <class Predicate>
void remove_attributes_if(slice_vector<attribute>& list, Predicate matches) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < list.size(); ++i)
        if (!matches(list[i])) list[kept++] = list[i];
    while (list.size() > kept) list.erase(list.size() - 1);
}
bool is_direction(const attribute& a) {
    return direction_of(a.kind).has_value();
}
} // namespace

void session_description::add_attribute(std::string_view name,
                                        std::optional<std::string_view> value) {
    add_attribute_to(memory(), attributes_, name, value);
}
void session_description::remove_attributes(std::string_view name) {
    remove_attributes_if(attributes_, [name](const attribute& a) { return a.name == name; });
}
void session_description::set_direction(std::optional<direction> d) {
    remove_attributes_if(attributes_, is_direction);
    if (d) add_attribute(to_string(*d));
}
void session_description::add_extension(char type, std::string_view value) {
    extensions_.push_back(memory(), extension_line{type, keep(value)});
}

media_editor session_description::add_media(std::string_view media, std::uint16_t port,
                                            std::string_view proto,
                                            std::span<const std::string_view> formats) {
    media_description m;
    m.media = keep(media);
    m.port = port;
    m.proto = keep(proto);
    media_.push_back(memory(), m);
    media_editor editor(*this, media_.size() - 1);
    editor.set_formats(formats);
    return editor;
}

media_editor session_description::add_media_copy(const media_description& from) {
    media_.push_back(memory(), deep_copier{memory()}(from));
    return media_editor(*this, media_.size() - 1);
}

media_editor session_description::edit_media(std::size_t i) {
    return media_editor(*this, i);
}

// ---- media_editor -----------------------------------------------------------------------------

media_editor& media_editor::set_port(std::uint16_t port) noexcept {
    media().port = port;
    return *this;
}
media_editor& media_editor::set_port_count(std::optional<std::uint16_t> count) noexcept {
    media().port_count = count;
    return *this;
}
media_editor& media_editor::set_proto(std::string_view proto) {
    media().proto = owner_->keep(proto);
    return *this;
}
media_editor& media_editor::set_formats(std::span<const std::string_view> formats) {
    arena& memory = owner_->memory();
    slice_vector<std::string_view> fresh;
    fresh.reserve(memory, formats.size());
    for (std::string_view f : formats) fresh.push_back(memory, memory.copy(f));
    media().formats = fresh;
    return *this;
}
media_editor& media_editor::add_format(std::string_view format) {
    arena& memory = owner_->memory();
    media().formats.push_back(memory, memory.copy(format));
    return *this;
}
media_editor& media_editor::set_information(std::optional<std::string_view> information) {
    media().information = owner_->keep(information);
    return *this;
}
media_editor& media_editor::set_connection(const std::optional<connection_field>& connection) {
    media().connections.clear();
    if (connection) add_connection(*connection);
    return *this;
}
media_editor& media_editor::add_connection(const connection_field& connection) {
    connection_field kept = owner_->keep(connection);
    media().connections.push_back(owner_->memory(), kept);
    return *this;
}
media_editor& media_editor::add_bandwidth(const bandwidth_field& bandwidth) {
    bandwidth_field kept{owner_->keep(bandwidth.type), bandwidth.value};
    media().bandwidths.push_back(owner_->memory(), kept);
    return *this;
}
media_editor& media_editor::clear_bandwidths() noexcept {
    media().bandwidths.clear();
    return *this;
}
media_editor& media_editor::set_key(std::optional<std::string_view> key) {
    media().key = owner_->keep(key);
    return *this;
}
media_editor& media_editor::add_attribute(std::string_view name,
                                          std::optional<std::string_view> value) {
    arena& memory = owner_->memory();
    add_attribute_to(memory, media().attributes, name, value);
    return *this;
}
media_editor& media_editor::remove_attributes(std::string_view name) noexcept {
    remove_attributes_if(media().attributes, [name](const attribute& a) { return a.name == name; });
    return *this;
}
media_editor& media_editor::remove_attributes(attribute_kind kind) noexcept {
    remove_attributes_if(media().attributes, [kind](const attribute& a) { return a.kind == kind; });
    return *this;
}
media_editor& media_editor::clear_attributes() noexcept {
    media().attributes.clear();
    return *this;
}
media_editor& media_editor::set_direction(std::optional<direction> d) {
    remove_attributes_if(media().attributes, is_direction);
    if (d) add_attribute(to_string(*d));
    return *this;
}
media_editor& media_editor::add_extension(char type, std::string_view value) {
    std::string_view kept = owner_->keep(value);
    media().extensions.push_back(owner_->memory(), extension_line{type, kept});
    return *this;
}

} // namespace parley::sdp
