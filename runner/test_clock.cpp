#include "runner/test_clock.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace redial::runner {

using nlohmann::json;

std::unique_ptr<ManualClock> test_clock_from_environment(const char* process) {
  const char* spec = std::getenv("REDIAL_TEST_CLOCK");
  if (spec == nullptr || *spec == '\0') return nullptr;
  const std::string text = spec, prefix = "manual:";
  const std::string digits = text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : "";
  if (digits.empty() || digits.size() > 15 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("REDIAL_TEST_CLOCK must be manual:<epoch ms> (got \"" + text +
                                "\")");
  const TimeMs start_ms = std::stoll(digits);
  spdlog::warn(
      "REDIAL_TEST_CLOCK is set: {} runs on a manual clock from {} ms, moved only by POST "
      "/test/clock/advance (tests only; never in production)",
      process, start_ms);
  return std::make_unique<ManualClock>(start_ms);
}

std::optional<TimeMs> next_timer_wall_ms(const Clock& clock, EventLoop& loop) {
  auto next = loop.next_timer_ms();
  if (!next) return std::nullopt;
  return clock.now_ms() + std::max<TimeMs>(0, *next - clock.mono_ms());
}

TestClockApi::TestClockApi(ManualClock& clock, EventLoop& loop,
                           std::function<TestClockState()> state)
    : clock_(clock), loop_(loop), state_(std::move(state)) {}

std::optional<HttpResponse> TestClockApi::handle(const HttpRequest& r) {
  if (r.path.rfind("/test/clock", 0) != 0) return std::nullopt;
  if (r.method == "GET" && r.path == "/test/clock") return status();
  if (r.method == "POST" && r.path == "/test/clock/advance") return advance(r);
  if (r.method == "POST" && r.path == "/test/clock/release") {
    loop_.hold_timers(false);
    return status();
  }
  return json_error(404, "not found: " + r.method + " " + r.path);
}

HttpResponse TestClockApi::status() {
  TestClockState s = state_();
  json j{{"now_ms", clock_.now_ms()},
         {"next_timer_ms", s.next_event_ms ? json(*s.next_event_ms) : json(nullptr)},
         {"busy", s.busy},
         {"held", loop_.timers_held()}};
  return HttpResponse{200, j.dump() + "\n"};
}

HttpResponse TestClockApi::advance(const HttpRequest& r) {
  json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("to_ms") || !body["to_ms"].is_number_integer())
    return json_error(400, "expected {\"to_ms\": <epoch ms>, \"hold\": <bool, optional>}");
  const TimeMs to_ms = body["to_ms"].get<TimeMs>();
  if (to_ms < clock_.now_ms())
    return json_error(409, "the test clock never goes back: now_ms " +
                               std::to_string(clock_.now_ms()) + " > to_ms " +
                               std::to_string(to_ms));
  TestClockState s = state_();
  if (s.next_event_ms && to_ms > *s.next_event_ms)
    return json_error(409, "to_ms " + std::to_string(to_ms) + " is past the next timer at " +
                               std::to_string(*s.next_event_ms) + ": advance to it first");
  loop_.hold_timers(body.value("hold", false));
  clock_.set(to_ms);
  return status();
}

}  // namespace redial::runner
