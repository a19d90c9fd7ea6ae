// Time vocabulary. State machines (transactions, dialogs, sessions) never read a clock: they are
// given `now` with every input, so tests drive them with a manual clock and production with
// steady_clock. This header only names the types.
#pragma once

#include <chrono>

namespace parley {

using steady_clock = std::chrono::steady_clock;
using time_point = steady_clock::time_point;
using duration = steady_clock::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;

} // namespace parley
