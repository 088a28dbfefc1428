#pragma once
// When a call without a result is looked up at Bland, and when the look-ups give up (issue 21:
// a policy decision, so it lives in the core; the dialers only follow it). The queue hands a
// call to Dialer::reconcile at its call time-out; that is look-up 1. A call Bland named only
// after its time-out is looked up one call time-out after it was named. While Bland says the call
// is still running (or does not answer), look-up k+1 follows look-up k after spacing_ms; after
// `tries` look-ups the call is released.
#include "core/redial_policy.h"
#include "core/time.h"

namespace redial {

struct ReconcileSchedule {
  int tries = 10;                         // look-ups before the call is released
  TimeMs late_first_ms = 35 * kMinuteMs;  // before look-up 1 of a call named after its time-out
  TimeMs spacing_ms = 60 * kSecondMs;     // between two look-ups

  // The wait before look-up k: late_first_ms for k == 1 (a late call), spacing_ms after.
  // REQUIRES: 1 <= k <= tries.
  TimeMs delay_before_ms(int k) const;
  // True when `done` look-ups used up the schedule (the call is released).
  bool exhausted(int done) const { return done >= tries; }

  // From the policy: late_first_ms = call_timeout_ms, spacing = min(call_timeout_ms, 60 s).
  // REQUIRES: policy.call_timeout_ms > 0.
  static ReconcileSchedule from_policy(const RedialPolicy& policy);
};

}  // namespace redial
