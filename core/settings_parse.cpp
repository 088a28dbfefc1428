// One parser per setting type, shared by the runner's flags/environment/config file and the
// scenario "config" object (settings_schema.h).
#include <cassert>
#include <cctype>
#include <charconv>

#include "core/business_calendar.h"
#include "core/errors.h"
#include "core/settings_schema.h"

namespace redial {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

void check_duration_range(const SettingSpec& s, std::string_view text, TimeMs ms) {
  if (ms < 0) throw ConfigError(s.name, "must not be negative, got " + quoted(text));
  if (ms < s.min)
    throw ConfigError(s.name,
                      "must be at least " + std::to_string(s.min) + " ms, got " + quoted(text));
  if (s.max > 0 && ms > s.max)
    throw ConfigError(s.name,
                      "must be at most " + std::to_string(s.max) + " ms, got " + quoted(text));
}

}  // namespace

bool parse_setting_bool(const SettingSpec& s, std::string_view text) {
  std::string v = lower(trim(text));
  for (const char* t : {"true", "1", "yes", "on"})
    if (v == t) return true;
  for (const char* f : {"false", "0", "no", "off"})
    if (v == f) return false;
  throw ConfigError(s.name, "expected true or false, got " + quoted(text));
}

long long parse_setting_int(const SettingSpec& s, std::string_view text) {
  std::string_view v = trim(text);
  long long n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size())
    throw ConfigError(s.name, "expected an integer, got " + quoted(text));
  if (n < s.min || n > s.max)
    throw ConfigError(s.name, "must be between " + std::to_string(s.min) + " and " +
                                  std::to_string(s.max) + ", got " + quoted(text));
  return n;
}

TimeMs parse_setting_duration(const SettingSpec& s, std::string_view text) {
  // REQUIRES: a duration setting has the unit of a plain number.
  assert(s.plain_unit_ms > 0);
  try {
    TimeMs ms = parse_duration_ms(text, s.plain_unit_ms, s.name);
    check_duration_range(s, text, ms);
    return ms;
  } catch (const ConfigError& e) {
    throw ConfigError(s.name, config_error_reason(e, s.name));
  }
}

std::vector<TimeMs> parse_setting_durations(const SettingSpec& s, std::string_view text) {
  std::vector<TimeMs> out = parse_interval_list(text, s.name);
  for (TimeMs v : out)
    if (v < 0) throw ConfigError(s.name, "intervals cannot be negative");
  return out;
}

int parse_setting_time_of_day_s(const SettingSpec& s, std::string_view text) {
  return parse_time_of_day_s(trim(text), s.name);  // 24:00 allowed (a closing time)
}

// "sun" or "sunday" (any case); the runner's prefix rule and the scenario's "Sun" both fit.
std::uint8_t parse_setting_weekdays(const SettingSpec& s, std::string_view text) {
  static const char* kShort[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  static const char* kLong[] = {"sunday",   "monday", "tuesday", "wednesday",
                                "thursday", "friday", "saturday"};
  std::uint8_t bits = 0;
  for (const std::string& item : parse_setting_list(s, text)) {
    std::string d = lower(item);
    int found = -1;
    for (int i = 0; i < 7; ++i)
      if (d == kShort[i] || d == kLong[i]) found = i;
    if (found < 0)
      throw ConfigError(s.name, "unknown weekday '" + item + "' (expected sun, mon, ... sat)");
    bits = static_cast<std::uint8_t>(bits | (1u << found));
  }
  if (bits == 0) throw ConfigError(s.name, "no weekday given");
  return bits;
}

std::vector<std::string> parse_setting_list(const SettingSpec& s, std::string_view text) {
  (void)s;
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

void check_setting_value(const SettingSpec& s, std::string_view text) {
  switch (s.type) {
    case SettingType::kBool:
      (void)parse_setting_bool(s, text);
      break;
    case SettingType::kInt:
      (void)parse_setting_int(s, text);
      break;
    case SettingType::kDuration:
      (void)parse_setting_duration(s, text);
      break;
    case SettingType::kDurationList:
      (void)parse_setting_durations(s, text);
      break;
    case SettingType::kTimeOfDay:
      (void)parse_setting_time_of_day_s(s, text);
      break;
    case SettingType::kWeekdays:
      (void)parse_setting_weekdays(s, text);
      break;
    case SettingType::kOutcomeList:
      (void)parse_setting_list(s, text);
      break;
    case SettingType::kOutcomeRules:
      (void)parse_outcome_rules(text, s.name);
      break;
    case SettingType::kChoice: {
      bool ok = false;
      for (const auto& c : parse_setting_list(s, s.choices)) ok = ok || c == trim(text);
      if (!ok)
        throw ConfigError(s.name,
                          "expected one of " + std::string(s.choices) + ", got " + quoted(text));
      break;
    }
    case SettingType::kText:
      break;
  }
  if (s.check != nullptr) s.check(s, text);
}

std::string config_error_reason(const std::exception& e, const std::string& setting) {
  std::string w = e.what();
  const std::string prefix = setting + ": ";
  return w.rfind(prefix, 0) == 0 ? w.substr(prefix.size()) : w;
}

void apply_policy_settings(const SettingValues& given, RedialPolicy& p) {
  for (const auto& [name, text] : given) {
    // REQUIRES: every key of `given` names a setting with a policy setter.
    [[maybe_unused]] const SettingSpec* known = find_setting(name);
    assert(known != nullptr && known->set != nullptr);
  }
  for (const SettingSpec& s : settings_schema()) {
    if (s.set == nullptr) continue;
    s.set(p, s, s.default_text, true);
    auto it = given.find(std::string_view(s.name));
    if (it == given.end()) continue;
    check_setting_value(s, it->second);
    s.set(p, s, it->second, false);
  }
}

RedialPolicy default_policy_from_schema() {
  RedialPolicy p;
  apply_policy_settings({}, p);
  return p;
}

}  // namespace redial
