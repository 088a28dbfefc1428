#include "core/result_resolver.h"

#include "core/phone.h"

namespace redial {

std::string ResultResolver::key_of_call(const std::string& call_id) const {
  for (const InFlightCall& f : queue_.in_flight_calls())
    if (!f.call_id.empty() && f.call_id == call_id) return f.key;
  if (auto it = key_by_call_.find(call_id); it != key_by_call_.end()) return it->second;
  // Rare (a later body without metadata, after a restart): the queue's recent call ids, then
  // every record's last call.
  for (const CallSeen& seen : queue_.recent_call_ids())
    if (seen.call_id == call_id) return seen.key;
  std::string key;
  queue_.for_each([&](const std::string& k, const LeadRecord& rec) {
    if (key.empty() && rec.last_call_id == call_id) key = k;
  });
  return key;
}

const LeadRecord* ResultResolver::resolve(CallResult& r) const {
  if (!r.lead_id.empty() && !r.phone_number.empty())
    return queue_.find(make_lead_key(r.lead_id, r.phone_number));
  std::string key = key_of_call(r.call_id);
  const LeadRecord* known = key.empty() ? nullptr : queue_.find(key);
  if (known != nullptr) {
    if (r.lead_id.empty()) r.lead_id = known->lead_id;
    if (r.phone_number.empty()) r.phone_number = known->phone_number;
  }
  return known;
}

bool ResultResolver::recorded(const std::string& key, const std::string& call_id) const {
  const LeadRecord* rec = queue_.find(key);
  if (rec == nullptr) return false;
  if (rec->last_call_id == call_id) return true;
  if (auto it = key_by_call_.find(call_id); it != key_by_call_.end()) return it->second == key;
  for (const CallSeen& seen : queue_.recent_call_ids())
    if (seen.call_id == call_id && seen.key == key) return true;
  return false;
}

void ResultResolver::remember(const std::string& call_id, const std::string& key) {
  if (!key_by_call_.emplace(call_id, key).second) return;
  call_order_.push_back(call_id);
  if (call_order_.size() > kCallsRemembered) {
    key_by_call_.erase(call_order_.front());
    call_order_.pop_front();
  }
}

}  // namespace redial
