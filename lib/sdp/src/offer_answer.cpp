#include <parley/sdp/offer_answer.hpp>

#include <array>
#include <charconv>
#include <span>

#include <parley/base/text.hpp>

namespace parley::sdp {

namespace {

constexpr std::uint16_t status_not_acceptable_here = 488;

bool sends(direction d) noexcept {
    return d == direction::sendrecv || d == direction::sendonly;
}
bool receives(direction d) noexcept {
    return d == direction::sendrecv || d == direction::recvonly;
}
direction from_flags(bool send, bool receive) noexcept {
    if (send && receive) return direction::sendrecv;
    if (send) return direction::sendonly;
    if (receive) return direction::recvonly;
    return direction::inactive;
}

bool is_telephone_event(std::string_view name) noexcept {
    return text::iequals(name, "telephone-event");
}

bool same_codec(const rtpmap& a, const rtpmap& b) noexcept {
    return text::iequals(a.encoding_name, b.encoding_name) && a.clock_rate == b.clock_rate &&
           a.channel_count() == b.channel_count();
}

} // namespace

direction reverse(direction d) noexcept {
    return from_flags(receives(d), sends(d));
}

direction answer_direction(direction offered, direction local_preference) noexcept {
    // RFC 3264 §6.1: we may send only if the offerer receives, receive only if it sends.
    return from_flags(receives(offered) && sends(local_preference),
                      sends(offered) && receives(local_preference));
}

direction hold_direction(direction current) noexcept {
    // RFC 3264 §8.4: stop receiving; keep sending (music on hold) if we were sending.
    return from_flags(sends(current), false);
}

direction resume_direction(direction current) noexcept {
    return from_flags(sends(current), true);
}

std::vector<format_match> intersect_formats(const media_description& offered,
                                            std::span<const codec> local_preference,
                                            const intersect_options& options) {
    std::vector<format_match> out;
    if (!offered.is_rtp()) return out;
    // Each offered format's rtpmap, resolved once (not once per codec of ours): on the stack
    // for the usual few formats.
    struct resolved {
        std::optional<std::uint8_t> pt;
        std::optional<rtpmap> map;
    };
    std::array<resolved, 16> few;
    std::vector<resolved> many;
    std::span<resolved> formats;
    if (offered.formats.size() <= few.size()) {
        formats = std::span<resolved>(few.data(), offered.formats.size());
    } else {
        many.resize(offered.formats.size());
        formats = many;
    }
    for (std::size_t i = 0; i < formats.size(); ++i) {
        formats[i].pt = offered.payload_type(i);
        if (formats[i].pt) formats[i].map = offered.find_rtpmap(*formats[i].pt);
    }
    for (const codec& want : local_preference) {
        if (is_telephone_event(want.encoding_name)) continue;
        rtpmap wanted{0, want.encoding_name, want.clock_rate,
                      static_cast<std::uint16_t>(want.channels == 1 ? 0 : want.channels)};
        for (std::size_t i = 0; i < offered.formats.size(); ++i) {
            const auto& pt = formats[i].pt;
            const auto& map = formats[i].map;
            if (!pt || !map || !same_codec(*map, wanted)) continue;
            bool already = false;
            for (const format_match& m : out) already = already || m.payload_type == *pt;
            if (already) continue;
            out.push_back({offered.formats[i], *pt, *map, offered.find_fmtp(offered.formats[i])});
            break;
        }
    }
    if (out.empty() || options.events == telephone_event::exclude) return out;
    // RFC 4733 §2.5.1.2: the event clock rate matches the audio codec's; prefer the rate of
    // our first codec, else that of any other accepted codec.
    const std::size_t accepted = out.size();
    for (std::size_t c = 0; c < accepted; ++c) {
        const std::uint32_t rate = out[c].map.clock_rate;
        for (std::size_t i = 0; i < offered.formats.size(); ++i) {
            const auto& pt = formats[i].pt;
            const auto& map = formats[i].map;
            if (!pt) continue;
            if (map && is_telephone_event(map->encoding_name) && map->clock_rate == rate) {
                out.push_back(
                    {offered.formats[i], *pt, *map, offered.find_fmtp(offered.formats[i])});
                return out;
            }
        }
    }
    return out;
}

void apply_formats(media_editor m, std::span<const format_match> matches) {
    std::vector<std::string_view> formats;
    formats.reserve(matches.size());
    for (const format_match& f : matches) formats.push_back(f.format);
    m.set_formats(formats);
    m.remove_attributes(attribute_kind::rtpmap).remove_attributes(attribute_kind::fmtp);
    std::string value;
    for (const format_match& f : matches) {
        value.assign(f.format);
        value += ' ';
        value += f.map.encoding_name;
        value += '/';
        char digits[16];
        auto end = std::to_chars(digits, digits + sizeof digits, f.map.clock_rate).ptr;
        value.append(digits, static_cast<std::size_t>(end - digits));
        if (f.map.channels > 1) {
            value += '/';
            end = std::to_chars(digits, digits + sizeof digits, f.map.channels).ptr;
            value.append(digits, static_cast<std::size_t>(end - digits));
        }
        m.add_attribute("rtpmap", value);
        if (f.fmtp) {
            value.assign(f.format);
            value += ' ';
            value += *f.fmtp;
            m.add_attribute("fmtp", value);
        }
    }
}

media_editor add_declined_stream(session_description& answer, const media_description& offered) {
    // RFC 3264 §6: "rejected by setting the port to zero"; the m-line stays, with the offered
    // formats so that the line is still syntactically complete.
    std::vector<std::string_view> formats(offered.formats.begin(), offered.formats.end());
    if (formats.empty()) formats.push_back(offered.is_rtp() ? "0" : "*");
    return answer.add_media(offered.media, 0, offered.proto, formats);
}

namespace {
bool offers_format(const media_description& offered, const media_description& answered,
                   std::size_t answer_index) {
    auto pt = answered.payload_type(answer_index);
    if (!pt) return false;
    auto answer_map = answered.find_rtpmap(*pt);
    for (std::size_t i = 0; i < offered.formats.size(); ++i) {
        auto offered_pt = offered.payload_type(i);
        if (!offered_pt) continue;
        if (*offered_pt == *pt) return true;
        auto offered_map = offered.find_rtpmap(*offered_pt);
        if (answer_map && offered_map && same_codec(*answer_map, *offered_map)) return true;
    }
    return false;
}
} // namespace

result<void> validate_answer(const session_description& offer, const session_description& answer) {
    // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
    if (answer.media().size() != offer.media().size())
        return fail(status_not_acceptable_here, "SDP: answer m-line count differs from offer",
                    std::min(answer.media().size(), offer.media().size()));
    for (std::size_t i = 0; i < offer.media().size(); ++i) {
        const media_description& o = offer.media()[i];
        const media_description& a = answer.media()[i];
        // RFC 3264 §6: the m-lines of an answer correspond one to one, in order, to the offer's.
        if (o.media != a.media)
            return fail(status_not_acceptable_here, "SDP: answer m-line order differs from offer",
                        i);
        if (a.is_declined()) continue;
        if (o.is_declined())
            return fail(status_not_acceptable_here, "SDP: answer accepts a declined stream", i);
        if (!o.is_rtp() || !a.is_rtp()) continue;
        // RFC 3264 §6.1: an accepted stream lists at least one of the offered formats.
        bool common = false;
        for (std::size_t f = 0; f < a.formats.size() && !common; ++f)
            common = offers_format(o, a, f);
        if (!common)
            return fail(status_not_acceptable_here, "SDP: answer stream has no offered format", i);
    }
    return {};
}

result<void> validate_new_offer(const session_description& previous,
                                const session_description& offer) {
    return validate_new_offer(previous.media().size(), offer);
}

result<void> validate_new_offer(std::size_t previous_media, const session_description& offer) {
    // RFC 3264 §8: "the number of m lines MUST NOT decrease"; streams are removed by port 0
    // and new ones are appended (or reuse a port-0 slot, §8.1).
    if (offer.media().size() < previous_media)
        return fail(status_not_acceptable_here, "SDP: new offer removes m-lines",
                    offer.media().size());
    return {};
}

media_editor add_rtp_answer(session_description& answer, const session_description& offer,
                            std::size_t index, std::uint16_t port, std::string_view address,
                            std::span<const format_match> matches, direction local_preference) {
    const media_description& offered = offer.media()[index];
    std::string_view placeholder[] = {"0"};
    media_editor m = answer.add_media(offered.media, port, offered.proto, placeholder);
    apply_formats(m, matches);
    m.add_connection({"IN", address.find(':') == std::string_view::npos ? "IP4" : "IP6", address});
    if (auto ptime = offered.ptime()) m.add_attribute("ptime", std::to_string(*ptime));
    m.set_direction(answer_direction(offer.effective_direction(index), local_preference));
    return m;
}

media_editor add_audio_offer(session_description& offer, std::uint16_t port,
                             std::string_view address, std::span<const codec> codecs,
                             const intersect_options& options) {
    std::vector<std::string> formats;
    std::vector<std::string> maps;
    int next_dynamic = 96;
    for (const codec& c : codecs) {
        std::optional<std::uint8_t> fixed;
        for (int pt = 0; pt < 35 && !fixed; ++pt) {
            auto known = static_payload_type(static_cast<std::uint8_t>(pt));
            if (known && text::iequals(known->encoding_name, c.encoding_name) &&
                known->clock_rate == c.clock_rate)
                fixed = static_cast<std::uint8_t>(pt);
        }
        int pt = fixed ? *fixed : next_dynamic++;
        formats.push_back(std::to_string(pt));
        maps.push_back(std::to_string(pt) + " " + std::string(c.encoding_name) + "/" +
                       std::to_string(c.clock_rate));
    }
    bool events = options.events == telephone_event::include;
    if (events) {
        formats.push_back("101");
        maps.push_back("101 telephone-event/8000");
    }
    std::vector<std::string_view> views(formats.begin(), formats.end());
    media_editor m = offer.add_media("audio", port, "RTP/AVP", views);
    m.add_connection({"IN", address.find(':') == std::string_view::npos ? "IP4" : "IP6", address});
    for (const std::string& map : maps) m.add_attribute("rtpmap", map);
    if (events) m.add_attribute("fmtp", "101 0-16");
    m.set_direction(direction::sendrecv);
    return m;
}

} // namespace parley::sdp
