#include "sim/timeline.h"

#include <date/tz.h>

#include <cassert>

#include "core/business_calendar.h"
#include "core/calling_rules.h"

namespace redial::sim {

const char* mark_kind_name(MarkKind kind) {
  switch (kind) {
    case MarkKind::kFirstCall:
      return "first-call";
    case MarkKind::kDial:
      return "dial";
    case MarkKind::kResult:
      return "result";
    case MarkKind::kHold:
      return "hold";
    case MarkKind::kRelease:
      return "release";
    case MarkKind::kDnc:
      return "dnc";
    case MarkKind::kStop:
      return "stop";
    case MarkKind::kDialFailed:
      return "dial-failed";
  }
  return "?";
}

TimelineLane& TimelineRecorder::lane(std::string_view key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) {
    it = by_key_.emplace(std::string(key), tl_->lanes.size()).first;
    tl_->lanes.emplace_back();
    tl_->lanes.back().key = std::string(key);
  }
  return tl_->lanes[it->second];
}

void TimelineRecorder::describe_lead(const std::string& key, const std::string& phone,
                                     const std::string& state) {
  TimelineLane& l = lane(key);
  l.phone = phone;
  l.state = state;
}

void TimelineRecorder::on_trace(TimeMs t, std::string_view kind, std::string_view key,
                                std::string_view detail, TimeMs until_ms) {
  if (kind == "VIOLATION" || kind == "restart" || kind == "crash" || kind == "clock_step") {
    tl_->run_marks.push_back(
        {t, kind == "VIOLATION" ? "violation" : std::string(kind), std::string(detail)});
    return;
  }
  if (key.empty()) return;
  if (kind == "dial") {
    lane(key).marks.push_back({t, t, MarkKind::kDial, {}, std::string(detail)});
    tl_->dials.push_back(t);
  } else if (kind == "call" && detail.starts_with("first call")) {
    lane(key).marks.push_back({t, t, MarkKind::kFirstCall, {}, std::string(detail)});
  } else if (kind.starts_with("queue.")) {
    on_queue_event(t, kind.substr(6), lane(key), detail, until_ms);
  }
}

void TimelineRecorder::on_queue_event(TimeMs t, std::string_view kind, TimelineLane& l,
                                      std::string_view detail, TimeMs until_ms) {
  const std::string text(detail);
  if (kind == "result") {
    std::string outcome = text.substr(0, text.find(' '));
    ++tl_->outcomes[outcome];
    l.marks.push_back({t, t, MarkKind::kResult, outcome, text});
  } else if (kind == "hold") {
    // "state_hours:FL until 2025-12-03T08:00:00[ (lead zone unknown; ...)]"
    auto until_at = text.find(" until ");
    std::string rule = text.substr(0, until_at);
    TimeMs until = until_ms;
    if (until == 0 && until_at != std::string::npos)  // a trace read back: its local time
      until = calendar_.parse_local(text.substr(until_at + 7, 19), "hold");
    l.marks.push_back({t, std::max(t, until), MarkKind::kHold, rule, text});
  } else if (kind == "released") {
    l.marks.push_back({t, t, MarkKind::kRelease, {}, text});
  } else if (kind == "dnc") {
    l.marks.push_back({t, t, MarkKind::kDnc, {}, text});
  } else if (kind == "stop") {
    l.marks.push_back({t, t, MarkKind::kStop, {}, text});
  } else if (kind == "dial_failed") {
    l.marks.push_back({t, t, MarkKind::kDialFailed, {}, text});
  }
}

