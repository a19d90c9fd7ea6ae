#include <parley/dialog/dialog.hpp>

#include <parley/base/text.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>

namespace parley {
namespace {

// The name-addr text a dialog keeps for From/To: display name and URI, without parameters.
std::size_t address_text_size(const name_addr& a) {
    std::size_t name = a.display_name.empty() ? 0 : a.display_name.size() + 1;
    if (!a.display_name.empty() && a.display_name_quoted) name += 2;
    return name + a.address.text.size() + 2;
}

char* put(char* out, std::string_view text) {
    if (!text.empty()) std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

char* put_address_text(char* out, const name_addr& a) {
    if (!a.display_name.empty()) {
        if (a.display_name_quoted) out = put(out, "\"");
        out = put(out, a.display_name);
        out = put(out, a.display_name_quoted ? "\" " : " ");
    }
    out = put(out, "<");
    out = put(out, a.address.text);
    return put(out, ">");
}

const contact* first_contact(const message& m) {
    for (const contact& c : m.contacts())
        if (!c.star) return &c;
    return nullptr;
}

std::string number(std::uint32_t v) {
    char digits[16];
    auto r = std::to_chars(digits, digits + sizeof digits, v);
    return std::string(digits, static_cast<std::size_t>(r.ptr - digits));
}

} // namespace

dialog_id dialog_id_of_received(const message& m) {
    if (m.is_request())
        return {std::string(m.call_id()), std::string(m.to().tag), std::string(m.from().tag)};
    return {std::string(m.call_id()), std::string(m.from().tag), std::string(m.to().tag)};
}

const std::vector<std::string>& dialog::no_routes() noexcept {
    static const std::vector<std::string> none;
    return none;
}

void dialog::add_route(std::string_view route) {
    if (!route_set_) route_set_ = std::make_unique<std::vector<std::string>>();
    route_set_->emplace_back(route);
}

dialog::dialog(const dialog& other)
    : state_(other.state_), role_(other.role_), secure_(other.secure_),
      local_cseq_(other.local_cseq_), remote_cseq_(other.remote_cseq_), user_(other.user_),
      route_set_(other.route_set_ ? std::make_unique<std::vector<std::string>>(*other.route_set_)
                                  : nullptr) {
    std::copy(std::begin(other.ends_), std::end(other.ends_), std::begin(ends_));
    std::size_t size = ends_[text_count - 1];
    texts_ = std::make_unique_for_overwrite<char[]>(size);
    if (size != 0) std::memcpy(texts_.get(), other.texts_.get(), size);
}

dialog& dialog::operator=(const dialog& other) {
    if (this != &other) *this = dialog(other);
    return *this;
}

dialog::dialog(dialog&& other) noexcept
    : state_(other.state_), role_(other.role_), secure_(other.secure_),
      local_cseq_(other.local_cseq_), remote_cseq_(other.remote_cseq_), user_(other.user_),
      texts_(std::move(other.texts_)), route_set_(std::move(other.route_set_)) {
    std::copy(std::begin(other.ends_), std::end(other.ends_), std::begin(ends_));
    std::fill(std::begin(other.ends_), std::end(other.ends_), 0); // its texts are gone
}

dialog& dialog::operator=(dialog&& other) noexcept {
    if (this == &other) return *this;
    state_ = other.state_;
    role_ = other.role_;
    secure_ = other.secure_;
    local_cseq_ = other.local_cseq_;
    remote_cseq_ = other.remote_cseq_;
    user_ = other.user_;
    texts_ = std::move(other.texts_);
    route_set_ = std::move(other.route_set_);
    std::copy(std::begin(other.ends_), std::end(other.ends_), std::begin(ends_));
    std::fill(std::begin(other.ends_), std::end(other.ends_), 0);
    return *this;
}

void dialog::set_texts(const std::string_view (&parts)[text_count]) {
    std::size_t size = 0;
    for (std::string_view part : parts) size += part.size();
    // Into a new block: the parts may point into the old one.
    auto block = std::make_unique_for_overwrite<char[]>(size);
    char* out = block.get();
    for (std::size_t i = 0; i < text_count; ++i) {
        out = put(out, parts[i]);
        ends_[i] = static_cast<std::uint32_t>(out - block.get());
    }
    texts_ = std::move(block);
}

void dialog::set_remote_target(std::string_view target) {
    const std::string_view parts[text_count] = {text(call_id_text),      text(local_tag_text),
                                                text(remote_tag_text),   text(local_uri_text),
                                                text(remote_uri_text),   target,
                                                text(local_contact_text)};
    set_texts(parts);
}

void dialog::set_texts(dialog_id_view id, const name_addr& local, const name_addr& remote,
                       std::string_view remote_target, std::string_view local_contact) {
    std::size_t size = id.call_id.size() + id.local_tag.size() + id.remote_tag.size() +
                       address_text_size(local) + address_text_size(remote) + remote_target.size() +
                       local_contact.size();
    auto block = std::make_unique_for_overwrite<char[]>(size);
    char* out = block.get();
    auto mark = [&](text_index i) { ends_[i] = static_cast<std::uint32_t>(out - block.get()); };
    out = put(out, id.call_id);
    mark(call_id_text);
    out = put(out, id.local_tag);
    mark(local_tag_text);
    out = put(out, id.remote_tag);
    mark(remote_tag_text);
    out = put_address_text(out, local);
    mark(local_uri_text);
    out = put_address_text(out, remote);
    mark(remote_uri_text);
    out = put(out, remote_target);
    mark(remote_target_text);
    out = put(out, local_contact);
    mark(local_contact_text);
    texts_ = std::move(block);
}

result<dialog> dialog::create_uas(const message& request, std::string_view local_tag,
                                  std::string_view local_contact) {
    // RFC 3261 §12.1.1
    const contact* remote = first_contact(request);
    if (remote == nullptr) return fail(400, "Missing Contact Header");
    if (!remote->address.address.is_sip() && remote->address.address.scheme != uri_scheme::other)
        return fail(400, "Bad Contact URI");
    dialog d;
    d.role_ = dialog_role::uas;
    d.state_ = dialog_state::early;
    d.secure_ = request.request_uri().scheme == uri_scheme::sips;
    // §12.1.1: the route set is the Record-Route list in order.
    for (const name_addr& rr : request.record_routes()) d.add_route(rr.text);
    d.remote_cseq_ = request.cseq().number;
    d.set_texts({request.call_id(), local_tag, request.from().tag}, request.to(), request.from(),
                remote->address.address.text, local_contact);
    return d;
}

result<dialog> dialog::create_uac(const message& request, const message& response,
                                  std::string_view local_contact) {
    // RFC 3261 §12.1.2
    if (response.to().tag.empty()) return fail(0, "Response Without To Tag");
    const contact* remote = first_contact(response);
    if (remote == nullptr && response.status() >= 200) return fail(0, "2xx Without Contact");
    dialog d;
    d.role_ = dialog_role::uac;
    d.state_ = response.status() >= 200 ? dialog_state::confirmed : dialog_state::early;
    d.secure_ = request.request_uri().scheme == uri_scheme::sips;
    // §12.1.2: the route set is the Record-Route list in reverse order.
    const auto& rr = response.record_routes();
    for (std::size_t i = rr.size(); i-- > 0;) d.add_route(rr[i].text);
    d.local_cseq_ = request.cseq().number;
    d.set_texts({request.call_id(), request.from().tag, response.to().tag}, request.from(),
                response.to(),
                remote != nullptr ? remote->address.address.text : request.request_uri().text,
                local_contact);
    return d;
}

result<void> dialog::receive_request(const message& request) {
    // RFC 3261 §12.2.2: ACK and CANCEL carry the INVITE's number and are not ordered here.
    if (request.method() != method::ack && request.method() != method::cancel) {
        if (remote_cseq_ && request.cseq().number <= *remote_cseq_)
            return fail(500, "CSeq Out of Order");
        remote_cseq_ = request.cseq().number;
    }
    if (is_target_refresh(request.method()))
        if (const contact* c = first_contact(request))
            if (c->address.address.text != remote_target())
                set_remote_target(c->address.address.text);
    return {};
}

void dialog::receive_response(const message& response, method request_method) {
    if (!is_target_refresh(request_method)) return;
    if (response.status() < 101 || response.status() >= 300) return;
    // §12.2.1.2: a 2xx to a target refresh request; §13.2.2.4 / §12.1.2: 1xx/2xx in early state.
    if (response.status() < 200 && state_ != dialog_state::early) return;
    if (const contact* c = first_contact(response))
        if (c->address.address.text != remote_target()) set_remote_target(c->address.address.text);
}

outgoing_message dialog::build_outgoing(const request_options& o) {
    // Same rules as build_request (RFC 3261 §12.2.1.1), written into an editable message.
    std::uint32_t cseq = o.cseq ? *o.cseq : ++local_cseq_;
    std::string request_uri(remote_target());
    bool strict = false;
    const std::vector<std::string>& routes = route_set();
    if (!routes.empty()) {
        auto first = parse_name_addr(routes.front());
        strict = first && !first->address.params.contains("lr");
        if (strict) {
            request_uri = std::string(first->address.text);
            if (std::size_t q = request_uri.find('?'); q != std::string::npos)
                request_uri.resize(q);
        }
    }
    outgoing_message m = outgoing_message::request(o.method, request_uri);
    m.add_header("Via", o.via);
    m.add_header("Max-Forwards", number(static_cast<std::uint32_t>(o.max_forwards)));
    for (std::size_t i = strict ? 1 : 0; i < routes.size(); ++i) m.add_header("Route", routes[i]);
    if (strict) m.add_header("Route", "<" + std::string(remote_target()) + ">");
    std::string from = std::string(local_uri()) + ";tag=";
    from.append(text(local_tag_text));
    std::string to(remote_uri());
    if (!text(remote_tag_text).empty()) to.append(";tag=").append(text(remote_tag_text));
    m.add_header("From", from);
    m.add_header("To", to);
    m.add_header("Call-ID", text(call_id_text));
    m.add_header("CSeq", number(cseq) + " " + std::string(o.method));
    std::string_view contact = o.local_contact.empty() ? local_contact() : o.local_contact;
    method verb = method_from_token(o.method);
    if (!contact.empty() && (is_target_refresh(verb) || verb == method::refer))
        m.add_header("Contact", contact);
    return m;
}

message_writer dialog::build_request(const request_options& o) {
    std::uint32_t cseq = o.cseq ? *o.cseq : ++local_cseq_;
    // RFC 3261 §12.2.1.1: Request-URI and Route.
    std::string request_uri(remote_target());
    bool strict = false;
    std::string first_route_uri;
    const std::vector<std::string>& routes = route_set();
    if (!routes.empty()) {
        auto first = parse_name_addr(routes.front());
        strict = first && !first->address.params.contains("lr");
        if (strict) {
            // Strict routing: the first route becomes the Request-URI (URI parameters kept,
            // headers not allowed there) and the remote target goes last in Route.
            first_route_uri = std::string(first->address.text);
            if (std::size_t q = first_route_uri.find('?'); q != std::string::npos)
                first_route_uri.resize(q);
            request_uri = first_route_uri;
        }
    }
    message_writer w = message_writer::request(o.method, request_uri);
    w.header(header_id::via, o.via);
    w.header(header_id::max_forwards, number(static_cast<std::uint32_t>(o.max_forwards)));
    for (std::size_t i = strict ? 1 : 0; i < routes.size(); ++i)
        w.header(header_id::route, routes[i]);
    if (strict) w.header(header_id::route, "<" + std::string(remote_target()) + ">");
    std::string to(remote_uri());
    if (!text(remote_tag_text).empty()) to.append(";tag=").append(text(remote_tag_text));
    std::string from(local_uri());
    from.append(";tag=").append(text(local_tag_text));
    w.header(header_id::from, from);
    w.header(header_id::to, to);
    w.header(header_id::call_id, text(call_id_text));
    w.header(header_id::cseq, number(cseq) + " " + std::string(o.method));
    std::string_view contact = o.local_contact.empty() ? local_contact() : o.local_contact;
    method m = method_from_token(o.method);
    if (!contact.empty() && (is_target_refresh(m) || m == method::refer))
        w.header(header_id::contact, contact);
    return w;
}

} // namespace parley
