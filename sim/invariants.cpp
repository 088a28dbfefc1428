#include "sim/invariants.h"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/phone.h"

namespace redial::sim {

namespace {
std::string str(int v) { return std::to_string(v); }

constexpr TimeMs kDayWindowMs = 24 * kHourMs;

std::string hhmm(int sod) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", sod / 3600, sod / 60 % 60, sod % 60);
  return buf;
}

// Local wall clock of `t` in `zone`, computed here with the tz database (not BusinessCalendar).
struct Local {
  date::year_month_day ymd;
  unsigned weekday = 0;  // 0 = Sunday
  int sod = 0;           // seconds after local midnight
};

Local local_of(const date::time_zone* zone, TimeMs t) {
  using namespace std::chrono;
  auto local = zone->to_local(sys_time<milliseconds>(milliseconds(t)));
  auto day = date::floor<date::days>(local);
  Local l;
  l.ymd = date::year_month_day(day);
  l.weekday = date::weekday(day).c_encoding();
  l.sod = static_cast<int>(duration_cast<seconds>(local - day).count());
  return l;
}

// Calls in the 24 hours ending at `now`, `now` included (the dial being checked is one of them).
int calls_in_day(const std::vector<TimeMs>& starts, TimeMs now) {
  int n = 0;
  for (TimeMs t : starts)
    if (t > now - kDayWindowMs && t <= now) ++n;
  return n;
}
}  // namespace

InvariantChecker::InvariantChecker(const RedialPolicy& policy)
    : policy_(policy), zone_(date::locate_zone(policy.time_zone)) {}

void InvariantChecker::set_calling_rules(std::shared_ptr<const CallingRules> rules,
                                         const std::vector<std::string>& dnc_numbers) {
  rules_ = std::move(rules);
  for (const auto& n : dnc_numbers) {
    try {
      dnc_.insert(normalize_phone(n));
    } catch (const std::exception&) {
      dnc_.insert(n);
    }
  }
}

TimeMs InvariantChecker::wait_after(const std::vector<std::string>& outcomes) const {
  // The rule, written out again here on purpose (not RedialPolicy::wait_after_result_ms):
  // max(min wait, intervals[min(k-1, last)]), where an outcome with its own schedule counts k
  // over the results with that outcome and uses its own intervals.
  int attempts = static_cast<int>(outcomes.size());
  const std::vector<TimeMs>* ivp = &policy_.progressive_intervals_ms;
  if (!outcomes.empty()) {
    const OutcomeRule& rule = policy_.rule_for(outcomes.back());
    if (rule.kind == OutcomeRule::Kind::kSchedule) {
      ivp = &rule.intervals_ms;
      attempts = static_cast<int>(std::count(outcomes.begin(), outcomes.end(), outcomes.back()));
    }
  }
  const auto& iv = *ivp;
  TimeMs w = 0;
  if (!iv.empty()) {
    std::size_t i =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(attempts, 1) - 1), iv.size() - 1);
    w = iv[i];
  }
  return std::max(w, policy_.min_wait_ms);
}

bool InvariantChecker::open_at(TimeMs t) const {
  // Business hours through the tz database directly, independent of BusinessCalendar.
  using namespace std::chrono;
  auto local = zone_->to_local(sys_time<milliseconds>(milliseconds(t)));
  auto day = date::floor<date::days>(local);
  auto sod = duration_cast<seconds>(local - day).count();
  unsigned wd = date::weekday(day).c_encoding();
  return ((policy_.business_weekdays >> wd) & 1u) != 0 && sod >= policy_.business_open_s &&
         sod < policy_.business_close_s;
}

void InvariantChecker::violate(TimeMs at, const std::string& event, const char* rule,
                               std::string what) {
  violations_.push_back(Violation{at, event, rule, std::move(what)});
}

void InvariantChecker::call_started(const std::string& phone, const std::string& key,
                                    const std::string& call_id, TimeMs start, TimeMs until,
                                    bool by_queue) {
  busy_[phone] = Busy{call_id, until, by_queue};
  if (by_queue) {
    note_call(phone, key, start);
    last_queue_call_ = std::max(last_queue_call_.value_or(start), start);
  } else {
    outside_[call_id] = OutsideCall{phone, key, start};
  }
}

