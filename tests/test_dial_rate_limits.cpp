// Dial rate limits and pacing as core rules (core/dial_rate_limits.h): the tick enforces them and
// their counts survive a restart (rebuilt from the records' recent_call_times).
#include <catch2/catch.hpp>

#include "core/dial_rate_limits.h"
#include "core/errors.h"
#include "core/month_store.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

const TimeMs kT0 = ny(2025, 12, 1, 11, 0);  // a Monday, inside 09:00-17:00

std::string phone_of(int i) { return "+1555777" + std::to_string(1000 + i); }

// n leads due now, L0..L{n-1}, each with its own number.
void enqueue_leads(RedialQueue& q, int n, TimeMs due) {
  for (int i = 0; i < n; ++i)
    q.enqueue(LeadInput{"L" + std::to_string(i), phone_of(i), "", "", "", ""}, due);
}

RedialPolicy limits(int per_hour, int per_day, int per_minute = 0, int per_second = 0) {
  RedialPolicy p;
  p.max_calls_per_hour = per_hour;
  p.max_calls_per_day = per_day;
  p.dials_per_minute = per_minute;
  p.dials_per_second = per_second;
  return p;
}

}  // namespace

TEST_CASE("pacing turns per-minute and per-second limits into a gap", "[dial_limits]") {
  CHECK(DialRateLimiter::pacing_gap_ms(0, 0) == 0);
  CHECK(DialRateLimiter::pacing_gap_ms(60, 0) == 1000);
  CHECK(DialRateLimiter::pacing_gap_ms(120, 0) == 500);
  CHECK(DialRateLimiter::pacing_gap_ms(0, 4) == 250);
  CHECK(DialRateLimiter::pacing_gap_ms(600, 2) == 500);  // the stricter wins
  CHECK(DialRateLimiter::pacing_gap_ms(7, 0) == 8572);   // rounded up: never faster than asked
}

TEST_CASE("a negative dial limit is refused, naming the setting", "[dial_limits]") {
  for (const char* name :
       {"max_calls_per_hour", "max_calls_per_day", "dials_per_minute", "dials_per_second"}) {
    RedialPolicy p;
    std::string s = name;
    (s == "max_calls_per_hour"  ? p.max_calls_per_hour
     : s == "max_calls_per_day" ? p.max_calls_per_day
     : s == "dials_per_minute"  ? p.dials_per_minute
                                : p.dials_per_second) = -1;
    INFO(name);
    try {
      p.validate();
      FAIL("accepted a negative " << name);
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find(name) != std::string::npos);
    }
  }
}

TEST_CASE("the limiter counts a sliding window and says when a dial fits again", "[dial_limits]") {
  DialRateLimiter l(limits(2, 3));
  REQUIRE(l.enabled());
  CHECK_FALSE(l.hold(kT0));
  l.note_call(kT0);
  l.note_call(kT0 + 10 * kMinuteMs);
  auto h = l.hold(kT0 + 20 * kMinuteMs);
  REQUIRE(h);
  CHECK(h->rule == "dial limit per hour");
  CHECK(h->until == kT0 + kHourMs);  // the oldest of the two leaves the window then
  CHECK_FALSE(l.hold(kT0 + kHourMs));
  l.note_call(kT0 + kHourMs);
  h = l.hold(kT0 + kHourMs + 1);
  REQUIRE(h);
  CHECK(h->rule == "dial limit per day");
  CHECK(h->until == kT0 + 24 * kHourMs);
  l.forget_call(kT0 + kHourMs);  // a dial refused before it was a call frees its place
  CHECK_FALSE(l.hold(kT0 + kHourMs + 1));
  CHECK(l.calls_after(kT0 - 1) == 2);
  CHECK_FALSE(l.hold(kT0 + 24 * kHourMs + 10 * kMinuteMs));  // both aged out
  CHECK(l.calls_after(0) == 0);
}

TEST_CASE("no limit set: the limiter is off and holds nothing", "[dial_limits]") {
  DialRateLimiter l{RedialPolicy{}};
  CHECK_FALSE(l.enabled());
  for (int i = 0; i < 100; ++i) l.note_call(kT0);
  CHECK_FALSE(l.hold(kT0));
  CHECK(l.calls_after(0) == 0);
}

TEST_CASE("the tick stops at the per-hour limit and the held lead stays where it is",
          "[dial_limits]") {
  QueueFixture f(kT0, limits(2, 0));
  enqueue_leads(*f.queue, 3, kT0);
  TickSummary t = f.tick();
  CHECK(t.calls_made == 2);
  CHECK(t.rate_limited == 1);
  CHECK(t.held == 1);
  CHECK(t.limit_rule == "dial limit per hour");
  REQUIRE(f.dialer.dials.size() == 2);
  const LeadRecord* held = f.queue->find("L2_5557771002");
  REQUIRE(held);
  CHECK(held->next_redial_timestamp == kT0);  // not moved: it is dialed first when a slot frees
  CHECK(held->attempts == 0);
  // The two calls end; the held lead still waits for the hour.
  f.deliver(result("L0", phone_of(0), "VOICEMAIL", "c0"));
  f.deliver(result("L1", phone_of(1), "VOICEMAIL", "c1"));
  f.clock.advance(30 * kMinuteMs);
  t = f.tick();
  CHECK(t.calls_made == 0);
  CHECK(t.rate_limited >= 1);
  f.clock.set(kT0 + kHourMs);  // the two dials of kT0 leave the hour: two more fit
  t = f.tick();
  CHECK(t.calls_made == 2);
  CHECK(t.rate_limited == 1);
  REQUIRE(f.dialer.dials.size() == 4);
  CHECK(f.dialer.dials[2].key == "L2_5557771002");  // the held lead kept its place: first
}

