#pragma once
// The runner's one event loop: poll() over watched file descriptors plus one-shot timers on the
// monotonic clock. Single-threaded; callbacks may add or remove watches and timers.
#include <poll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

#include "bland/timers.h"

namespace redial::runner {

class EventLoop : public bland::Timers {
 public:
  using FdCallback = std::function<void(int fd, short revents)>;
  using TimerId = std::uint64_t;

  // Watches fd for `events` (POLLIN / POLLOUT); replaces an earlier watch of the same fd.
  void watch(int fd, short events, FdCallback cb);
  void unwatch(int fd);

  // Runs `cb` once, `delay_ms` from now (0: on the next iteration).
  TimerId add_timer(std::int64_t delay_ms, std::function<void()> cb) override;
  void cancel_timer(TimerId id) override;

  // One iteration: poll for at most max_wait_ms (and no longer than the next timer), dispatch
  // ready descriptors, then due timers. Returns true when anything was dispatched.
  bool run_once(std::int64_t max_wait_ms);

  static std::int64_t steady_ms();

 private:
  struct Watch {
    short events;
    FdCallback cb;
  };
  std::unordered_map<int, Watch> watches_;
  std::multimap<std::int64_t, TimerId> timers_;  // due (steady ms) -> id
  std::unordered_map<TimerId, std::function<void()>> timer_cbs_;
  TimerId next_timer_ = 1;
};

}  // namespace redial::runner
