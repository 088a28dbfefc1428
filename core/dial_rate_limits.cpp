#include "core/dial_rate_limits.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>

#include "core/queue_internal.h"

namespace redial {

namespace {
constexpr TimeMs kDayWindowMs = 24 * kHourMs;
}  // namespace

DialRateLimiter::DialRateLimiter(const RedialPolicy& policy)
    : per_hour_(policy.max_calls_per_hour),
      per_day_(policy.max_calls_per_day),
      gap_ms_(pacing_gap_ms(policy.dials_per_minute, policy.dials_per_second)),
      enabled_(per_hour_ > 0 || per_day_ > 0 || gap_ms_ > 0) {
  // REQUIRES: a validated policy (no negative limit).
  assert(per_hour_ >= 0 && per_day_ >= 0 && gap_ms_ >= 0);
}

TimeMs DialRateLimiter::pacing_gap_ms(int dials_per_minute, int dials_per_second) {
  TimeMs gap = 0;
  if (dials_per_minute > 0)
    gap = std::max<TimeMs>(gap, (kMinuteMs + dials_per_minute - 1) / dials_per_minute);
  if (dials_per_second > 0)
    gap = std::max<TimeMs>(gap, (kSecondMs + dials_per_second - 1) / dials_per_second);
  return gap;
}

void DialRateLimiter::add_calls(std::span<const TimeMs> times) {
  if (!enabled_) return;
  for (TimeMs t : times) {
    if (!calls_.empty() && t < calls_.back()) sorted_ = false;
    calls_.push_back(t);
    last_dial_ms_ = std::max(last_dial_ms_, t);
  }
}

void DialRateLimiter::sort() const {
  if (sorted_) return;
  std::sort(calls_.begin(), calls_.end());
  sorted_ = true;
}

void DialRateLimiter::remove_calls(std::span<const TimeMs> times) {
  if (!enabled_) return;
  sort();
  for (TimeMs t : times) {
    auto it = std::lower_bound(calls_.begin(), calls_.end(), t);
    if (it != calls_.end() && *it == t) calls_.erase(it);  // pruned already: nothing to do
  }
}

void DialRateLimiter::note_call(TimeMs at) { add_calls(std::span<const TimeMs>(&at, 1)); }

void DialRateLimiter::forget_call(TimeMs at) { remove_calls(std::span<const TimeMs>(&at, 1)); }

void DialRateLimiter::prune(TimeMs now) {
  sort();
  while (!calls_.empty() && calls_.front() <= now - kDayWindowMs) calls_.pop_front();
}

std::size_t DialRateLimiter::calls_after(TimeMs after) const {
  sort();
  return static_cast<std::size_t>(calls_.end() -
                                  std::upper_bound(calls_.begin(), calls_.end(), after));
}

// When `limit` calls are in the window ending at now: the instant enough of them leave it.
std::optional<TimeMs> DialRateLimiter::window_full(TimeMs now, TimeMs window_ms, int limit) const {
  if (limit <= 0) return std::nullopt;  // REQUIRES: sorted (hold() prunes first)
  auto first = std::upper_bound(calls_.begin(), calls_.end(), now - window_ms);
  const auto in_window = calls_.end() - first;
  if (in_window < limit) return std::nullopt;
  // After the (in_window - limit + 1) oldest calls of the window leave it, one dial fits.
  return *(first + (in_window - limit)) + window_ms;
}

std::optional<DialHold> DialRateLimiter::hold(TimeMs now) {
  if (!enabled_) return std::nullopt;
  prune(now);
  if (auto until = window_full(now, kDayWindowMs, per_day_))
    return DialHold{"dial limit per day", *until, false};
  if (auto until = window_full(now, kHourMs, per_hour_))
    return DialHold{"dial limit per hour", *until, false};
  // A wall clock set back since the last dial: the next slot is one gap from now, not the step.
  last_dial_ms_ = std::min(last_dial_ms_, now);
  if (gap_ms_ > 0 && last_dial_ms_ != std::numeric_limits<TimeMs>::min() &&
      now < last_dial_ms_ + gap_ms_)
    return DialHold{"dial pacing", last_dial_ms_ + gap_ms_, true};
  return std::nullopt;
}

TimeMs DialRateLimiter::next_slot_in_ms(TimeMs now) const {
  if (gap_ms_ == 0 || last_dial_ms_ == std::numeric_limits<TimeMs>::min()) return 0;
  // A wall clock set back since the last dial waits one gap from now, not the step.
  return std::clamp<TimeMs>(last_dial_ms_ + gap_ms_ - now, 0, gap_ms_);
}

void DialRateLimiter::log_hold(spdlog::logger& log, const DialHold& hold,
                               const std::string& first_key, std::size_t held) {
  using internal::esc;
  if (hold.pacing) {
    REDIAL_LOG((&log), debug,
               "Dials wait for their pacing slot {{\"key\":\"{}\",\"until\":{},\"held\":{}}}",
               esc(first_key), hold.until, held);
    return;
  }
  REDIAL_LOG((&log), warn,
             "Dial held back by the call limits {{\"key\":\"{}\",\"until\":{},\"rule\":\"{}\","
             "\"held\":{}}}",
             esc(first_key), hold.until, esc(hold.rule), held);
}

}  // namespace redial