std::vector<TimeSpan> allowed_spans(TimeMs begin, TimeMs end, TimeMs step_ms,
                                    const std::function<bool(TimeMs)>& allowed,
                                    const std::function<TimeMs(TimeMs)>& next_allowed) {
  assert(begin <= end && step_ms >= 1000);
  std::vector<TimeSpan> spans;
  TimeMs t = begin;
  while (t < end) {
    if (!allowed(t)) {
      TimeMs next = next_allowed(t);
      assert(next > t);
      t = next;
      continue;
    }
    TimeMs open = t, last_ok = t;
    while (last_ok + step_ms < end && allowed(last_ok + step_ms)) last_ok += step_ms;
    TimeMs bad = std::min(end, last_ok + step_ms);  // not allowed, or the end of the axis
    if (bad < end || !allowed(bad - 1)) {
      while (bad - last_ok > 1000) {  // halve to the second: last_ok allowed, bad not
        TimeMs mid = last_ok + (bad - last_ok) / 2;
        (allowed(mid) ? last_ok : bad) = mid;
      }
    }
    spans.push_back({open, bad});
    t = bad;
  }
  return spans;
}

void TimelineRecorder::add_axis_ticks(TimeMs begin, TimeMs end) {
  const TimeMs span_ms = end - begin;
  const TimeMs hour_ms = 3600 * 1000;
  const int every_h = span_ms <= 36 * hour_ms ? 2 : span_ms <= 4 * 24 * hour_ms ? 6 : 24;
  const int every_d = span_ms <= 14 * 24 * hour_ms ? 1 : 7;
  const date::time_zone* zone = date::locate_zone(calendar_.time_zone_name());
  for (LocalDay d = calendar_.local_day(begin); calendar_.start_of_day(d) <= end; d += every_d) {
    for (int h = 0; h < 24; h += every_h) {  // round local hours, DST-correct
      TimeMs t = zone_local_to_epoch(zone, d, h * 3600);
      if (t < begin || t > end) continue;
      std::string text = calendar_.format_local(t);  // "2025-12-01T14:00:00"
      tl_->ticks.push_back({t, h == 0 ? text.substr(5, 5) : text.substr(11, 5)});
    }
  }
}

void TimelineRecorder::count_calls(const TimelineLane& l) {
  std::map<LocalDay, int> by_day;
  for (const TimelineMark& m : l.marks) {
    if (m.kind != MarkKind::kDial && m.kind != MarkKind::kFirstCall) continue;
    ++by_day[calendar_.local_day(m.at)];
    if (m.kind == MarkKind::kDial && !calendar_.is_open(m.at)) ++tl_->dials_outside_business_hours;
  }
  for (const auto& [day, n] : by_day) tl_->calls_per_lead_day.push_back(n);
}

std::shared_ptr<Timeline> TimelineRecorder::finish(TimeMs begin, TimeMs end,
                                                   const CallingRules& rules) {
  assert(begin <= end);
  tl_->begin = begin;
  tl_->end = end;
  tl_->zone = calendar_.time_zone_name();
  add_axis_ticks(begin, end);
  const TimeMs step_ms = 5 * 60 * 1000;
  tl_->business_hours = allowed_spans(
      begin, end, step_ms, [&](TimeMs t) { return calendar_.is_open(t); },
      [&](TimeMs t) { return calendar_.next_open(t); });
  for (TimelineLane& l : tl_->lanes) {
    count_calls(l);
    for (const RunMark& m : tl_->run_marks)
      if (m.kind == "violation" && m.text.find(l.key) != std::string::npos) l.violation = true;
    if (l.phone.empty()) continue;  // a lead the world does not know: no window to show
    LeadLocation where = rules.locate(l.phone, l.state);  // SimLead::phone is normalized
    for (const auto* z : where.zones) l.zones += (l.zones.empty() ? "" : ", ") + z->name();
    auto hold_at = [&](TimeMs t) { return rules.check(where, t, CallHistory{}); };
    l.window = allowed_spans(
        begin, end, step_ms, [&](TimeMs t) { return !hold_at(t).has_value(); },
        [&](TimeMs t) { return std::max(t + 1000, hold_at(t)->until); });
  }
  return tl_;
}

}  // namespace redial::sim
