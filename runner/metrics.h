#pragma once
// Counters the runner keeps for GET /metrics (Prometheus text format 0.0.4).
#include <cstdint>
#include <map>
#include <string>

#include "core/redial_queue.h"

namespace redial::runner {

struct Metrics {
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
  std::uint64_t dials_rate_limited = 0;  // refused by the per-hour / per-day limits
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
  std::uint64_t syncs = 0;
  double sync_seconds_sum = 0;
  double sync_seconds_max = 0;

  void record_tick(const TickSummary& t);
  void record_sync(double seconds);
  void reject(const std::string& kind) { ++rejected[kind]; }
  // The whole exposition, with queue gauges read from `queue`.
  std::string render(const RedialQueue& queue) const;
};

}  // namespace redial::runner
