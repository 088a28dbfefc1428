#pragma once
// How scenario files write times, in the business time zone.
#include <string>

#include "core/business_calendar.h"
#include "core/time.h"

namespace redial::sim {

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
  std::string full(TimeMs t) const { return calendar_.format_local(t); }
  const BusinessCalendar& calendar() const { return calendar_; }
  const std::string& start_date() const { return start_date_; }

 private:
  BusinessCalendar calendar_;
  int year_;
  unsigned month_, day_;
  std::string start_date_;  // "2025-12-01"
};

}  // namespace redial::sim
