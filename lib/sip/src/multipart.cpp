// Multipart bodies (multipart.hpp): delimiter search (RFC 2046 §5.1.1), part headers, nesting,
// find_sdp() and the required-but-unsupported check (RFC 5621 §9.1).
#include <parley/sip/multipart.hpp>

#include <parley/base/text.hpp>

#include <algorithm>

namespace parley {

namespace {

/// bchars := bcharsnospace / " "; bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" /
/// "_" / "," / "-" / "." / "/" / ":" / "=" / "?"
bool is_bchar(char c) noexcept {
    if (text::is(c, text::alpha | text::digit)) return true;
    switch (c) {
    case '\'':
    case '(':
    case ')':
    case '+':
    case '_':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case '=':
    case '?':
    case ' ': return true;
    default: return false;
    }
}

/// RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace (quotes removed).
bool valid_boundary(std::string_view b) noexcept {
    if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
    for (char c : b)
        if (!is_bchar(c)) return false;
    return true;
}

struct delimiter {
    std::size_t line_start = 0; ///< where the CRLF before "--boundary" starts (the part ends)
    std::size_t after = 0;      ///< first byte after the delimiter line
    bool close = false;         ///< "--boundary--"
};

/// Length of the line end at `pos` (CRLF or LF), 0 when there is none.
std::size_t line_end_at(std::string_view s, std::size_t pos) noexcept {
    if (pos < s.size() && s[pos] == '\n') return 1;
    if (pos + 1 < s.size() && s[pos] == '\r' && s[pos + 1] == '\n') return 2;
    return 0;
}

/// The next delimiter line at or after `from`: "--" boundary at the start of the body or of a
/// line, then "--" (close) or transport padding (SP/HT) and a line end (or the end of the body).
std::optional<delimiter> find_delimiter(std::string_view body, std::string_view dash_boundary,
                                        std::size_t from) noexcept {
    while (from <= body.size()) {
        std::size_t at = body.find(dash_boundary, from);
        if (at == std::string_view::npos) return std::nullopt;
        from = at + 1;
        if (at != 0 && body[at - 1] != '\n') continue;
        delimiter d;
        d.line_start = at;
        if (at >= 1 && body[at - 1] == '\n') d.line_start = at - 1;
        if (d.line_start >= 1 && body[d.line_start - 1] == '\r') --d.line_start;
        std::size_t pos = at + dash_boundary.size();
        if (body.substr(pos, 2) == "--") {
            d.close = true;
            pos += 2;
        }
        while (pos < body.size() && text::is_space(body[pos])) ++pos;
        std::size_t eol = line_end_at(body, pos);
        // A longer boundary that merely starts with ours is not a delimiter ("--abcd" vs "abc").
        if (eol == 0 && pos < body.size() && !d.close) continue;
        d.after = pos + eol;
        return d;
    }
    return std::nullopt;
}

class multipart_parser {
public:
    multipart_parser(const multipart_options& options, multipart_body& out) noexcept
        : options_(options), out_(out) {}

