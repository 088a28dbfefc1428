#pragma once
// Which lead a call result belongs to (issue 21: a policy decision, so it lives in the core; the
// runner's webhook and reconcile paths and the simulator ask it): by the result's own lead fields
// (lead_id and phone_number, from Bland's metadata), else by its call id: the calls in flight,
// the call ids remembered here (results applied by this process), the queue's recent call ids,
// then every record's last call.
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "core/call_result.h"
#include "core/redial_queue.h"

namespace redial {

class ResultResolver {
 public:
  explicit ResultResolver(const RedialQueue& queue) : queue_(queue) {}

  // The lead `r` belongs to, filling r.lead_id / r.phone_number from it when the result lacks
  // them. nullptr: not a known lead (r may still name a new one). Throws InputError for an
  // unusable phone.
  const LeadRecord* resolve(CallResult& r) const;
  // True when `call_id` is already recorded on the lead `key`.
  bool recorded(const std::string& key, const std::string& call_id) const;
  // Remembers that `call_id`'s result went to `key` (bounded; the oldest is forgotten first).
  void remember(const std::string& call_id, const std::string& key);

  static constexpr std::size_t kCallsRemembered = 100000;

 private:
  std::string key_of_call(const std::string& call_id) const;

  const RedialQueue& queue_;
  std::unordered_map<std::string, std::string> key_by_call_;  // call id -> lead key
  std::deque<std::string> call_order_;                        // oldest first
};

}  // namespace redial
