// Loader of a scenario's "config" object (split from scenario.cpp).
#include "sim/scenario_config.h"

#include <string>

#include "core/errors.h"
#include "core/rule_tables.h"
#include "core/time.h"

namespace redial::sim {

namespace {

// A ConfigError's reason without its "setting: " prefix.
std::string reason_of(const ConfigError& e) {
  std::string w = e.what();
  const std::string prefix = e.setting() + ": ";
  return w.rfind(prefix, 0) == 0 ? w.substr(prefix.size()) : w;
}

void business_hours(const JsonReader& r, const nlohmann::json& b, RedialPolicy& p) {
  r.check_keys(b, "config.business_hours", {"start", "end", "time_zone", "weekdays"});
  try {
    if (b.contains("start"))
      p.business_open_s = parse_time_of_day_s(r.str(b["start"], "config.business_hours.start"),
                                              "config.business_hours.start");
    if (b.contains("end"))
      p.business_close_s = parse_time_of_day_s(r.str(b["end"], "config.business_hours.end"),
                                               "config.business_hours.end");
  } catch (const ConfigError& e) {
    r.fail(e.setting(), e.what());
  }
  if (b.contains("time_zone"))
    p.time_zone = r.str(b["time_zone"], "config.business_hours.time_zone");
  if (b.contains("weekdays")) {
    static const char* names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    std::uint8_t mask = 0;
    auto days = r.strings(b["weekdays"], "config.business_hours.weekdays");
    for (std::size_t i = 0; i < days.size(); ++i) {
      int found = -1;
      for (int d = 0; d < 7; ++d)
        if (days[i] == names[d]) found = d;
      if (found < 0)
        r.fail(JsonReader::index("config.business_hours.weekdays", i),
               "expected Sun, Mon, ... Sat");
      mask = static_cast<std::uint8_t>(mask | (1u << found));
    }
    p.business_weekdays = mask;
  }
}

// {"BUSY": "5m", "NOT_INTERESTED": "never"} or "BUSY=5m;NOT_INTERESTED=never". The outcomes
// named replace their default rule; the others keep it (DO_NOT_CONTACT and DNC_REQUESTED: dnc).
void outcome_rules(const JsonReader& r, const nlohmann::json& v, RedialPolicy& p) {
  const std::string field = "config.outcome_rules";
  std::map<std::string, OutcomeRule, std::less<>> rules;
  try {
    if (v.is_string()) {
      rules = parse_outcome_rules(v.get<std::string>(), field);
    } else if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string path = field + "." + it.key();
        auto one = parse_outcome_rules(it.key() + "=" + r.str(it.value(), path), path);
        rules.insert(one.begin(), one.end());
      }
    } else {
      r.fail(field, "expected an object such as {\"BUSY\": \"5m\", \"NOT_INTERESTED\": \"never\"}");
    }
  } catch (const ConfigError& e) {
    r.fail(e.setting(), reason_of(e));
  }
  for (auto& [name, rule] : rules) p.outcome_rules[name] = rule;
}

}  // namespace

