#pragma once
// What to do with one body Bland posted to the webhook (issue 21): the decision the runner's
// WebhookHandler answers over HTTP and the simulator makes for every simulated webhook, so both
// run the same code. Authentication and JSON parsing stay with the caller.
//   kApplied  the call's final result, applied (or a later body of a call already recorded: a
//             duplicate, nothing changes)
//   kIgnored  not a call's final result (inbound call, non-final status, an event kind): nothing
//             changes; `why` says which (bland_call.h, not_a_result)
//   kRejected unusable (no call_id, no way to know the lead, an unknown outcome, a bad phone):
//             nothing changes; `error` says why
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "bland/outcome_mapping.h"
#include "bland/result_applier.h"
#include "core/redial_queue.h"

namespace redial::bland {

struct IntakeResult {
  enum Kind { kApplied, kIgnored, kRejected } kind = kRejected;
  ApplyResult applied;  // kApplied
  std::string call_id;  // as read from the body ("" when it has none)
  std::string why;      // kIgnored
  std::string error;    // kRejected
};

class WebhookIntake {
 public:
  // `webhook_events`: the call template asks Bland for event bodies besides the result
  // (template_sets_webhook_events).
  WebhookIntake(RedialQueue& queue, ResultApplier& applier, const OutcomeMapping& mapping,
                bool webhook_events)
      : queue_(queue), applier_(applier), mapping_(mapping), webhook_events_(webhook_events) {}

  // REQUIRES: `body` is a parsed JSON value (any type: a non-object is rejected).
  IntakeResult take(const nlohmann::json& body);

 private:
  RedialQueue& queue_;
  ResultApplier& applier_;
  const OutcomeMapping& mapping_;
  const bool webhook_events_;
};

// True when the call template (JSON text) names a non-empty `webhook_events` list: Bland then
// posts event bodies besides the call's result.
bool template_sets_webhook_events(const std::string& call_template);

}  // namespace redial::bland
