#include "sim/invariants.h"

#include <date/tz.h>

#include <algorithm>
#include <chrono>

#include "core/phone.h"

namespace redial::sim {

namespace {
std::string str(int v) { return std::to_string(v); }
}  // namespace

InvariantChecker::InvariantChecker(const RedialPolicy& policy)
    : policy_(policy), zone_(date::locate_zone(policy.time_zone)) {}

TimeMs InvariantChecker::wait_after(int attempts) const {
  // The rule, written out again here on purpose (not RedialPolicy::wait_after_result_ms):
  // max(min wait, intervals[min(k-1, last)]).
  const auto& iv = policy_.progressive_intervals_ms;
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

void InvariantChecker::call_started(const std::string& phone, const std::string& call_id,
                                    TimeMs until, bool by_queue) {
  busy_[phone] = Busy{call_id, until, by_queue};
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
  if (r.lead.status == LeadStatus::kCompleted ||
      (current != nullptr && current->status == LeadStatus::kCompleted)) {
    violate(now, event, "no dial of a completed lead", "dial of completed lead " + r.key);
  }
  auto a = acked_.find(r.key);
  int attempts = a == acked_.end() ? 0 : a->second.attempts;
  if (a != acked_.end() && a->second.completed) {
    violate(now, event, "no dial of a completed lead",
            "dial of " + r.key + " after its completing result was acknowledged");
  }
  if (attempts >= policy_.max_attempts || r.attempt_number > policy_.max_attempts) {
    violate(now, event, "max attempts",
            "dial of " + r.key + " with " + str(attempts) + " results recorded (max " +
                str(policy_.max_attempts) + ")");
  }
  if (a != acked_.end() && a->second.attempts > 0) {
    const Acked& k = a->second;
    TimeMs earliest = k.callback_at ? *k.callback_at : k.result_at + wait_after(k.attempts);
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
  bool seen = ids != ids_.end() && ids->second.count(call_id) > 0;
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
  ids_[key].insert(call_id);
  if (res.kind == ApplyKind::kDuplicate) return;
  Acked& a = acked_[key];
  a.attempts = rec.attempts;
  a.outcomes = rec.outcomes;
  a.last_call_id = call_id;
  a.result_at = now;
  a.callback_at = callback_at;
  a.completed = a.completed || rec.status == LeadStatus::kCompleted;
}

void InvariantChecker::on_stop(const std::string& key) { acked_[key].completed = true; }

void InvariantChecker::after_reload(TimeMs now, const std::string& event, const RedialQueue& q) {
  for (const auto& [key, a] : acked_) {
    ++checks_;
    if (a.attempts == 0 && !a.completed) continue;
    const LeadRecord* rec = q.find(key);
    if (rec == nullptr) {
      violate(now, event, "no acknowledged result lost",
              "record " + key + " is missing after the restart (" + str(a.attempts) +
                  " results were acknowledged)");
      continue;
    }
    bool prefix = rec->outcomes.size() >= a.outcomes.size() &&
                  std::equal(a.outcomes.begin(), a.outcomes.end(), rec->outcomes.begin());
    if (rec->attempts < a.attempts || !prefix) {
      violate(now, event, "no acknowledged result lost",
              key + " has " + str(rec->attempts) + " results after the restart, " +
                  str(a.attempts) + " were acknowledged (last " + a.last_call_id + ")");
    }
    if (a.completed && rec->status != LeadStatus::kCompleted) {
      violate(now, event, "no acknowledged result lost",
              key + " was completed before the restart and is " +
                  std::string(status_name(rec->status)) + " after it");
    }
  }
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
