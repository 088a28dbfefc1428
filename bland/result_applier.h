#pragma once
// Applies a call result read from Bland (a webhook, or a reconcile lookup) to the queue: the
// core's ResultResolver finds the lead (metadata, else the call id), then
// RedialQueue::apply_result. An existing lead keeps its own fields
// (list, names, state): a call object's values never overwrite them.
#include <string>

#include "bland/bland_call.h"
#include "bland/counters.h"
#include "core/redial_queue.h"
#include "core/result_resolver.h"

namespace redial::bland {

class ResultApplier {
 public:
  ResultApplier(RedialQueue& queue, BlandCounters& metrics)
      : queue_(queue), metrics_(metrics), resolver_(queue) {}

  // Throws InputError (nothing changed) when no lead can be found or the queue refuses it.
  ApplyResult apply(ParsedCall call, const std::string& source);

  // The lead `r` belongs to (core/result_resolver.h: metadata, else the call id), filling
  // r.lead_id / r.phone_number from it. nullptr: not a known lead. Throws InputError for an
  // unusable phone.
  const LeadRecord* resolve(CallResult& r) const { return resolver_.resolve(r); }
  // True when `call_id` is already recorded on the lead `key`.
  bool recorded(const std::string& key, const std::string& call_id) const {
    return resolver_.recorded(key, call_id);
  }
  // Answers a body for a call already recorded: nothing changes. REQUIRES: recorded(...).
  ApplyResult duplicate(const CallResult& r, const std::string& source);

 private:
  RedialQueue& queue_;
  BlandCounters& metrics_;
  ResultResolver resolver_;  // remembers the call ids of the results applied here
};

}  // namespace redial::bland
