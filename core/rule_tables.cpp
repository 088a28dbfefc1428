#include "core/rule_tables.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/business_calendar.h"
#include "core/errors.h"

#ifndef REDIAL_RULES_DIR
#define REDIAL_RULES_DIR "rules"
#endif

namespace redial {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// One data line of a rule table: its fields and where it came from, for error messages.
struct Line {
  const std::string& source;
  int number;
  std::vector<std::string_view> fields;

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw ConfigError(source, "line " + std::to_string(number) + ", " + field + ": " + what);
  }
  int integer(std::size_t i, const std::string& field, int lo, int hi) const {
    int v = 0;
    std::string_view s = fields[i];
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi)
      fail(field, "expected a number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                      ", got \"" + std::string(s) + "\"");
    return v;
  }
};

// Calls fn(Line) for each data line. The first non-comment line must be `header`; a line has
// exactly as many fields as the header, the last one taking the rest of the line (free text).
template <typename Fn>
void for_each_line(std::string_view text, const std::string& source, std::string_view header,
                   Fn&& fn) {
  const auto columns = static_cast<std::size_t>(std::count(header.begin(), header.end(), ',') + 1);
  bool header_seen = false;
  int number = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++number;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (!header_seen) {
      if (line != header)
        throw ConfigError(source, "line " + std::to_string(number) + ": expected the header \"" +
                                      std::string(header) + "\"");
      header_seen = true;
      continue;
    }
    Line l{source, number, {}};
    while (l.fields.size() + 1 < columns) {
      std::size_t comma = line.find(',');
      if (comma == std::string_view::npos)
        l.fail("line", "expected " + std::to_string(columns) + " comma-separated fields, got " +
                           std::to_string(l.fields.size() + 1));
      l.fields.push_back(trim(line.substr(0, comma)));
      line = line.substr(comma + 1);
    }
    l.fields.push_back(trim(line));
    fn(l);
  }
  if (!header_seen)
    throw ConfigError(source, "empty: expected the header \"" + std::string(header) + "\"");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "cannot read the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const date::time_zone* zone_named(const Line& l, std::string_view name) {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    l.fail("time_zones", "unknown time zone \"" + std::string(name) + "\"");
  }
}

// "08:00-20:00", "closed" or "" (nullopt: the federal hours).
std::optional<DayWindow> day_window(const Line& l, std::size_t i, const std::string& field) {
  std::string_view s = l.fields[i];
  if (s.empty()) return std::nullopt;
  DayWindow w;
  if (s == "closed") {
    w.closed = true;
    return w;
  }
  std::size_t dash = s.find('-');
  try {
    if (dash == std::string_view::npos) throw ConfigError(field, "");
    w.open_s = parse_time_of_day_s(s.substr(0, dash), field);
    w.close_s = parse_time_of_day_s(s.substr(dash + 1), field);
  } catch (const ConfigError&) {
    l.fail(field, "expected HH:MM-HH:MM, closed or nothing, got \"" + std::string(s) + "\"");
  }
  if (w.open_s >= w.close_s) l.fail(field, "the window opens after it closes");
  return w;
}

}  // namespace

std::string rules_dir_beside(const std::string& exe_path, const std::string& fallback) {
  // Matches core/CMakeLists.txt's install(DIRECTORY rules/ DESTINATION share/redial/rules) with
  // the binaries in PREFIX/bin, so a relocated prefix works too.
  namespace fs = std::filesystem;
  fs::path dir = (fs::path(exe_path).parent_path() / "../share/redial/rules").lexically_normal();
  // The folder decides, not its files: a package with a table missing reports that path.
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return dir.string();
  return fallback;
}

std::string default_rules_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return REDIAL_RULES_DIR;
  return rules_dir_beside(exe.string(), REDIAL_RULES_DIR);
}

// ---- area codes ----

AreaCodeTable AreaCodeTable::parse(std::string_view text, const std::string& source) {
  AreaCodeTable t;
  for_each_line(text, source, "area_code,country,region,time_zones", [&](const Line& l) {
    int code = l.integer(0, "area_code", 200, 999);
    if (t.codes_.count(code)) l.fail("area_code", "listed twice");
    AreaCode ac;
    ac.country = std::string(l.fields[1]);
    ac.region = std::string(l.fields[2]);
    if (ac.country.size() != 2) l.fail("country", "expected a two-letter country code");
    if (ac.region.empty()) l.fail("region", "missing");
    std::string_view zones = l.fields[3];
    while (!zones.empty()) {
      std::size_t sp = zones.find(' ');
      std::string_view name = zones.substr(0, sp);
      if (!name.empty()) ac.zones.push_back(zone_named(l, name));
      zones = sp == std::string_view::npos ? std::string_view{} : zones.substr(sp + 1);
    }
    if (ac.zones.empty()) l.fail("time_zones", "at least one zone is required");
    if (ac.country == "US") {
      auto& rz = t.region_zones_[ac.region];
      for (const auto* z : ac.zones)
        if (std::find(rz.begin(), rz.end(), z) == rz.end()) rz.push_back(z);
    }
    t.codes_.emplace(code, std::move(ac));
  });
  return t;
}

AreaCodeTable AreaCodeTable::load(const std::string& path) { return parse(read_file(path), path); }

