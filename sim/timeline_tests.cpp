// redial-sim --report (issue 18): the timeline recorded from a known scenario, and the SVG the
// report draws from it. The facts checked come from the scenario file's own worked comments
// (scenarios/28-florida-state-rules.json), not from the report code.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/calling_rules.h"
#include "sim/html_report.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/timeline.h"

using namespace redial;
using namespace redial::sim;

namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

const TimelineLane& lane_of(const Timeline& tl, const std::string& key) {
  for (const auto& l : tl.lanes)
    if (l.key == key) return l;
  FAIL("no lane " << key);
  throw std::logic_error("unreachable");
}

struct Florida {
  Scenario sc = load_scenario(REDIAL_SOURCE_DIR "/scenarios/28-florida-state-rules.json");
  RunResult r;
  Florida() {
    SimOptions o;
    o.timeline = true;
    r = run_scenario(sc, o);
    REQUIRE(r.error.empty());
    REQUIRE(r.timeline);
  }
  TimeMs at(const std::string& text) const { return sc.time->parse(text); }
};

}  // namespace

TEST_CASE("the timeline holds each lead's dials, results and holds with their rules") {
  Florida f;
  const Timeline& tl = *f.r.timeline;
  const TimelineLane& late = lane_of(tl, "late_3055550200");
  std::vector<TimeMs> dials;
  std::vector<std::string> holds;
  for (const auto& m : late.marks) {
    if (m.kind == MarkKind::kDial) dials.push_back(m.at);
    if (m.kind == MarkKind::kHold) {
      holds.push_back(m.outcome);
      CHECK(m.until == f.at("2025-12-03T08:00"));  // "held until Florida opens, Wed 08:00"
    }
  }
  CHECK(dials == std::vector<TimeMs>{f.at("19:55"), f.at("2025-12-03T08:00")});
  CHECK(holds == std::vector<std::string>{"state_hours:FL"});
  CHECK(tl.dials.size() == 5);
  CHECK(tl.outcomes.at("NO_ANSWER") == 5);
  CHECK(tl.outcomes.at("TRANSFERRED") == 2);
}

TEST_CASE("a lane's window is its legal calling hours, business hours the calendar's") {
  Florida f;
  const Timeline& tl = *f.r.timeline;
  // late (area code 305, no state): Florida 08:00-20:00 Eastern.
  const auto& w = lane_of(tl, "late_3055550200").window;
  REQUIRE(w.size() == 2);
  CHECK(w[0].begin == tl.begin);
  CHECK(w[0].end == f.at("20:00"));
  CHECK(w[1].begin == f.at("2025-12-03T08:00"));
  // fl's record says FL, a state in two zones: the window must hold in Central time too.
  const auto& fl = lane_of(tl, "fl_3055550100");
  CHECK(fl.zones.find("America/Chicago") != std::string::npos);
  CHECK(fl.window.at(0).end == f.at("20:00"));
  CHECK(fl.window.at(1).begin == f.at("2025-12-03T09:00"));
  // Business hours widened to 08:00-21:00 by the scenario.
  REQUIRE(tl.business_hours.size() == 2);
  CHECK(tl.business_hours[0].end == f.at("21:00"));
  CHECK(tl.business_hours[1].begin == f.at("2025-12-03T08:00"));
}

TEST_CASE("the report draws an SVG element per dial, result and hold, and the index") {
  Florida f;
  const std::string html = html_report({f.r}, {});
  CHECK(html.starts_with("<!doctype html>"));
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // nothing fetched
  CHECK(html.find("<script") == std::string::npos);
  CHECK(count_of(html, "<rect class=\"dial\"") == 5);
  CHECK(count_of(html, "<circle class=\"result\"") == 7);
  CHECK(count_of(html, "<circle class=\"first-call\"") == 2);
  CHECK(count_of(html, "<rect class=\"hold\" data-rule=\"state_cap_24h:FL\"") == 1);
  CHECK(count_of(html, "<rect class=\"hold\" data-rule=\"state_hours:FL\"") == 1);
  CHECK(count_of(html, "<g class=\"lane\"") == 2);
  CHECK(count_of(html, "data-outcome=\"TRANSFERRED\"") == 2);
  CHECK(html.find("<a href=\"#run-0\">Florida: 3 calls per 24 h") != std::string::npos);
  CHECK(html.find("1 of 1 passed") != std::string::npos);
}

TEST_CASE("a large run shows at most max_lanes leads, every one with a violation among them") {
  Timeline tl;
  tl.lanes.resize(10000);
  tl.lanes[7777].violation = true;
  tl.lanes[3].violation = true;
  std::vector<std::size_t> shown = pick_lanes(tl, 200);
  CHECK(shown.size() == 200);
  CHECK(std::is_sorted(shown.begin(), shown.end()));
  CHECK(std::adjacent_find(shown.begin(), shown.end()) == shown.end());
  CHECK(std::count(shown.begin(), shown.end(), 7777) == 1);
  CHECK(std::count(shown.begin(), shown.end(), 3) == 1);
  CHECK(shown.back() > 9000);  // spread over the whole run, not the first 200
  CHECK(pick_lanes(tl, 20000).size() == 10000);
}

TEST_CASE("allowed spans open exactly and close to the second") {
  // Allowed in [100 s, 250.5 s) and from 400 s; steps of 60 s.
  auto allowed = [](TimeMs t) { return (t >= 100000 && t < 250500) || t >= 400000; };
  auto next = [](TimeMs t) { return t < 100000 ? TimeMs{100000} : TimeMs{400000}; };
  auto spans = allowed_spans(0, 500000, 60000, allowed, next);
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].begin == 100000);
  CHECK(spans[0].end > 250500);
  CHECK(spans[0].end <= 251500);
  CHECK(spans[1].begin == 400000);
  CHECK(spans[1].end == 500000);
}

TEST_CASE("a hold ending in the repeated hour of a DST fall-back keeps its instant") {
  // 2026-11-01 in New York: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
  const BusinessCalendar cal("America/New_York", 9 * 3600, 17 * 3600);
  const TimeMs tick = 1793511000000;                           // 2026-11-01T05:30:00Z, 01:30 EDT
  const TimeMs until = tick + 60 * kMinuteMs;                  // 06:30Z, 01:30 EST: the second one
  REQUIRE(cal.format_local(until) == cal.format_local(tick));  // one text, two instants
  TimelineRecorder rec(cal);
  const std::string text = "min_gap until " + cal.format_local(until);
  rec.on_trace(tick, "queue.hold", "K_5550100001", text, until);
  rec.on_trace(tick, "queue.hold", "K_5550100002", text);  // a trace read back: text only
  const auto rules = CallingRules::from_policy(RedialPolicy{});
  const auto tl = rec.finish(tick, until + kHourMs, *rules);
  REQUIRE(tl->lanes.size() == 2);
  CHECK(tl->lanes[0].marks.at(0).until == until);
  // From the text alone the earlier instant is taken, which this case shows is not always right.
  CHECK(tl->lanes[1].marks.at(0).until == tick);
}
