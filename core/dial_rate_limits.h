#pragma once
// Dial rate limits and pacing (RedialPolicy max_calls_per_hour, max_calls_per_day,
// dials_per_minute, dials_per_second; 0 = no limit): a core rule the tick enforces.
//
// Durable without a file of its own: every call is already in its record's recent_call_times
// (journaled with the record before the dial goes out, 24 h window), so the counts are rebuilt
// from the records at load and kept here incrementally as a sorted list of wall-clock epoch ms.
// A dial refused before it became a call is forgotten by the record and here alike. Calls made
// outside the queue (a first call reported by its result) are in the records too and count.
//
// Windows are (now - window, now]; a time after now (a wall clock set back) still counts, which
// only errs towards holding a dial. Pacing: two dials of this queue are at least
// pacing_gap_ms() apart, so a minute (a second) never holds more than dials_per_minute
// (dials_per_second) of them.
#include <cstddef>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "core/redial_policy.h"
#include "core/time.h"

namespace spdlog {
class logger;
}

namespace redial {

// Why the tick stops dialing now, and when the rule allows the next dial.
struct DialHold {
  std::string rule;  // "dial limit per day", "dial limit per hour", "dial pacing"
  TimeMs until = 0;  // wall-clock epoch ms
  bool pacing = false;
};

class DialRateLimiter {
 public:
  explicit DialRateLimiter(const RedialPolicy& policy);

  // False when all four settings are 0: then every other call is a no-op.
  bool enabled() const { return enabled_; }

  // The calls a record keeps (load, or a record read fresh from a shared store), and the
  // removal of a record's calls before its fresh copy is added.
  void add_calls(std::span<const TimeMs> times);
  void remove_calls(std::span<const TimeMs> times);
  // A call counted now (RedialQueue::note_call) and a dial undone (forget_call).
  void note_call(TimeMs at);
  void forget_call(TimeMs at);

  // The limit that holds the next dial at `now`, if any (per day, per hour, then pacing).
  std::optional<DialHold> hold(TimeMs now);
  // How long until the next pacing slot (0: open now, or no pacing).
  TimeMs next_slot_in_ms(TimeMs now) const;
  // Counted calls in (after, +inf): for tests and views.
  std::size_t calls_after(TimeMs after) const;

  // Logs a hold once per tick; the runner's log line text, kept for greps.
  static void log_hold(spdlog::logger& log, const DialHold& hold, const std::string& first_key,
                       std::size_t held);

  // The shortest gap between two dials for a per-minute and a per-second limit (0 = none for
  // either); 0 when neither is set.
  static TimeMs pacing_gap_ms(int dials_per_minute, int dials_per_second);

 private:
  // Sorts calls_ after out-of-order additions (a load adds records in any order).
  void sort() const;
  // Drops calls at or before now - 24 h.
  void prune(TimeMs now);
  std::optional<TimeMs> window_full(TimeMs now, TimeMs window_ms, int limit) const;

  int per_hour_ = 0, per_day_ = 0;
  TimeMs gap_ms_ = 0;
  bool enabled_ = false;
  mutable std::deque<TimeMs> calls_;  // oldest first once sorted
  mutable bool sorted_ = true;
  // The latest dial or call seen; a forgotten dial still took its pacing slot.
  TimeMs last_dial_ms_ = std::numeric_limits<TimeMs>::min();
};

}  // namespace redial