std::optional<int> AreaCodeTable::area_code_of(std::string_view phone) {
  if (phone.size() != 10) return std::nullopt;  // normalized NANP numbers drop the leading 1
  int v = 0;
  auto [p, ec] = std::from_chars(phone.data(), phone.data() + 3, v);
  if (ec != std::errc() || p != phone.data() + 3) return std::nullopt;
  return v;
}

const AreaCode* AreaCodeTable::find(int area_code) const {
  auto it = codes_.find(area_code);
  return it == codes_.end() ? nullptr : &it->second;
}

const std::vector<const date::time_zone*>& AreaCodeTable::zones_of_region(
    std::string_view region) const {
  static const std::vector<const date::time_zone*> kNone;
  auto it = region_zones_.find(region);
  return it == region_zones_.end() ? kNone : it->second;
}

// ---- state rules ----

StateRuleTable StateRuleTable::parse(std::string_view text, const std::string& source) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  StateRuleTable t;
  for_each_line(
      text, source, "state,mon,tue,wed,thu,fri,sat,sun,holidays,max_calls_24h,source",
      [&](const Line& l) {
        StateRule r;
        r.state = std::string(l.fields[0]);
        if (r.state.size() != 2 || !std::all_of(r.state.begin(), r.state.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; }))
          l.fail("state", "expected a two-letter state code such as FL");
        if (t.rules_.count(r.state)) l.fail("state", r.state + " is listed twice");
        for (int d = 0; d < 7; ++d)  // columns run Monday..Sunday; weekday[] starts on Sunday
          r.weekday[(d + 1) % 7] = day_window(l, 1 + d, kDays[d]);
        r.holiday = day_window(l, 8, "holidays");
        if (!l.fields[9].empty()) r.max_calls_24h = l.integer(9, "max_calls_24h", 1, 1000);
        r.source = std::string(l.fields[10]);
        t.rules_.emplace(r.state, std::move(r));
      });
  return t;
}

StateRuleTable StateRuleTable::load(const std::string& path) {
  return parse(read_file(path), path);
}

const StateRule* StateRuleTable::find(std::string_view state) const {
  auto it = rules_.find(state);
  return it == rules_.end() ? nullptr : &it->second;
}

void StateRuleTable::apply_cap_overrides(std::string_view text, const std::string& setting) {
  while (!trim(text).empty()) {
    std::size_t semi = text.find(';');
    std::string_view item = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    std::size_t comma = item.find(',');
    std::string_view state = trim(item.substr(0, comma));
    int cap = 0;
    std::string_view n =
        comma == std::string_view::npos ? std::string_view{} : trim(item.substr(comma + 1));
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), cap);
    if (state.size() != 2 || n.empty() || ec != std::errc() || p != n.data() + n.size() || cap < 1)
      throw ConfigError(setting, "expected items such as \"FL,3\" separated by ';', got \"" +
                                     std::string(item) + "\"");
    auto it = rules_.find(state);
    if (it == rules_.end()) {  // a state with federal hours and only a cap
      StateRule r;
      r.state = std::string(state);
      r.source = "override (" + setting + ")";
      it = rules_.emplace(r.state, std::move(r)).first;
    }
    int& current = it->second.max_calls_24h;
    current = current == 0 ? cap : std::min(current, cap);
  }
}

// ---- holidays ----

HolidayCalendar HolidayCalendar::parse(std::string_view text, const std::string& source) {
  HolidayCalendar c;
  for_each_line(text, source, "name,rule", [&](const Line& l) {
    Rule r;
    r.name = std::string(l.fields[0]);
    std::string_view rule = l.fields[1];
    auto bad = [&] {
      l.fail("rule", "expected fixed:MM-DD or nth:MM:W:N, got \"" + std::string(rule) + "\"");
    };
    auto num = [&](std::string_view s, int lo, int hi) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) bad();
      return v;
    };
    if (rule.substr(0, 6) == "fixed:" && rule.size() == 11 && rule[8] == '-') {
      r.month = static_cast<unsigned>(num(rule.substr(6, 2), 1, 12));
      r.day = static_cast<unsigned>(num(rule.substr(9, 2), 1, 31));
    } else if (rule.substr(0, 4) == "nth:") {
      std::string_view rest = rule.substr(4);
      std::size_t a = rest.find(':'), b = rest.find(':', a + 1);
      if (a == std::string_view::npos || b == std::string_view::npos) bad();
      r.month = static_cast<unsigned>(num(rest.substr(0, a), 1, 12));
      r.weekday = static_cast<unsigned>(num(rest.substr(a + 1, b - a - 1), 0, 6));
      r.nth = num(rest.substr(b + 1), -1, 5);
      if (r.nth == 0) bad();
    } else {
      bad();
    }
    c.rules_.push_back(std::move(r));
  });
  return c;
}

HolidayCalendar HolidayCalendar::load(const std::string& path) {
  return parse(read_file(path), path);
}

const std::string* HolidayCalendar::holiday_on(int year, unsigned month, unsigned day) const {
  for (const Rule& r : rules_) {
    if (r.month != month) continue;
    if (r.day) {
      if (r.day == day) return &r.name;
      continue;
    }
    date::weekday wd{r.weekday};
    date::year_month_day ymd =
        r.nth > 0 ? date::year_month_day{date::year{year} / date::month{month} /
                                         wd[static_cast<unsigned>(r.nth)]}
                  : date::year_month_day{date::year{year} / date::month{month} / wd[date::last]};
    if (ymd.ok() && unsigned(ymd.day()) == day) return &r.name;
  }
  return nullptr;
}

}  // namespace redial
