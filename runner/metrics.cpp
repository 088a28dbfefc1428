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
  dials_rate_limited += static_cast<std::uint64_t>(t.rate_limited);  // the core's dial limits
  dials_paced += static_cast<std::uint64_t>(t.paced);
}

void Metrics::record_sync(double seconds) {
  ++syncs;
  sync_seconds_sum += seconds;
  sync_seconds_max = std::max(sync_seconds_max, seconds);
}

void Metrics::record_retention(const RetentionReport& r) {
  storage.retention_refused = r.refused;
  if (!r.refused.empty()) ++storage.retention_refusals;
  storage.months_retired += r.retired.size();
  storage.records_retired += r.records;
  storage.expired_files_deleted += r.purged.size();
}

namespace {
void gauge(std::ostream& o, const char* name, const char* help, std::uint64_t v) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
    << name << ' ' << v << '\n';
}
void counter(std::ostream& o, const char* name, const char* help, std::uint64_t v) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
    << name << ' ' << v << '\n';
}
}  // namespace

void Metrics::render_dial_limits(std::ostream& o) const {
  o << "# HELP redial_dial_pauses_total Pauses of all dialing after a plan-limit 429, by reason\n"
    << "# TYPE redial_dial_pauses_total counter\n";
  for (const auto& [reason, n] : dial_pauses)
    o << "redial_dial_pauses_total{reason=\"" << reason << "\"} " << n << '\n';
  o << "# HELP redial_dial_paused 1 while dialing is paused by a plan limit\n"
    << "# TYPE redial_dial_paused gauge\n"
    << "redial_dial_paused " << (dial_pause_reason.empty() ? 0 : 1) << '\n'
    << "# HELP redial_dial_paused_until_seconds When the current pause ends (Unix time; 0: none)\n"
    << "# TYPE redial_dial_paused_until_seconds gauge\n"
    << "redial_dial_paused_until_seconds " << dial_paused_until_ms / 1000 << '\n'
    << "# HELP redial_dialing_stopped 1 after Bland refused the API key (401/403)\n"
    << "# TYPE redial_dialing_stopped gauge\n"
    << "redial_dialing_stopped " << (dialing_stopped.empty() ? 0 : 1) << '\n';
  counter(o, "redial_dials_same_number_limited_total",
          "Dials Bland refused for a number called within ~10 s (that lead waits)",
          dials_same_number_limited);
  counter(o, "redial_dials_paced_total", "Ready leads a tick left for their pacing slot (per tick)",
          dials_paced);
  counter(o, "redial_reconcile_error_states_total",
          "Calls Bland reported in an error state at reconcile (applied as an error outcome)",
          reconcile_error_states);
}

void Metrics::render_storage(std::ostream& o) const {
  const Storage& s = storage;
  gauge(o, "redial_journal_set_aside_files", "Journal parts start-up set aside (torn or damaged)",
        s.set_asides);
  gauge(o, "redial_journal_set_aside_bytes", "Bytes start-up set aside from the journal",
        s.set_aside_bytes);
  gauge(o, "redial_journal_set_aside_entries", "Journal lines start-up set aside",
        s.set_aside_entries);
  gauge(o, "redial_month_files_with_problems",
        "Month files with inconsistent values at start-up (redial-runner check lists them)",
        s.month_files_with_problems);
  gauge(o, "redial_month_records_with_problems", "Records with inconsistent values at start-up",
        s.month_records_with_problems);
  counter(o, "redial_retention_refused_total",
          "Retention runs refused because the clock disagrees with the records",
          s.retention_refusals);
  gauge(o, "redial_retention_degraded", "1 while the last retention run was refused",
        s.retention_refused.empty() ? 0 : 1);
  counter(o, "redial_retention_months_retired_total", "Months moved to expired/ by retention",
          s.months_retired);
  counter(o, "redial_retention_records_retired_total", "Records in the months retired",
          s.records_retired);
  counter(o, "redial_retention_expired_deleted_total",
          "Expired month files deleted after the grace period", s.expired_files_deleted);
}

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
  counter(o, "redial_dials_rate_limited_total",
          "Ready leads a tick held back by the per-hour/per-day dial limits (per tick)",
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
  o << "# HELP redial_webhooks_ignored_total Webhook bodies that are not a call's final result, by "
       "why\n"
    << "# TYPE redial_webhooks_ignored_total counter\n";
  for (const auto& [why, n] : webhooks_ignored)
    o << "redial_webhooks_ignored_total{why=\"" << why << "\"} " << n << '\n';
  o << "# HELP redial_transfer_claims_unproven_total Transfers claimed without Bland's evidence "
       "(recorded as TRANSFER_FAILED), by the field that claimed it\n"
    << "# TYPE redial_transfer_claims_unproven_total counter\n";
  for (const auto& [field, n] : transfer_claims_unproven)
    o << "redial_transfer_claims_unproven_total{claimed_by=\"" << field << "\"} " << n << '\n';
  o << "# HELP redial_http_rejected_total Requests or connections refused by authentication or "
       "limits, by kind\n"
    << "# TYPE redial_http_rejected_total counter\n";
  for (const auto& [kind, n] : rejected)
    o << "redial_http_rejected_total{kind=\"" << kind << "\"} " << n << '\n';

  render_dial_limits(o);
  StatusCounts c = queue.counts();
  o << "# HELP redial_queue_records Records in the queue by status\n"
    << "# TYPE redial_queue_records gauge\n"
    << "redial_queue_records{status=\"pending\"} " << c.pending << '\n'
    << "redial_queue_records{status=\"rescheduled\"} " << c.rescheduled << '\n'
    << "redial_queue_records{status=\"completed\"} " << c.completed << '\n'
    << "redial_queue_records{status=\"max_attempts\"} " << c.max_attempts << '\n'
    << "redial_queue_records{status=\"dnc\"} " << c.dnc << '\n'
    << "redial_queue_records{status=\"paused\"} " << c.paused << '\n';
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
  render_storage(o);
  return o.str();
}

}  // namespace redial::runner
