#pragma once
// What the Bland-facing code counts (issue 21): a plain struct the dialer and the result applier
// update. The runner's Metrics extends it (GET /metrics renders it); the simulator keeps one and
// may report it.
#include <cstdint>
#include <map>
#include <string>

#include "bland/event_ring.h"
#include "core/time.h"

namespace redial::bland {

struct BlandCounters {
  EventRing recent_events;  // GET /admin/recent (in memory; fed by the applier and the dialer)
  std::uint64_t dials_accepted = 0;  // Bland answered with a call_id
  std::uint64_t dials_failed = 0;    // gave up: 4xx, or retries exhausted
  std::uint64_t dial_retries = 0;
  std::uint64_t dials_rate_limited = 0;  // TickSummary::rate_limited, summed
  std::uint64_t reconciles = 0;
  std::map<std::string, std::uint64_t> webhooks_by_outcome;  // applied (not duplicates)
  std::uint64_t webhooks_duplicate = 0;
  // Results whose transfer was claimed or begun without Bland's evidence (TRANSFER_FAILED), by
  // the field that claimed it.
  std::map<std::string, std::uint64_t> transfer_claims_unproven{{"disposition_tag", 0},
                                                                {"metadata.outcome", 0},
                                                                {"transferred_to", 0},
                                                                {"warm_transfer_call", 0}};
  // Dial limits (issue 14; docs/runner.md "Dial errors, limits and pacing"). Pauses by reason,
  // every reason listed from the start; the current pause (0: none) and a stop by 401/403.
  std::map<std::string, std::uint64_t> dial_pauses{
      {"concurrency", 0}, {"daily_minutes", 0}, {"rate", 0}, {"unrecognized", 0}};
  std::string dial_pause_reason;    // "" when dialing is not paused
  TimeMs dial_paused_until_ms = 0;  // epoch ms; 0 when not paused
  std::string dialing_stopped;      // why Bland refused the key; "" when dialing may go on
  std::uint64_t dials_same_number_limited = 0;  // Bland's per-number 429: that lead waits
  std::uint64_t dials_paced = 0;                // TickSummary::paced, summed
  std::uint64_t reconcile_error_states = 0;     // calls Bland reported in an error state
};

}  // namespace redial::bland
