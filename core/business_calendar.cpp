#include "core/business_calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <cstdio>

#include "core/errors.h"

namespace redial {
namespace {

using Ms = std::chrono::milliseconds;
using SysMs = std::chrono::sys_time<Ms>;

bool parse_uint(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

}  // namespace

LocalDay zone_local_day(const date::time_zone* zone, TimeMs t) {
  auto local = zone->to_local(SysMs{Ms{t}});
  return static_cast<LocalDay>(date::floor<date::days>(local).time_since_epoch().count());
}

int zone_seconds_of_day(const date::time_zone* zone, TimeMs t) {
  auto local = zone->to_local(SysMs{Ms{t}});
  auto day = date::floor<date::days>(local);
  return static_cast<int>(date::floor<std::chrono::seconds>(local - day).count());
}

TimeMs zone_local_to_epoch(const date::time_zone* zone, LocalDay day, int seconds_of_day) {
  auto lt = date::local_time<std::chrono::seconds>{date::days{day} +
                                                   std::chrono::seconds{seconds_of_day}};
  auto info = zone->get_info(lt);
  std::chrono::sys_seconds sys;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the earlier instant: the first offset
      sys = std::chrono::sys_seconds{lt.time_since_epoch() - info.first.offset};
      break;
    case date::local_info::nonexistent:  // in the DST gap: the instant the gap ends
    default:
      sys = std::chrono::sys_seconds{info.first.end.time_since_epoch()};
      break;
  }
  return std::chrono::duration_cast<Ms>(sys.time_since_epoch()).count();
}

std::string month_name(MonthId m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", m / 100, m % 100);
  return buf;
}

MonthId previous_month(MonthId m, int count) {
  int y = m / 100, mo = m % 100 - 1 - count;  // zero-based month
  while (mo < 0) {
    mo += 12;
    --y;
  }
  return y * 100 + mo + 1;
}

int parse_time_of_day_s(std::string_view text, const std::string& setting) {
  int h = 0, m = 0, s = 0;
  bool ok = false;
  if (text.size() == 5 && text[2] == ':') {
    ok = parse_uint(text.substr(0, 2), h) && parse_uint(text.substr(3, 2), m);
  } else if (text.size() == 8 && text[2] == ':' && text[5] == ':') {
    ok = parse_uint(text.substr(0, 2), h) && parse_uint(text.substr(3, 2), m) &&
         parse_uint(text.substr(6, 2), s);
  }
  // 24:00 is allowed as "end of day" for closing times.
  if (!ok || m > 59 || s > 59 || h > 24 || (h == 24 && (m || s)))
    throw ConfigError(
        setting, "expected a time of day HH:MM or HH:MM:SS, got \"" + std::string(text) + "\"");
  return h * 3600 + m * 60 + s;
}

BusinessCalendar::BusinessCalendar(const std::string& time_zone, int open_s, int close_s,
                                   std::uint8_t weekdays)
    : zone_name_(time_zone), open_s_(open_s), close_s_(close_s), weekdays_(weekdays) {
  try {
    zone_ = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    throw ConfigError("time_zone", "unknown time zone \"" + time_zone +
                                       "\" (not in the OS tz database, /usr/share/zoneinfo)");
  }
  if (open_s < 0 || close_s > 24 * 3600 || open_s >= close_s)
    throw ConfigError("business_hours", "opening time must be before closing time");
  if ((weekdays & 0x7f) == 0) throw ConfigError("business_days", "no business day selected");
}

int BusinessCalendar::seconds_of_day(TimeMs t) const { return zone_seconds_of_day(zone_, t); }

bool BusinessCalendar::is_open(TimeMs t) const {
  auto local = zone_->to_local(SysMs{Ms{t}});
  auto day = date::floor<date::days>(local);
  unsigned wd = date::weekday{day}.c_encoding();
  if (!(weekdays_ & (1u << wd))) return false;
  int s = static_cast<int>(date::floor<std::chrono::seconds>(local - day).count());
  return s >= open_s_ && s < close_s_;
}

TimeMs BusinessCalendar::next_open(TimeMs t) const {
  if (is_open(t)) return t;
  LocalDay day = local_day(t);
  for (int i = 0; i < 8; ++i, ++day) {
    date::year_month_day ymd{date::sys_days{date::days{day}}};
    TimeMs open =
        local_to_epoch(int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()), open_s_);
    if (open >= t && is_open(open)) return open;
  }
  return t;  // unreachable with at least one business day
}

LocalDay BusinessCalendar::local_day(TimeMs t) const { return zone_local_day(zone_, t); }

MonthId BusinessCalendar::month_of(TimeMs t) const {
  date::year_month_day ymd{date::sys_days{date::days{local_day(t)}}};
  return int(ymd.year()) * 100 + static_cast<int>(unsigned(ymd.month()));
}

TimeMs BusinessCalendar::start_of_day(LocalDay day) const {
  date::year_month_day ymd{date::sys_days{date::days{day}}};
  return local_to_epoch(int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()), 0);
}

TimeMs BusinessCalendar::local_to_epoch(int year, unsigned month, unsigned day,
                                        int seconds_of_day) const {
  auto ld = date::local_days{date::year{year} / date::month{month} / date::day{day}};
  return zone_local_to_epoch(zone_, static_cast<LocalDay>(ld.time_since_epoch().count()),
                             seconds_of_day);
}

TimeMs BusinessCalendar::parse_local(std::string_view text, const std::string& field) const {
  int y = 0, mo = 0, d = 0;
  auto bad = [&] {
    return InputError(
        field, "expected a local time YYYY-MM-DDTHH:MM[:SS], got \"" + std::string(text) + "\"");
  };
  if (text.size() < 16 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' '))
    throw bad();
  if (!parse_uint(text.substr(0, 4), y) || !parse_uint(text.substr(5, 2), mo) ||
      !parse_uint(text.substr(8, 2), d))
    throw bad();
  date::year_month_day ymd{date::year{y}, date::month(unsigned(mo)), date::day(unsigned(d))};
  if (!ymd.ok()) throw bad();
  int s = 0;
  try {
    s = parse_time_of_day_s(text.substr(11), field);
  } catch (const ConfigError&) {
    throw bad();
  }
  return local_to_epoch(y, unsigned(mo), unsigned(d), s);
}

std::string BusinessCalendar::format_local(TimeMs t) const {
  auto local = zone_->to_local(date::floor<std::chrono::seconds>(SysMs{Ms{t}}));
  return date::format("%Y-%m-%dT%H:%M:%S", local);
}

std::string BusinessCalendar::format_local_time(TimeMs t) const {
  auto local = zone_->to_local(date::floor<std::chrono::seconds>(SysMs{Ms{t}}));
  return date::format("%H:%M:%S", local);
}

}  // namespace redial
