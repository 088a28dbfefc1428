#pragma once
// Applies a call result read from Bland (a webhook, or a reconcile lookup) to the queue: finds
// the lead from the call's metadata, else from the call id (the calls in flight, then the call
// ids already recorded), then RedialQueue::apply_result. An existing lead keeps its own fields
// (list, names, state): a call object's values never overwrite them.
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "bland/bland_call.h"
#include "bland/counters.h"
#include "core/redial_queue.h"

namespace redial::bland {

class ResultApplier {
 public:
  ResultApplier(RedialQueue& queue, BlandCounters& metrics) : queue_(queue), metrics_(metrics) {}

  // Throws InputError (nothing changed) when no lead can be found or the queue refuses it.
  ApplyResult apply(ParsedCall call, const std::string& source);

  // The lead `r` belongs to, filling r.lead_id / r.phone_number from it when the call object
  // lacks them: by metadata, else by call id (in flight, recorded by this process, the queue's
  // recent call ids, every record's last call). nullptr: not a known lead (r may still name a new
  // one). Throws InputError for an unusable phone.
  const LeadRecord* resolve(CallResult& r) const;
  // True when `call_id` is already recorded on the lead `key`.
  bool recorded(const std::string& key, const std::string& call_id) const;
  // Answers a body for a call already recorded: nothing changes. REQUIRES: recorded(...).
  ApplyResult duplicate(const CallResult& r, const std::string& source);

 private:
  void remember(const std::string& call_id, const std::string& key);
  std::string key_of_call(const std::string& call_id) const;

  static constexpr std::size_t kCallsRemembered = 100000;
  RedialQueue& queue_;
  BlandCounters& metrics_;
  // call id -> lead key of results applied by this process (bounded, oldest forgotten first).
  std::unordered_map<std::string, std::string> key_by_call_;
  std::deque<std::string> call_order_;
};

}  // namespace redial::bland
