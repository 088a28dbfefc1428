#include "core/result_decision.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "core/errors.h"

namespace redial {

namespace {

bool is_open(LeadStatus s) { return s == LeadStatus::kPending || s == LeadStatus::kRescheduled; }

void record_contact(LeadRecord& rec, const CallResult& r, TimeMs now) {
  if (!r.list_id.empty()) rec.list_id = r.list_id;
  if (!r.first_name.empty()) rec.first_name = r.first_name;
  if (!r.last_name.empty()) rec.last_name = r.last_name;
  if (!r.state.empty()) rec.state = r.state;
  rec.attempts += 1;
  rec.outcomes.push_back(r.outcome);
  rec.last_outcome = r.outcome;
  rec.last_call_id = r.call_id;
  rec.last_call_timestamp = now;
  rec.updated_at = now;
  rec.hold_reason.reset();
}

// An open lead's next redial: the k-th result with a scheduled outcome waits the k-th interval
// of its own schedule, any other the policy's wait for the attempt.
TimeMs retry_wait_ms(const RedialPolicy& policy, const LeadRecord& rec, const CallResult& r,
                     const OutcomeRule& rule) {
  if (rule.kind != OutcomeRule::Kind::kSchedule) return policy.wait_after_result_ms(rec.attempts);
  const std::size_t k = rec.outcomes.count(r.outcome);
  const auto& waits = rule.intervals_ms;
  assert(k >= 1 && !waits.empty());
  return std::max(waits[std::min(k, waits.size()) - 1], policy.min_wait_ms);
}

ResultKind decide_status(const RedialPolicy& policy, LeadRecord& rec, const CallResult& r,
                         TimeMs now, bool was_closed) {
  const OutcomeRule& rule = policy.rule_for(r.outcome);
  if (rule.kind == OutcomeRule::Kind::kDnc) {
    // Even on a closed lead: the number must never be called again, by any lead, after a
    // restart too (the internal list is rebuilt from dnc records).
    rec.status = LeadStatus::kDnc;
    rec.scheduled_callback_time.reset();
    rec.next_redial_timestamp = now;
    return ResultKind::kDoNotCall;
  }
  if (was_closed) return ResultKind::kStaysClosed;  // recorded, but never reopened
  if (policy.is_success(r.outcome) || policy.is_stop(r.outcome) ||
      rule.kind == OutcomeRule::Kind::kNever) {
    rec.status = LeadStatus::kCompleted;
    rec.scheduled_callback_time.reset();
    rec.next_redial_timestamp = now;
    return ResultKind::kCompleted;
  }
  if (rec.attempts >= policy.max_attempts) {
    rec.status = LeadStatus::kMaxAttempts;
    rec.scheduled_callback_time.reset();
    return ResultKind::kMaxAttempts;
  }
  if (r.scheduled_callback_time && policy.is_callback(r.outcome)) {
    rec.status = LeadStatus::kRescheduled;
    rec.scheduled_callback_time = r.scheduled_callback_time;
    rec.next_redial_timestamp = *r.scheduled_callback_time;
    return ResultKind::kRescheduled;
  }
  rec.status = LeadStatus::kPending;
  rec.scheduled_callback_time.reset();
  rec.next_redial_timestamp = now + retry_wait_ms(policy, rec, r, rule);
  return ResultKind::kPending;
}

}  // namespace

ResultDecision decide_result(const RedialPolicy& policy, LeadRecord rec, const CallResult& r,
                             TimeMs now) {
  assert(policy.is_known(r.outcome));
  // A paused lead takes the result as the status it was paused from, then stays paused if open.
  const std::optional<LeadStatus> paused_from = rec.paused_from;
  const OptionalName pause_note = rec.hold_reason;
  if (paused_from) rec.status = *std::exchange(rec.paused_from, std::nullopt);
  const bool was_closed = !is_open(rec.status);
  record_contact(rec, r, now);
  const ResultKind kind = decide_status(policy, rec, r, now, was_closed);
  if (paused_from && is_open(rec.status)) {
    rec.paused_from = rec.status;
    rec.status = LeadStatus::kPaused;
    rec.hold_reason = pause_note;
  }
  return {std::move(rec), kind};
}

void validate_result(const RedialPolicy& policy, const CallResult& r) {
  if (r.call_id.empty()) throw InputError("call_id", "missing");
  if (r.outcome.empty()) throw InputError("outcome", "missing");
  if (!policy.is_known(r.outcome))
    throw InputError("outcome", "unknown outcome \"" + r.outcome +
                                    "\" (add it to known_outcomes, success_outcomes or "
                                    "stop_outcomes)");
  if (r.scheduled_callback_time && *r.scheduled_callback_time <= 0)
    throw InputError("scheduled_callback_time", "must be an epoch time in milliseconds");
}

}  // namespace redial
