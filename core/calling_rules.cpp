#include "core/calling_rules.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cassert>
#include <functional>

#include "core/errors.h"
#include "core/redial_policy.h"

namespace redial {
namespace {

constexpr TimeMs kCapWindowMs = 24 * kHourMs;
// A rule set that allows nothing for this long is treated as never allowing a call.
constexpr TimeMs kSearchHorizonMs = 400 * kDayMs;

std::string path_in(const std::string& dir, const std::string& file, const char* name) {
  if (!file.empty()) return file;
  return (dir.empty() ? default_rules_dir() : dir) + "/" + name;
}

// The earliest instant >= t inside the day's window in `zone`, where `window(day)` gives the
// window of a local day (nullopt: closed all day).
TimeMs next_in_window(const date::time_zone* zone, TimeMs t,
                      const std::function<std::optional<DayWindow>(LocalDay)>& window) {
  for (int i = 0; i < 400; ++i) {
    LocalDay day = zone_local_day(zone, t);
    int sod = zone_seconds_of_day(zone, t);
    if (auto w = window(day); w && !w->closed) {
      if (sod >= w->open_s && sod < w->close_s) return t;
      if (sod < w->open_s) {
        TimeMs open = zone_local_to_epoch(zone, day, w->open_s);
        if (open > t) {
          t = open;
          continue;  // re-checked: a DST gap can move the opening
        }
      }
    }
    TimeMs midnight = zone_local_to_epoch(zone, day + 1, 0);
    t = midnight > t ? midnight : t + kHourMs;
  }
  return t + kSearchHorizonMs;
}

// The earliest instant >= t at which fewer than `cap` calls lie in the 24 hours before it.
TimeMs next_under_cap(std::span<const TimeMs> calls, int cap, TimeMs t) {
  if (cap <= 0) return t;
  std::vector<TimeMs> recent;
  for (TimeMs c : calls)
    if (c > t - kCapWindowMs) recent.push_back(c);
  if (static_cast<int>(recent.size()) < cap) return t;
  std::sort(recent.begin(), recent.end());
  // Once the oldest (n - cap + 1) calls have aged out, n - (n - cap + 1) = cap - 1 remain.
  return recent[recent.size() - static_cast<std::size_t>(cap)] + kCapWindowMs;
}

}  // namespace

std::shared_ptr<const CallingRules> CallingRules::from_policy(const RedialPolicy& p) {
  assert(p.federal_open_s <= p.federal_close_s);  // REQUIRES: policy.validate() passed
  AreaCodeTable codes =
      AreaCodeTable::load(path_in(p.rules_dir, p.area_code_file, "nanp_area_codes.csv"));
  StateRuleTable states;
  HolidayCalendar holidays;
  if (p.state_rules) {
    states =
        StateRuleTable::load(path_in(p.rules_dir, p.state_rules_file, "state_calling_rules.csv"));
    holidays = HolidayCalendar::load(path_in(p.rules_dir, p.holidays_file, "holidays.csv"));
  }
  if (!p.state_call_limit_override.empty())
    states.apply_cap_overrides(p.state_call_limit_override, "state_call_limit_override");
  return std::make_shared<const CallingRules>(p, std::move(codes), std::move(states),
                                              std::move(holidays));
}

CallingRules::CallingRules(const RedialPolicy& p, AreaCodeTable area_codes,
                           StateRuleTable state_rules, HolidayCalendar holidays)
    : federal_window_(p.federal_window),
      federal_open_s_(p.federal_open_s),
      federal_close_s_(p.federal_close_s),
      use_state_rules_(p.state_rules || !p.state_call_limit_override.empty()),
      lead_cap_(p.max_calls_per_lead_24h),
      phone_cap_(p.max_calls_per_phone_24h),
      min_gap_ms_(p.min_call_gap_ms),
      business_(p.time_zone, p.business_open_s, p.business_close_s, p.business_weekdays),
      business_zone_(date::locate_zone(p.time_zone)),
      area_codes_(std::move(area_codes)),
      state_rules_(std::move(state_rules)),
      holidays_(std::move(holidays)) {}

LeadLocation CallingRules::locate(std::string_view phone, std::string_view state) const {
  assert(phone.find_first_not_of("0123456789") == std::string_view::npos);  // REQUIRES: normalized
  LeadLocation where;
  auto add_zones = [&](const std::vector<const date::time_zone*>& zones) {
    for (const auto* z : zones)
      if (std::find(where.zones.begin(), where.zones.end(), z) == where.zones.end())
        where.zones.push_back(z);
  };
  auto add_state = [&](std::string_view s) {
    if (s.empty() || std::find(where.states.begin(), where.states.end(), s) != where.states.end())
      return;
    where.states.emplace_back(s);
    if (!use_state_rules_) return;
    if (const StateRule* r = state_rules_.find(s)) where.state_rules.push_back(r);
  };
  if (auto code = AreaCodeTable::area_code_of(phone)) {
    if (const AreaCode* ac = area_codes_.find(*code)) {
      add_zones(ac->zones);
      if (ac->country == "US") add_state(ac->region);
    }
  }
  // The record's state counts too: where number and record disagree, both states' rules apply.
  if (state.size() == 2) {
    std::string upper{state};
    for (char& c : upper)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    add_zones(area_codes_.zones_of_region(upper));
    if (!area_codes_.zones_of_region(upper).empty()) add_state(upper);
  }
  if (where.zones.empty()) {
    where.zones.push_back(business_zone_);
    where.zone_assumed = true;
  }
  return where;
}

template <class F>
void CallingRules::each_rule(const LeadLocation& where, TimeMs t, const CallHistory& history,
                             F&& f) const {
  f("business_hours", std::string_view{}, business_zone_, business_.next_open(t));
  if (federal_window_) {
    const DayWindow federal{federal_open_s_, federal_close_s_, false};
    for (const auto* z : where.zones)
      f("federal_window", std::string_view{}, z,
        next_in_window(z, t, [&](LocalDay) { return federal; }));
  }
  for (const StateRule* rule : where.state_rules) {
    auto window = [&](LocalDay day) -> std::optional<DayWindow> {
      date::year_month_day ymd{date::sys_days{date::days{day}}};
      if (rule->holiday &&
          holidays_.holiday_on(int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day())))
        return rule->holiday;
      unsigned wd = date::weekday{date::sys_days{date::days{day}}}.c_encoding();
      return rule->weekday[wd].value_or(DayWindow{});
    };
    for (const auto* z : where.zones)
      f("state_hours:", std::string_view{rule->state}, z, next_in_window(z, t, window));
    if (rule->max_calls_24h > 0)
      f("state_cap_24h:", std::string_view{rule->state}, nullptr,
        next_under_cap(history.phone, rule->max_calls_24h, t));
  }
  f("lead_cap_24h", std::string_view{}, nullptr, next_under_cap(history.lead, lead_cap_, t));
  f("phone_cap_24h", std::string_view{}, nullptr, next_under_cap(history.phone, phone_cap_, t));
  if (min_gap_ms_ > 0 && !history.phone.empty()) {
    TimeMs last = *std::max_element(history.phone.begin(), history.phone.end());
    f("min_call_gap", std::string_view{}, nullptr, std::max(t, last + min_gap_ms_));
  }
}

