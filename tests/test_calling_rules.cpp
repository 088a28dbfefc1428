// Calling rules: the lead's local window, state rules, caps and gaps, as CallingRules decides
// them, from small inline tables (so each case shows its own rule) and from the shipped ones.
#include <catch2/catch.hpp>

#include "core/calling_rules.h"
#include "core/errors.h"
#include "core/redial_policy.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

const char* kCodes =
    "# test table\n"
    "area_code,country,region,time_zones\n"
    "212,US,NY,America/New_York\n"
    "305,US,FL,America/New_York\n"
    "850,US,FL,America/Chicago\n"
    "415,US,CA,America/Los_Angeles\n"
    "208,US,ID,America/Boise America/Los_Angeles\n"
    "205,US,AL,America/Chicago\n"
    "401,US,RI,America/New_York\n"
    "416,CA,ON,America/Toronto\n";

const char* kStates =
    "state,mon,tue,wed,thu,fri,sat,sun,holidays,max_calls_24h,source\n"
    "FL,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,,3,"
    "Fla. Stat. 501.616(6), test copy\n"
    "AL,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,08:00-20:00,closed,closed,,"
    "Ala. Code 8-19A-14, test copy\n"
    "RI,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,10:00-17:00,closed,closed,,"
    "R.I. Gen. Laws 5-61-3.5, test copy\n";

const char* kHolidays =
    "name,rule\n"
    "Christmas Day,fixed:12-25\n"
    "Thanksgiving Day,nth:11:4:4\n"
    "Memorial Day,nth:05:1:-1\n";

struct Rules {
  explicit Rules(RedialPolicy p = {}, bool state_rules = true)
      : policy((p.state_rules = state_rules, p)),
        rules(policy, AreaCodeTable::parse(kCodes, "codes"),
              state_rules ? StateRuleTable::parse(kStates, "states") : StateRuleTable{},
              HolidayCalendar::parse(kHolidays, "holidays")) {}
  std::optional<Hold> at(const std::string& phone, const std::string& state, TimeMs t,
                         std::vector<TimeMs> lead = {}, std::vector<TimeMs> number = {}) const {
    return rules.check(rules.locate(phone, state), t, {lead, number});
  }
  RedialPolicy policy;
  CallingRules rules;
};

// Wall-clock business hours off, so only the rule under test decides.
RedialPolicy all_day() {
  RedialPolicy p;
  p.business_open_s = 0;
  p.business_close_s = 24 * 3600;
  return p;
}

TimeMs la(int y, unsigned m, unsigned d, int hh, int mm) {
  static const BusinessCalendar cal("America/Los_Angeles", 0, 24 * 3600);
  return cal.local_to_epoch(y, m, d, hh * 3600 + mm * 60);
}

}  // namespace

