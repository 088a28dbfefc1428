// Wall time and monotonic time: the timers (tick interval, call time-outs) follow the monotonic
// clock, so a wall clock stepped either way neither stalls nor bursts them (issue 15).
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

TEST_CASE("ManualClock: set and advance move both times, step_wall only the wall") {
  ManualClock c(1000);
  CHECK(c.mono_ms() == 0);
  c.advance(500);
  CHECK(c.now_ms() == 1500);
  CHECK(c.mono_ms() == 500);
  c.set(2000);
  CHECK(c.mono_ms() == 1000);
  c.step_wall(-kDayMs);
  CHECK(c.now_ms() == 2000 - kDayMs);
  CHECK(c.mono_ms() == 1000);
  c.step_wall(3 * kHourMs);
  CHECK(c.now_ms() == 2000 - kDayMs + 3 * kHourMs);
  CHECK(c.mono_ms() == 1000);
  CHECK_THROWS_AS(c.set(c.now_ms() - 1), std::logic_error);
}

TEST_CASE("SystemClock: monotonic time never runs backwards") {
  SystemClock c;
  TimeMs a = c.mono_ms(), b = c.mono_ms();
  CHECK(b >= a);
}

TEST_CASE("WallStepDetector reports steps either way above its threshold, once") {
  ManualClock c(ny(2025, 12, 1, 14, 0));
  WallStepDetector d(5000);
  CHECK_FALSE(d.observe(c));  // first look: nothing to compare with
  c.advance(60 * kSecondMs);
  CHECK_FALSE(d.observe(c));  // both moved 60 s
  c.step_wall(4999);
  CHECK_FALSE(d.observe(c));  // below the threshold
  c.step_wall(-kDayMs);
  c.advance(700);
  auto back = d.observe(c);
  REQUIRE(back);
  CHECK(*back == -kDayMs);
  CHECK_FALSE(d.observe(c));  // reported once
  c.step_wall(5 * kHourMs);
  auto fwd = d.observe(c);
  REQUIRE(fwd);
  CHECK(*fwd == 5 * kHourMs);
  CHECK_THROWS(WallStepDetector(0));
}

TEST_CASE("the next tick follows the monotonic clock through wall steps") {
  RedialPolicy p;
  p.process_interval_ms = 5 * kMinuteMs;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  CHECK(f.queue->next_tick_in_ms() == 0);  // none ran yet: due now
  f.tick();
  CHECK(f.queue->next_tick_in_ms() == 5 * kMinuteMs);
  f.clock.advance(kMinuteMs);
  f.clock.step_wall(-kDayMs);  // wall-based, this would be a day and 4 minutes away
  CHECK(f.queue->next_tick_in_ms() == 4 * kMinuteMs);
  CHECK(f.queue->next_tick_at() == f.clock.now_ms() + 4 * kMinuteMs);
  f.clock.step_wall(kDayMs + 6 * kHourMs);  // wall-based, this would be overdue at once
  CHECK(f.queue->next_tick_in_ms() == 4 * kMinuteMs);
  f.clock.advance(4 * kMinuteMs);
  CHECK(f.queue->next_tick_in_ms() == 0);
}

TEST_CASE("a call time-out is monotonic: a wall step back does not keep the call for a day") {
  RedialPolicy p;
  p.call_timeout_ms = 35 * kMinuteMs;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();
  REQUIRE(f.dialer.dials.size() == 1);
  f.clock.step_wall(-kDayMs);       // 2025-11-30 14:05 on the wall
  f.clock.advance(30 * kMinuteMs);  // 30 min since the dial
  CHECK(f.tick().calls_released == 0);
  f.clock.advance(5 * kMinuteMs);  // 35 min since the dial, by the monotonic clock
  CHECK(f.tick().calls_released == 1);
  CHECK(f.queue->in_flight_calls().empty());
  CHECK(f.queue->find(kKey)->attempts == 1);  // nothing recorded for the lost call
}

TEST_CASE("a call time-out is monotonic: a wall step forward does not release it early") {
  RedialPolicy p;
  p.call_timeout_ms = 35 * kMinuteMs;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();
  f.clock.step_wall(2 * kHourMs);
  f.clock.advance(kMinuteMs);
  CHECK(f.tick().calls_released == 0);
  CHECK(f.queue->in_flight_calls().size() == 1);
}

TEST_CASE("a call loaded from the journal times out by its wall-clock age") {
  RedialPolicy p;
  p.call_timeout_ms = 35 * kMinuteMs;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();
  f.queue->sync();
  f.clock.set(ny(2025, 12, 1, 14, 30));  // 25 min after the dial, in a new process
  f.restart(p);
  REQUIRE(f.queue->in_flight_calls().size() == 1);
  CHECK(f.tick().calls_released == 0);
  f.clock.advance(10 * kMinuteMs);  // 35 min after the dial
  CHECK(f.tick().calls_released == 1);
}
