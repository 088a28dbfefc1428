// Unit tests of the simulator's own parts (the scenarios test the core through it).
#define CATCH_CONFIG_MAIN
#include <date/date.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/calling_rules.h"
#include "core/phone.h"
#include "sim/event_queue.h"
#include "sim/invariants.h"
#include "sim/random_scenario.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/trace.h"

using namespace redial;
using namespace redial::sim;

TEST_CASE("events run in time order, ties in scheduling order") {
  EventQueue q;
  std::vector<int> ran;
  q.schedule(20, [&] { ran.push_back(3); });
  q.schedule(10, [&] { ran.push_back(1); });
  q.schedule(
      10, [&] { ran.push_back(2); }, /*background=*/true);
  q.schedule(20, [&] { ran.push_back(4); });
  REQUIRE(q.pending_foreground() == 3);
  while (!q.empty()) q.pop().second();
  REQUIRE(ran == std::vector<int>{1, 2, 3, 4});
  REQUIRE(q.pending_foreground() == 0);
}

TEST_CASE("shifting the event queue moves every event and keeps their order") {
  EventQueue q;
  std::vector<int> ran;
  q.schedule(20, [&] { ran.push_back(2); });
  q.schedule(10, [&] { ran.push_back(1); });
  q.shift(-5);
  REQUIRE(q.next_time() == 5);
  q.pop().second();
  REQUIRE(q.next_time() == 15);
  q.pop().second();
  REQUIRE(ran == std::vector<int>{1, 2});
}

TEST_CASE("a clock_step event needs a non-zero whole step") {
  auto error_of = [](const std::string& step) {
    try {
      parse_scenario(R"({"start": "2025-12-01T14:00:00", "events": [{"type": "clock_step",
                         "at": "14:05")" +
                         step + "}]}",
                     "x.json");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("") == "x.json: events[0].step_seconds: missing");
  const std::string bad =
      "x.json: events[0].step_seconds: expected a non-zero whole number of seconds (negative: "
      "back), at most 400 days";
  CHECK(error_of(R"(, "step_seconds": 0)") == bad);
  CHECK(error_of(R"(, "step_seconds": "-1d")") == bad);
  CHECK(error_of(R"(, "step_seconds": 34646400)") == bad);  // 401 days
  CHECK(error_of(R"(, "step_seconds": -86400)") == "no error");
}

