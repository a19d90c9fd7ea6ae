// RFC 3264 offer/answer helpers: the rules an answer must follow, as small pure functions the
// session layer composes into answers and new offers (the negotiator in negotiator.hpp uses the
// validators; the builders are for whoever writes an answer).
//
// Ownership: functions that read a description borrow it; format_match views point into the
// offered media description (valid while that description lives). Builders write into a
// session_description through the description's setters, so the result owns its text.
// Pure functions; no allocation beyond the returned vector; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <parley/base/result.hpp>
#include <parley/sdp/description.hpp>

namespace parley::sdp {

// ---- directions (RFC 3264 §6.1, §8.4) ---------------------------------------------------------

/// The direction seen from the other side: sendonly <-> recvonly; sendrecv, inactive unchanged.
direction reverse(direction d) noexcept;

/// RFC 3264 §6.1: the answer direction for an offered direction, limited by what we want.
/// offered sendonly -> recvonly (or inactive if we do not want to receive); offered recvonly ->
/// sendonly (or inactive); offered inactive -> inactive; offered sendrecv -> our preference.
direction answer_direction(direction offered, direction local_preference) noexcept;

/// RFC 3264 §8.4: the direction of an offer that puts a stream on hold (sendrecv -> sendonly,
/// recvonly -> inactive; the others stay).
direction hold_direction(direction current) noexcept;

/// The direction of an offer that resumes a held stream (sendonly -> sendrecv,
/// inactive -> recvonly; the others stay).
direction resume_direction(direction current) noexcept;

// ---- formats ----------------------------------------------------------------------------------

/// A codec we support, in our order of preference.
struct codec {
    std::string_view encoding_name; ///< compared case-insensitively (RFC 4855 §3)
    std::uint32_t clock_rate = 0;
    std::uint16_t channels = 1;
};

/// One offered format we accept, with the offerer's payload type (RFC 3264 §6.1: an answer to
/// a sendrecv or recvonly stream uses the payload type numbers of the offer).
struct format_match {
    std::string_view format; ///< the offered format text, e.g. "101"
    std::uint8_t payload_type = 0;
    rtpmap map{};                           ///< payload_type = the offered one
    std::optional<std::string_view> fmtp{}; ///< the offered fmtp parameters, if any
    friend bool operator==(const format_match&, const format_match&) = default;
};

/// What to do with RFC 4733 telephone-event in an intersection.
enum class telephone_event : std::uint8_t {
    /// Append the offered telephone-event (same clock rate as the first accepted codec), if
    /// offered and if at least one real codec matched.
    include,
    /// Never answer telephone-event.
    exclude,
};

struct intersect_options {
    telephone_event events = telephone_event::include;
};

/// The offered RTP formats we support, in `local_preference` order (the first match for each
/// preference entry), matched by encoding name and clock rate (and channels); static payload
/// types offered without rtpmap match through the RFC 3551 table. telephone-event entries in
/// `local_preference` are ignored: `options.events` decides. Empty when nothing matches.
std::vector<format_match> intersect_formats(const media_description& offered,
                                            std::span<const codec> local_preference,
                                            const intersect_options& options = {});

/// Writes `matches` into media `m`: its format list, and an rtpmap (plus the offered fmtp, if
/// any) per match; replaces any rtpmap/fmtp the media had.
void apply_formats(media_editor m, std::span<const format_match> matches);

// ---- building answers -------------------------------------------------------------------------

/// RFC 3264 §6: appends to `answer` the rejection of `offered`: same media and proto, port 0,
/// the offered formats (at least one format is required), no attributes.
media_editor add_declined_stream(session_description& answer, const media_description& offered);

// ---- building answers -------------------------------------------------------------------------

/// Appends the answer's m-line for accepted RTP stream `index` of `offer`: the offer's media and
/// proto, `port`, `matches` as its formats (apply_formats), `address` in c= (IP4 or IP6 by its
/// form), the offer's ptime, and the RFC 3264 §6.1 direction from the offer's and
/// `local_preference` (sendrecv; sendonly while we hold).
media_editor add_rtp_answer(session_description& answer, const session_description& offer,
                            std::size_t index, std::uint16_t port, std::string_view address,
                            std::span<const format_match> matches,
                            direction local_preference = direction::sendrecv);

// ---- building offers --------------------------------------------------------------------------

/// Appends an RTP/AVP audio m-line offering `codecs` (in order) plus telephone-event/8000 on
/// payload type 101 (events 0-16, RFC 4733; unless `options.events` excludes it), on `port` at
/// `address` (IP4 or IP6 by its form), sendrecv. Codecs with an RFC 3551 static payload type use it
/// (PCMU 0, PCMA 8, G722 9, ...); others get dynamic types from 96.
media_editor add_audio_offer(session_description& offer, std::uint16_t port,
                             std::string_view address, std::span<const codec> codecs,
                             const intersect_options& options = {});

// ---- validation -------------------------------------------------------------------------------

/// RFC 3264 §6: an answer has exactly the offer's m-lines, in the same order and of the same
/// media type; it does not accept a stream the offer declined; an accepted RTP stream keeps
/// at least one offered format. Errors carry status 488 and say which rule failed; `offset`
/// is the index of the offending m-line.
result<void> validate_answer(const session_description& offer, const session_description& answer);

/// RFC 3264 §8: a new offer in an existing session keeps every m-line of the previous one
/// (declined ones stay with port 0) and only appends new ones. 488 otherwise.
result<void> validate_new_offer(const session_description& previous,
                                const session_description& offer);
/// The same rule when only the previous description's m-line count is known (all it checks).
result<void> validate_new_offer(std::size_t previous_media, const session_description& offer);

} // namespace parley::sdp
