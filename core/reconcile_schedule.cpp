#include "core/reconcile_schedule.h"

#include <algorithm>
#include <cassert>

namespace redial {

TimeMs ReconcileSchedule::delay_before_ms(int k) const {
  assert(k >= 1 && k <= tries);
  return k == 1 ? late_first_ms : spacing_ms;
}

ReconcileSchedule ReconcileSchedule::from_policy(const RedialPolicy& policy) {
  assert(policy.call_timeout_ms > 0);
  ReconcileSchedule s;
  s.late_first_ms = policy.call_timeout_ms;
  s.spacing_ms = std::min<TimeMs>(policy.call_timeout_ms, 60 * kSecondMs);
  return s;
}

}  // namespace redial
