#include "bland/result_applier.h"

#include <spdlog/spdlog.h>

#include <cassert>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/phone.h"

namespace redial::bland {
namespace {

const char* kind_name(ApplyKind k) {
  return k == ApplyKind::kCreated ? "created" : k == ApplyKind::kUpdated ? "updated" : "duplicate";
}

}  // namespace

std::string ResultApplier::key_of_call(const std::string& call_id) const {
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

const LeadRecord* ResultApplier::resolve(CallResult& r) const {
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

bool ResultApplier::recorded(const std::string& key, const std::string& call_id) const {
  const LeadRecord* rec = queue_.find(key);
  if (rec == nullptr) return false;
  if (rec->last_call_id == call_id) return true;
  if (auto it = key_by_call_.find(call_id); it != key_by_call_.end()) return it->second == key;
  for (const CallSeen& seen : queue_.recent_call_ids())
    if (seen.call_id == call_id && seen.key == key) return true;
  return false;
}

void ResultApplier::remember(const std::string& call_id, const std::string& key) {
  if (!key_by_call_.emplace(call_id, key).second) return;
  call_order_.push_back(call_id);
  if (call_order_.size() > kCallsRemembered) {
    key_by_call_.erase(call_order_.front());
    call_order_.pop_front();
  }
}

ApplyResult ResultApplier::duplicate(const CallResult& r, const std::string& source) {
  const std::string key = make_lead_key(r.lead_id, r.phone_number);
  assert(recorded(key, r.call_id));
  const LeadRecord* rec = queue_.find(key);
  ++metrics_.webhooks_duplicate;
  spdlog::info("Duplicate webhook ignored {}",
               nlohmann::json{{"key", key}, {"call_id", r.call_id}, {"source", source}}.dump());
  return {ApplyKind::kDuplicate, key, rec->status, rec->attempts};
}

ApplyResult ResultApplier::apply(ParsedCall call, const std::string& source) {
  CallResult& r = call.result;
  const LeadRecord* known = resolve(r);
  if (r.lead_id.empty() || r.phone_number.empty())
    throw InputError("metadata", "no lead_id/phone_number and call " + r.call_id +
                                     " is neither in flight nor recorded");
  if (known != nullptr) {
    // The lead's own fields win over anything the call object says (Bland's guesses included).
    r.list_id = known->list_id;
    r.first_name = known->first_name;
    r.last_name = known->last_name;
    r.state = known->state;
  }
  ApplyResult a = queue_.apply_result(r);
  if (a.kind == ApplyKind::kDuplicate) {
    ++metrics_.webhooks_duplicate;
  } else {
    ++metrics_.webhooks_by_outcome[r.outcome];
    remember(r.call_id, a.key);
    if (const LeadRecord* rec = queue_.find(a.key))  // updated_at: the queue's time of the result
      metrics_.recent_events.push({rec->updated_at, "result", a.key, r.call_id, r.outcome,
                                   r.outcome + " (" + source + "): lead " +
                                       std::string(status_name(a.status)) + ", attempt " +
                                       std::to_string(a.attempts)});
    if (!call.unproven_transfer.empty()) {
      ++metrics_.transfer_claims_unproven[call.unproven_transfer];
      spdlog::warn("Transfer claimed without evidence {}",
                   nlohmann::json{{"key", a.key},
                                  {"call_id", r.call_id},
                                  {"claimed_by", call.unproven_transfer},
                                  {"outcome", r.outcome},
                                  {"reason", call.rule}}
                       .dump());
    }
  }
  spdlog::info("Call result applied {}",
               nlohmann::json{{"source", source},
                              {"key", a.key},
                              {"call_id", r.call_id},
                              {"outcome", r.outcome},
                              {"rule", call.rule},
                              {"result", kind_name(a.kind)},
                              {"attempts", a.attempts},
                              {"status", std::string(status_name(a.status))}}
                   .dump());
  return a;
}

}  // namespace redial::bland
