#pragma once
// The runner's one event loop: poll() over watched file descriptors plus one-shot timers on the
// monotonic clock. Single-threaded; callbacks may add or remove watches and timers.
//
// Timers run on the steady clock, or on a Clock's monotonic time when one is given (a test clock:
// virtual time that moves only when the test says, runner/test_clock.h). A virtual timer is never
// waited for in real time: it runs once the clock has been moved to it.
#include <poll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "bland/timers.h"
#include "core/clock.h"

namespace redial::runner {

class EventLoop : public bland::Timers {
 public:
  using FdCallback = std::function<void(int fd, short revents)>;
  using TimerId = std::uint64_t;

  EventLoop() = default;
  // Timers on clock->mono_ms() (nullptr: the steady clock). REQUIRES: clock outlives the loop.
  explicit EventLoop(const Clock* clock) : clock_(clock) {}

  // Watches fd for `events` (POLLIN / POLLOUT); replaces an earlier watch of the same fd.
  void watch(int fd, short events, FdCallback cb);
  void unwatch(int fd);

  // Runs `cb` once, `delay_ms` from now (0: on the next iteration).
  TimerId add_timer(std::int64_t delay_ms, std::function<void()> cb) override;
  void cancel_timer(TimerId id) override;
  // A timer in real time even on a test clock (I/O deadlines: the HTTP server's and curl's);
  // not counted by next_timer_ms(). Without a clock the same as add_timer.
  TimerId add_steady_timer(std::int64_t delay_ms, std::function<void()> cb);

  // One iteration: poll for at most max_wait_ms (and no longer than the next timer), dispatch
  // ready descriptors, then due timers. Returns true when anything was dispatched.
  bool run_once(std::int64_t max_wait_ms);

  // The timers' time: the clock's monotonic ms, or steady_ms().
  std::int64_t now_ms() const;
  // When the earliest live timer is due, on now_ms()'s scale; nothing when there is none.
  std::optional<std::int64_t> next_timer_ms();
  // True when a live timer is due (and timers are not held).
  bool timers_due();
  // Held timers do not run even when due (a test clock moved while the test sets up the moment's
  // other events); released, they run in (due time, order added) order.
  void hold_timers(bool held) { held_ = held; }
  bool timers_held() const { return held_; }

  static std::int64_t steady_ms();

 private:
  void drop_cancelled_front();
  bool run_due_timers();

  struct Watch {
    short events;
    FdCallback cb;
  };
  const Clock* clock_ = nullptr;
  bool held_ = false;
  std::unordered_map<int, Watch> watches_;
  std::multimap<std::int64_t, TimerId> timers_;         // due (now_ms scale) -> id
  std::multimap<std::int64_t, TimerId> steady_timers_;  // due (steady_ms) -> id, with a clock
  std::unordered_map<TimerId, std::function<void()>> timer_cbs_;
  TimerId next_timer_ = 1;
};

}  // namespace redial::runner