TEST_CASE("a dial the dialer refused does not count towards the limit", "[dial_limits]") {
  QueueFixture f(kT0, limits(1, 0));
  enqueue_leads(*f.queue, 2, kT0);
  f.tick();
  REQUIRE(f.dialer.dials.size() == 1);
  f.queue->on_dial_failed(f.dialer.dials[0].dial_seq, "HTTP 500");
  f.clock.advance(kMinuteMs);
  TickSummary t = f.tick();
  CHECK(t.calls_made == 1);
  CHECK(t.rate_limited == 1);  // one dial in the hour now: the other lead is held
}

TEST_CASE("calls reported by their result count too (they are in the records)", "[dial_limits]") {
  QueueFixture f(kT0, limits(0, 2));
  f.deliver(result("X", "+15557770001", "VOICEMAIL", "x1"));  // first calls made elsewhere
  f.deliver(result("Y", "+15557770002", "VOICEMAIL", "y1"));
  enqueue_leads(*f.queue, 1, kT0);
  TickSummary t = f.tick();
  CHECK(t.calls_made == 0);
  CHECK(t.limit_rule == "dial limit per day");
}

TEST_CASE("a restart keeps the count: month files, a new queue over the same dir",
          "[dial_limits]") {
  TempDir dir;
  const RedialPolicy p = limits(0, 3);
  {
    ManualClock clock(kT0);
    RecordingDialer dialer;
    MonthStore store(MonthStoreOptions{dir.str()});
    RedialQueue q(p, clock, store, dialer, quiet_logger());
    q.load();
    enqueue_leads(q, 5, kT0);
    TickSummary t = q.tick();  // the tick syncs before it dials: the three calls are durable
    REQUIRE(t.calls_made == 3);
    REQUIRE(t.rate_limited == 2);
  }                                       // the process dies with the three calls in flight
  for (int pass = 0; pass < 2; ++pass) {  // from the journal, then from the checkpointed files
    INFO("pass " << pass);
    ManualClock clock(kT0 + 2 * kHourMs + pass);
    RecordingDialer dialer;
    MonthStore store(MonthStoreOptions{dir.str()});
    RedialQueue q(p, clock, store, dialer, quiet_logger());
    q.load();
    TickSummary t = q.tick();
    CHECK(t.calls_made == 0);
    CHECK(t.limit_rule == "dial limit per day");
    CHECK(dialer.dials.empty());
    q.checkpoint();
  }
  // A day after the dials the limit has room again.
  ManualClock clock(kT0 + 24 * kHourMs);
  RecordingDialer dialer;
  MonthStore store(MonthStoreOptions{dir.str()});
  RedialPolicy open_window = p;
  open_window.ready_window_days = 0;  // the leads were created yesterday
  RedialQueue q(open_window, clock, store, dialer, quiet_logger());
  q.load();
  TickSummary t = q.tick();
  CHECK(t.calls_made == 3);  // the day of the three dials is over: three more fit
  CHECK(t.rate_limited == 2);
}

TEST_CASE("pacing: one dial per slot, and the next tick is the next slot", "[dial_limits]") {
  QueueFixture f(kT0, limits(0, 0, 60));
  enqueue_leads(*f.queue, 3, kT0);
  TickSummary t = f.tick();
  CHECK(t.calls_made == 1);
  CHECK(t.paced == 2);
  CHECK(t.rate_limited == 0);
  CHECK(t.limit_rule == "dial pacing");
  CHECK(f.queue->next_tick_in_ms() == 1000);  // not the 5 min process interval
  f.clock.advance(400);
  CHECK(f.queue->next_tick_in_ms() == 600);
  t = f.tick();  // too early: nothing
  CHECK(t.calls_made == 0);
  f.clock.advance(1000);
  t = f.tick();
  CHECK(t.calls_made == 1);
  f.clock.advance(1000);
  t = f.tick();
  CHECK(t.calls_made == 1);
  CHECK(t.paced == 0);
  CHECK(f.queue->next_tick_in_ms() == RedialPolicy{}.process_interval_ms);
  REQUIRE(f.dialer.dials.size() == 3);
}

TEST_CASE("pacing survives a restart: the last dial comes from the records", "[dial_limits]") {
  QueueFixture f(kT0, limits(0, 0, 0, 1));
  enqueue_leads(*f.queue, 2, kT0);
  REQUIRE(f.tick().calls_made == 1);
  f.restart(limits(0, 0, 0, 1));
  f.clock.advance(300);
  TickSummary t = f.tick();
  CHECK(t.calls_made == 0);
  CHECK(t.paced == 1);
  CHECK(f.queue->next_tick_in_ms() == 700);
}

TEST_CASE("a wall clock set back does not stall pacing", "[dial_limits]") {
  QueueFixture f(kT0, limits(0, 0, 60));
  enqueue_leads(*f.queue, 2, kT0 - 2 * kHourMs);  // still due after the wall goes back
  REQUIRE(f.tick().calls_made == 1);
  f.clock.step_wall(-kHourMs);
  f.clock.advance(kMinuteMs);  // well past a slot of elapsed time, the wall an hour behind
  TickSummary t = f.tick();
  CHECK(t.paced == 1);  // one gap from the step, not an hour
  CHECK(f.queue->next_tick_in_ms() == 1000);
  f.clock.advance(1000);
  CHECK(f.tick().calls_made == 1);
}
