#include "core/clock.h"

#include <cassert>
#include <chrono>
#include <stdexcept>

namespace redial {

TimeMs SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void ManualClock::set(TimeMs t) {
  if (t < now_ms_) throw std::logic_error("ManualClock::set: virtual time cannot run backwards");
  now_ms_ = t;
}

}  // namespace redial
