#pragma once
// Counters the runner keeps for GET /metrics (Prometheus text format 0.0.4).
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "bland/counters.h"
#include "core/redial_queue.h"

namespace redial::runner {

using bland::EventRing;
using bland::RecentEvent;

// The Bland-facing counters (dials, results, pauses) are the base: bland/counters.h.
struct Metrics : bland::BlandCounters {
  std::uint64_t ticks = 0;
  std::uint64_t ticks_skipped = 0;  // a global check stopped the tick
  std::uint64_t tick_ready = 0;
  std::uint64_t tick_calls_made = 0;
  std::uint64_t tick_skipped = 0;
  std::uint64_t tick_errors = 0;
  std::uint64_t calls_released = 0;
  std::uint64_t wall_clock_steps = 0;   // wall clock stepped (runner/app.cpp, docs/reliability.md)
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
