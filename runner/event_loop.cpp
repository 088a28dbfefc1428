#include "runner/event_loop.h"

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace redial::runner {

std::int64_t EventLoop::steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::int64_t EventLoop::now_ms() const { return clock_ ? clock_->mono_ms() : steady_ms(); }

void EventLoop::watch(int fd, short events, FdCallback cb) {
  watches_[fd] = Watch{events, std::move(cb)};
}

void EventLoop::unwatch(int fd) { watches_.erase(fd); }

EventLoop::TimerId EventLoop::add_timer(std::int64_t delay_ms, std::function<void()> cb) {
  TimerId id = next_timer_++;
  timers_.emplace(now_ms() + (delay_ms < 0 ? 0 : delay_ms), id);
  timer_cbs_.emplace(id, std::move(cb));
  return id;
}

EventLoop::TimerId EventLoop::add_steady_timer(std::int64_t delay_ms, std::function<void()> cb) {
  if (clock_ == nullptr) return add_timer(delay_ms, std::move(cb));
  TimerId id = next_timer_++;
  steady_timers_.emplace(steady_ms() + (delay_ms < 0 ? 0 : delay_ms), id);
  timer_cbs_.emplace(id, std::move(cb));
  return id;
}

void EventLoop::cancel_timer(TimerId id) { timer_cbs_.erase(id); }

// Forgets cancelled timers at the front so they do not shorten the wait.
void EventLoop::drop_cancelled_front() {
  while (!timers_.empty() && !timer_cbs_.count(timers_.begin()->second))
    timers_.erase(timers_.begin());
}

std::optional<std::int64_t> EventLoop::next_timer_ms() {
  drop_cancelled_front();
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

bool EventLoop::timers_due() {
  auto next = next_timer_ms();
  return !held_ && next && *next <= now_ms();
}

bool EventLoop::run_once(std::int64_t max_wait_ms) {
  drop_cancelled_front();
  std::int64_t wait = max_wait_ms < 0 ? 60000 : max_wait_ms;
  if (timers_due()) {
    wait = 0;
  } else if (!timers_.empty() && !held_ && clock_ == nullptr) {
    // A virtual timer is not waited for: only a move of the test clock (a request) brings it.
    wait = std::min(wait, std::max<std::int64_t>(0, timers_.begin()->first - now_ms()));
  }
  while (!steady_timers_.empty() && !timer_cbs_.count(steady_timers_.begin()->second))
    steady_timers_.erase(steady_timers_.begin());
  if (!steady_timers_.empty())
    wait = std::min(wait, std::max<std::int64_t>(0, steady_timers_.begin()->first - steady_ms()));

  std::vector<pollfd> fds;
  fds.reserve(watches_.size());
  for (const auto& [fd, w] : watches_) fds.push_back(pollfd{fd, w.events, 0});
  int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait));
  if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  bool any = false;
  for (const auto& p : fds) {
    if (n <= 0) break;
    if (p.revents == 0) continue;
    auto it = watches_.find(p.fd);
    if (it == watches_.end()) continue;  // removed by an earlier callback
    FdCallback cb = it->second.cb;       // the callback may unwatch itself
    cb(p.fd, p.revents);
    any = true;
  }
  return run_due_timers() || any;
}

bool EventLoop::run_due_timers() {
  bool any = false;
  const std::int64_t steady_now = steady_ms();
  while (!steady_timers_.empty() && steady_timers_.begin()->first <= steady_now) {
    auto it = timer_cbs_.find(steady_timers_.begin()->second);
    steady_timers_.erase(steady_timers_.begin());
    if (it == timer_cbs_.end()) continue;
    auto cb = std::move(it->second);
    timer_cbs_.erase(it);
    cb();
    any = true;
  }
  const std::int64_t now = now_ms();
  while (!held_ && !timers_.empty() && timers_.begin()->first <= now) {
    TimerId id = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = timer_cbs_.find(id);
    if (it == timer_cbs_.end()) continue;
    auto cb = std::move(it->second);
    timer_cbs_.erase(it);
    cb();
    any = true;
  }
  return any;
}

}  // namespace redial::runner
