#pragma once
// What redial-sim --report draws: per lead, every dial, result, hold and release on a time
// axis, with the lead's legal calling window and business hours; run-wide marks (restarts,
// crashes, invariant violations). Built from the trace lines as they are written, so the
// report shows exactly what --trace prints.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace redial {
class BusinessCalendar;
class CallingRules;
}  // namespace redial

namespace redial::sim {

enum class MarkKind { kFirstCall, kDial, kResult, kHold, kRelease, kDnc, kStop, kDialFailed };
const char* mark_kind_name(MarkKind kind);  // "dial", "result", ... (the SVG class)

struct TimelineMark {
  TimeMs at = 0;
  TimeMs until = 0;  // a hold: the instant its rule allows a call again; else == at
  MarkKind kind = MarkKind::kDial;
  std::string outcome;  // a result: VOICEMAIL, ...; a hold: its rule ("state_hours:FL")
  std::string text;     // the trace line's detail (the tooltip)
};

struct TimeSpan {
  TimeMs begin = 0, end = 0;
};

struct TimelineLane {
  std::string key;  // the queue's lead key
  std::string phone, state;
  std::string zones;                // the zones its window must hold in ("America/Chicago")
  std::vector<TimelineMark> marks;  // in time order
  std::vector<TimeSpan> window;     // when the lead's own calling-hour rules allow a call
  bool violation = false;           // an invariant violation names this lead
};

struct RunMark {
  TimeMs at = 0;
  std::string kind;  // "restart", "crash", "violation", "clock_step"
  std::string text;
};

struct Timeline {
  TimeMs begin = 0, end = 0;
  std::string zone;                      // the business zone
  std::vector<TimeSpan> business_hours;  // open intervals of the business calendar
  std::vector<TimelineLane> lanes;       // every lead the trace named, in first-seen order
  std::vector<RunMark> run_marks;
  std::vector<std::pair<TimeMs, std::string>> ticks;  // axis labels, local time
  std::map<std::string, long long> outcomes;          // results applied, by outcome
  std::vector<TimeMs> dials;                          // every dial, in order (dials per hour)
  std::vector<int> calls_per_lead_day;  // per (lead, local day) with a call: dials + first calls
  long long dials_outside_business_hours = 0;  // queue dials while the calendar was closed
};

// Fed every trace line (Simulation::trace); then finish() adds the windows.
class TimelineRecorder {
 public:
  explicit TimelineRecorder(const BusinessCalendar& calendar) : calendar_(calendar) {}
  // until_ms: a hold's end (QueueEvent::until_ms); 0: read from the text (local time).
  void on_trace(TimeMs t, std::string_view kind, std::string_view key, std::string_view detail,
                TimeMs until_ms = 0);
  // Sets the lead's phone and state (for its window); the lane is made if new.
  void describe_lead(const std::string& key, const std::string& phone, const std::string& state);
  // Closes the time axis and works out business hours and each lane's legal window.
  // REQUIRES: begin <= end.
  std::shared_ptr<Timeline> finish(TimeMs begin, TimeMs end, const CallingRules& rules);

 private:
  TimelineLane& lane(std::string_view key);
  void add_axis_ticks(TimeMs begin, TimeMs end);
  void count_calls(const TimelineLane& l);
  void on_queue_event(TimeMs t, std::string_view kind, TimelineLane& l, std::string_view detail,
                      TimeMs until_ms);

  const BusinessCalendar& calendar_;
  std::shared_ptr<Timeline> tl_ = std::make_shared<Timeline>();
  std::map<std::string, std::size_t, std::less<>> by_key_;
};

// The spans of [begin, end) in which `allowed(t)` holds. Where it does not, `next_allowed(t)`
// (> t) says when it does again; a closing is found by stepping step_ms and then halving to the
// second. REQUIRES: begin <= end, step_ms >= 1000.
std::vector<TimeSpan> allowed_spans(TimeMs begin, TimeMs end, TimeMs step_ms,
                                    const std::function<bool(TimeMs)>& allowed,
                                    const std::function<TimeMs(TimeMs)>& next_allowed);

}  // namespace redial::sim
