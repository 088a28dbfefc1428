#pragma once
// The one list of settings (issue 21): each setting once, with its flag name, environment
// variable, scenario key, type, unit, default, range, help text and setter. The runner's flags,
// environment and --config file (runner/settings.cpp) and a scenario's "config" object
// (sim/scenario_config.cpp) are two front ends of it: they collect text values by setting name
// and hand them to the same parsers. Adding a setting is one entry in settings_schema.cpp.
//
// "Runner only" settings (Bland, the HTTP server, storage, logs, file paths) have no scenario key:
// a scenario naming one is refused with an error that says so (scenario_config.cpp).
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/redial_policy.h"
#include "core/time.h"

namespace redial {

enum class SettingType {
  kBool,          // true/false (also 1/0, yes/no, on/off on the command line)
  kInt,           // an integer in [min, max]
  kDuration,      // a plain number in plain_unit_ms, or 500ms, 30s, 5m, 2h, 1d; in [min, max] ms
  kDurationList,  // comma list of durations ("0,0,5,10" or "30s,5m"); the last repeats
  kTimeOfDay,     // HH:MM[:SS] local, 24:00 allowed
  kWeekdays,      // comma list of weekday names: sun or sunday, any case
  kOutcomeList,   // comma list of outcome names (upper case, digits, '_')
  kOutcomeRules,  // OUTCOME=rule;... merged over the default rules
  kChoice,        // one of `choices` (comma list)
  kText,          // free text (a path, a URL, a key); checked by its setter
};

struct SettingSpec;
// Sets the setting's RedialPolicy field from `text`. `is_default` is true when the schema's
// default is being applied (a merging setting replaces then, and merges a given value).
// Throws ConfigError(spec.name, reason) for a bad value.
using PolicySetter = void (*)(RedialPolicy& p, const SettingSpec& spec, std::string_view text,
                              bool is_default);
// An extra check of a value (e.g. the state-cap override's syntax); throws ConfigError.
using SettingCheck = void (*)(const SettingSpec& spec, std::string_view text);

struct SettingSpec {
  const char* name;          // flag and config-file key, e.g. "max-attempts"
  const char* env;           // environment variable, e.g. "REDIAL_MAX_ATTEMPTS"
  const char* scenario_key;  // scenario "config" key ("a.b" = nested); nullptr: runner only
  SettingType type;
  const char* default_text;    // the default, as a user would write it
  const char* group;           // the README table: "queue", "calling-rules" or "runner"
  const char* help;            // one sentence, for --help and the docs tables
  PolicySetter set = nullptr;  // nullptr: a runner-only setting set by the runner's Settings
  TimeMs plain_unit_ms = 0;    // kDuration / kDurationList: the unit of a plain number
  long long min = 0;           // kInt: lowest value; kDuration: shortest, in ms
  long long max = 0;           // kInt: highest; kDuration: longest in ms (0 = no limit)
  const char* choices = "";    // kChoice: "text,json"
  const char* more = "";       // extra text for the docs tables only (markdown)
  SettingCheck check = nullptr;

  bool runner_only() const { return scenario_key == nullptr; }
};

// Every setting, in --help and docs order.
std::span<const SettingSpec> settings_schema();
// The setting with this flag name, or nullptr.
const SettingSpec* find_setting(std::string_view name);
// The setting a ConfigError from RedialPolicy::validate() names ("min_wait", "business_hours"),
// or nullptr.
const SettingSpec* setting_for_error(std::string_view validate_name);

// ---- One parser per type (both front ends). Each throws ConfigError(spec.name, reason). ----
bool parse_setting_bool(const SettingSpec& spec, std::string_view text);
long long parse_setting_int(const SettingSpec& spec, std::string_view text);
TimeMs parse_setting_duration(const SettingSpec& spec, std::string_view text);
std::vector<TimeMs> parse_setting_durations(const SettingSpec& spec, std::string_view text);
int parse_setting_time_of_day_s(const SettingSpec& spec, std::string_view text);
std::uint8_t parse_setting_weekdays(const SettingSpec& spec, std::string_view text);  // bit 0 = Sun
std::vector<std::string> parse_setting_list(const SettingSpec& spec, std::string_view text);
// Parses `text` as the spec's type, checks range, choices and `check`; throws ConfigError.
void check_setting_value(const SettingSpec& spec, std::string_view text);
// The reason of a ConfigError without its "setting: " prefix.
std::string config_error_reason(const std::exception& e, const std::string& setting);

// Values a front end was given, by setting name (flag form); the others take their default.
using SettingValues = std::map<std::string, std::string, std::less<>>;
// Sets every policy setting of `p` from its default, then from `given`; does not validate().
// REQUIRES: every key of `given` names a setting with a policy setter.
// Throws ConfigError(name, reason) naming the first bad value.
void apply_policy_settings(const SettingValues& given, RedialPolicy& p);
// The policy of the schema's defaults alone.
RedialPolicy default_policy_from_schema();

// ---- Generated documentation ----
// A markdown table (| setting | environment | default | meaning |) of one group's settings.
std::string settings_markdown(std::string_view group);
// The scenario "config" table (| key | runner setting | default | meaning |).
std::string scenario_config_markdown();

}  // namespace redial
