#pragma once
// Local time in the business time zone, through the OS tz database (DST-correct, never a fixed
// offset): business hours, local days for the "today" filter, months for the month files.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

namespace date {
class time_zone;
}

namespace redial {

// Calendar month as yyyy*100+mm (202512 for December 2025), the month of a file's name.
using MonthId = std::int32_t;
// Days since 1970-01-01 in the local zone.
using LocalDay = std::int32_t;

std::string month_name(MonthId m);             // 202512 -> "2025-12"
MonthId previous_month(MonthId m, int count);  // 202501, 1 -> 202412

// Parses "HH:MM" or "HH:MM:SS" into seconds after local midnight; throws ConfigError(setting).
int parse_time_of_day_s(std::string_view text, const std::string& setting);

// Local time in any zone (DST-correct). A local time skipped by DST maps to the instant after
// the gap; an ambiguous one to the earlier instant.
LocalDay zone_local_day(const date::time_zone* zone, TimeMs t);
int zone_seconds_of_day(const date::time_zone* zone, TimeMs t);
TimeMs zone_local_to_epoch(const date::time_zone* zone, LocalDay day, int seconds_of_day);

class BusinessCalendar {
 public:
  // open_s/close_s: seconds after local midnight, open_s < close_s. weekdays: bit d set when
  // weekday d (0 = Sunday) is a business day. Throws ConfigError("time_zone") for an unknown zone.
  BusinessCalendar(const std::string& time_zone, int open_s, int close_s,
                   std::uint8_t weekdays = 0x7f);

  const std::string& time_zone_name() const { return zone_name_; }

  // True when t falls in [open, close) local time on a business day.
  bool is_open(TimeMs t) const;
  // The earliest instant >= t at which is_open() holds.
  TimeMs next_open(TimeMs t) const;

  LocalDay local_day(TimeMs t) const;
  MonthId month_of(TimeMs t) const;
  // The instant of local midnight starting `day` (DST-correct; 00:00 always exists in US zones).
  TimeMs start_of_day(LocalDay day) const;
  // Local wall time to an instant. A time skipped by DST maps to the instant after the gap; an
  // ambiguous one to the earlier instant.
  TimeMs local_to_epoch(int year, unsigned month, unsigned day, int seconds_of_day) const;
  // Parses "YYYY-MM-DDTHH:MM[:SS]" local time; throws InputError(field) when malformed.
  TimeMs parse_local(std::string_view text, const std::string& field) const;
  // "2025-12-01T14:05:00" in local time.
  std::string format_local(TimeMs t) const;
  // "14:05:00" in local time.
  std::string format_local_time(TimeMs t) const;

 private:
  int seconds_of_day(TimeMs t) const;

  std::string zone_name_;
  const date::time_zone* zone_;
  int open_s_;
  int close_s_;
  std::uint8_t weekdays_;
};

}  // namespace redial
