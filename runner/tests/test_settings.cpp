#include <catch2/catch.hpp>
#include <map>

#include "runner/settings.h"

using namespace redial;
using namespace redial::runner;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Settings parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  if (!env.count("BLAND_API_KEY")) env["BLAND_API_KEY"] = "key";
  ParseOutcome out = parse_settings(args, env_of(env));
  REQUIRE(out.settings.has_value());
  return *out.settings;
}

std::string error_of(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  if (!env.count("BLAND_API_KEY")) env["BLAND_API_KEY"] = "key";
  try {
    (void)parse_settings(args, env_of(env));
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("defaults are the seed's") {
  Settings s = parse({});
  CHECK(s.policy.enabled);
  CHECK(s.policy.process_interval_ms == 5 * kMinuteMs);
  CHECK(s.policy.max_attempts == 8);
  CHECK(s.policy.retention_days == 30);
  CHECK(s.policy.progressive_intervals_ms == std::vector<TimeMs>{0, 0, 5 * kMinuteMs,
                                                                 10 * kMinuteMs, 30 * kMinuteMs,
                                                                 60 * kMinuteMs, 120 * kMinuteMs});
  CHECK(s.policy.time_zone == "America/New_York");
  CHECK(s.policy.business_open_s == 9 * 3600);
  CHECK(s.policy.business_close_s == 17 * 3600);
  CHECK(s.bland_base_url == "https://api.bland.ai");
  CHECK(s.listen_address == "127.0.0.1");
  CHECK(s.port == 8080);
  CHECK(s.data_dir == "data/redial-queue");
  CHECK(s.log_format == LogFormat::kText);
  CHECK(s.webhook_url() == "http://127.0.0.1:8080/webhooks/bland-callback");
}

TEST_CASE("seed environment variables: plain numbers are minutes, suffixes accepted") {
  Settings s = parse({}, {{"REDIAL_QUEUE_ENABLED", "false"},
                          {"REDIAL_PROCESS_INTERVAL", "2"},
                          {"REDIAL_MAX_ATTEMPTS", "3"},
                          {"REDIAL_RETENTION_DAYS", "7"},
                          {"REDIAL_PROGRESSIVE_INTERVALS", "1s,1s,2s"}});
  CHECK_FALSE(s.policy.enabled);
  CHECK(s.policy.process_interval_ms == 2 * kMinuteMs);
  CHECK(s.policy.max_attempts == 3);
  CHECK(s.policy.retention_days == 7);
  CHECK(s.policy.progressive_intervals_ms == std::vector<TimeMs>{1000, 1000, 2000});
  Settings t = parse({}, {{"REDIAL_PROCESS_INTERVAL", "30s"}});
  CHECK(t.policy.process_interval_ms == 30 * kSecondMs);
  Settings u = parse({}, {{"REDIAL_PROCESS_INTERVAL", "2h"}});
  CHECK(u.policy.process_interval_ms == 2 * kHourMs);
}

TEST_CASE("flags win over environment variables, which win over the config file") {
  std::string path = "runner_test_settings.conf";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("max-attempts = 4\nport = 9000\nretention-days = 9\n", f);
    std::fclose(f);
  }
  Settings s = parse({"--config", path, "--max-attempts", "6"}, {{"REDIAL_PORT", "9100"}});
  CHECK(s.policy.max_attempts == 6);    // flag
  CHECK(s.port == 9100);                // environment
  CHECK(s.policy.retention_days == 9);  // config file
  std::remove(path.c_str());
}

TEST_CASE("bad values name the setting") {
  CHECK_THAT(error_of({"--process-interval", "soon"}),
             Catch::Contains("--process-interval (REDIAL_PROCESS_INTERVAL)"));
  CHECK_THAT(error_of({}, {{"REDIAL_MAX_ATTEMPTS", "many"}}),
             Catch::Contains("REDIAL_MAX_ATTEMPTS"));
  CHECK_THAT(error_of({"--port", "70000"}), Catch::Contains("--port"));
  CHECK_THAT(error_of({"--log-format", "xml"}), Catch::Contains("--log-format"));
  CHECK_THAT(error_of({"--business-days", "mon,funday"}), Catch::Contains("funday"));
  CHECK_THAT(error_of({"--bland-base-url", "api.bland.ai"}), Catch::Contains("--bland-base-url"));
  CHECK_THAT(error_of({"--call-template", "{not json"}), Catch::Contains("--call-template"));
  CHECK_THAT(error_of({"--outcome-mapping", R"({"status": 3})"}),
             Catch::Contains("--outcome-mapping"));
  CHECK_THAT(error_of({"--time-zone", "Mars/Olympus"}), Catch::Contains("time_zone"));
  CHECK_THAT(error_of({"--no-such-flag"}), Catch::Contains("no-such-flag"));
  CHECK(error_of({}, {{"BLAND_API_KEY", ""}}).find("BLAND_API_KEY") != std::string::npos);
  CHECK(error_of({"--queue-enabled", "false"}, {{"BLAND_API_KEY", ""}}).empty());
}

TEST_CASE("business hours, days and the webhook URL") {
  Settings s = parse({"--business-hours-start", "00:00", "--business-hours-end", "23:59:59",
                      "--business-days", "mon,tue,wed,thu,fri", "--port", "0",
                      "--public-webhook-url", "https://example.test/webhooks/bland-callback"});
  CHECK(s.policy.business_open_s == 0);
  CHECK(s.policy.business_close_s == 86399);
  CHECK(s.policy.business_weekdays == 0x3e);
  CHECK(s.webhook_url() == "https://example.test/webhooks/bland-callback");
}

TEST_CASE("the help text lists every setting with its environment variable and default") {
  ParseOutcome out = parse_settings({"--help"}, env_of({}));
  CHECK_FALSE(out.settings.has_value());
  // --help wraps long lines, even inside a word: compare without white space.
  std::erase_if(out.help_text, [](char c) { return c == ' ' || c == '\n'; });
  for (const char* name :
       {"REDIAL_QUEUE_ENABLED", "REDIAL_PROCESS_INTERVAL", "REDIAL_MAX_ATTEMPTS",
        "REDIAL_RETENTION_DAYS", "REDIAL_PROGRESSIVE_INTERVALS", "BLAND_API_KEY", "BLAND_BASE_URL",
        "REDIAL_PUBLIC_WEBHOOK_URL", "REDIAL_LISTEN_ADDRESS", "REDIAL_PORT", "REDIAL_DATA_DIR",
        "BLAND_WEBHOOK_SECRET", "0,0,5,10,30,60,120", "https://api.bland.ai", "--config"})
    CHECK_THAT(out.help_text, Catch::Contains(name));
}

TEST_CASE("the check-config flag parses everything and asks to stop") {
  ParseOutcome out = parse_settings({"--check-config"}, env_of({{"BLAND_API_KEY", "k"}}));
  REQUIRE(out.settings.has_value());
  CHECK(out.check_only);
  CHECK_FALSE(parse_settings({}, env_of({{"BLAND_API_KEY", "k"}})).check_only);
  CHECK_THROWS_AS(
      parse_settings({"--check-config", "--port", "x"}, env_of({{"BLAND_API_KEY", "k"}})),
      SettingsError);
}

TEST_CASE("inline call template and outcome mapping are kept as JSON") {
  Settings s = parse({"--call-template", R"({"task": "hi", "voice": "maya"})"});
  CHECK(s.call_template == R"({"task":"hi","voice":"maya"})");
  CHECK(s.outcome_mapping == "{}");
}

TEST_CASE("calling-rule settings: defaults, values, and bad files named with their line") {
  Settings d = parse({});
  CHECK(d.policy.federal_window);
  CHECK_FALSE(d.policy.state_rules);
  CHECK(d.policy.min_call_gap_ms == 10000);
  CHECK(d.policy.rule_for("DNC_REQUESTED").kind == OutcomeRule::Kind::kDnc);
  CHECK(d.policy.stop_outcomes.empty());

  Settings s = parse({"--federal-window", "false", "--state-rules", "true", "--outcome-rules",
                      "BUSY=5m;NOT_INTERESTED=never", "--max-calls-per-phone-24h", "3",
                      "--min-call-gap", "30s", "--state-call-limit-override", "FL,2"},
                     {{"REDIAL_MAX_CALLS_PER_LEAD_24H", "2"}});
  CHECK_FALSE(s.policy.federal_window);
  CHECK(s.policy.state_rules);
  CHECK(s.policy.rule_for("BUSY").intervals_ms == std::vector<TimeMs>{5 * 60000});
  CHECK(s.policy.rule_for("NOT_INTERESTED").kind == OutcomeRule::Kind::kNever);
  // Issue 21: naming BUSY merges over the defaults; do-not-call stays do-not-call.
  CHECK(s.policy.rule_for("DO_NOT_CONTACT").kind == OutcomeRule::Kind::kDnc);
  CHECK(s.policy.rule_for("DNC_REQUESTED").kind == OutcomeRule::Kind::kDnc);
  CHECK(s.policy.rule_for("BAD_NUMBER").kind == OutcomeRule::Kind::kDnc);
  CHECK(s.policy.max_calls_per_lead_24h == 2);
  CHECK(s.policy.max_calls_per_phone_24h == 3);
  CHECK(s.policy.min_call_gap_ms == 30000);
  CHECK(s.policy.state_call_limit_override == "FL,2");

  // A default is changed only by naming it; a success outcome drops its default rule.
  Settings named = parse({"--outcome-rules", "DO_NOT_CONTACT=progressive"});
  CHECK(named.policy.rule_for("DO_NOT_CONTACT").kind == OutcomeRule::Kind::kProgressive);
  CHECK(named.policy.rule_for("DNC_REQUESTED").kind == OutcomeRule::Kind::kDnc);
  Settings success = parse({"--success-outcomes", "TRANSFERRED,BAD_NUMBER"});
  CHECK(success.policy.outcome_rules.count("BAD_NUMBER") == 0);
  CHECK(error_of({"--outcome-rules", "TRANSFERRED=5m"}).find("success outcome") !=
        std::string::npos);

  CHECK(error_of({"--outcome-rules", "BUSY=soon"}) ==
        "bad value for --outcome-rules (REDIAL_OUTCOME_RULES): 'BUSY=soon': BUSY: "
        "expected progressive, never, dnc or waits such as 5m,1h,1d, got \"soon\"");
  CHECK(error_of({"--state-call-limit-override", "FL3"})
            .find("--state-call-limit-override (REDIAL_STATE_CALL_LIMIT_OVERRIDE): 'FL3'") !=
        std::string::npos);
  const std::string missing = "/nonexistent/dnc.txt";
  CHECK(error_of({"--dnc-file", missing}) ==
        "bad calling-rule file: " + missing + ": cannot read the do-not-call file");
  CHECK(error_of({"--state-rules", "true", "--state-rules-file", "/nonexistent/states.csv"}) ==
        "bad calling-rule file: /nonexistent/states.csv: cannot read the file");
}

TEST_CASE("the store setting: month files by default, a postgres URL, or one clear error") {
  CHECK(parse({}).store.empty());
  Settings s = parse({}, {{"REDIAL_STORE", "postgres://u:p@db:5432/q"}, {"REDIAL_LEASE", "90s"}});
  CHECK(s.store == "postgres://u:p@db:5432/q");
  CHECK(s.lease_ms == 90 * kSecondMs);
  CHECK(parse({"--store", "postgresql://db/q"}).lease_ms == parse({}).policy.call_timeout_ms);
  std::string e = error_of({"--store", "mysql://u:secret@db/q"});
  CHECK(e.find("--store (REDIAL_STORE)") != std::string::npos);
  CHECK(e.find("postgres://") != std::string::npos);
  CHECK(e.find("secret") == std::string::npos);
  CHECK(error_of({"--lease", "-1"}).find("--lease") != std::string::npos);
}

TEST_CASE("dial pacing and plan-limit settings: defaults, values, bad values named") {
  Settings d = parse({});
  CHECK(d.policy.dials_per_minute == 0);  // the core's rules (core/dial_rate_limits.h)
  CHECK(d.policy.dials_per_second == 0);
  CHECK(d.policy.max_calls_per_hour == 0);
  CHECK(d.policy.max_calls_per_day == 0);
  CHECK(d.plan_limit_backoff_ms == 30 * kSecondMs);
  CHECK(d.plan_limit_backoff_max_ms == 15 * kMinuteMs);
  CHECK(d.webhook_grace_ms == 2 * kMinuteMs);
  Settings s = parse({"--dials-per-minute", "120", "--plan-limit-backoff", "5s"},
                     {{"REDIAL_DIALS_PER_SECOND", "3"},
                      {"REDIAL_PLAN_LIMIT_BACKOFF_MAX", "2"},
                      {"REDIAL_WEBHOOK_GRACE", "30s"}});
  CHECK(s.policy.dials_per_minute == 120);
  CHECK(s.policy.dials_per_second == 3);
  CHECK(s.plan_limit_backoff_ms == 5 * kSecondMs);
  CHECK(s.plan_limit_backoff_max_ms == 2 * kMinuteMs);
  CHECK(s.webhook_grace_ms == 30 * kSecondMs);
  CHECK_THAT(error_of({"--dials-per-minute", "-1"}),
             Catch::Contains("--dials-per-minute (REDIAL_DIALS_PER_MINUTE)"));
  CHECK_THAT(error_of({"--dials-per-second", "fast"}),
             Catch::Contains("--dials-per-second (REDIAL_DIALS_PER_SECOND)"));
  CHECK_THAT(error_of({"--plan-limit-backoff", "0"}),
             Catch::Contains("--plan-limit-backoff (REDIAL_PLAN_LIMIT_BACKOFF)"));
  CHECK_THAT(error_of({"--plan-limit-backoff", "1m", "--plan-limit-backoff-max", "30s"}),
             Catch::Contains("--plan-limit-backoff-max") && Catch::Contains("must not be shorter"));
  std::string help = settings_help();
  for (const char* env :
       {"REDIAL_DIALS_PER_MINUTE", "REDIAL_DIALS_PER_SECOND", "REDIAL_PLAN_LIMIT_BACKOFF",
        "REDIAL_PLAN_LIMIT_BACKOFF_MAX", "REDIAL_WEBHOOK_GRACE"})
    CHECK_THAT(help, Catch::Contains(env));
}

TEST_CASE("retention: 0 days means never delete, a grace period in days, negatives refused") {
  Settings d = parse({});
  CHECK(d.policy.retention_grace_days == 30);
  Settings s = parse({"--retention-days", "0", "--retention-grace-days", "7"});
  CHECK(s.policy.retention_days == 0);
  CHECK(s.policy.retention_grace_days == 7);
  CHECK_THAT(error_of({"--retention-days", "-1"}), Catch::Contains("--retention-days"));
  CHECK_THAT(error_of({}, {{"REDIAL_RETENTION_GRACE_DAYS", "-2"}}),
             Catch::Contains("REDIAL_RETENTION_GRACE_DAYS"));
}
