#include <catch2/catch.hpp>

#include "core/business_calendar.h"
#include "core/errors.h"

using namespace redial;

namespace {
TimeMs utc(int y, unsigned m, unsigned d, int hh, int mm) {
  static const BusinessCalendar cal("UTC", 0, 24 * 3600);
  return cal.local_to_epoch(y, m, d, hh * 3600 + mm * 60);
}
const BusinessCalendar ny("America/New_York", 9 * 3600, 17 * 3600);
}  // namespace

TEST_CASE("business hours follow New York's offset on both DST change days") {
  // 2026-03-08: clocks spring forward at 02:00; 09:00 EDT is 13:00 UTC (a fixed -05:00 says 14:00).
  CHECK_FALSE(ny.is_open(utc(2026, 3, 8, 12, 59)));
  CHECK(ny.is_open(utc(2026, 3, 8, 13, 0)));
  CHECK(ny.is_open(utc(2026, 3, 8, 20, 59)));
  CHECK_FALSE(ny.is_open(utc(2026, 3, 8, 21, 0)));
  // 2026-11-01: clocks fall back at 02:00; 09:00 EST is 14:00 UTC.
  CHECK_FALSE(ny.is_open(utc(2026, 11, 1, 13, 59)));
  CHECK(ny.is_open(utc(2026, 11, 1, 14, 0)));
  CHECK(ny.is_open(utc(2026, 11, 1, 21, 59)));
  CHECK_FALSE(ny.is_open(utc(2026, 11, 1, 22, 0)));
}

TEST_CASE("local times in the DST gap and overlap") {
  // 02:30 does not exist on 2026-03-08: it maps to the end of the gap, 03:00 EDT = 07:00 UTC.
  CHECK(ny.local_to_epoch(2026, 3, 8, 2 * 3600 + 30 * 60) == utc(2026, 3, 8, 7, 0));
  // 01:30 happens twice on 2026-11-01: the earlier one, EDT, is 05:30 UTC.
  CHECK(ny.local_to_epoch(2026, 11, 1, 3600 + 30 * 60) == utc(2026, 11, 1, 5, 30));
  // The fall-back day has 25 hours, the spring-forward day 23.
  CHECK(ny.start_of_day(ny.local_day(utc(2026, 11, 2, 12, 0))) -
            ny.start_of_day(ny.local_day(utc(2026, 11, 1, 12, 0))) ==
        25 * kHourMs);
  CHECK(ny.start_of_day(ny.local_day(utc(2026, 3, 9, 12, 0))) -
            ny.start_of_day(ny.local_day(utc(2026, 3, 8, 12, 0))) ==
        23 * kHourMs);
}

TEST_CASE("months and days change at local midnight, not UTC midnight") {
  TimeMs before = ny.local_to_epoch(2025, 11, 30, 23 * 3600 + 59 * 60);
  TimeMs after = ny.local_to_epoch(2025, 12, 1, 0);
  CHECK(ny.month_of(before) == 202511);
  CHECK(ny.month_of(after) == 202512);
  CHECK(ny.local_day(after) == ny.local_day(before) + 1);
  CHECK(ny.month_of(utc(2025, 12, 1, 0, 30)) == 202511);  // still 19:30 on Nov 30 in New York
  CHECK(month_name(202512) == "2025-12");
  CHECK(previous_month(202501, 1) == 202412);
  CHECK(previous_month(202503, 14) == 202401);
}

TEST_CASE("next_open finds the next opening, skipping closed weekdays") {
  BusinessCalendar weekdays("America/New_York", 9 * 3600, 17 * 3600, 0b0111110);  // Mon-Fri
  // Saturday 2025-12-06 10:00 -> Monday 2025-12-08 09:00.
  CHECK(weekdays.next_open(ny.local_to_epoch(2025, 12, 6, 10 * 3600)) ==
        ny.local_to_epoch(2025, 12, 8, 9 * 3600));
  TimeMs open = ny.local_to_epoch(2025, 12, 1, 10 * 3600);
  CHECK(ny.next_open(open) == open);
  CHECK(ny.next_open(ny.local_to_epoch(2025, 12, 1, 18 * 3600)) ==
        ny.local_to_epoch(2025, 12, 2, 9 * 3600));
}

TEST_CASE("parsing and formatting local times") {
  TimeMs t = ny.parse_local("2025-12-01T14:05:00", "start");
  CHECK(ny.format_local(t) == "2025-12-01T14:05:00");
  CHECK(ny.format_local_time(t) == "14:05:00");
  CHECK(ny.parse_local("2025-12-01T14:05", "start") == t);
  CHECK_THROWS_WITH(ny.parse_local("2025-13-01T14:05", "start"), Catch::StartsWith("start"));
  CHECK_THROWS_WITH(ny.parse_local("tomorrow", "end"), Catch::StartsWith("end"));
  CHECK(parse_time_of_day_s("09:30", "business_hours.start") == 9 * 3600 + 30 * 60);
  CHECK_THROWS_WITH(parse_time_of_day_s("9h", "business_hours.start"),
                    Catch::StartsWith("business_hours.start"));
}

TEST_CASE("an unknown time zone is a configuration error") {
  CHECK_THROWS_AS(BusinessCalendar("America/Atlantis", 0, 3600), ConfigError);
  CHECK_THROWS_WITH(BusinessCalendar("America/Atlantis", 0, 3600),
                    Catch::StartsWith("time_zone") && Catch::Contains("America/Atlantis"));
}
