#pragma once
// How scenario files write times, in the business time zone.
#include <cstdint>
#include <string>

#include "core/business_calendar.h"
#include "core/time.h"

namespace date {
class time_zone;
}

namespace redial::sim {

// Local wall-clock text of instants in one zone, with the zone's current UTC offset and the
// interval it holds for (tz database `sys_info`) cached: the same text as
// BusinessCalendar::format_local (`date::format`), without a stream and a tz lookup per call.
// Not thread-safe (one per simulation thread).
class LocalFormatter {
 public:
  explicit LocalFormatter(const std::string& zone_name);
  // Writes "YYYY-MM-DDTHH:MM:SS" (19 characters, no terminator) for t floored to the second.
  void full(TimeMs t, char* out) const;
  std::string full(TimeMs t) const;

 private:
  const date::time_zone* zone_;
  mutable std::int64_t begin_s_ = 1, end_s_ = 0, offset_s_ = 0;  // empty: nothing cached yet
};

// Scenario times: "YYYY-MM-DDTHH:MM[:SS]" local, or "HH:MM[:SS]" on the start date, in the
// business time zone; printed back in the shortest form that reads unambiguously.
class TimeText {
 public:
  TimeText(const BusinessCalendar& calendar, int year, unsigned month, unsigned day);
  // Throws ScenarioError-free std::invalid_argument with the reason; callers add file and field.
  TimeMs parse(const std::string& text) const;
  // "14:05" / "14:05:30" on the start date, else "2025-12-02T09:00[:SS]".
  std::string brief(TimeMs t) const;
  // "2025-12-01T14:05:00".
  std::string full(TimeMs t) const { return local_.full(t); }
  const BusinessCalendar& calendar() const { return calendar_; }
  const std::string& start_date() const { return start_date_; }

 private:
  BusinessCalendar calendar_;
  LocalFormatter local_;
  int year_;
  unsigned month_, day_;
  std::string start_date_;  // "2025-12-01"
};

}  // namespace redial::sim
