#pragma once
// The result decision: what one call result does to a lead's record, as a pure function of the
// policy, the record, the result and the time (no queue state, no logging, no store). The queue
// (RedialQueue::apply_result) finds the record, rejects duplicates, and journals what this returns.
#include "core/call_result.h"
#include "core/lead_record.h"
#include "core/redial_policy.h"
#include "core/time.h"

namespace redial {

// Which branch of the decision the result took (the trace's and the logs' wording).
enum class ResultKind {
  kDoNotCall,    // a dnc outcome: status dnc, even on a closed lead
  kStaysClosed,  // a late result for a closed lead: recorded, the lead not reopened
  kCompleted,    // a success, stop or never-retried outcome
  kMaxAttempts,  // the result used the last attempt
  kRescheduled,  // a callback outcome with a callback time
  kPending,      // an ordinary retry, after the outcome's or the attempt's wait
};

struct ResultDecision {
  LeadRecord record;  // the record with the result recorded
  ResultKind kind;
};

// The record after `r` at `now`: the result's contact fields, one more attempt, the outcome and
// call id recorded, hold reason cleared, and the new status and next redial. A paused lead takes
// the result as the status it was paused from and stays paused if still open.
// REQUIRES: policy.is_known(r.outcome) (apply_result validates it first).
ResultDecision decide_result(const RedialPolicy& policy, LeadRecord record, const CallResult& r,
                             TimeMs now);

// Throws InputError for a result the queue cannot record (missing call_id or outcome, unknown
// outcome, a callback time that is no epoch ms); the phone and lead id are checked by their keys.
void validate_result(const RedialPolicy& policy, const CallResult& r);

}  // namespace redial