void read_config(const JsonReader& r, const nlohmann::json& c, RedialPolicy& p) {
  if (!c.is_object()) r.fail("config", "expected an object");
  r.check_keys(c, "config",
               {"enabled",
                "process_interval_minutes",
                "max_attempts",
                "progressive_intervals",
                "min_wait_minutes",
                "success_outcomes",
                "stop_outcomes",
                "known_outcomes",
                "extra_outcomes",
                "business_hours",
                "ready_window_days",
                "active_call_pushback_minutes",
                "call_timeout_minutes",
                "max_concurrent_calls",
                "federal_window",
                "state_rules",
                "max_calls_per_lead_24h",
                "max_calls_per_phone_24h",
                "min_call_gap_seconds",
                "state_call_limit_override",
                "outcome_rules",
                "max_calls_per_hour",
                "max_calls_per_day",
                "dials_per_minute",
                "dials_per_second"});
  auto has = [&](const char* k) { return c.contains(k); };
  if (has("enabled")) p.enabled = r.boolean(c["enabled"], "config.enabled");
  if (has("process_interval_minutes"))
    p.process_interval_ms =
        r.duration(c["process_interval_minutes"], kMinuteMs, "config.process_interval_minutes");
  if (has("max_attempts"))
    p.max_attempts = r.positive_int(c["max_attempts"], "config.max_attempts");
  if (has("progressive_intervals")) {
    const auto& v = c["progressive_intervals"];
    if (!v.is_array()) r.fail("config.progressive_intervals", "expected an array");
    p.progressive_intervals_ms.clear();
    for (std::size_t i = 0; i < v.size(); ++i)
      p.progressive_intervals_ms.push_back(
          r.duration(v[i], kMinuteMs, JsonReader::index("config.progressive_intervals", i)));
  }
  if (has("min_wait_minutes"))
    p.min_wait_ms = r.duration(c["min_wait_minutes"], kMinuteMs, "config.min_wait_minutes");
  if (has("success_outcomes"))
    p.success_outcomes = r.strings(c["success_outcomes"], "config.success_outcomes");
  if (has("stop_outcomes")) p.stop_outcomes = r.strings(c["stop_outcomes"], "config.stop_outcomes");
  if (has("known_outcomes"))
    p.known_outcomes = r.strings(c["known_outcomes"], "config.known_outcomes");
  if (has("extra_outcomes"))
    for (auto& o : r.strings(c["extra_outcomes"], "config.extra_outcomes"))
      p.known_outcomes.push_back(o);
  if (has("ready_window_days"))
    p.ready_window_days = r.positive_int(c["ready_window_days"], "config.ready_window_days", 0);
  if (has("active_call_pushback_minutes"))
    p.active_call_pushback_ms = r.duration(c["active_call_pushback_minutes"], kMinuteMs,
                                           "config.active_call_pushback_minutes");
  if (has("call_timeout_minutes"))
    p.call_timeout_ms =
        r.duration(c["call_timeout_minutes"], kMinuteMs, "config.call_timeout_minutes");
  if (has("max_concurrent_calls"))
    p.max_concurrent_calls =
        r.positive_int(c["max_concurrent_calls"], "config.max_concurrent_calls", 0);
  if (has("business_hours")) business_hours(r, c["business_hours"], p);

  // ---- calling rules (issue 7) ----
  if (has("federal_window"))
    p.federal_window = r.boolean(c["federal_window"], "config.federal_window");
  if (has("state_rules")) p.state_rules = r.boolean(c["state_rules"], "config.state_rules");
  if (has("max_calls_per_lead_24h"))
    p.max_calls_per_lead_24h =
        r.positive_int(c["max_calls_per_lead_24h"], "config.max_calls_per_lead_24h", 0);
  if (has("max_calls_per_phone_24h"))
    p.max_calls_per_phone_24h =
        r.positive_int(c["max_calls_per_phone_24h"], "config.max_calls_per_phone_24h", 0);
  if (has("min_call_gap_seconds"))
    p.min_call_gap_ms =
        r.duration(c["min_call_gap_seconds"], kSecondMs, "config.min_call_gap_seconds");
  if (has("state_call_limit_override")) {
    p.state_call_limit_override =
        r.str(c["state_call_limit_override"], "config.state_call_limit_override");
    try {  // checked here so the message names the field; the tables apply it at load
      StateRuleTable().apply_cap_overrides(p.state_call_limit_override,
                                           "config.state_call_limit_override");
    } catch (const ConfigError& e) {
      r.fail(e.setting(), reason_of(e));
    }
  }
  if (has("outcome_rules")) outcome_rules(r, c["outcome_rules"], p);
  // Dial rate limits and pacing (core/dial_rate_limits.h); 0 = no limit.
  for (auto [key, field] : {std::pair{"max_calls_per_hour", &p.max_calls_per_hour},
                            {"max_calls_per_day", &p.max_calls_per_day},
                            {"dials_per_minute", &p.dials_per_minute},
                            {"dials_per_second", &p.dials_per_second}})
    if (has(key)) *field = r.positive_int(c[key], std::string("config.") + key, 0);

  try {
    p.validate();
  } catch (const ConfigError& e) {
    r.fail("config." + e.setting(), reason_of(e));
  }
}

}  // namespace redial::sim
