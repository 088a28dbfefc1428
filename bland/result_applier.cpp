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
    resolver_.remember(r.call_id, a.key);
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