void InvariantChecker::note_call(const std::string& phone, const std::string& key, TimeMs start) {
  auto prune = [start](std::vector<TimeMs>& v) {
    v.erase(std::remove_if(v.begin(), v.end(), [&](TimeMs t) { return t <= start - kDayWindowMs; }),
            v.end());
    v.push_back(start);
    std::sort(v.begin(), v.end());
  };
  prune(calls_by_phone_[phone]);
  prune(calls_by_lead_[key]);
  if (policy_.max_calls_per_hour > 0 || policy_.max_calls_per_day > 0)
    all_calls_.insert(std::upper_bound(all_calls_.begin(), all_calls_.end(), start), start);
}

void InvariantChecker::check_dial_limits(TimeMs now, const std::string& event,
                                         const DialRequest& r) {
  // The queue counts an outside call from its result, later than its start here: this count is
  // never above the queue's, so a violation is the queue's.
  all_calls_.erase(all_calls_.begin(),
                   std::upper_bound(all_calls_.begin(), all_calls_.end(), now - kDayWindowMs));
  auto in_window = [&](TimeMs window_ms) {
    auto from = std::upper_bound(all_calls_.begin(), all_calls_.end(), now - window_ms);
    auto to = std::upper_bound(all_calls_.begin(), all_calls_.end(), now);
    return static_cast<int>(to - from) + 1;  // this dial included
  };
  auto limit = [&](TimeMs window_ms, int max, const char* what) {
    if (max <= 0) return;
    if (const int n = in_window(window_ms); n > max)
      violate(
          now, event, "dial limit",
          "dial of " + r.key + " is call " + str(n) + " in " + what + " (limit " + str(max) + ")");
  };
  limit(kHourMs, policy_.max_calls_per_hour, "an hour");
  limit(kDayWindowMs, policy_.max_calls_per_day, "24 h");
  // Pacing, written out again here: 60 s / dials_per_minute and 1 s / dials_per_second, rounded
  // up.
  TimeMs gap = 0;
  if (policy_.dials_per_minute > 0)
    gap = std::max<TimeMs>(gap,
                           (kMinuteMs + policy_.dials_per_minute - 1) / policy_.dials_per_minute);
  if (policy_.dials_per_second > 0)
    gap = std::max<TimeMs>(gap,
                           (kSecondMs + policy_.dials_per_second - 1) / policy_.dials_per_second);
  if (gap > 0 && last_queue_call_ && *last_queue_call_ <= now && now - *last_queue_call_ < gap)
    violate(now, event, "dial pacing",
            "dial of " + r.key + " " + std::to_string(now - *last_queue_call_) +
                " ms after the previous dial (pacing gap " + std::to_string(gap) + " ms)");
}

void InvariantChecker::check_calling_rules(TimeMs now, const std::string& event,
                                           const DialRequest& r, const std::string& phone) {
  // (a) do not call: the scenario's list, or a dnc outcome acknowledged for the number.
  if (dnc_.count(phone))
    violate(now, event, "do not call",
            "dial of " + r.key + " to " + phone + ", a do-not-call number");
  if (!rules_) return;
  // (b) the legal window in every zone of the lead. Which zones and state rules apply is the
  // rule tables' data; the local times and the windows are worked out here.
  const LeadLocation where = rules_->locate(phone, r.lead.state);
  for (const date::time_zone* z : where.zones) {
    const Local l = local_of(z, now);
    const std::string at_text = " at " + hhmm(l.sod) + " " + std::string(z->name());
    if (policy_.federal_window &&
        (l.sod < policy_.federal_open_s || l.sod >= policy_.federal_close_s))
      violate(now, event, "federal window",
              "dial of " + r.key + at_text + ", outside " + hhmm(policy_.federal_open_s) + "-" +
                  hhmm(policy_.federal_close_s));
    for (const StateRule* rule : where.state_rules) {
      DayWindow w = rule->weekday[l.weekday].value_or(DayWindow{});
      std::string day = "weekday " + str(static_cast<int>(l.weekday));
      if (rule->holiday && rules_->holidays().holiday_on(int(l.ymd.year()), unsigned(l.ymd.month()),
                                                         unsigned(l.ymd.day()))) {
        w = *rule->holiday;
        day = "holiday";
      }
      if (w.closed || l.sod < w.open_s || l.sod >= w.close_s)
        violate(now, event, "state hours",
                "dial of " + r.key + at_text + " breaks " + rule->state + " hours on " + day +
                    (w.closed ? " (closed)" : " (" + hhmm(w.open_s) + "-" + hhmm(w.close_s) + ")"));
    }
  }
  // (c) caps over the 24 hours ending at this dial, this dial included.
  auto& phone_calls = calls_by_phone_[phone];
  auto& lead_calls = calls_by_lead_[r.key];
  const int on_phone = calls_in_day(phone_calls, now) + 1;
  const int on_lead = calls_in_day(lead_calls, now) + 1;
  auto cap = [&](int n, int limit, const std::string& what) {
    if (limit > 0 && n > limit)
      violate(now, event, "cap",
              "dial of " + r.key + " is call " + str(n) + " in 24 h " + what + " (cap " +
                  str(limit) + ")");
  };
  cap(on_lead, policy_.max_calls_per_lead_24h, "to the lead");
  cap(on_phone, policy_.max_calls_per_phone_24h, "to " + phone);
  for (const StateRule* rule : where.state_rules)
    cap(on_phone, rule->max_calls_24h, "to " + phone + " under " + rule->state + " rules");
  // (d) the gap since the last call started on this number.
  if (policy_.min_call_gap_ms > 0 && !phone_calls.empty()) {
    TimeMs last = phone_calls.back();
    if (last <= now && now - last < policy_.min_call_gap_ms)
      violate(now, event, "call gap",
              "dial of " + r.key + " " + std::to_string(now - last) +
                  " ms after the previous call to " + phone + " started (gap " +
                  std::to_string(policy_.min_call_gap_ms) + " ms)");
  }
}

