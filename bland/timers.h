#pragma once
// One-shot timers for the Bland-facing code (issue 21): the runner's EventLoop implements them on
// the monotonic clock, the simulator on its event queue in virtual time.
#include <cstdint>
#include <functional>

namespace redial::bland {

class Timers {
 public:
  using TimerId = std::uint64_t;  // 0 is never an id: "no timer"

  // Runs `cb` once, `delay_ms` from now (0: as soon as possible, never inside this call).
  virtual TimerId add_timer(std::int64_t delay_ms, std::function<void()> cb) = 0;
  // Forgets a timer that has not run; an unknown id or 0 is ignored.
  virtual void cancel_timer(TimerId id) = 0;

 protected:
  ~Timers() = default;
};

}  // namespace redial::bland
