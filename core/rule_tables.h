#pragma once
// The shipped calling-rule data (rules/*.csv): NANP area codes with their states and time zones,
// the states whose telephone-solicitation rules are stricter than the federal floor, and the
// holidays those rules refer to. Loaded once at start; read-only afterwards.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace redial {

struct AreaCode {
  std::string country;  // ISO 3166 alpha-2: "US", "CA", ...
  std::string region;   // USPS state code for the US ("CA" is California), province for Canada
  std::vector<const date::time_zone*> zones;  // every zone the area code spans
};

class AreaCodeTable {
 public:
  // Parses "area_code,country,region,time_zones" lines ('#' comments, one header line).
  // Throws ConfigError(source) naming the line and field of the first bad line.
  static AreaCodeTable parse(std::string_view text, const std::string& source);
  static AreaCodeTable load(const std::string& path);  // ConfigError when unreadable or bad

  // The area code of a normalized NANP number ("4155550100" -> 415), nullopt for others.
  static std::optional<int> area_code_of(std::string_view normalized_phone);
  const AreaCode* find(int area_code) const;
  // Every zone of every area code of a US region (a state's zones), empty for an unknown one.
  const std::vector<const date::time_zone*>& zones_of_region(std::string_view region) const;
  std::size_t size() const { return codes_.size(); }

 private:
  std::map<int, AreaCode> codes_;
  std::map<std::string, std::vector<const date::time_zone*>, std::less<>> region_zones_;
};

// Allowed local hours on one kind of day: [open_s, close_s) seconds after midnight.
struct DayWindow {
  int open_s = 8 * 3600;
  int close_s = 21 * 3600;
  bool closed = false;  // no calls at all that day
};

struct StateRule {
  std::string state;
  std::array<std::optional<DayWindow>, 7> weekday;  // index 0 = Sunday; nullopt = federal hours
  std::optional<DayWindow> holiday;                 // nullopt = holidays are ordinary days
  int max_calls_24h = 0;                            // 0 = no state cap
  std::string source;                               // the statute, as the table gives it
};

class StateRuleTable {
 public:
  // Parses "state,mon,tue,wed,thu,fri,sat,sun,holidays,max_calls_24h,source" lines; throws
  // ConfigError(source) naming line and field.
  static StateRuleTable parse(std::string_view text, const std::string& source);
  static StateRuleTable load(const std::string& path);

  const StateRule* find(std::string_view state) const;
  // Lowers a state's 24-hour cap: "FL,3;OK,2" (the lowest of table and override wins).
  // Throws ConfigError(setting) for a malformed item.
  void apply_cap_overrides(std::string_view text, const std::string& setting);
  std::size_t size() const { return rules_.size(); }

 private:
  std::map<std::string, StateRule, std::less<>> rules_;
};

class HolidayCalendar {
 public:
  // Parses "name,rule" lines; rule is fixed:MM-DD or nth:MM:W:N (W 0 = Sunday, N 1..5 or -1).
  static HolidayCalendar parse(std::string_view text, const std::string& source);
  static HolidayCalendar load(const std::string& path);

  // The holiday's name when the local date is one, else nullptr.
  const std::string* holiday_on(int year, unsigned month, unsigned day) const;
  std::size_t size() const { return rules_.size(); }

 private:
  struct Rule {
    std::string name;
    unsigned month = 1;
    unsigned day = 0;      // fixed date when non-zero
    unsigned weekday = 0;  // nth rule: weekday (0 = Sunday)
    int nth = 0;           // nth rule: 1..5, -1 = last
  };
  std::vector<Rule> rules_;
};

// The default of rules_dir: the tables installed beside the running binary
// (PREFIX/bin/x -> PREFIX/share/redial/rules, e.g. /usr/share/redial/rules from the package),
// else the source tree's rules/ (compile-time path) for a binary in the build tree.
std::string default_rules_dir();

// EXE_DIR/../share/redial/rules when that folder exists, else fallback.
std::string rules_dir_beside(const std::string& exe_path, const std::string& fallback);

}  // namespace redial