TEST_CASE("FNV-1a 64 matches the published test vectors") {
  REQUIRE(fnv1a64("") == 0xcbf29ce484222325ull);
  REQUIRE(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
  REQUIRE(fnv1a64("foobar") == 0x85944171f73967e8ull);
  REQUIRE(hex64(0xabcull) == "0000000000000abc");
}

TEST_CASE("scenario errors name the file and the field") {
  auto error_of = [](const std::string& text) {
    try {
      parse_scenario(text, "x.json");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("{").rfind("x.json: not valid JSON", 0) == 0);
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00", "leads": [{"lead_id": "1"}]})") ==
        "x.json: leads[0].phone_number: missing");
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00", "colour": 1})") ==
        "x.json: colour: unknown field");
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00", "config": {"max_attempts": 0}})") ==
        "x.json: config.max_attempts: must be between 1 and 1000, got \"0\"");
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00", "events": [{"type": "explode"}]})") ==
        "x.json: events[0].type: unknown event type \"explode\"");
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00",
                     "events": [{"type": "lose_webhook", "lead_id": "9", "call": 1}]})") ==
        "x.json: events[0].lead_id: no lead \"9\" in leads");
  // Calling-rule settings (issue 7).
  auto config_error = [&](const std::string& config) {
    return error_of(R"({"start": "2025-12-01T14:00:00", "config": )" + config + "}");
  };
  CHECK(config_error(R"({"federal_window": "yes"})") ==
        "x.json: config.federal_window: expected true or false, got \"yes\"");
  CHECK(config_error(R"({"outcome_rules": {"BUSY": "soon"}})") ==
        "x.json: config.outcome_rules: BUSY: expected progressive, never, dnc or waits such "
        "as 5m,1h,1d, got \"soon\"");
  CHECK(config_error(R"({"outcome_rules": {"TRANSFERRED": "5m"}})") ==
        "x.json: config.outcome_rules: TRANSFERRED is a success outcome; it cannot have a rule");
  CHECK(config_error(R"({"state_call_limit_override": "FL"})") ==
        "x.json: config.state_call_limit_override: expected items such as \"FL,3\" separated by "
        "';', got \"FL\"");
  CHECK(config_error(R"({"min_call_gap_seconds": "x"})")
            .rfind("x.json: config.min_call_gap_seconds: expected", 0) == 0);
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00", "dnc": ["+1 555 010 0001", "12"]})") ==
        "x.json: dnc[1]: not a phone number: \"12\"");
  // Bland's faults (issue 21): kinds are bland_model/refusals.h's.
  auto event_error = [&](const std::string& event) {
    return error_of(R"({"start": "2025-12-01T14:00:00", "leads": [{"lead_id": "A",
        "phone_number": "+15550100001", "first_call_at": "14:00"}], "events": [)" +
                    event + "]}");
  };
  CHECK(event_error(R"({"type": "dial_error", "lead_id": "A", "call": 2, "kind": "plan_bogus"})")
            .rfind("x.json: events[0].kind: unknown refusal kind \"plan_bogus\"", 0) == 0);
  CHECK(event_error(R"({"type": "dial_error", "lead_id": "A", "call": 2})") ==
        "x.json: events[0].http_status: missing (or give a \"kind\")");
  CHECK(event_error(R"({"type": "dial_error_state", "lead_id": "A", "call": 2, "kind": "oops"})")
            .rfind("x.json: events[0].kind: unknown error state \"oops\"", 0) == 0);
  CHECK(event_error(R"({"type": "dial_error_state", "lead_id": "A", "call": 2})") ==
        "x.json: events[0].kind: missing");
  CHECK(event_error(R"({"type": "forget_call", "lead_id": "A"})") ==
        "x.json: events[0].call: missing (1 = the lead's first call)");
  CHECK(event_error(R"({"type": "forget_call", "lead_id": "A", "call": 2})") == "no error");
}

TEST_CASE("calling-rule settings are read into the policy") {
  Scenario sc = parse_scenario(R"({"start": "2025-12-01T14:00:00",
    "config": {"federal_window": false, "state_rules": true, "max_calls_per_lead_24h": 2,
               "max_calls_per_phone_24h": 3, "min_call_gap_seconds": 30,
               "state_call_limit_override": "FL,2",
               "outcome_rules": {"BUSY": "5m", "NOT_INTERESTED": "never", "NO_ANSWER": "1h,2d"}},
    "dnc": ["555.010.0001"]})",
                               "c.json");
  const RedialPolicy& p = sc.policy;
  CHECK(!p.federal_window);
  CHECK(p.state_rules);
  CHECK(p.max_calls_per_lead_24h == 2);
  CHECK(p.max_calls_per_phone_24h == 3);
  CHECK(p.min_call_gap_ms == 30 * kSecondMs);
  CHECK(p.state_call_limit_override == "FL,2");
  CHECK(p.rule_for("BUSY").kind == OutcomeRule::Kind::kSchedule);
  CHECK(p.rule_for("BUSY").intervals_ms == std::vector<TimeMs>{5 * kMinuteMs});
  CHECK(p.rule_for("NOT_INTERESTED").kind == OutcomeRule::Kind::kNever);
  CHECK(p.rule_for("NO_ANSWER").intervals_ms == std::vector<TimeMs>{kHourMs, 2 * kDayMs});
  CHECK(p.rule_for("DNC_REQUESTED").kind == OutcomeRule::Kind::kDnc);  // default kept
  CHECK(sc.dnc == std::vector<std::string>{"555.010.0001"});
}