std::string InvariantChecker::on_dial(TimeMs now, const std::string& event, const DialRequest& r,
                                      const LeadRecord* current) {
  std::string outside_call;
  ++checks_;
  std::string phone;
  try {
    phone = normalize_phone(r.phone);
  } catch (const std::exception&) {
    phone = r.phone;
  }
  auto b = busy_.find(phone);
  if (b != busy_.end() && b->second.until > now) {
    if (b->second.by_queue) {
      violate(now, event, "one call per phone",
              "dial of " + r.key + " while call " + b->second.call_id +
                  " to the same phone is in progress");
    } else {
      outside_call = b->second.call_id;
    }
  }
  if (!open_at(now))
    violate(now, event, "business hours", "dial of " + r.key + " outside business hours");
  if (r.lead.status == LeadStatus::kCompleted || r.lead.status == LeadStatus::kDnc ||
      (current != nullptr &&
       (current->status == LeadStatus::kCompleted || current->status == LeadStatus::kDnc))) {
    violate(now, event, "no dial of a completed lead",
            "dial of " + r.key + ", which is " +
                std::string(status_name(current ? current->status : r.lead.status)));
  }
  check_calling_rules(now, event, r, phone);
  check_dial_limits(now, event, r);
  auto a = acked_.find(r.key);
  int attempts = a == acked_.end() ? 0 : a->second.attempts;
  if (a != acked_.end() && a->second.completed) {
    violate(now, event, "no dial of a completed lead",
            "dial of " + r.key + " after its completing result was acknowledged");
  }
  if (a != acked_.end() && a->second.never) {
    violate(now, event, "never retried",
            "dial of " + r.key + " after a result whose outcome rule is never was acknowledged");
  }
  if (attempts >= policy_.max_attempts || r.attempt_number > policy_.max_attempts) {
    violate(now, event, "max attempts",
            "dial of " + r.key + " with " + str(attempts) + " results recorded (max " +
                str(policy_.max_attempts) + ")");
  }
  if (a != acked_.end() && a->second.attempts > 0) {
    const Acked& k = a->second;
    TimeMs earliest = k.callback_at ? *k.callback_at : k.result_at + wait_after(k.outcomes);
    if (now < earliest) {
      violate(now, event, "policy wait",
              "dial of " + r.key + " " + std::to_string((earliest - now) / 1000) +
                  " s earlier than the policy allows after result " + str(k.attempts) + " (" +
                  k.last_call_id + ")");
    }
  }
  return outside_call;
}

void InvariantChecker::on_applied(TimeMs now, const std::string& event, const std::string& call_id,
                                  const ApplyResult& res, int before_attempts) {
  ++checks_;
  auto ids = ids_.find(res.key);
  bool seen = ids != ids_.end() &&
              std::find(ids->second.begin(), ids->second.end(), call_id) != ids->second.end();
  if (seen && (res.kind != ApplyKind::kDuplicate || res.attempts != before_attempts)) {
    violate(now, event, "duplicate webhook",
            "duplicate webhook of " + call_id + " changed attempts of " + res.key + " from " +
                str(before_attempts) + " to " + str(res.attempts));
  }
  // A late result may push a closed lead past max attempts (it was a real call); a lead that is
  // still open must never have max attempts recorded.
  bool open = res.status == LeadStatus::kPending || res.status == LeadStatus::kRescheduled;
  if (open && res.attempts >= policy_.max_attempts) {
    violate(now, event, "max attempts",
            res.key + " has " + str(res.attempts) + " results recorded (max " +
                str(policy_.max_attempts) + ") and is still " +
                std::string(status_name(res.status)));
  }
}