    /// Parses `body` (at `base` in the message) whose type is `type`; `type_at` is where its
    /// Content-Type value is, for boundary errors.
    result<void> parse(const media_type& type, std::string_view body, std::size_t base,
                       std::size_t type_at, std::size_t depth, std::size_t parent) {
        if (!text::iequals(type.type, "multipart"))
            return fail(400, "Not A Multipart Body", type_at);
        auto boundary_param = type.params.find("boundary");
        if (!boundary_param) return fail(400, "Missing Multipart Boundary", type_at);
        std::string_view boundary = *boundary_param;
        if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
            boundary = boundary.substr(1, boundary.size() - 2);
        if (!valid_boundary(boundary)) return fail(400, "Bad Multipart Boundary", type_at);
        std::string dash_boundary = "--";
        dash_boundary += boundary;

        auto first = find_delimiter(body, dash_boundary, 0);
        if (!first) return fail(400, "Multipart Boundary Not Found", base);
        if (depth == 1) out_.preamble = body.substr(0, first->line_start);
        if (first->close) return fail(400, "Multipart Body Without Parts", base + first->after);
        std::size_t part_start = first->after;
        while (true) {
            auto next = find_delimiter(body, dash_boundary, part_start);
            if (!next) return fail(400, "Missing Multipart Close Delimiter", base + body.size());
            std::size_t part_end = std::max(part_start, next->line_start);
            PARLEY_TRY(add_part(body.substr(part_start, part_end - part_start), base + part_start,
                                depth, parent));
            if (next->close) {
                if (depth == 1) out_.epilogue = body.substr(next->after);
                return {};
            }
            part_start = next->after;
        }
    }

private:
    result<void> add_part(std::string_view content, std::size_t base, std::size_t depth,
                          std::size_t parent) {
        if (out_.parts.size() >= options_.max_parts) return fail(400, "Too Many Body Parts", base);
        body_part part;
        part.depth = depth;
        part.parent = parent;
        std::size_t type_at = base;
        // body-part := MIME-part-headers [CRLF *OCTET]: headers up to the first empty line.
        std::size_t pos = 0;
        while (true) {
            if (pos >= content.size()) {
                part.headers = content;
                part.body = content.substr(content.size());
                break;
            }
            if (std::size_t eol = line_end_at(content, pos)) {
                part.headers = content.substr(0, pos);
                part.body = content.substr(pos + eol);
                break;
            }
            // One header line with its folds (continuation lines start with SP or HT).
            std::size_t line_start = pos;
            std::size_t end = pos;
            while (true) {
                std::size_t nl = content.find('\n', end);
                if (nl == std::string_view::npos) {
                    end = content.size();
                    pos = end;
                    break;
                }
                end = nl + 1;
                if (end < content.size() && text::is_space(content[end])) continue;
                pos = end;
                break;
            }
            std::string_view line = content.substr(line_start, end - line_start);
            PARLEY_TRY(part_header(line, base + line_start, part, type_at));
        }
        part.offset = base + static_cast<std::size_t>(part.body.data() - content.data());
        std::size_t index = out_.parts.size();
        out_.parts.push_back(part);
        if (!part.is_multipart()) return {};
        if (depth + 1 > options_.max_depth)
            return fail(400, "Multipart Nesting Too Deep", part.offset);
        return parse(part.content_type, part.body, part.offset, type_at, depth + 1, index);
    }

    /// One "Name: value" line of a part; only the Content-* headers SIP uses are read.
    result<void> part_header(std::string_view line, std::size_t base, body_part& part,
                             std::size_t& type_at) {
        std::size_t colon = line.find(':');
        std::string_view name = text::trim(line.substr(0, colon));
        if (colon == std::string_view::npos || !text::is_token_text(name) ||
            !text::is_token(line.front()))
            return fail(400, "Bad Body Part Header", base);
        std::string_view value = text::trim(line.substr(colon + 1));
        std::size_t value_at = value.empty()
                                   ? base + colon + 1
                                   : base + static_cast<std::size_t>(value.data() - line.data());
        if (text::iequals(name, "Content-Type")) {
            if (!part.content_type.empty())
                return fail(400, "Duplicate Body Part Content-Type", base);
            auto type = parse_media_type(value, value_at);
            PARLEY_TRY(type);
            part.content_type = *type;
            type_at = value_at;
        } else if (text::iequals(name, "Content-Disposition")) {
            if (part.disposition) return fail(400, "Duplicate Body Part Content-Disposition", base);
            auto disposition = parse_content_disposition(value, value_at);
            PARLEY_TRY(disposition);
            part.disposition = *disposition;
        } else if (text::iequals(name, "Content-ID")) {
            part.content_id = value;
        }
        return {};
    }