TEST_CASE("comments are allowed and times print briefly") {
  Scenario sc = parse_scenario(R"(// a comment
    { "start": "2025-12-01T14:00:00", /* another */ "end": "2025-12-02T09:30:15" })",
                               "c.json");
  REQUIRE(sc.time->brief(sc.start) == "14:00");
  REQUIRE(sc.time->brief(*sc.end) == "2025-12-02T09:30:15");
  REQUIRE(sc.time->parse("14:05:30") == sc.start + 5 * kMinuteMs + 30 * kSecondMs);
}

TEST_CASE("a random scenario is a pure function of its seed") {
  RandomOptions o;
  o.leads = 200;
  o.days = 2;
  o.seed = 5;
  RunResult a = run_scenario(make_random_scenario(o), {});
  RunResult b = run_scenario(make_random_scenario(o), {});
  o.seed = 6;
  RunResult c = run_scenario(make_random_scenario(o), {});
  REQUIRE(a.error.empty());
  REQUIRE(a.trace_hash == b.trace_hash);
  REQUIRE(a.trace_lines == b.trace_lines);
  REQUIRE(a.trace_hash != c.trace_hash);
  REQUIRE(a.violations.empty());
}

// ---- the calling-rule invariants fire on a bad dial (fed to the checker directly) ----

namespace {

TimeMs utc(int y, unsigned m, unsigned d, int h, int mi = 0) {
  using namespace std::chrono;
  auto day = date::sys_days{date::year{y} / date::month{m} / date::day{d}};
  return duration_cast<milliseconds>((day + hours{h} + minutes{mi}).time_since_epoch()).count();
}

DialRequest dial_of(const std::string& lead_id, const std::string& phone,
                    const std::string& state = "") {
  static std::uint64_t seq = 0;
  LeadRecord rec;
  rec.lead_id = lead_id;
  rec.phone_number = phone;
  rec.state = state;
  return DialRequest{++seq, make_lead_key(lead_id, phone), phone, rec, 1};
}

int count_rule(const InvariantChecker& c, const std::string& rule) {
  int n = 0;
  for (const auto& v : c.violations()) n += v.rule == rule ? 1 : 0;
  return n;
}

struct Checker {
  RedialPolicy policy;
  std::unique_ptr<InvariantChecker> c;
  explicit Checker(RedialPolicy p, std::vector<std::string> dnc = {}) : policy(std::move(p)) {
    c = std::make_unique<InvariantChecker>(policy);
    c->set_calling_rules(CallingRules::from_policy(policy), dnc);
  }
  // A queue dial that connects (the checker sees the call start at the dial).
  void dial(TimeMs t, const DialRequest& r) {
    c->on_dial(t, "test", r, nullptr);
    c->call_started(normalize_phone(r.phone), r.key, r.key + "-" + std::to_string(r.dial_seq), t,
                    t + 40 * kSecondMs, true);
  }
};

RedialPolicy wide_hours() {
  RedialPolicy p;
  p.business_open_s = 0;  // business hours out of the way: the calling rules must stop it
  p.business_close_s = 24 * 3600 - 1;
  return p;
}

}  // namespace

TEST_CASE("invariant: a dial to a do-not-call number is a violation") {
  Checker k(wide_hours(), {"+1 (555) 010-0009"});
  const TimeMs mon_11_ny = utc(2025, 12, 1, 16);  // Monday 11:00 New York
  k.dial(mon_11_ny, dial_of("ok", "+15550100001"));
  CHECK(k.c->violations().empty());
  k.dial(mon_11_ny + kHourMs, dial_of("listed", "+15550100009"));
  CHECK(count_rule(*k.c, "do not call") == 1);

  // An acknowledged DNC_REQUESTED puts the number on the list for every lead with it.
  LeadRecord rec;
  rec.lead_id = "a";
  rec.phone_number = "+15550100002";
  rec.attempts = 1;
  rec.outcomes = {"DNC_REQUESTED"};
  rec.last_outcome = "DNC_REQUESTED";
  rec.status = LeadStatus::kDnc;
  const std::string key = make_lead_key("a", rec.phone_number);
  k.c->on_ack(mon_11_ny, "test", key, "a-c1", ApplyResult{ApplyKind::kCreated, key, rec.status, 1},
              rec, std::nullopt);
  k.dial(mon_11_ny + 2 * kHourMs, dial_of("b", "+15550100002"));
  CHECK(count_rule(*k.c, "do not call") == 2);
}

