#include "runner/metrics.h"

#include <algorithm>
#include <sstream>

namespace redial::runner {

void Metrics::record_tick(const TickSummary& t) {
  ++ticks;
  if (!t.ran) ++ticks_skipped;
  tick_ready += static_cast<std::uint64_t>(t.total_ready);
  tick_calls_made += static_cast<std::uint64_t>(t.calls_made);
  tick_skipped += static_cast<std::uint64_t>(t.skipped);
  tick_errors += static_cast<std::uint64_t>(t.errors);
  calls_released += static_cast<std::uint64_t>(t.calls_released);
}

void Metrics::record_sync(double seconds) {
  ++syncs;
  sync_seconds_sum += seconds;
  sync_seconds_max = std::max(sync_seconds_max, seconds);
}

namespace {
void counter(std::ostream& o, const char* name, const char* help, std::uint64_t v) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
    << name << ' ' << v << '\n';
}
}  // namespace

std::string Metrics::render(const RedialQueue& queue) const {
  std::ostringstream o;
  counter(o, "redial_ticks_total", "Queue ticks run (including those a global check stopped)",
          ticks);
  counter(o, "redial_ticks_skipped_total", "Ticks stopped by disabled or business hours",
          ticks_skipped);
  counter(o, "redial_ready_leads_total", "Ready leads found by ticks", tick_ready);
  counter(o, "redial_calls_made_total", "Dials started by ticks", tick_calls_made);
  counter(o, "redial_calls_skipped_total", "Ready leads not dialed by ticks", tick_skipped);
  counter(o, "redial_call_errors_total", "Dials refused at once during ticks", tick_errors);
  counter(o, "redial_calls_released_total", "Calls in flight given up after the time-out",
          calls_released);
  counter(o, "redial_dials_accepted_total", "Dials Bland accepted with a call_id", dials_accepted);
  counter(o, "redial_dials_failed_total", "Dials given up (4xx or retries exhausted)",
          dials_failed);
  counter(o, "redial_dial_retries_total", "Dial retries after 429, 5xx or network errors",
          dial_retries);
  counter(o, "redial_dials_rate_limited_total", "Dials held back by per-hour/per-day limits",
          dials_rate_limited);
  counter(o, "redial_reconciles_total", "Calls looked up at Bland after the call time-out",
          reconciles);
  counter(o, "redial_wall_clock_steps_total", "Wall-clock steps seen (timers are monotonic)",
          wall_clock_steps);
  o << "# HELP redial_webhooks_total Call results applied (webhooks and reconciled calls), by "
       "outcome\n"
    << "# TYPE redial_webhooks_total counter\n";
  for (const auto& [outcome, n] : webhooks_by_outcome)
    o << "redial_webhooks_total{outcome=\"" << outcome << "\"} " << n << '\n';
  counter(o, "redial_webhooks_duplicate_total", "Webhooks whose call_id was already recorded",
          webhooks_duplicate);
  counter(o, "redial_webhooks_rejected_total", "Webhooks answered 400 or 401", webhooks_rejected);
  o << "# HELP redial_http_rejected_total Requests or connections refused by authentication or "
       "limits, by kind\n"
    << "# TYPE redial_http_rejected_total counter\n";
  for (const auto& [kind, n] : rejected)
    o << "redial_http_rejected_total{kind=\"" << kind << "\"} " << n << '\n';

  StatusCounts c = queue.counts();
  o << "# HELP redial_queue_records Records in the queue by status\n"
    << "# TYPE redial_queue_records gauge\n"
    << "redial_queue_records{status=\"pending\"} " << c.pending << '\n'
    << "redial_queue_records{status=\"rescheduled\"} " << c.rescheduled << '\n'
    << "redial_queue_records{status=\"completed\"} " << c.completed << '\n'
    << "redial_queue_records{status=\"max_attempts\"} " << c.max_attempts << '\n'
    << "redial_queue_records{status=\"dnc\"} " << c.dnc << '\n';
  o << "# HELP redial_calls_in_flight Calls dialed without a result yet\n"
    << "# TYPE redial_calls_in_flight gauge\n"
    << "redial_calls_in_flight " << queue.in_flight_calls().size() << '\n';
  o << "# HELP redial_store_sync_seconds Time to make changes durable (group commit)\n"
    << "# TYPE redial_store_sync_seconds summary\n"
    << "redial_store_sync_seconds_sum " << sync_seconds_sum << '\n'
    << "redial_store_sync_seconds_count " << syncs << '\n';
  o << "# HELP redial_store_sync_seconds_max Longest store sync since start\n"
    << "# TYPE redial_store_sync_seconds_max gauge\n"
    << "redial_store_sync_seconds_max " << sync_seconds_max << '\n';
  return o.str();
}

}  // namespace redial::runner
