#pragma once
// Test-only virtual time for redial-runner and bland-emulator (the differential test,
// runner/tests/differential_test.py). With REDIAL_TEST_CLOCK=manual:<epoch ms> the process runs
// on a ManualClock starting there: its wall and monotonic time, and so its event loop's timers,
// move only when the test says, through two endpoints that exist only in this mode:
//   GET  /test/clock          {"now_ms", "next_timer_ms" (null: none), "busy", "held"}
//   POST /test/clock/advance  {"to_ms": T, "hold": bool}: moves the clock to T (never back, never
//                             past the next timer: 409); "hold" keeps due timers and ticks from
//                             running until POST /test/clock/release (or an advance without it),
//                             so the test can first deliver the moment's other events.
//   POST /test/clock/release  lets held work run.
// `busy` counts work not finished: requests out to the other process, answers waiting for a
// commit, due timers or a due tick. A test waits for busy 0 on both sides before moving time.
#include <functional>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "runner/event_loop.h"
#include "runner/http_server.h"

namespace redial::runner {

// The clock REDIAL_TEST_CLOCK asks for (with a loud warning in the log), or nullptr when it is
// unset. Throws std::invalid_argument for a value other than "manual:<epoch ms>".
std::unique_ptr<ManualClock> test_clock_from_environment(const char* process);

struct TestClockState {
  std::optional<TimeMs> next_event_ms;  // wall ms of the process's next timer or tick
  long busy = 0;
};

class TestClockApi {
 public:
  // REQUIRES: clock and loop outlive this; loop runs its timers on clock.
  TestClockApi(ManualClock& clock, EventLoop& loop, std::function<TestClockState()> state);
  // The answer for /test/clock*; nothing for every other path.
  std::optional<HttpResponse> handle(const HttpRequest& r);

 private:
  HttpResponse advance(const HttpRequest& r);
  HttpResponse status();

  ManualClock& clock_;
  EventLoop& loop_;
  std::function<TestClockState()> state_;
};

// The wall ms of the loop's next timer on `clock` (the loop runs on its monotonic time).
std::optional<TimeMs> next_timer_wall_ms(const Clock& clock, EventLoop& loop);

}  // namespace redial::runner
