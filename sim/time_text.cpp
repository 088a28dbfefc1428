#include "sim/time_text.h"

#include <cstdio>

namespace redial::sim {

TimeText::TimeText(const BusinessCalendar& calendar, int year, unsigned month, unsigned day)
    : calendar_(calendar), year_(year), month_(month), day_(day) {
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
  std::string full_text = calendar_.format_local(t);  // 2025-12-01T14:05:00
  std::string out;
  if (full_text.compare(0, 10, start_date_) == 0) {
    out = full_text.substr(11);
  } else {
    out = full_text;
  }
  if (out.size() >= 3 && out.compare(out.size() - 3, 3, ":00") == 0 && t % kSecondMs == 0) {
    out.resize(out.size() - 3);
  }
  return out;
}

}  // namespace redial::sim
