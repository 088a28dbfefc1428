// The settings schema (core/settings_schema.h) and its two front ends: the runner's flags,
// environment and config file, and a scenario's "config" object (issue 21).
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "core/settings_schema.h"
#include "runner/settings.h"
#include "runner/settings_docs.h"
#include "sim/scenario.h"

using namespace redial;
using namespace redial::runner;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  vars.emplace("BLAND_API_KEY", "key");
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

RedialPolicy runner_policy(std::vector<std::string> args,
                           std::map<std::string, std::string> env = {}) {
  ParseOutcome out = parse_settings(args, env_of(std::move(env)));
  REQUIRE(out.settings.has_value());
  return out.settings->policy;
}

std::string runner_error(std::vector<std::string> args) {
  try {
    (void)parse_settings(args, env_of({}));
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "no error";
}

RedialPolicy scenario_policy(const std::string& config) {
  return sim::parse_scenario(R"({"start": "2025-12-01T14:00:00", "config": )" + config + "}",
                             "x.json")
      .policy;
}

std::string scenario_error(const std::string& config) {
  try {
    (void)scenario_policy(config);
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The text between "<!-- settings:NAME -->\n" and "<!-- /settings:NAME -->" in a file.
std::string generated_part(const std::string& text, const std::string& name) {
  const std::string open = "<!-- settings:" + name + " -->\n";
  const std::string close = "<!-- /settings:" + name + " -->";
  auto a = text.find(open);
  auto b = text.find(close);
  if (a == std::string::npos || b == std::string::npos || b < a) return "(markers missing)";
  return text.substr(a + open.size(), b - a - open.size());
}

// Every field of the policy (RedialPolicy has no operator==: core/redial_policy.h is shared by
// the other branches of issue 21). A field added to RedialPolicy belongs here too.
bool same(const RedialPolicy& a, const RedialPolicy& b) {
  auto rules_equal = [](const auto& x, const auto& y) {
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
      if (i->first != j->first || i->second.kind != j->second.kind ||
          i->second.intervals_ms != j->second.intervals_ms)
        return false;
    return true;
  };
  return a.enabled == b.enabled && a.progressive_intervals_ms == b.progressive_intervals_ms &&
         a.min_wait_ms == b.min_wait_ms && a.max_attempts == b.max_attempts &&
         a.success_outcomes == b.success_outcomes && a.stop_outcomes == b.stop_outcomes &&
         a.known_outcomes == b.known_outcomes && a.time_zone == b.time_zone &&
         a.business_open_s == b.business_open_s && a.business_close_s == b.business_close_s &&
         a.business_weekdays == b.business_weekdays &&
         a.process_interval_ms == b.process_interval_ms && a.retention_days == b.retention_days &&
         a.retention_grace_days == b.retention_grace_days &&
         a.ready_window_days == b.ready_window_days &&
         a.active_call_pushback_ms == b.active_call_pushback_ms &&
         a.call_timeout_ms == b.call_timeout_ms &&
         a.max_concurrent_calls == b.max_concurrent_calls &&
         a.duplicate_window_ms == b.duplicate_window_ms &&
         rules_equal(a.outcome_rules, b.outcome_rules) &&
         a.callback_outcomes == b.callback_outcomes && a.federal_window == b.federal_window &&
         a.federal_open_s == b.federal_open_s && a.federal_close_s == b.federal_close_s &&
         a.state_rules == b.state_rules && a.rules_dir == b.rules_dir &&
         a.area_code_file == b.area_code_file && a.state_rules_file == b.state_rules_file &&
         a.holidays_file == b.holidays_file &&
         a.state_call_limit_override == b.state_call_limit_override &&
         a.max_calls_per_lead_24h == b.max_calls_per_lead_24h &&
         a.max_calls_per_hour == b.max_calls_per_hour &&
         a.max_calls_per_day == b.max_calls_per_day && a.dials_per_minute == b.dials_per_minute &&
         a.dials_per_second == b.dials_per_second &&
         a.max_calls_per_phone_24h == b.max_calls_per_phone_24h &&
         a.min_call_gap_ms == b.min_call_gap_ms && a.dnc_file == b.dnc_file;
}

}  // namespace

TEST_CASE("schema: names, variables and scenario keys are unique, defaults pass validation") {
  std::set<std::string> names, envs, keys;
  for (const SettingSpec& s : settings_schema()) {
    INFO(s.name);
    CHECK(names.insert(s.name).second);
    CHECK(envs.insert(s.env).second);
    if (!s.runner_only()) CHECK(keys.insert(s.scenario_key).second);
    CHECK(std::string(s.help).size() > 10);
    CHECK_NOTHROW(check_setting_value(s, s.default_text));
    bool timed = s.type == SettingType::kDuration || s.type == SettingType::kDurationList;
    CHECK(timed == (s.plain_unit_ms > 0));
    CHECK((std::string(s.group) == "queue" || std::string(s.group) == "calling-rules" ||
           std::string(s.group) == "runner"));
    if (s.set == nullptr) CHECK(s.runner_only());  // a scenario can only set the policy
  }
  CHECK(names.size() > 60);
}

TEST_CASE("schema: RedialPolicy's member initialisers are the schema's defaults") {
  RedialPolicy from_struct;
  RedialPolicy from_schema = default_policy_from_schema();
  CHECK(same(from_struct, from_schema));
  // Each front end, given nothing, gives the same policy.
  CHECK(same(runner_policy({}), from_schema));
  CHECK(same(scenario_policy("{}"), from_schema));
}

TEST_CASE("schema: the same value as flag, environment, config file and scenario config") {
  struct Case {
    const char* flag;
    const char* text;
    const char* scenario_config;
  };
  const Case cases[] = {
      {"max-attempts", "3", R"({"max_attempts": 3})"},
      {"process-interval", "30s", R"({"process_interval_minutes": "30s"})"},
      {"min-wait", "1", R"({"min_wait_minutes": 1})"},
      {"progressive-intervals", "1,2,30s", R"({"progressive_intervals": [1, 2, "30s"]})"},
      {"business-days", "mon,Tuesday,FRI",
       R"({"business_hours": {"weekdays": ["Mon", "tuesday", "fri"]}})"},
      {"business-hours-start", "08:30", R"({"business_hours": {"start": "08:30"}})"},
      {"time-zone", "America/Chicago", R"({"business_hours": {"time_zone": "America/Chicago"}})"},
      {"extra-outcomes", "MY_TAG", R"({"extra_outcomes": ["MY_TAG"]})"},
      {"outcome-rules", "BUSY=5m;NOT_INTERESTED=never",
       R"({"outcome_rules": {"BUSY": "5m", "NOT_INTERESTED": "never"}})"},
      {"federal-window", "false", R"({"federal_window": false})"},
      {"min-call-gap", "30", R"({"min_call_gap_seconds": 30})"},
      {"callback-outcomes", "CALL_BACK_SCHEDULED,LATER",
       R"({"callback_outcomes": ["CALL_BACK_SCHEDULED", "LATER"]})"},
      {"state-call-limit-override", "FL,2", R"({"state_call_limit_override": "FL,2"})"},
  };
  const std::string path = "settings_schema_test.conf";
  for (const Case& c : cases) {
    INFO(c.flag);
    const SettingSpec* s = find_setting(c.flag);
    REQUIRE(s != nullptr);
    RedialPolicy by_flag = runner_policy({std::string("--") + c.flag, c.text});
    CHECK_FALSE(same(by_flag, default_policy_from_schema()));  // the value changed something
    CHECK(same(runner_policy({}, {{s->env, c.text}}), by_flag));
    {
      std::ofstream out(path);
      out << c.flag << " = " << c.text << "\n";
    }
    CHECK(same(runner_policy({"--config", path}), by_flag));
    CHECK(same(scenario_policy(c.scenario_config), by_flag));
  }
  std::remove(path.c_str());
}

TEST_CASE("schema: naming one outcome rule keeps the default do-not-call rules, in both") {
  RedialPolicy runner = runner_policy({"--outcome-rules", "BUSY=5m"});
  RedialPolicy scenario = scenario_policy(R"({"outcome_rules": {"BUSY": "5m"}})");
  RedialPolicy scenario_text = scenario_policy(R"({"outcome_rules": "BUSY=5m"})");
  for (const RedialPolicy* p : {&runner, &scenario, &scenario_text}) {
    CHECK(p->rule_for("BUSY").kind == OutcomeRule::Kind::kSchedule);
    CHECK(p->rule_for("BUSY").intervals_ms == std::vector<TimeMs>{5 * kMinuteMs});
    CHECK(p->rule_for("DO_NOT_CONTACT").kind == OutcomeRule::Kind::kDnc);
    CHECK(p->rule_for("DNC_REQUESTED").kind == OutcomeRule::Kind::kDnc);
    CHECK(p->rule_for("BAD_NUMBER").kind == OutcomeRule::Kind::kDnc);
  }
  CHECK(same(runner, scenario));
  CHECK(same(scenario, scenario_text));
}

TEST_CASE("schema: a bad value gives one clear error naming the setting, in both front ends") {
  CHECK(runner_error({"--max-attempts", "0"}) ==
        "bad value for --max-attempts (REDIAL_MAX_ATTEMPTS): '0': must be between 1 and 1000, "
        "got \"0\"");
  CHECK(scenario_error(R"({"max_attempts": 0})") ==
        "x.json: config.max_attempts: must be between 1 and 1000, got \"0\"");
  CHECK(runner_error({"--business-days", "mon,funday"}) ==
        "bad value for --business-days (REDIAL_BUSINESS_DAYS): 'mon,funday': unknown weekday "
        "'funday' (expected sun, mon, ... sat)");
  CHECK(scenario_error(R"({"business_hours": {"weekdays": ["Mon", "Funday"]}})") ==
        "x.json: config.business_hours.weekdays: unknown weekday 'Funday' (expected sun, mon, ... "
        "sat)");
  CHECK(runner_error({"--min-wait", "soon"}) ==
        "bad value for --min-wait (REDIAL_MIN_WAIT): 'soon': expected a duration such as 5, 30s, "
        "5m or 2h, got \"soon\"");
  CHECK(scenario_error(R"({"min_wait_minutes": "soon"})") ==
        "x.json: config.min_wait_minutes: expected a duration such as 5, 30s, 5m or 2h, got "
        "\"soon\"");
  CHECK_THAT(runner_error({"--outcome-rules", "BUSY=soon"}),
             Catch::StartsWith("bad value for --outcome-rules (REDIAL_OUTCOME_RULES): "
                               "'BUSY=soon': BUSY: expected progressive"));
  CHECK_THAT(scenario_error(R"({"outcome_rules": {"BUSY": "soon"}})"),
             Catch::StartsWith("x.json: config.outcome_rules: BUSY: expected progressive"));
  // A cross-setting check of RedialPolicy::validate() is named the same way.
  CHECK_THAT(runner_error({"--outcome-rules", "TRANSFERRED=5m"}),
             Catch::Contains("--outcome-rules (REDIAL_OUTCOME_RULES)"));
  CHECK(scenario_error(R"({"outcome_rules": {"TRANSFERRED": "5m"}})") ==
        "x.json: config.outcome_rules: TRANSFERRED is a success outcome; it cannot have a rule");
}

TEST_CASE("schema: a scenario refuses runner-only settings and unknown keys, by name") {
  CHECK(scenario_error(R"({"port": 9000})") ==
        "x.json: config.port: a runner-only setting (--port); a scenario cannot set it");
  CHECK(scenario_error(R"({"retention_days": 3})") ==
        "x.json: config.retention_days: a runner-only setting (--retention-days); a scenario "
        "cannot set it");
  CHECK(scenario_error(R"({"colour": 1})") == "x.json: config.colour: unknown field");
  CHECK(scenario_error(R"({"business_hours": {"lunch": "12:00"}})") ==
        "x.json: config.business_hours.lunch: unknown field");
  CHECK(scenario_error(R"({"note": "free text", "max_attempts": 2})") == "no error");
}

TEST_CASE("schema: --help lists every setting with its variable and default") {
  // --help wraps long lines, even inside a word: compare without white space.
  std::string help;
  for (char c : settings_help())
    if (c != ' ' && c != '\n') help += c;
  for (const SettingSpec& s : settings_schema()) {
    INFO(s.name);
    CHECK_THAT(help, Catch::Contains(std::string("--") + s.name));
    CHECK_THAT(help, Catch::Contains(s.env));
    if (*s.default_text) CHECK_THAT(help, Catch::Contains(s.default_text));
  }
}

TEST_CASE("schema: README.md and scenarios/README.md hold the generated settings tables") {
  // Adding a setting without regenerating the docs fails here; regenerate with
  // redial-runner --print-settings-markdown queue|calling-rules|runner|scenario.
  std::string readme = read_file(std::string(REDIAL_SOURCE_DIR) + "/README.md");
  for (const char* group : {"queue", "calling-rules", "runner"}) {
    INFO(group);
    CHECK(generated_part(readme, group) == settings_markdown_table(group));
  }
  std::string scenarios = read_file(std::string(REDIAL_SOURCE_DIR) + "/scenarios/README.md");
  CHECK(generated_part(scenarios, "scenario") == settings_markdown_table("scenario"));
  // Every setting is in one of the tables, with its default.
  std::string all = settings_markdown_table("queue") + settings_markdown_table("calling-rules") +
                    settings_markdown_table("runner");
  for (const SettingSpec& s : settings_schema()) {
    INFO(s.name);
    CHECK_THAT(all, Catch::Contains("| `--" + std::string(s.name) + "` | `" + s.env + "` |"));
    if (*s.default_text) CHECK_THAT(all, Catch::Contains(std::string("`") + s.default_text));
  }
  CHECK_THROWS_AS(settings_markdown_table("nope"), SettingsError);
}
