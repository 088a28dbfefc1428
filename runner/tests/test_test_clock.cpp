#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "runner/event_loop.h"
#include "runner/test_clock.h"

using namespace redial;
using namespace redial::runner;

TEST_CASE("An event loop on a manual clock runs a timer only once the clock reaches it",
          "[test_clock]") {
  ManualClock clock(1'000'000);
  EventLoop loop(&clock);
  std::vector<int> ran;
  loop.add_timer(5000, [&] { ran.push_back(2); });
  loop.add_timer(1000, [&] { ran.push_back(1); });
  loop.add_timer(5000, [&] { ran.push_back(3); });
  CHECK(*loop.next_timer_ms() == clock.mono_ms() + 1000);
  loop.run_once(0);
  CHECK(ran.empty());  // virtual time did not move, however long the real wait
  clock.advance(999);
  loop.run_once(0);
  CHECK(ran.empty());
  clock.advance(1);
  loop.run_once(0);
  CHECK(ran == std::vector<int>{1});
  clock.advance(4000);
  loop.hold_timers(true);
  CHECK_FALSE(loop.timers_due());
  loop.run_once(0);
  CHECK(ran == std::vector<int>{1});  // held
  loop.hold_timers(false);
  CHECK(loop.timers_due());
  loop.run_once(0);
  CHECK(ran == std::vector<int>{1, 2, 3});  // equal due times: the order they were added
  CHECK_FALSE(loop.next_timer_ms());
}

TEST_CASE("The test clock endpoints move time forward to the next timer at most", "[test_clock]") {
  ManualClock clock(1'000'000);
  EventLoop loop(&clock);
  int busy = 0;
  TestClockApi api(clock, loop, [&] {
    return TestClockState{next_timer_wall_ms(clock, loop), busy};
  });
  loop.add_timer(60'000, [] {});
  auto post = [&](const std::string& path, const std::string& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    return *api.handle(r);
  };
  HttpRequest get;
  get.method = "GET";
  get.path = "/test/clock";
  auto status = nlohmann::json::parse(api.handle(get)->body);
  CHECK(status["now_ms"] == 1'000'000);
  CHECK(status["next_timer_ms"] == 1'060'000);
  CHECK(status["busy"] == 0);

  CHECK(post("/test/clock/advance", R"({"to_ms": 1060001})").status == 409);  // past the timer
  CHECK(post("/test/clock/advance", R"({"to_ms": 999999})").status == 409);   // back
  CHECK(post("/test/clock/advance", R"({"to": 5})").status == 400);
  CHECK(clock.now_ms() == 1'000'000);

  auto moved = post("/test/clock/advance", R"({"to_ms": 1060000, "hold": true})");
  REQUIRE(moved.status == 200);
  CHECK(clock.now_ms() == 1'060'000);
  CHECK(clock.mono_ms() == 60'000);
  CHECK(loop.timers_held());
  CHECK_FALSE(loop.timers_due());
  post("/test/clock/release", "");
  CHECK(loop.timers_due());

  HttpRequest other;
  other.method = "GET";
  other.path = "/admin/stats";
  CHECK_FALSE(api.handle(other));
}

TEST_CASE("REDIAL_TEST_CLOCK is manual:<epoch ms> or unset", "[test_clock]") {
  ::unsetenv("REDIAL_TEST_CLOCK");
  CHECK(test_clock_from_environment("test") == nullptr);
  ::setenv("REDIAL_TEST_CLOCK", "manual:1764600000000", 1);
  auto clock = test_clock_from_environment("test");
  REQUIRE(clock);
  CHECK(clock->now_ms() == 1764600000000);
  for (const char* bad : {"manual:", "manual:12x", "system", "1764600000000", "manual:-5"}) {
    ::setenv("REDIAL_TEST_CLOCK", bad, 1);
    CHECK_THROWS_AS(test_clock_from_environment("test"), std::invalid_argument);
  }
  ::unsetenv("REDIAL_TEST_CLOCK");
}
