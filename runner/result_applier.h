#pragma once
// Applies a call result read from Bland (a webhook, or a reconcile lookup) to the queue: finds
// the lead from the call's metadata, else from the call id among the calls in flight, fills the
// lead fields the call object lacks from the stored record, then RedialQueue::apply_result.
#include <memory>
#include <string>

#include "core/redial_queue.h"
#include "runner/bland_call.h"
#include "runner/metrics.h"

namespace redial::runner {

class ResultApplier {
 public:
  ResultApplier(RedialQueue& queue, Metrics& metrics) : queue_(queue), metrics_(metrics) {}

  // Throws InputError (nothing changed) when no lead can be found or the queue refuses it.
  ApplyResult apply(ParsedCall call, const std::string& source);

 private:
  RedialQueue& queue_;
  Metrics& metrics_;
};

}  // namespace redial::runner