TEST_CASE("invariant: a dial outside the federal window of any of the lead's zones") {
  Checker k(wide_hours());
  k.dial(utc(2025, 12, 1, 16), dial_of("sf", "+14155550100"));  // 08:00 Pacific: allowed
  CHECK(k.c->violations().empty());
  k.dial(utc(2025, 12, 1, 15, 59), dial_of("sf2", "+14155550101"));  // 07:59 Pacific
  CHECK(count_rule(*k.c, "federal window") == 1);
  // A New York number whose record says California: both zones' windows hold.
  k.dial(utc(2025, 12, 1, 14), dial_of("ny-ca", "+12125550100", "CA"));  // 09:00 NY, 06:00 LA
  CHECK(count_rule(*k.c, "federal window") == 2);
  k.dial(utc(2025, 12, 2, 2), dial_of("ny", "+12125550102"));  // 21:00 NY: closed
  CHECK(count_rule(*k.c, "federal window") == 3);
}

TEST_CASE("invariant: a dial outside a state's hours, on its closed days and holidays") {
  RedialPolicy p = wide_hours();
  p.state_rules = true;
  Checker k(p);
  k.dial(utc(2025, 12, 1, 0, 59), dial_of("fl", "+13055550100"));  // Sun 19:59 Miami: allowed
  CHECK(k.c->violations().empty());
  k.dial(utc(2025, 12, 2, 1), dial_of("fl2", "+13055550101"));  // Mon 20:00 Miami
  CHECK(count_rule(*k.c, "state hours") == 1);
  k.dial(utc(2025, 11, 30, 16), dial_of("al", "+12055550100"));  // Sunday 10:00 Central
  CHECK(count_rule(*k.c, "state hours") == 2);
  k.dial(utc(2025, 12, 1, 15), dial_of("al2", "+12055550101"));  // Monday 09:00 Central
  CHECK(count_rule(*k.c, "state hours") == 2);
  k.dial(utc(2025, 12, 25, 16), dial_of("al3", "+12055550102"));  // Christmas (Thursday)
  CHECK(count_rule(*k.c, "state hours") == 3);
  // A 555 number whose record says Alabama: Alabama's Sunday rule applies.
  k.dial(utc(2025, 11, 30, 17), dial_of("rec-al", "+15550100100", "AL"));
  CHECK(count_rule(*k.c, "state hours") == 4);
}

TEST_CASE("invariant: caps per lead, per phone and per state over a rolling 24 hours") {
  RedialPolicy p = wide_hours();
  p.max_calls_per_lead_24h = 2;
  Checker k(p);
  const TimeMs t = utc(2025, 12, 1, 15);
  k.dial(t, dial_of("a", "+15550100001"));
  k.dial(t + kHourMs, dial_of("a", "+15550100001"));
  CHECK(k.c->violations().empty());
  k.dial(t + 24 * kHourMs, dial_of("a", "+15550100001"));  // the first is exactly 24 h old
  CHECK(k.c->violations().empty());
  k.dial(t + 24 * kHourMs + 30 * kMinuteMs, dial_of("a", "+15550100001"));
  CHECK(count_rule(*k.c, "cap") == 1);

  RedialPolicy q = wide_hours();
  q.state_rules = true;  // Florida: 3 calls to a number in 24 h
  Checker f(q);
  const TimeMs m = utc(2025, 12, 1, 14);  // 09:00 Miami
  // The first call was made outside the queue; it counts once its result is acknowledged.
  f.c->call_started("3055550100", make_lead_key("x", "+13055550100"), "x-c1", m, m + 40 * kSecondMs,
                    false);
  LeadRecord rec;
  rec.lead_id = "x";
  rec.phone_number = "+13055550100";
  rec.attempts = 1;
  rec.outcomes = {"NO_ANSWER"};
  rec.last_outcome = "NO_ANSWER";
  const std::string key = make_lead_key("x", rec.phone_number);
  f.c->on_ack(m + kMinuteMs, "test", key, "x-c1",
              ApplyResult{ApplyKind::kCreated, key, LeadStatus::kPending, 1}, rec, std::nullopt);
  f.dial(m + 2 * kHourMs, dial_of("x", "+13055550100"));
  f.dial(m + 4 * kHourMs, dial_of("y", "+13055550100"));  // another lead, same number
  CHECK(f.c->violations().empty());
  f.dial(m + 6 * kHourMs, dial_of("x", "+13055550100"));
  CHECK(count_rule(*f.c, "cap") == 1);
}

