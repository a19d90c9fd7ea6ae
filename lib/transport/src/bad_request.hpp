// Answering what could not be parsed: RFC 3261 §8.2 wants a malformed request answered 400 when
// possible. The parser reports where and why; this builds the 400 from the raw header lines
// (Via, From, To, Call-ID, CSeq copied verbatim), with the parser's reason as the phrase.
#pragma once

#include <parley/base/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace parley::detail {

/// The 400 (or 505, 513, 413: the status the parser asked for) answering `raw`, or nullopt
/// when `raw` is not a request or has no Via, From, To, Call-ID and CSeq lines to copy.
std::optional<std::string> answer_malformed(std::string_view raw, const error& why);

} // namespace parley::detail
