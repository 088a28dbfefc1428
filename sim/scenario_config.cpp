// Loader of a scenario's "config" object: a front end of the core's settings schema
// (core/settings_schema.h), as the runner's flags are. The JSON's shape is checked here (a bool
// is true or false, a list is an array); the value goes to the same parser as the runner's text.
#include "sim/scenario_config.h"

#include <algorithm>
#include <string>

#include "core/errors.h"
#include "core/settings_schema.h"

namespace redial::sim {

namespace {

using json = nlohmann::json;

const SettingSpec* by_scenario_key(std::string_view key) {
  for (const SettingSpec& s : settings_schema())
    if (!s.runner_only() && key == s.scenario_key) return &s;
  return nullptr;
}

// True when some scenario key is nested under `key` ("business_hours" for "business_hours.start").
bool is_group(std::string_view key) {
  for (const SettingSpec& s : settings_schema()) {
    if (s.runner_only()) continue;
    std::string_view k = s.scenario_key;
    if (k.size() > key.size() && k.substr(0, key.size()) == key && k[key.size()] == '.')
      return true;
  }
  return false;
}

std::string scalar_text(const JsonReader& r, const json& v, const std::string& path) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return v.dump();
  r.fail(path, "expected a string or a number, got " + v.dump());
}

// A list as the runner's text: "a,b,c" (an array) or the text itself.
std::string list_text(const JsonReader& r, const json& v, const std::string& path) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) r.fail(path, "expected an array");
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i)
    out += (i ? "," : "") + scalar_text(r, v[i], JsonReader::index(path, i));
  return out;
}

// {"BUSY": "5m", "NOT_INTERESTED": "never"} or the runner's "BUSY=5m;NOT_INTERESTED=never".
std::string rules_text(const JsonReader& r, const json& v, const std::string& path) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_object())
    r.fail(path, "expected an object such as {\"BUSY\": \"5m\", \"NOT_INTERESTED\": \"never\"}");
  std::string out;
  for (auto it = v.begin(); it != v.end(); ++it)
    out += it.key() + "=" + r.str(it.value(), JsonReader::join(path, it.key())) + ";";
  return out;
}

// The setting's value as the text the runner would be given.
std::string value_text(const JsonReader& r, const SettingSpec& s, const json& v,
                       const std::string& path) {
  switch (s.type) {
    case SettingType::kBool:
      return r.boolean(v, path) ? "true" : "false";
    case SettingType::kInt:
      if (!v.is_number_integer()) r.fail(path, "expected an integer, got " + v.dump());
      return std::to_string(v.get<long long>());
    case SettingType::kDuration:
      return scalar_text(r, v, path);
    case SettingType::kDurationList:
    case SettingType::kWeekdays:
    case SettingType::kOutcomeList:
      return list_text(r, v, path);
    case SettingType::kOutcomeRules:
      return rules_text(r, v, path);
    case SettingType::kTimeOfDay:
    case SettingType::kChoice:
    case SettingType::kText:
      return r.str(v, path);
  }
  r.fail(path, "unsupported setting type");
}

void read_key(const JsonReader& r, const std::string& key, const json& v,
              std::map<std::string, std::string>& path_of, SettingValues& given) {
  const std::string path = "config." + key;
  if (key == "note" || key == "description") return;
  if (is_group(key) && !by_scenario_key(key)) {
    if (!v.is_object()) r.fail(path, "expected an object");
    for (auto it = v.begin(); it != v.end(); ++it)
      read_key(r, key + "." + it.key(), it.value(), path_of, given);
    return;
  }
  const SettingSpec* s = by_scenario_key(key);
  if (s == nullptr) {
    std::string flag = key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    const SettingSpec* runner = find_setting(flag);
    if (runner != nullptr && runner->runner_only())
      r.fail(path, std::string("a runner-only setting (--") + runner->name +
                       "); a scenario cannot set it");
    r.fail(path, "unknown field");
  }
  given[s->name] = value_text(r, *s, v, path);
  path_of[s->name] = path;
}

}  // namespace

void read_config(const JsonReader& r, const json& c, RedialPolicy& p) {
  if (!c.is_object()) r.fail("config", "expected an object");
  std::map<std::string, std::string> path_of;  // setting name -> "config.KEY"
  SettingValues given;
  for (auto it = c.begin(); it != c.end(); ++it) read_key(r, it.key(), it.value(), path_of, given);
  auto path = [&](const SettingSpec* s, const std::string& fallback) {
    if (s == nullptr) return "config." + fallback;
    auto it = path_of.find(s->name);
    return it != path_of.end() ? it->second
                               : std::string("config.") + (s->scenario_key ? s->scenario_key : "");
  };
  try {
    apply_policy_settings(given, p);
  } catch (const ConfigError& e) {
    r.fail(path(find_setting(e.setting()), e.setting()), config_error_reason(e, e.setting()));
  }
  try {
    p.validate();
  } catch (const ConfigError& e) {
    const SettingSpec* s = setting_for_error(e.setting());
    // business_hours (opening before closing) names the object, as before.
    std::string where =
        e.setting() == "business_hours" ? "config.business_hours" : path(s, e.setting());
    r.fail(where, config_error_reason(e, e.setting()));
  }
}

}  // namespace redial::sim