TEST_CASE("rule tables: bad lines are refused with the file, line and field named") {
  auto error_of = [](auto fn) {
    try {
      fn();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of([] {
          AreaCodeTable::parse("area_code,country,region,time_zones\n2x1,US,NY,America/New_York\n",
                               "codes.csv");
        }) == "codes.csv: line 2, area_code: expected a number from 200 to 999, got \"2x1\"");
  CHECK(error_of([] {
          AreaCodeTable::parse("area_code,country,region,time_zones\n212,US,NY,Mars/Olympus\n",
                               "codes.csv");
        }) == "codes.csv: line 2, time_zones: unknown time zone \"Mars/Olympus\"");
  CHECK(error_of([] {
          AreaCodeTable::parse("code,zone\n", "codes.csv");
        }).find("codes.csv: line 1: expected the header") == 0);
  CHECK(error_of([] {
          StateRuleTable::parse(
              "state,mon,tue,wed,thu,fri,sat,sun,holidays,max_calls_24h,source\n"
              "FL,08:00-20:00,8-20,,,,,,,,statute\n",
              "states.csv");
        }) == "states.csv: line 2, tue: expected HH:MM-HH:MM, closed or nothing, got \"8-20\"");
  CHECK(error_of([] {
          StateRuleTable::parse(
              "state,mon,tue,wed,thu,fri,sat,sun,holidays,max_calls_24h,source\nFL,,,,\n",
              "states.csv");
        }) == "states.csv: line 2, line: expected 11 comma-separated fields, got 5");
  CHECK(error_of([] { HolidayCalendar::parse("name,rule\nX,nth:11:4:0\n", "h.csv"); }) ==
        "h.csv: line 2, rule: expected fixed:MM-DD or nth:MM:W:N, got \"nth:11:4:0\"");
  StateRuleTable t;
  CHECK(error_of([&] {
          t.apply_cap_overrides("FL:3", "state_call_limit_override");
        }).find("state_call_limit_override: expected items such as \"FL,3\"") == 0);
}

TEST_CASE("the shipped tables load, and place well-known area codes") {
  RedialPolicy p;
  p.state_rules = true;
  auto rules = CallingRules::from_policy(p);
  const AreaCodeTable& codes = rules->area_codes();
  CHECK(codes.size() > 300);
  REQUIRE(codes.find(415));
  CHECK(codes.find(415)->region == "CA");
  CHECK(codes.find(212)->region == "NY");
  CHECK(codes.find(305)->region == "FL");
  CHECK(codes.find(907)->region == "AK");
  CHECK(codes.find(808)->region == "HI");
  CHECK(codes.find(800) == nullptr);  // toll-free: no place
  const StateRule* fl = rules->state_rules().find("FL");
  REQUIRE(fl);
  CHECK(fl->max_calls_24h == 3);
  CHECK(fl->weekday[1]->close_s == 20 * 3600);
  CHECK(rules->holidays().holiday_on(2026, 12, 25) != nullptr);
  CHECK(rules->holidays().holiday_on(2026, 11, 26) != nullptr);  // Thanksgiving 2026
  CHECK(rules->holidays().holiday_on(2026, 11, 25) == nullptr);
}

TEST_CASE("federal window: a West-coast lead waits for 08:00 Pacific, DST-correct") {
  Rules r(RedialPolicy{}, false);  // business hours 09:00-17:00 New York, the default
  // 09:30 New York is 06:30 in San Francisco: held until 08:00 Pacific = 11:00 New York.
  auto hold = r.at("4155550100", "", ny(2026, 1, 15, 9, 30));
  REQUIRE(hold);
  CHECK(hold->rule == "federal_window");
  CHECK(hold->until == ny(2026, 1, 15, 11, 0));
  CHECK_FALSE(r.at("4155550100", "", ny(2026, 1, 15, 11, 0)));
  // A New York lead is callable at 09:30.
  CHECK_FALSE(r.at("2125550100", "", ny(2026, 1, 15, 9, 30)));
  // On the spring-forward day both zones jump together: still 08:00 local.
  auto spring = r.at("4155550100", "", ny(2026, 3, 8, 9, 30));
  REQUIRE(spring);
  CHECK(spring->until == la(2026, 3, 8, 8, 0));
}

TEST_CASE("federal window holds in every zone an area code spans, and the record's state") {
  Rules r(all_day(), false);
  // 208 spans Boise (Mountain) and Los Angeles (Pacific): 08:00 Pacific is the later opening.
  auto hold = r.at("2085550100", "", la(2026, 6, 2, 7, 30));
  REQUIRE(hold);
  CHECK(hold->until == la(2026, 6, 2, 8, 0));
  // 20:30 Boise is 19:30 Pacific: fine; 21:00 Boise closes although Pacific is at 20:00.
  CHECK_FALSE(r.at("2085550100", "", la(2026, 6, 2, 19, 30)));
  auto late = r.at("2085550100", "", la(2026, 6, 2, 20, 0));
  REQUIRE(late);
  CHECK(late->until == la(2026, 6, 3, 8, 0));
  // A New York number whose record says CA: both zones, so Pacific's 08:00 wins.
  auto moved = r.at("2125550100", "CA", ny(2026, 6, 2, 9, 0));
  REQUIRE(moved);
  CHECK(moved->until == ny(2026, 6, 2, 11, 0));
  // Unknown area code, no state: the business zone stands in.
  auto where = r.rules.locate("5555550100", "");
  CHECK(where.zone_assumed);
  auto unknown = r.at("5555550100", "", ny(2026, 6, 2, 7, 0));
  REQUIRE(unknown);
  CHECK(unknown->until == ny(2026, 6, 2, 8, 0));
}

TEST_CASE("state rules: Florida's 20:00 close and 3 calls per 24 hours") {
  Rules r(all_day());
  CHECK_FALSE(r.at("3055550100", "", ny(2026, 6, 2, 19, 59)));
  auto evening = r.at("3055550100", "", ny(2026, 6, 2, 20, 0));
  REQUIRE(evening);
  CHECK(evening->rule == "state_hours:FL");
  CHECK(evening->until == ny(2026, 6, 3, 8, 0));
  // Three calls in the last 24 h: the fourth waits until the oldest is 24 h old.
  std::vector<TimeMs> calls{ny(2026, 6, 2, 9, 0), ny(2026, 6, 2, 10, 0), ny(2026, 6, 2, 11, 0)};
  auto capped = r.at("3055550100", "", ny(2026, 6, 2, 12, 0), {}, calls);
  REQUIRE(capped);
  CHECK(capped->rule == "state_cap_24h:FL");
  CHECK(capped->until == ny(2026, 6, 3, 9, 0));
  // Two calls: allowed.
  calls.pop_back();
  CHECK_FALSE(r.at("3055550100", "", ny(2026, 6, 2, 12, 0), {}, calls));
  // State rules off: no cap, federal 21:00.
  Rules off(all_day(), false);
  CHECK_FALSE(off.at("3055550100", "", ny(2026, 6, 2, 20, 30), {}, calls));
}

TEST_CASE("state rules: a number in one state and a record in another gets both") {
  Rules r(all_day());
  // 850 is Florida's Central-time panhandle; the record says AL: Sunday is closed (AL), and
  // the window closes at 20:00 Central (both).
  auto sunday = r.at("8505550100", "AL", ny(2026, 6, 7, 12, 0));  // a Sunday
  REQUIRE(sunday);
  CHECK(sunday->rule == "state_hours:AL");
  CHECK(sunday->until == ny(2026, 6, 8, 9, 0));  // Monday 08:00 Central
  // The Florida cap still applies to the Alabama record.
  std::vector<TimeMs> calls{ny(2026, 6, 8, 9, 0), ny(2026, 6, 8, 10, 0), ny(2026, 6, 8, 11, 0)};
  auto capped = r.at("8505550100", "AL", ny(2026, 6, 8, 12, 0), {}, calls);
  REQUIRE(capped);
  CHECK(capped->rule == "state_cap_24h:FL");
}

TEST_CASE("state rules: holidays and Saturday hours") {
  Rules r(all_day());
  // Christmas 2026 is a Friday: Alabama is closed all day, so the next call is Saturday 08:00.
  auto xmas = r.at("2055550100", "", ny(2026, 12, 25, 12, 0));
  REQUIRE(xmas);
  CHECK(xmas->until == ny(2026, 12, 26, 9, 0));
  // Thanksgiving (4th Thursday of November) in Rhode Island, then Friday 09:00.
  auto thanks = r.at("4015550100", "", ny(2026, 11, 26, 10, 0));
  REQUIRE(thanks);
  CHECK(thanks->until == ny(2026, 11, 27, 9, 0));
  // Rhode Island Saturdays are 10:00-17:00; Sunday is closed, so Saturday 17:00 -> Monday 09:00.
  CHECK(r.at("4015550100", "", ny(2026, 6, 6, 9, 30))->until == ny(2026, 6, 6, 10, 0));
  CHECK(r.at("4015550100", "", ny(2026, 6, 6, 17, 0))->until == ny(2026, 6, 8, 9, 0));
}

TEST_CASE("caps per lead and per number, overrides, and the gap between calls to a number") {
  RedialPolicy p = all_day();
  p.max_calls_per_lead_24h = 2;
  p.max_calls_per_phone_24h = 4;
  Rules r(p, false);
  const TimeMs noon = ny(2026, 6, 2, 12, 0);
  std::vector<TimeMs> lead{noon - 3 * kHourMs, noon - 2 * kHourMs};
  auto l = r.at("2125550100", "", noon, lead, lead);
  REQUIRE(l);
  CHECK(l->rule == "lead_cap_24h");
  CHECK(l->until == noon + 21 * kHourMs);  // the first call turns 24 h old at 09:00
  std::vector<TimeMs> phone{noon - 23 * kHourMs, noon - 9 * kHourMs, noon - 8 * kHourMs,
                            noon - 7 * kHourMs};
  auto ph = r.at("2125550100", "", noon, {}, phone);
  REQUIRE(ph);
  CHECK(ph->rule == "phone_cap_24h");
  CHECK(ph->until == noon + kHourMs);
  // Calls older than 24 h do not count.
  CHECK_FALSE(r.at("2125550100", "", noon, {noon - 25 * kHourMs, noon - 24 * kHourMs}, {}));
  // Bland refuses a second call to a number within 10 s.
  auto gap = r.at("2125550100", "", noon, {}, {noon - 4000});
  REQUIRE(gap);
  CHECK(gap->rule == "min_call_gap");
  CHECK(gap->until == noon + 6000);

  // An override lowers a state's cap (the lowest wins) and can cap a state with no row.
  StateRuleTable states = StateRuleTable::parse(kStates, "states");
  states.apply_cap_overrides("FL,2; NY,1", "state_call_limit_override");
  CHECK(states.find("FL")->max_calls_24h == 2);
  CHECK(states.find("NY")->max_calls_24h == 1);
  states.apply_cap_overrides("FL,5", "state_call_limit_override");
  CHECK(states.find("FL")->max_calls_24h == 2);
}

TEST_CASE("a hold lands where every rule allows, not just the one that held it") {
  Rules r(RedialPolicy{});  // business hours 09:00-17:00 New York, FL state rules
  // Friday 19:00 in Miami: business hours are over; Saturday 09:00 New York is allowed by FL.
  auto hold = r.at("3055550100", "", ny(2026, 6, 5, 19, 0));
  REQUIRE(hold);
  CHECK(hold->rule == "business_hours");
  CHECK(hold->until == ny(2026, 6, 6, 9, 0));
  // Alabama's Sunday ban pushes a Saturday-evening hold past Sunday's business hours.
  auto al = r.at("2055550100", "", ny(2026, 6, 6, 17, 30));
  REQUIRE(al);
  CHECK(al->until == ny(2026, 6, 8, 9, 0));
}
