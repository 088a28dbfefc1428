#pragma once
// Every read of "now" in the core goes through a Clock, so the same rules run in real time
// (the runner) and in virtual time (the simulator and the tests).
//
// Two times: wall time (now_ms) for what is about the calendar (business hours, the dates stored
// on disk) and monotonic time (mono_ms) for what is about elapsed time (the tick interval, call
// time-outs, timers). An operator or NTP may step the wall clock either way; monotonic time only
// moves forward at the real pace, so a step never stalls or bursts the timers.
#include <cassert>
#include <optional>

#include "core/time.h"

namespace redial {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall time as epoch milliseconds (UTC); zones are BusinessCalendar's business.
  virtual TimeMs now_ms() const = 0;
  // Monotonic milliseconds from an arbitrary origin: only differences mean anything, and only
  // within one process (never stored).
  virtual TimeMs mono_ms() const = 0;
};

// The real clock. Only the runner constructs one; the core never does.
class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
  TimeMs mono_ms() const override;  // std::chrono::steady_clock
};

// A clock that moves only when told to. set/advance move both times; step_wall moves only the
// wall time (a clock stepped by an operator or NTP).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start_ms = 0) : now_ms_(start_ms) {}
  TimeMs now_ms() const override { return now_ms_; }
  TimeMs mono_ms() const override { return mono_ms_; }
  // REQUIRES: t >= now_ms(): virtual time never runs backwards (use step_wall for that).
  void set(TimeMs t);
  // REQUIRES: delta_ms >= 0.
  void advance(TimeMs delta_ms) {
    assert(delta_ms >= 0);
    set(now_ms_ + delta_ms);
  }
  // Steps the wall time by delta_ms (either sign); monotonic time does not move.
  void step_wall(TimeMs delta_ms) { now_ms_ += delta_ms; }

 private:
  TimeMs now_ms_;
  TimeMs mono_ms_ = 0;
};

// Notices wall-clock steps: between two observations the wall and monotonic times should move by
// the same amount; when they differ by threshold_ms or more, the wall clock was stepped.
class WallStepDetector {
 public:
  // Throws std::invalid_argument unless threshold_ms > 0.
  explicit WallStepDetector(TimeMs threshold_ms);
  // The step since the previous call (wall delta minus monotonic delta; negative: the wall went
  // back), or nothing when there was none or this is the first call.
  std::optional<TimeMs> observe(const Clock& clock);

 private:
  TimeMs threshold_ms_;
  std::optional<TimeMs> last_wall_ms_, last_mono_ms_;
};

}  // namespace redial
