#include "sim/time_text.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>

namespace redial::sim {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

LocalFormatter::LocalFormatter(const std::string& zone_name)
    : zone_(date::locate_zone(zone_name)) {}

void LocalFormatter::full(TimeMs t, char* out) const {
  const std::int64_t s = floor_div(t, kSecondMs);
  if (s < begin_s_ || s >= end_s_) {
    const auto info = zone_->get_info(date::sys_seconds{std::chrono::seconds{s}});
    begin_s_ = info.begin.time_since_epoch().count();
    end_s_ = info.end.time_since_epoch().count();
    offset_s_ = info.offset.count();
  }
  const std::int64_t local = s + offset_s_;
  const std::int64_t days = floor_div(local, 86400);
  const auto sod = static_cast<unsigned>(local - days * 86400);
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const auto yy = static_cast<unsigned>(y);  // years 0..9999, as %Y prints them
  put2(out, yy / 100 % 100);
  put2(out + 2, yy % 100);
  out[4] = '-';
  put2(out + 5, m);
  out[7] = '-';
  put2(out + 8, d);
  out[10] = 'T';
  put2(out + 11, sod / 3600);
  out[13] = ':';
  put2(out + 14, sod / 60 % 60);
  out[16] = ':';
  put2(out + 17, sod % 60);
}

std::string LocalFormatter::full(TimeMs t) const {
  std::string s(19, '0');
  full(t, s.data());
  return s;
}

TimeText::TimeText(const BusinessCalendar& calendar, int year, unsigned month, unsigned day)
    : calendar_(calendar),
      local_(calendar.time_zone_name()),
      year_(year),
      month_(month),
      day_(day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
  start_date_ = buf;
}

TimeMs TimeText::parse(const std::string& text) const {
  if (text.size() >= 10 && text.find('T') != std::string::npos) {
    return calendar_.parse_local(text, "time");
  }
  int s = parse_time_of_day_s(text, "time");
  return calendar_.local_to_epoch(year_, month_, day_, s);
}

std::string TimeText::brief(TimeMs t) const {
  char full_text[19];  // 2025-12-01T14:05:00
  local_.full(t, full_text);
  std::size_t from = start_date_.compare(0, 10, full_text, 10) == 0 ? 11 : 0;
  std::size_t to = 19;
  if (full_text[17] == '0' && full_text[18] == '0' && full_text[16] == ':' && t % kSecondMs == 0)
    to = 16;
  return std::string(full_text + from, to - from);
}

}  // namespace redial::sim