TEST_CASE("invariant: dial limits per hour and per day, and the pacing gap") {
  RedialPolicy p = wide_hours();
  p.max_calls_per_hour = 2;
  p.max_calls_per_day = 3;
  Checker k(p);
  const TimeMs t = utc(2025, 12, 1, 15);
  k.dial(t, dial_of("a", "+15550100001"));
  k.dial(t + kMinuteMs, dial_of("b", "+15550100002"));
  CHECK(k.c->violations().empty());
  k.dial(t + 2 * kMinuteMs, dial_of("c", "+15550100003"));  // a third call in the hour
  CHECK(count_rule(*k.c, "dial limit") == 1);
  k.dial(t + 3 * kHourMs, dial_of("d", "+15550100004"));  // the fourth in 24 h
  CHECK(count_rule(*k.c, "dial limit") == 2);
  k.dial(t + 24 * kHourMs + 2 * kMinuteMs, dial_of("e", "+15550100005"));  // three left the day
  CHECK(count_rule(*k.c, "dial limit") == 2);

  RedialPolicy q = wide_hours();
  q.dials_per_minute = 2;  // 30 s apart
  Checker g(q);
  g.dial(t, dial_of("a", "+15550100001"));
  g.dial(t + 30 * kSecondMs, dial_of("b", "+15550100002"));
  CHECK(g.c->violations().empty());
  g.dial(t + 59 * kSecondMs, dial_of("c", "+15550100003"));
  CHECK(count_rule(*g.c, "dial pacing") == 1);
}

TEST_CASE("invariant: a dial within the minimum gap after a call to the number") {
  Checker k(wide_hours());  // min_call_gap 10 s by default
  const TimeMs t = utc(2025, 12, 1, 15);
  k.dial(t, dial_of("a", "+15550100001"));
  k.dial(t + 9 * kSecondMs, dial_of("b", "+15550100001"));
  CHECK(count_rule(*k.c, "call gap") == 1);
  k.dial(t + 60 * kSecondMs, dial_of("c", "+15550100001"));
  CHECK(count_rule(*k.c, "call gap") == 1);
}

TEST_CASE("the cached local-time text is the tz database's, across DST changes") {
  for (const char* zone : {"America/New_York", "America/Los_Angeles", "Pacific/Honolulu",
                           "Europe/London", "Australia/Lord_Howe"}) {
    BusinessCalendar cal(zone, 9 * 3600, 17 * 3600);
    LocalFormatter f(zone);
    const TimeMs start = 1767225600000;  // 2026-01-01T00:00:00Z
    // Forward in odd steps (milliseconds included), then backwards across the cached interval.
    for (TimeMs t = start; t < start + 400 * kDayMs; t += 37 * kMinuteMs + 13'500)
      REQUIRE(f.full(t) == cal.format_local(t));
    for (TimeMs t = start + 400 * kDayMs; t > start - 30 * kDayMs; t -= 3 * kDayMs + 999)
      REQUIRE(f.full(t) == cal.format_local(t));
  }
}
