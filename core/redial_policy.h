#pragma once
// Every rule of the redial queue that a user can set, with the seed's defaults.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace redial {

// What a result with a given outcome does to its lead (outcome_rules).
struct OutcomeRule {
  enum class Kind : std::uint8_t {
    kProgressive,  // the progressive_intervals schedule (every outcome not named)
    kSchedule,     // its own waits: the k-th result with this outcome waits intervals_ms[k-1]
    kNever,        // never called again: the lead is completed
    kDnc,          // the number goes on the internal do-not-call list: status dnc
  };
  Kind kind = Kind::kProgressive;
  std::vector<TimeMs> intervals_ms;  // kSchedule only; the last value repeats
};

struct RedialPolicy {
  bool enabled = true;  // REDIAL_QUEUE_ENABLED
  // Wait after the k-th result is progressive_intervals_ms[k-1] (the last value repeats), and
  // never less than min_wait_ms. REDIAL_PROGRESSIVE_INTERVALS (minutes in the seed).
  std::vector<TimeMs> progressive_intervals_ms{
      0, 0, 5 * kMinuteMs, 10 * kMinuteMs, 30 * kMinuteMs, 60 * kMinuteMs, 120 * kMinuteMs};
  TimeMs min_wait_ms = 2 * kMinuteMs;
  int max_attempts = 8;  // REDIAL_MAX_ATTEMPTS: results recorded before status max_attempts
  // A result with one of these completes the lead (after being recorded).
  std::vector<std::string> success_outcomes{"TRANSFERRED"};
  // A result with one of these also completes the lead: the lead must not be called again.
  std::vector<std::string> stop_outcomes;
  // Results whose outcome is in none of the lists are rejected as unknown.
  // TRANSFER_FAILED: a transfer claimed (tag, explicit outcome) without Bland's evidence that it
  // happened, retried; BAD_NUMBER: Bland says the number does not exist (see outcome_rules).
  std::vector<std::string> known_outcomes{
      "VOICEMAIL",      "NO_ANSWER", "BUSY",     "FAILED",  "CALL_BACK_SCHEDULED", "HUNG_UP",
      "NOT_INTERESTED", "ANSWERED",  "CANCELED", "UNKNOWN", "TRANSFER_FAILED",     "BAD_NUMBER"};
  std::string time_zone = "America/New_York";
  int business_open_s = 9 * 3600;              // 09:00 local
  int business_close_s = 17 * 3600;            // 17:00 local
  std::uint8_t business_weekdays = 0x7f;       // bit 0 = Sunday; the seed dialed every day
  TimeMs process_interval_ms = 5 * kMinuteMs;  // REDIAL_PROCESS_INTERVAL
  int retention_days = 30;                     // REDIAL_RETENTION_DAYS; 0: never delete
  // Months retention retired stay in DATA_DIR/expired/ this long before they are deleted.
  int retention_grace_days = 30;  // REDIAL_RETENTION_GRACE_DAYS
  // Only leads created in the last N local days are redialed; 1 is the seed's "today only",
  // 0 turns the filter off. Leads waiting for a scheduled callback are exempt.
  int ready_window_days = 1;
  TimeMs active_call_pushback_ms = 5 * kMinuteMs;  // a lead whose phone is in a call waits this
  // A dialed call without a result after this is reconciled, then released: Bland's
  // max_duration (30 minutes by default) plus a grace period.
  TimeMs call_timeout_ms = 35 * kMinuteMs;
  int max_concurrent_calls = 0;  // calls in flight at once; 0 = no limit
  // Dial rate limits and pacing (core/dial_rate_limits.h), enforced by the tick; 0 = no limit.
  int max_calls_per_hour = 0;  // calls in any hour (every call the records keep)
  int max_calls_per_day = 0;   // calls in any 24 hours
  int dials_per_minute = 0;    // dials spread evenly: at least 60 s / this apart
  int dials_per_second = 0;    // at least 1 s / this apart
  // Call ids are remembered this long across restarts to recognise duplicate webhooks (the
  // lead's last_call_id is always remembered).
  TimeMs duplicate_window_ms = 24 * kHourMs;

  // ---- Calling rules (docs/calling-rules.md) ----
  // Per outcome: retried on its own schedule, never, or do-not-call. Outcomes named here are
  // known. Parsed from "BUSY=5m;NOT_INTERESTED=never;DNC_REQUESTED=dnc;NO_ANSWER=10m,1h,1d".
  std::map<std::string, OutcomeRule, std::less<>> outcome_rules{
      {"DO_NOT_CONTACT", {OutcomeRule::Kind::kDnc, {}}},
      {"DNC_REQUESTED", {OutcomeRule::Kind::kDnc, {}}},
      // A number that does not exist is never dialed again, by any lead (the internal
      // do-not-call list, rebuilt from the records at load: durable).
      {"BAD_NUMBER", {OutcomeRule::Kind::kDnc, {}}}};
  // A result with one of these outcomes and a callback time reschedules the lead to that time;
  // other outcomes ignore a callback time.
  std::vector<std::string> callback_outcomes{"CALL_BACK_SCHEDULED"};
  // The federal floor: no redial outside [federal_open_s, federal_close_s) lead-local.
  bool federal_window = true;
  int federal_open_s = 8 * 3600;
  int federal_close_s = 21 * 3600;
  bool state_rules = false;  // apply the state table (rules/state_calling_rules.csv)
  std::string rules_dir;     // where the tables are; "" = the installed rules/ folder
  std::string area_code_file, state_rules_file, holidays_file;  // "" = the file in rules_dir
  std::string state_call_limit_override;    // "FL,3;OK,2": lowers a state's 24-hour cap
  int max_calls_per_lead_24h = 0;           // 0 = no cap
  int max_calls_per_phone_24h = 0;          // across every lead with the number; 0 = no cap
  TimeMs min_call_gap_ms = 10 * kSecondMs;  // between two calls to one number (Bland: 10 s)
  std::string dnc_file;                     // one number a line; "" = none

  // The rule for an outcome (kProgressive when not named).
  const OutcomeRule& rule_for(std::string_view outcome) const;

  // The wait after the result that brought the lead to `attempts` results. REQUIRES: attempts >= 1.
  TimeMs wait_after_result_ms(int attempts) const;
  bool is_success(std::string_view outcome) const;
  bool is_stop(std::string_view outcome) const;
  bool is_known(std::string_view outcome) const;
  bool is_callback(std::string_view outcome) const;
  // Throws ConfigError naming the first bad setting.
  void validate() const;
};

// Parses "0,0,5,10" (minutes) or "30s,5m,2h" into milliseconds; throws ConfigError(setting).
std::vector<TimeMs> parse_interval_list(std::string_view text, const std::string& setting);
// Parses "BUSY=5m;VOICEMAIL=progressive;NOT_INTERESTED=never;DO_NOT_CONTACT=dnc;NO_ANSWER=10m,1h"
// (an empty text gives no rules); throws ConfigError(setting) naming the bad item.
std::map<std::string, OutcomeRule, std::less<>> parse_outcome_rules(std::string_view text,
                                                                    const std::string& setting);
// Parses one duration: a plain number is in `plain_unit_ms`; suffixes ms, s, m, h, d are accepted.
TimeMs parse_duration_ms(std::string_view text, TimeMs plain_unit_ms, const std::string& setting);

}  // namespace redial
