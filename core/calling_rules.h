#pragma once
// When a lead may legally be called: the federal window in the lead's local time, state rules,
// business hours, frequency caps and the gap Bland needs between two calls to one number. The
// queue asks before every dial; a held lead gets the rule that held it and the first instant
// every rule allows, so it is not re-checked every tick.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/business_calendar.h"
#include "core/rule_tables.h"
#include "core/time.h"

namespace redial {

struct RedialPolicy;

// Where a lead is, as far as the rules are concerned.
struct LeadLocation {
  std::vector<const date::time_zone*> zones;  // every zone a window must hold in
  std::vector<const StateRule*> state_rules;  // stricter state rules that apply (state rules on)
  std::vector<std::string> states;            // the states the number and record point to
  bool zone_assumed = false;                  // nothing known: the business zone stands in
};

struct Hold {
  std::string rule;  // "federal_window", "state_hours:FL", "lead_cap_24h", ...
  TimeMs until;      // the first instant at which every rule allows a call
};

// One rule's answer for a lead at an instant (GET /admin/records/{key}/explain); the tick's
// check() is built from the same answers.
struct RuleVerdict {
  std::string rule;                       // as in Hold::rule
  const date::time_zone* zone = nullptr;  // the zone the rule's window is in; null: none
  TimeMs next_allowed_at = 0;             // the earliest instant >= t this rule allows
};

// Calls already placed, oldest first (entries older than 24 h are ignored).
struct CallHistory {
  std::span<const TimeMs> lead;   // to this lead
  std::span<const TimeMs> phone;  // to this number, from any lead
};

class CallingRules {
 public:
  // Loads the tables the policy names. Throws ConfigError naming the file, line and field.
  static std::shared_ptr<const CallingRules> from_policy(const RedialPolicy& policy);
  // REQUIRES: policy.validate() passed.
  CallingRules(const RedialPolicy& policy, AreaCodeTable area_codes, StateRuleTable state_rules,
               HolidayCalendar holidays);

  // REQUIRES: phone is normalized (normalize_phone). state may be empty.
  LeadLocation locate(std::string_view phone, std::string_view state) const;
  // nullopt: every rule allows a call at `now`.
  std::optional<Hold> check(const LeadLocation& where, TimeMs now,
                            const CallHistory& history) const;

  // Every rule that applies to the lead, in the order check() weighs them, each with its own
  // earliest allowed instant >= t (== t: it allows a call at t).
  std::vector<RuleVerdict> verdicts(const LeadLocation& where, TimeMs t,
                                    const CallHistory& history) const;

  const AreaCodeTable& area_codes() const { return area_codes_; }
  const StateRuleTable& state_rules() const { return state_rules_; }
  const HolidayCalendar& holidays() const { return holidays_; }

 private:
  // The earliest instant >= t at which the constraint holds, and its name when it does not
  // hold at t.
  TimeMs next_allowed(const LeadLocation& where, TimeMs t, const CallHistory& history,
                      std::string* blocking_rule) const;
  // Calls f(rule, state, zone, next) for every rule, in check()'s order (state: the state a
  // state rule is for, else empty).
  template <class F>
  void each_rule(const LeadLocation& where, TimeMs t, const CallHistory& history, F&& f) const;

  bool federal_window_;
  int federal_open_s_, federal_close_s_;
  bool use_state_rules_;
  int lead_cap_, phone_cap_;
  TimeMs min_gap_ms_;
  BusinessCalendar business_;
  const date::time_zone* business_zone_;
  AreaCodeTable area_codes_;
  StateRuleTable state_rules_;
  HolidayCalendar holidays_;
};

}  // namespace redial
