#include "sim/from_data.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <set>
#include <tuple>

#include "core/errors.h"
#include "core/file_system.h"
#include "core/month_store.h"

namespace redial::sim {

namespace {

// What the record says about its calls (recent_call_times holds the dials of the last 24 h;
// a result that arrived without a dial of ours, an initial call, is noted at its arrival).
struct RecordedCalls {
  bool first_call_outside = false;  // the record was created by the initial call's result
  bool all_dials_kept = false;      // one kept time per call
  TimeMs last_call_ms = 0;          // dial to result of the last call, 0: unknown
};

RecordedCalls recorded_calls(const LeadRecord& r, bool in_flight) {
  RecordedCalls c;
  std::vector<TimeMs> dials = r.recent_call_times;
  std::sort(dials.begin(), dials.end());
  c.first_call_outside = r.attempts > 0 && (dials.empty() || dials.front() == r.created_at);
  c.all_dials_kept = !in_flight && dials.size() == static_cast<std::size_t>(r.attempts);
  if (r.last_call_timestamp && !dials.empty() && dials.back() < *r.last_call_timestamp)
    c.last_call_ms = *r.last_call_timestamp - dials.back();
  return c;
}

bool completes(const RedialPolicy& p, const LeadRecord& r) {
  if (r.outcomes.empty()) return false;
  const std::string& o = r.outcomes.back();
  return p.is_success(o) || p.is_stop(o) || p.rule_for(o).kind == OutcomeRule::Kind::kNever;
}

TimeMs latest_instant(const LeadRecord& r) {
  TimeMs t = std::max(r.created_at, r.updated_at);
  if (r.last_call_timestamp) t = std::max(t, *r.last_call_timestamp);
  for (TimeMs d : r.recent_call_times) t = std::max(t, d);
  return t;
}

// The lead's spec; its first call (or enqueue) at the time the data gives.
LeadSpec lead_of(const LeadRecord& r, const RecordedCalls& calls, const SimDefaults& d) {
  LeadSpec l;
  l.lead_id = r.lead_id;
  l.phone_number = r.phone_number;
  l.list_id = r.list_id;
  l.first_name = r.first_name;
  l.last_name = r.last_name;
  l.state = r.state;
  if (calls.last_call_ms > 0) {  // the runner's own timing of a call, dial to durable result
    l.webhook_delay_ms = calls.last_call_ms / 5;
    l.call_ms = std::max<TimeMs>(1, calls.last_call_ms - l.webhook_delay_ms);
  } else {
    l.call_ms = d.call_ms;
    l.webhook_delay_ms = d.webhook_delay_ms;
  }
  if (calls.first_call_outside) {
    l.first_call_at = r.created_at - l.call_ms - l.webhook_delay_ms;
  } else {
    l.enqueue_at = r.created_at;
    if (r.attempts == 0) l.dial_at = r.next_redial_timestamp;
  }
  for (const std::string& o : r.outcomes) {
    OutcomeSpec spec;
    spec.outcome = o;
    l.outcomes.push_back(spec);
  }
  if (!l.outcomes.empty() && r.scheduled_callback_time)
    l.outcomes.back().callback_at = r.scheduled_callback_time;
  return l;
}

LeadExpect expect_of(const LeadRecord& r, const RecordedCalls& calls) {
  LeadExpect x;
  x.attempts = r.attempts;
  x.status = std::string(status_name(r.status));
  x.outcomes = std::vector<std::string>(r.outcomes.begin(), r.outcomes.end());
  if (calls.all_dials_kept) x.calls = r.attempts;
  return x;
}

RedialPolicy policy_of(const SettingValues& values, const std::string& label) {
  RedialPolicy p;
  try {
    apply_policy_settings(values, p);
    p.validate();
  } catch (const ConfigError& e) {
    throw ScenarioError(label + ": " + e.what());
  }
  return p;
}

void set_times(Scenario& sc, TimeMs first_ms, TimeMs last_ms) {
  BusinessCalendar cal(sc.policy.time_zone, sc.policy.business_open_s, sc.policy.business_close_s,
                       sc.policy.business_weekdays);
  sc.start = first_ms - kSecondMs;
  int y = 0;
  unsigned m = 0, d = 0;
  [[maybe_unused]] int n = std::sscanf(cal.format_local(sc.start).c_str(), "%d-%u-%u", &y, &m, &d);
  assert(n == 3);
  sc.time.emplace(cal, y, m, d);
  // Past the last recorded instant by a tick and the slowest call, so that every recorded
  // result can land even when the simulated ticks fall later than the runner's.
  TimeMs slowest_ms = 0;
  for (const LeadSpec& l : sc.leads)
    slowest_ms = std::max(slowest_ms, l.call_ms + l.webhook_delay_ms);
  sc.end = last_ms + sc.policy.process_interval_ms + slowest_ms;
}

}  // namespace

Scenario scenario_from_data(const std::string& dir, const SettingValues& values,
                            const std::string& settings_label) {
  StoreState state;
  std::uint64_t torn_bytes = 0;
  try {
    state = read_directory(default_file_system(), dir, &torn_bytes);
  } catch (const StoreError& e) {
    throw ScenarioError(e.what());
  }
  if (state.records.empty()) throw ScenarioError(dir + ": no records to replay");
  Scenario sc;
  sc.file = dir;
  sc.name = "replay of " + dir + (torn_bytes ? " (torn journal tail left out)" : "");
  sc.policy = policy_of(values, settings_label);
  std::sort(state.records.begin(), state.records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.record.created_at, a.key) < std::tie(b.record.created_at, b.key);
  });
  std::set<std::string> lead_ids;
  for (const StoredRecord& s : state.records)
    if (!lead_ids.insert(s.record.lead_id).second)
      throw ScenarioError(dir + ": record " + s.key + ": lead_id \"" + s.record.lead_id +
                          "\" is also another record's (a scenario names each lead once)");
  TimeMs first_ms = state.records.front().record.created_at, last_ms = first_ms;
  for (const InFlightCall& c : state.in_flight) last_ms = std::max(last_ms, c.dialed_at);
  for (const StoredRecord& s : state.records) {
    const LeadRecord& r = s.record;
    const bool in_flight = std::any_of(state.in_flight.begin(), state.in_flight.end(),
                                       [&](const InFlightCall& c) { return c.key == s.key; });
    const RecordedCalls calls = recorded_calls(r, in_flight);
    sc.leads.push_back(lead_of(r, calls, sc.defaults));
    const LeadSpec& l = sc.leads.back();
    first_ms = std::min(first_ms, l.first_call_at.value_or(*l.enqueue_at));
    last_ms = std::max(last_ms, latest_instant(r));
    if (r.status == LeadStatus::kDnc) sc.dnc.push_back(r.phone_number);
    if (r.status == LeadStatus::kCompleted && !completes(sc.policy, r)) {
      EventSpec stop;  // an operator's stop (admin API), at the record's last change
      stop.type = EventType::kStopLead;
      stop.where = s.key;
      stop.at = r.updated_at;
      stop.lead_id = r.lead_id;
      sc.events.push_back(stop);
    }
    const bool settled = r.status == LeadStatus::kCompleted ||
                         r.status == LeadStatus::kMaxAttempts || r.status == LeadStatus::kDnc;
    if (settled) sc.expect.leads[r.lead_id] = expect_of(r, calls);
  }
  set_times(sc, first_ms, last_ms);
  return sc;
}

}  // namespace redial::sim
