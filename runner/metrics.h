#pragma once
// Counters the runner keeps for GET /metrics (Prometheus text format 0.0.4).
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "core/redial_queue.h"
#include "runner/event_ring.h"

namespace redial::runner {

struct Metrics {
  EventRing recent_events;  // GET /admin/recent (in memory; fed by the applier and the dialer)
  std::uint64_t ticks = 0;
  std::uint64_t ticks_skipped = 0;  // a global check stopped the tick
  std::uint64_t tick_ready = 0;
  std::uint64_t tick_calls_made = 0;
  std::uint64_t tick_skipped = 0;
  std::uint64_t tick_errors = 0;
  std::uint64_t calls_released = 0;
  std::uint64_t dials_accepted = 0;  // Bland answered with a call_id
  std::uint64_t dials_failed = 0;    // gave up: 4xx, or retries exhausted
  std::uint64_t dial_retries = 0;
  std::uint64_t dials_rate_limited = 0;  // TickSummary::rate_limited, summed
  std::uint64_t reconciles = 0;
  std::uint64_t wall_clock_steps = 0;  // wall clock stepped (runner/app.cpp, docs/reliability.md)
  std::map<std::string, std::uint64_t> webhooks_by_outcome;  // applied (not duplicates)
  std::uint64_t webhooks_duplicate = 0;
  std::uint64_t webhooks_rejected = 0;  // 400 / 401
  // Requests and connections refused by authentication or limits, by kind (docs/runner.md).
  // Every kind is listed from the start (at 0) so dashboards and alerts see it.
  std::map<std::string, std::uint64_t> rejected{
      {"webhook_signature", 0}, {"webhook_token", 0},     {"admin_unauthorized", 0},
      {"body_too_large", 0},    {"headers_too_large", 0}, {"too_many_leads", 0},
      {"connection_limit", 0},  {"per_ip_limit", 0},      {"request_timeout", 0},
      {"header_timeout", 0},    {"body_timeout", 0}};
  // Webhook bodies that are not a call's final result, by why (docs/runner.md), answered 200
  // "ignored"; listed from the start.
  std::map<std::string, std::uint64_t> webhooks_ignored{{"inbound", 0},
                                                        {"event", 0},
                                                        {"not_completed", 0},
                                                        {"status_not_final", 0},
                                                        {"queue_status_not_final", 0},
                                                        {"no_call_state", 0}};
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
  std::uint64_t syncs = 0;
  double sync_seconds_sum = 0;
  double sync_seconds_max = 0;

  // Storage health (docs/storage.md): what start-up set aside, month-file values that do not add
  // up, retention runs. Shown in /metrics, /admin/stats and (a refusal) /healthz.
  struct Storage {
    std::uint64_t set_asides = 0, set_aside_bytes = 0, set_aside_entries = 0;
    std::vector<std::string> set_aside_paths;
    std::uint64_t month_files_with_problems = 0, month_records_with_problems = 0;
    std::uint64_t retention_refusals = 0;
    std::string retention_refused;  // the last run's reason; empty once a run goes through
    std::uint64_t months_retired = 0, records_retired = 0, expired_files_deleted = 0;
  } storage;
  void record_retention(const RetentionReport& r);

  void record_tick(const TickSummary& t);
  void record_sync(double seconds);
  void reject(const std::string& kind) { ++rejected[kind]; }
  void render_dial_limits(std::ostream& o) const;
  // The whole exposition, with queue gauges read from `queue`.
  std::string render(const RedialQueue& queue) const;
  void render_storage(std::ostream& o) const;
};

}  // namespace redial::runner