void InvariantChecker::on_ack(TimeMs now, const std::string& event, const std::string& key,
                              const std::string& call_id, const ApplyResult& res,
                              const LeadRecord& rec, std::optional<TimeMs> callback_at) {
  (void)event;
  auto& ids = ids_[key];
  if (std::find(ids.begin(), ids.end(), call_id) == ids.end()) ids.push_back(call_id);
  if (res.kind == ApplyKind::kDuplicate) return;
  // The queue now knows of a call made outside it: from here on it counts for caps and gaps.
  if (auto o = outside_.find(call_id); o != outside_.end()) {
    note_call(o->second.phone, o->second.key, o->second.start);
    outside_.erase(o);
  }
  const OutcomeRule& rule = policy_.rule_for(rec.last_outcome.value_or(""));
  if (rule.kind == OutcomeRule::Kind::kDnc) {
    try {
      dnc_.insert(normalize_phone(rec.phone_number));
    } catch (const std::exception&) {
      dnc_.insert(rec.phone_number);
    }
  }
  Acked& a = acked_[key];
  a.attempts = rec.attempts;
  a.outcomes = rec.outcomes;
  a.last_call_id = call_id;
  a.result_at = now;
  a.callback_at = callback_at;
  a.completed = a.completed || rec.status == LeadStatus::kCompleted;
  a.never = a.never || rule.kind == OutcomeRule::Kind::kNever;
}

void InvariantChecker::on_stop(const std::string& key) { acked_[key].completed = true; }

void InvariantChecker::queue_consistent(TimeMs now, const std::string& event,
                                        const RedialQueue& q) {
  ++checks_;
  if (std::string why = q.consistency_error(); !why.empty())
    violate(now, event, "queue consistency", std::move(why));
}

void InvariantChecker::after_reload(TimeMs now, const std::string& event, const RedialQueue& q) {
  // Every lead is checked; the violations are reported in key order (acked_ is a hash map).
  std::vector<std::pair<const std::string*, Violation>> found;
  auto bad = [&](const std::string& key, std::string what) {
    found.emplace_back(&key, Violation{now, event, "no acknowledged result lost", std::move(what)});
  };
  for (const auto& [key, a] : acked_) {
    ++checks_;
    if (a.attempts == 0 && !a.completed) continue;
    const LeadRecord* rec = q.find(key);
    if (rec == nullptr) {
      bad(key, "record " + key + " is missing after the restart (" + str(a.attempts) +
                   " results were acknowledged)");
      continue;
    }
    bool prefix = rec->outcomes.size() >= a.outcomes.size() &&
                  std::equal(a.outcomes.begin(), a.outcomes.end(), rec->outcomes.begin());
    if (rec->attempts < a.attempts || !prefix) {
      bad(key, key + " has " + str(rec->attempts) + " results after the restart, " +
                   str(a.attempts) + " were acknowledged (last " + a.last_call_id + ")");
    }
    // A closed lead may only become dnc (a late do-not-call request), never open again.
    if (a.completed && rec->status != LeadStatus::kCompleted && rec->status != LeadStatus::kDnc) {
      bad(key, key + " was completed before the restart and is " +
                   std::string(status_name(rec->status)) + " after it");
    }
  }
  // Stable: a lead's own violations keep the order they were found in.
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& x, const auto& y) { return *x.first < *y.first; });
  for (auto& [key, v] : found) violations_.push_back(std::move(v));
}

void InvariantChecker::final_scan(TimeMs now, const RedialQueue& q) {
  std::vector<std::pair<std::string, int>> over;
  q.for_each([&](const std::string& key, const LeadRecord& r) {
    ++checks_;
    bool open = r.status == LeadStatus::kPending || r.status == LeadStatus::kRescheduled;
    if (open && r.attempts >= policy_.max_attempts) over.emplace_back(key, r.attempts);
  });
  std::sort(over.begin(), over.end());
  for (const auto& [key, n] : over)
    violate(now, "end of run", "max attempts",
            key + " is still open with " + str(n) + " results recorded (max " +
                str(policy_.max_attempts) + ")");
}

}  // namespace redial::sim