TimeMs CallingRules::next_allowed(const LeadLocation& where, TimeMs t, const CallHistory& history,
                                  std::string* blocking_rule) const {
  TimeMs next = t;
  each_rule(where, t, history,
            [&](const char* rule, std::string_view state, const date::time_zone*, TimeMs at) {
              if (at > t && blocking_rule && blocking_rule->empty())
                *blocking_rule = std::string(rule) + std::string(state);
              next = std::max(next, at);
            });
  return next;
}

std::vector<RuleVerdict> CallingRules::verdicts(const LeadLocation& where, TimeMs t,
                                                const CallHistory& history) const {
  std::vector<RuleVerdict> out;
  each_rule(where, t, history,
            [&](const char* rule, std::string_view state, const date::time_zone* zone, TimeMs at) {
              out.push_back({std::string(rule) + std::string(state), zone, std::max(t, at)});
            });
  return out;
}

std::optional<Hold> CallingRules::check(const LeadLocation& where, TimeMs now,
                                        const CallHistory& history) const {
  std::string rule;
  TimeMs t = next_allowed(where, now, history, &rule);
  if (t == now) return std::nullopt;
  // Each rule's next instant can fall in another's closed period: iterate to a common instant.
  for (int i = 0; i < 64; ++i) {
    TimeMs n = next_allowed(where, t, history, nullptr);
    if (n == t) return Hold{rule, t};
    if (n - now > kSearchHorizonMs) break;
    t = n;
  }
  return Hold{rule, now + kSearchHorizonMs};  // no instant found: effectively never
}

}  // namespace redial
