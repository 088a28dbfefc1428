#pragma once
// How the dialer reads Bland's refusals (docs/runner.md "Dial errors, limits
// and pacing"). Pure functions and a small value type, so they are unit-tested without a loop.
//
// A 429 from POST /v1/calls is one of:
//   same number  a second call to one number within ~10 s: that lead alone waits
//   plan limit   concurrency, daily minutes, calls per hour/day ...: all dialing pauses
// Bland names the limit with an error code (CALL_RL_PLAN_CONCURRENCY, CALL_RL_PLAN_DAILY_MINUTES
// seen in Bland's own tooling); where it sits in the body is not documented, so every usual
// place is read. A 429 that names nothing recognisable is treated as a plan limit (a pause
// never hammers Bland; a wrongly paused per-number limit costs one short pause).
#include <cstdint>
#include <string>

#include "core/time.h"

namespace redial::bland {

struct RateLimit {
  bool same_number = false;  // true: the per-number limit; false: a plan limit (pause)
  std::string reason;        // plan: "concurrency", "daily_minutes", "rate", "unrecognized"
  std::string code;          // Bland's error code, "" when none was found
};

// The first UPPER_SNAKE error code in Bland's error body: `code`, `error_code`, `error` (text
// or {code}), `errors[]` (text or {code|error}), or CALL_* inside `message`. "" when none.
std::string bland_error_code(const std::string& body);

// Classifies a 429 body for a dial to `phone` (E.164).
RateLimit classify_429(const std::string& body, const std::string& phone);

// The k-th consecutive plan-limit pause without Retry-After (k >= 1): first, doubled each time,
// at most max. REQUIRES: k >= 1, 0 < first <= max.
TimeMs plan_backoff_ms(int k, TimeMs first_ms, TimeMs max_ms);

}  // namespace redial::bland
