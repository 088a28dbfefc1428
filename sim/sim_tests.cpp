// Unit tests of the simulator's own parts (the scenarios test the core through it).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/event_queue.h"
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
        "x.json: config.max_attempts: must be at least 1");
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00", "events": [{"type": "explode"}]})") ==
        "x.json: events[0].type: unknown event type \"explode\"");
  CHECK(error_of(R"({"start": "2025-12-01T14:00:00",
                     "events": [{"type": "lose_webhook", "lead_id": "9", "call": 1}]})") ==
        "x.json: events[0].lead_id: no lead \"9\" in leads");
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
