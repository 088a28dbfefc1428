// RedialQueue::explain: every check tick() applies to one lead, asked of the same functions the
// tick calls (due_time, in_ready_window, the calendar, the dialer's pause, the do-not-call lists,
// CallingRules::verdicts/check), so the answer cannot drift from what the tick does.
#include <date/tz.h>

#include <algorithm>

#include "core/errors.h"
#include "core/phone.h"
#include "core/queue_internal.h"
#include "core/redial_queue.h"

namespace redial {

using namespace internal;

namespace {

void add(LeadExplanation& e, std::string rule, bool allows, std::string detail,
         std::optional<TimeMs> next, const date::time_zone* zone = nullptr) {
  e.verdicts.push_back({std::move(rule), allows, std::move(detail), next, zone});
}

std::string window_text(int open_s, int close_s) {
  auto hm = [](int s) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", s / 3600, s / 60 % 60);
    return std::string(buf);
  };
  return hm(open_s) + "-" + hm(close_s);
}

}  // namespace

std::optional<LeadExplanation> RedialQueue::explain(const std::string& key) const {
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  const LeadRecord& rec = it->second.record;
  const TimeMs now = clock_.now_ms();
  LeadExplanation e;
  e.now = now;
  e.status = rec.status;
  e.lead_zone = date::locate_zone(policy_.time_zone);
  e.zone_assumed = true;

  explain_state(e, rec);
  explain_dialing(e, rec);
  // The first instant every timed rule allows, checked against the ready window at that instant.
  bool timeless = false;
  TimeMs next = now;
  for (const LeadVerdict& v : e.verdicts) {
    if (!v.allows_now && !v.next_allowed_at) timeless = true;
    if (v.next_allowed_at) next = std::max(next, *v.next_allowed_at);
  }
  e.can_dial_now = std::all_of(e.verdicts.begin(), e.verdicts.end(),
                               [](const LeadVerdict& v) { return v.allows_now; });
  if (e.can_dial_now) {
    e.next_dial_at = now;
  } else if (!timeless) {
    e.next_dial_at = combined_next(rec, next);
  }
  return e;
}

// The lead's own state and the queue's switch: status, attempts, schedule, ready window.
void RedialQueue::explain_state(LeadExplanation& e, const LeadRecord& rec) const {
  const TimeMs now = e.now;
  // The lead's own state: a closed lead is never dialed again (nullopt: no instant).
  // A paused lead is open again once an operator resumes it: no instant a clock could reach.
  const bool open = is_open_status(rec.status);
  const bool paused = rec.status == LeadStatus::kPaused;
  add(e, "status", open,
      paused ? std::string(rec.hold_reason ? *rec.hold_reason : "paused by an operator")
             : std::string("status ") + std::string(status_name(rec.status)),
      open ? std::optional<TimeMs>(now) : std::nullopt);
  const bool under_max = rec.attempts < policy_.max_attempts;
  add(e, "max_attempts", under_max,
      std::to_string(rec.attempts) + " of " + std::to_string(policy_.max_attempts) +
          " results recorded",
      under_max ? std::optional<TimeMs>(now) : std::nullopt);
  // The setting and the run-time switch (POST /admin/queue) both stop every tick's dials.
  const bool enabled = policy_.enabled && queue_switch_.enabled;
  std::string switch_detail = "queue disabled by an operator";
  if (queue_switch_.reason) switch_detail += ": " + *queue_switch_.reason;
  add(e, "queue_enabled", enabled,
      enabled            ? "queue enabled"
      : !policy_.enabled ? "queue disabled (REDIAL_QUEUE_ENABLED)"
                         : switch_detail,
      enabled ? std::optional<TimeMs>(now) : std::nullopt);
  const std::optional<TimeMs> due = due_time(rec);
  if (due) {
    const TimeMs at = std::max<TimeMs>(*due, now);
    add(e, "schedule", *due <= now,
        (rec.status == LeadStatus::kRescheduled ? "callback due " : "next redial due ") +
            calendar_.format_local(std::max<TimeMs>(*due, 0)) + " " + policy_.time_zone +
            (rec.hold_reason ? " (held by " + std::string(*rec.hold_reason) + ")" : ""),
        at);
  } else {
    add(e, "schedule", false,
        rec.status == LeadStatus::kPaused ? "not scheduled while paused (resume sets it)"
                                          : "not scheduled (lead closed or out of attempts)",
        std::nullopt);
  }
  const bool in_window = in_ready_window(rec, window_start(calendar_.local_day(now)));
  add(e, "ready_window", in_window,
      policy_.ready_window_days == 0
          ? "ready window off"
          : "created " + calendar_.format_local(rec.created_at) + "; only leads created in the " +
                "last " + std::to_string(policy_.ready_window_days) +
                " local day(s) are dialed (rescheduled callbacks exempt)",
      in_window ? std::optional<TimeMs>(now) : std::nullopt);
}

