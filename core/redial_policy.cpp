#include "core/redial_policy.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

#include "core/errors.h"

namespace redial {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void check_outcome_names(const std::vector<std::string>& v, const char* setting) {
  for (const auto& o : v) {
    if (o.empty()) throw ConfigError(setting, "empty outcome name");
    for (char c : o)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
        throw ConfigError(setting,
                          "outcome \"" + o + "\" must be upper-case letters, digits and '_'");
  }
}

}  // namespace

TimeMs RedialPolicy::wait_after_result_ms(int attempts) const {
  assert(attempts >= 1);  // REQUIRES: attempts >= 1
  TimeMs configured = 0;
  if (!progressive_intervals_ms.empty()) {
    std::size_t i = static_cast<std::size_t>(std::max(attempts, 1) - 1);
    configured = progressive_intervals_ms[std::min(i, progressive_intervals_ms.size() - 1)];
  }
  return std::max(configured, min_wait_ms);
}

bool RedialPolicy::is_success(std::string_view o) const { return contains(success_outcomes, o); }
bool RedialPolicy::is_stop(std::string_view o) const { return contains(stop_outcomes, o); }
bool RedialPolicy::is_known(std::string_view o) const {
  return contains(known_outcomes, o) || is_success(o) || is_stop(o) || outcome_rules.count(o) ||
         is_callback(o);
}

bool RedialPolicy::is_callback(std::string_view o) const { return contains(callback_outcomes, o); }

const OutcomeRule& RedialPolicy::rule_for(std::string_view outcome) const {
  static const OutcomeRule kProgressive;
  auto it = outcome_rules.find(outcome);
  return it == outcome_rules.end() ? kProgressive : it->second;
}

void RedialPolicy::validate() const {
  if (progressive_intervals_ms.empty())
    throw ConfigError("progressive_intervals", "at least one interval is required");
  for (TimeMs v : progressive_intervals_ms)
    if (v < 0) throw ConfigError("progressive_intervals", "intervals cannot be negative");
  if (min_wait_ms < 0) throw ConfigError("min_wait", "cannot be negative");
  if (max_attempts < 1) throw ConfigError("max_attempts", "must be at least 1");
  if (success_outcomes.empty())
    throw ConfigError("success_outcomes", "at least one success outcome is required");
  check_outcome_names(success_outcomes, "success_outcomes");
  check_outcome_names(stop_outcomes, "stop_outcomes");
  check_outcome_names(known_outcomes, "known_outcomes");
  check_outcome_names(callback_outcomes, "callback_outcomes");
  if (process_interval_ms < kSecondMs)
    throw ConfigError("process_interval", "must be at least 1 second");
  if (retention_days < 0)
    throw ConfigError("retention_days", "cannot be negative (0: never delete)");
  if (retention_grace_days < 0) throw ConfigError("retention_grace_days", "cannot be negative");
  if (ready_window_days < 0) throw ConfigError("ready_window_days", "cannot be negative");
  if (active_call_pushback_ms < 0) throw ConfigError("active_call_pushback", "cannot be negative");
  if (call_timeout_ms < kSecondMs) throw ConfigError("call_timeout", "must be at least 1 second");
  if (duplicate_window_ms < 0) throw ConfigError("duplicate_window", "cannot be negative");
  if (max_concurrent_calls < 0) throw ConfigError("max_concurrent_calls", "cannot be negative");
  if (max_calls_per_hour < 0) throw ConfigError("max_calls_per_hour", "cannot be negative");
  if (max_calls_per_day < 0) throw ConfigError("max_calls_per_day", "cannot be negative");
  if (dials_per_minute < 0) throw ConfigError("dials_per_minute", "cannot be negative");
  if (dials_per_second < 0) throw ConfigError("dials_per_second", "cannot be negative");
  if (business_open_s < 0 || business_close_s > 24 * 3600 || business_open_s >= business_close_s)
    throw ConfigError("business_hours", "opening time must be before closing time");
  if ((business_weekdays & 0x7f) == 0) throw ConfigError("business_days", "no day selected");
  if (time_zone.empty()) throw ConfigError("time_zone", "empty");
  for (const auto& [name, rule] : outcome_rules) {
    check_outcome_names({name}, "outcome_rules");
    if (rule.kind == OutcomeRule::Kind::kSchedule && rule.intervals_ms.empty())
      throw ConfigError("outcome_rules", name + ": a schedule needs at least one interval");
    if (is_success(name))
      throw ConfigError("outcome_rules", name + " is a success outcome; it cannot have a rule");
  }
  if (federal_open_s < 0 || federal_close_s > 24 * 3600 || federal_open_s >= federal_close_s)
    throw ConfigError("federal_window", "opening time must be before closing time");
  if (max_calls_per_lead_24h < 0) throw ConfigError("max_calls_per_lead_24h", "cannot be negative");
  if (max_calls_per_phone_24h < 0)
    throw ConfigError("max_calls_per_phone_24h", "cannot be negative");
  if (min_call_gap_ms < 0) throw ConfigError("min_call_gap", "cannot be negative");
}