    const multipart_options& options_;
    multipart_body& out_;
};

std::size_t content_type_offset(const message& m) noexcept {
    const header_field* h = m.find(header_id::content_type);
    if (h != nullptr) return h->value_offset;
    return static_cast<std::size_t>(m.body().data() - m.bytes().data());
}

std::size_t body_offset(const message& m) noexcept {
    return static_cast<std::size_t>(m.body().data() - m.bytes().data());
}

bool type_understood(const media_type& t, std::span<const std::string_view> understood) noexcept {
    std::string_view type = t.empty() ? "text" : t.type;
    std::string_view subtype = t.empty() ? "plain" : t.subtype;
    for (std::string_view u : understood) {
        std::size_t slash = u.find('/');
        std::string_view utype = u.substr(0, slash);
        std::string_view usub = slash == std::string_view::npos ? "*" : u.substr(slash + 1);
        if (utype == "*") return true;
        if (text::iequals(utype, type) && (usub == "*" || text::iequals(usub, subtype)))
            return true;
    }
    return false;
}

/// Collects the unsupported required parts under `parent`; returns true when all is understood.
bool check_children(const multipart_body& body, std::size_t parent,
                    std::span<const std::string_view> understood, std::vector<std::size_t>* out);

/// True when part `i` is understood (its content, for a multipart).
bool understood_part(const multipart_body& body, std::size_t i,
                     std::span<const std::string_view> understood) {
    const body_part& p = body.parts[i];
    if (!p.is_multipart()) return type_understood(p.content_type, understood);
    return check_children(body, i, understood, nullptr);
}

bool check_children(const multipart_body& body, std::size_t parent,
                    std::span<const std::string_view> understood, std::vector<std::size_t>* out) {
    bool all_fine = true;
    for (std::size_t i = 0; i < body.parts.size(); ++i) {
        const body_part& p = body.parts[i];
        if (p.parent != parent) continue;
        bool fine = true;
        if (p.is_multipart() && text::iequals(p.content_type.subtype, "alternative")) {
            // RFC 2046 §5.1.4: one alternative the receiver can use is enough.
            bool any = false;
            for (std::size_t j = i + 1; j < body.parts.size() && !any; ++j)
                if (body.parts[j].parent == i) any = understood_part(body, j, understood);
            fine = any || !p.required();
            if (!fine && out != nullptr) out->push_back(i);
        } else if (p.is_multipart()) {
            // An optional container reports nothing, whatever its parts hold.
            fine = !p.required() || check_children(body, i, understood, out);
        } else {
            fine = !p.required() || type_understood(p.content_type, understood);
            if (!fine && out != nullptr) out->push_back(i);
        }
        all_fine = all_fine && fine;
    }
    return all_fine;
}

} // namespace

bool body_part::is(std::string_view type, std::string_view subtype) const noexcept {
    if (content_type.empty()) return text::iequals(type, "text") && text::iequals(subtype, "plain");
    return content_type.is(type, subtype);
}

bool body_part::is_multipart() const noexcept {
    return text::iequals(content_type.type, "multipart");
}

std::string_view body_part::disposition_type() const noexcept {
    if (disposition) return disposition->type;
    return is("application", "sdp") ? "session" : "render";
}

bool body_part::required() const noexcept {
    return !disposition || disposition->handling != disposition_handling::optional;
}

result<multipart_body> parse_multipart(const media_type& type, std::string_view body,
                                       std::size_t base, const multipart_options& options) {
    multipart_body out;
    multipart_parser parser(options, out);
    auto parsed = parser.parse(type, body, base, base, 1, body_part::no_parent);
    PARLEY_TRY(parsed);
    return out;
}

result<multipart_body> parse_multipart(const message& m, const multipart_options& options) {
    multipart_body out;
    multipart_parser parser(options, out);
    auto parsed = parser.parse(m.content_type(), m.body(), body_offset(m), content_type_offset(m),
                               1, body_part::no_parent);
    PARLEY_TRY(parsed);
    return out;
}

namespace {

std::optional<std::string_view> first_session_sdp(const multipart_body& body) noexcept {
    for (const body_part& p : body.parts)
        if (p.is("application", "sdp") && text::iequals(p.disposition_type(), "session"))
            return p.body;
    return std::nullopt;
}

} // namespace

result<std::optional<std::string_view>> find_sdp(const media_type& type, std::string_view body,
                                                 std::size_t base,
                                                 const multipart_options& options) {
    using found = std::optional<std::string_view>;
    if (type.is("application", "sdp")) return found{body};
    if (!text::iequals(type.type, "multipart")) return found{};
    auto parts = parse_multipart(type, body, base, options);
    PARLEY_TRY(parts);
    return first_session_sdp(*parts);
}

result<std::optional<std::string_view>> find_sdp(const message& m,
                                                 const multipart_options& options) {
    using found = std::optional<std::string_view>;
    if (m.content_type().is("application", "sdp")) return found{m.body()};
    if (!text::iequals(m.content_type().type, "multipart")) return found{};
    auto parts = parse_multipart(m, options);
    PARLEY_TRY(parts);
    return first_session_sdp(*parts);
}

std::vector<std::size_t> unsupported_required_parts(const multipart_body& body,
                                                    std::span<const std::string_view> understood) {
    std::vector<std::size_t> out;
    check_children(body, body_part::no_parent, understood, &out);
    return out;
}

} // namespace parley