// The checks the tick makes once a lead is due: global (business hours, the dialer's pause) and
// per lead (number, do-not-call, call in flight, the calling rules, the concurrency limit).
void RedialQueue::explain_dialing(LeadExplanation& e, const LeadRecord& rec) const {
  const TimeMs now = e.now;
  const bool open_hours = calendar_.is_open(now);
  add(e, "business_hours", open_hours,
      window_text(policy_.business_open_s, policy_.business_close_s) + " in " + policy_.time_zone +
          " on business days",
      calendar_.next_open(now));
  const std::string paused = dialer_.paused_reason();
  add(e, "dialing_paused", paused.empty(), paused.empty() ? "dialing" : "dialing paused: " + paused,
      paused.empty() ? std::optional<TimeMs>(now) : std::nullopt);
  std::string phone;
  try {
    phone = normalize_phone(rec.phone_number);
  } catch (const InputError& err) {
    add(e, "phone_number", false, err.what(), std::nullopt);
    return;
  }
  const bool dnc = is_do_not_call(phone);
  add(e, "do_not_call", !dnc,
      dnc ? "number on a do-not-call list: never dialed" : "not on a do-not-call list",
      dnc ? std::nullopt : std::optional<TimeMs>(now));
  const InFlightCall* flight = in_flight_.find_phone(phone);
  const bool busy = flight != nullptr;
  add(e, "in_flight", !busy,
      busy ? "a call to this number is in flight (lead " + flight->key + ", dialed " +
                 calendar_.format_local(flight->dialed_at) + "); waits for its result"
           : "no call in flight to this number",
      busy ? std::nullopt : std::optional<TimeMs>(now));

  const LeadLocation where = rules_->locate(phone, rec.state);
  e.lead_zone = where.zones.front();
  e.zone_assumed = where.zone_assumed;
  for (RuleVerdict& v : rules_->verdicts(where, now, history_of(rec, phone))) {
    if (v.rule == "business_hours") continue;  // the same calendar as the tick's global check
    add(e, v.rule, v.next_allowed_at <= now, rule_detail(v, where), v.next_allowed_at, v.zone);
  }
  const std::size_t cap = policy_.max_concurrent_calls;
  const bool room = cap == 0 || in_flight_.size() < cap;
  add(e, "concurrency", room,
      cap == 0
          ? "no concurrency limit"
          : std::to_string(in_flight_.size()) + " of " + std::to_string(cap) + " calls in flight",
      room ? std::optional<TimeMs>(now) : std::nullopt);
}

CallHistory RedialQueue::history_of(const LeadRecord& rec, const std::string& phone) const {
  auto calls = calls_by_phone_.find(phone);
  // Entries older than 24 h are ignored by the rules, so the tick's pruning changes nothing.
  return {rec.recent_call_times,
          calls == calls_by_phone_.end() ? std::span<const TimeMs>{} : calls->second};
}

std::string RedialQueue::rule_detail(const RuleVerdict& v, const LeadLocation& where) const {
  const std::string zone = v.zone ? std::string(v.zone->name()) : "";
  const std::string assumed = where.zone_assumed ? " (lead zone unknown; business zone)" : "";
  if (v.rule == "federal_window")
    return window_text(policy_.federal_open_s, policy_.federal_close_s) + " lead-local in " + zone +
           assumed;
  if (v.rule.rfind("state_hours:", 0) == 0)
    return "the state's calling hours (rules/state_calling_rules.csv) in " + zone + assumed;
  if (v.rule.rfind("state_cap_24h:", 0) == 0) return "the state's cap on calls per 24 h";
  // 0 is "no cap" (RedialPolicy), not "no call allowed".
  if (v.rule == "lead_cap_24h")
    return policy_.max_calls_per_lead_24h == 0
               ? "no cap on calls per 24 h"
               : "at most " + std::to_string(policy_.max_calls_per_lead_24h) + " calls per 24 h";
  if (v.rule == "phone_cap_24h")
    return policy_.max_calls_per_phone_24h == 0
               ? "no cap on calls to the number per 24 h"
               : "at most " + std::to_string(policy_.max_calls_per_phone_24h) +
                     " calls to the number per 24 h";
  if (v.rule == "min_call_gap")
    return std::to_string(policy_.min_call_gap_ms / kSecondMs) +
           " s between two calls to one number";
  return v.rule;
}

std::optional<TimeMs> RedialQueue::combined_next(const LeadRecord& rec, TimeMs from) const {
  TimeMs t = std::max(from, calendar_.next_open(from));
  try {
    const std::string phone = normalize_phone(rec.phone_number);
    const LeadLocation where = rules_->locate(phone, rec.state);
    if (auto hold = rules_->check(where, t, history_of(rec, phone))) t = hold->until;
  } catch (const InputError&) {
    return std::nullopt;
  }
  // "Today only": a lead held past its ready window leaves the queue then, undialed.
  if (!in_ready_window(rec, window_start(calendar_.local_day(t)))) return std::nullopt;
  return t;
}

}  // namespace redial