std::map<std::string, OutcomeRule, std::less<>> parse_outcome_rules(std::string_view text,
                                                                    const std::string& setting) {
  std::map<std::string, OutcomeRule, std::less<>> out;
  while (!trim(text).empty()) {
    std::size_t semi = text.find(';');
    std::string_view item = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      throw ConfigError(setting, "expected OUTCOME=rule, got \"" + std::string(item) +
                                     "\" (rule: progressive, never, dnc or waits such as 5m,1h)");
    std::string name{trim(item.substr(0, eq))};
    std::string_view rule = trim(item.substr(eq + 1));
    check_outcome_names({name}, setting.c_str());
    OutcomeRule r;
    if (rule == "progressive") {
      r.kind = OutcomeRule::Kind::kProgressive;
    } else if (rule == "never") {
      r.kind = OutcomeRule::Kind::kNever;
    } else if (rule == "dnc") {
      r.kind = OutcomeRule::Kind::kDnc;
    } else {
      r.kind = OutcomeRule::Kind::kSchedule;
      try {
        r.intervals_ms = parse_interval_list(rule, setting);
      } catch (const ConfigError&) {
        throw ConfigError(setting, name +
                                       ": expected progressive, never, dnc or waits such as "
                                       "5m,1h,1d, got \"" +
                                       std::string(rule) + "\"");
      }
      for (TimeMs v : r.intervals_ms)
        if (v < 0) throw ConfigError(setting, name + ": waits cannot be negative");
    }
    if (!out.emplace(std::move(name), std::move(r)).second)
      throw ConfigError(setting, std::string(trim(item.substr(0, eq))) + " is named twice");
  }
  return out;
}

TimeMs parse_duration_ms(std::string_view text, TimeMs plain_unit_ms, const std::string& setting) {
  std::string_view s = trim(text);
  std::size_t digits_end = 0;
  while (digits_end < s.size() &&
         ((s[digits_end] >= '0' && s[digits_end] <= '9') || s[digits_end] == '.'))
    ++digits_end;
  std::string_view number = s.substr(0, digits_end), unit = trim(s.substr(digits_end));
  double value = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || p != number.data() + number.size() ||
      !std::isfinite(value))
    throw ConfigError(
        setting, "expected a duration such as 5, 30s, 5m or 2h, got \"" + std::string(text) + "\"");
  TimeMs unit_ms = plain_unit_ms;
  if (unit == "ms")
    unit_ms = 1;
  else if (unit == "s")
    unit_ms = kSecondMs;
  else if (unit == "m" || unit == "min")
    unit_ms = kMinuteMs;
  else if (unit == "h")
    unit_ms = kHourMs;
  else if (unit == "d")
    unit_ms = kDayMs;
  else if (!unit.empty())
    throw ConfigError(setting, "unknown unit \"" + std::string(unit) + "\" in \"" +
                                   std::string(text) + "\" (use ms, s, m, h or d)");
  return static_cast<TimeMs>(std::llround(value * static_cast<double>(unit_ms)));
}

std::vector<TimeMs> parse_interval_list(std::string_view text, const std::string& setting) {
  std::vector<TimeMs> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    try {
      out.push_back(parse_duration_ms(item, kMinuteMs, setting));
    } catch (const ConfigError&) {
      throw ConfigError(setting, "item " + std::to_string(out.size() + 1) + " \"" +
                                     std::string(trim(item)) +
                                     "\" is not a duration (minutes, or 30s, 5m, 2h)");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace redial
