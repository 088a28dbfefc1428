// GET /admin/config: the effective settings (after flags, environment, config file, defaults),
// named as in Settings and RedialPolicy (durations in ms). Credentials are never shown.
#include <nlohmann/json.hpp>

#include "pg/pg_store.h"
#include "runner/admin_api.h"

namespace redial::runner {

using nlohmann::json;

namespace {

// "***" when set, null when not: whether a credential is configured is useful, its value never.
json secret(const std::string& value) { return value.empty() ? json(nullptr) : json("***"); }

json policy_json(const RedialPolicy& p) {
  json rules = json::object();
  for (const auto& [outcome, rule] : p.outcome_rules) {
    switch (rule.kind) {
      case OutcomeRule::Kind::kProgressive:
        rules[outcome] = "progressive";
        break;
      case OutcomeRule::Kind::kNever:
        rules[outcome] = "never";
        break;
      case OutcomeRule::Kind::kDnc:
        rules[outcome] = "dnc";
        break;
      case OutcomeRule::Kind::kSchedule:
        rules[outcome] = json{{"intervals_ms", rule.intervals_ms}};
        break;
    }
  }
  return json{{"enabled", p.enabled},
              {"progressive_intervals_ms", p.progressive_intervals_ms},
              {"min_wait_ms", p.min_wait_ms},
              {"max_attempts", p.max_attempts},
              {"success_outcomes", p.success_outcomes},
              {"stop_outcomes", p.stop_outcomes},
              {"known_outcomes", p.known_outcomes},
              {"callback_outcomes", p.callback_outcomes},
              {"outcome_rules", rules},
              {"time_zone", p.time_zone},
              {"business_open_s", p.business_open_s},
              {"business_close_s", p.business_close_s},
              {"business_weekdays_mask", p.business_weekdays},
              {"process_interval_ms", p.process_interval_ms},
              {"retention_days", p.retention_days},
              {"retention_grace_days", p.retention_grace_days},
              {"ready_window_days", p.ready_window_days},
              {"active_call_pushback_ms", p.active_call_pushback_ms},
              {"call_timeout_ms", p.call_timeout_ms},
              {"max_concurrent_calls", p.max_concurrent_calls},
              {"duplicate_window_ms", p.duplicate_window_ms},
              {"federal_window", p.federal_window},
              {"federal_open_s", p.federal_open_s},
              {"federal_close_s", p.federal_close_s},
              {"state_rules", p.state_rules},
              {"rules_dir", p.rules_dir},
              {"area_code_file", p.area_code_file},
              {"state_rules_file", p.state_rules_file},
              {"holidays_file", p.holidays_file},
              {"state_call_limit_override", p.state_call_limit_override},
              {"max_calls_per_lead_24h", p.max_calls_per_lead_24h},
              {"max_calls_per_phone_24h", p.max_calls_per_phone_24h},
              {"min_call_gap_ms", p.min_call_gap_ms},
              {"dnc_file", p.dnc_file}};
}

// A PostgreSQL URL with its password hidden (user:***@, and a password= parameter).
json store_json(const std::string& store) {
  if (store.empty()) return nullptr;
  if (store.find("password=") != std::string::npos) return "***";
  return redact_pg_url(store);
}

}  // namespace

json AdminApi::config_json() const {
  const Settings& s = settings_;
  json j = policy_json(s.policy);
  j.update(json{{"bland_api_key", secret(s.bland_api_key)},
                {"bland_base_url", s.bland_base_url},
                {"webhook_secret", secret(s.webhook_secret)},
                {"webhook_token", secret(s.webhook_token)},
                {"webhook_url", s.webhook_secret.empty() ? json("*** (carries the token)")
                                                         : json(s.webhook_url())},
                {"public_webhook_url", s.public_webhook_url},
                {"call_template", json::parse(s.call_template, nullptr, false)},
                {"outcome_mapping", json::parse(s.outcome_mapping, nullptr, false)},
                {"max_calls_per_hour", s.policy.max_calls_per_hour},
                {"max_calls_per_day", s.policy.max_calls_per_day},
                {"dial_retries", s.dial_retries},
                {"dial_backoff_ms", s.dial_backoff_ms},
                {"http_timeout_ms", s.http_timeout_ms},
                {"dials_per_minute", s.policy.dials_per_minute},
                {"dials_per_second", s.policy.dials_per_second},
                {"plan_limit_backoff_ms", s.plan_limit_backoff_ms},
                {"plan_limit_backoff_max_ms", s.plan_limit_backoff_max_ms},
                {"webhook_grace_ms", s.webhook_grace_ms},
                {"listen_address", s.listen_address},
                {"port", s.port},
                {"admin_token", secret(s.admin_token)},
                {"data_dir", s.data_dir},
                {"store", store_json(s.store)},
                {"lease_ms", s.lease_ms},
                {"backup_dir", s.backup_dir},
                {"fsync", s.fsync},
                {"log_format", s.log_format == LogFormat::kJson ? "json" : "text"},
                {"log_level", s.log_level},
                {"log_file", s.log_file},
                {"max_body_bytes", s.max_body_bytes},
                {"max_header_bytes", s.max_header_bytes},
                {"max_connections", s.max_connections},
                {"max_connections_per_ip", s.max_connections_per_ip},
                {"request_timeout_ms", s.request_timeout_ms},
                {"header_timeout_ms", s.header_timeout_ms},
                {"body_timeout_ms", s.body_timeout_ms},
                {"max_leads_per_request", s.max_leads_per_request}});
  return j;
}

}  // namespace redial::runner
