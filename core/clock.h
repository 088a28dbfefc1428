#pragma once
// Every read of "now" in the core goes through a Clock, so the same rules run in real time
// (the runner) and in virtual time (the simulator and the tests).
#include "core/time.h"

namespace redial {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall time as epoch milliseconds (UTC); zones are BusinessCalendar's business.
  virtual TimeMs now_ms() const = 0;
};

// The real clock. Only the runner constructs one; the core never does.
class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start_ms = 0) : now_ms_(start_ms) {}
  TimeMs now_ms() const override { return now_ms_; }
  // REQUIRES: t >= now_ms(): virtual time never runs backwards.
  void set(TimeMs t);
  // REQUIRES: delta_ms >= 0.
  void advance(TimeMs delta_ms) { set(now_ms_ + delta_ms); }

 private:
  TimeMs now_ms_;
};

}  // namespace redial
