#include "core/clock.h"

#include <chrono>
#include <stdexcept>

namespace redial {

TimeMs SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

TimeMs SystemClock::mono_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void ManualClock::set(TimeMs t) {
  if (t < now_ms_) throw std::logic_error("ManualClock::set: virtual time cannot run backwards");
  mono_ms_ += t - now_ms_;
  now_ms_ = t;
}

WallStepDetector::WallStepDetector(TimeMs threshold_ms) : threshold_ms_(threshold_ms) {
  // Checked by a throw, not an assert: the threshold comes from a setting, and the test of the
  // refusal must hold in debug and sanitizer builds too.
  if (threshold_ms <= 0) throw std::invalid_argument("WallStepDetector: threshold_ms must be > 0");
}

std::optional<TimeMs> WallStepDetector::observe(const Clock& clock) {
  const TimeMs wall = clock.now_ms(), mono = clock.mono_ms();
  std::optional<TimeMs> step;
  if (last_wall_ms_) {
    const TimeMs skew = (wall - *last_wall_ms_) - (mono - *last_mono_ms_);
    if (skew >= threshold_ms_ || skew <= -threshold_ms_) step = skew;
  }
  last_wall_ms_ = wall;
  last_mono_ms_ = mono;
  return step;
}

}  // namespace redial
