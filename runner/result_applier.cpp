#include "runner/result_applier.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/phone.h"

namespace redial::runner {

ApplyResult ResultApplier::apply(ParsedCall call, const std::string& source) {
  CallResult& r = call.result;
  const LeadRecord* known = nullptr;
  if (r.lead_id.empty() || r.phone_number.empty()) {
    for (const InFlightCall& f : queue_.in_flight_calls()) {
      if (!f.call_id.empty() && f.call_id == r.call_id) {
        known = queue_.find(f.key);
        break;
      }
    }
    if (known == nullptr)
      throw InputError(
          "metadata", "no lead_id/phone_number and call " + r.call_id + " is not a call in flight");
    if (r.lead_id.empty()) r.lead_id = known->lead_id;
    if (r.phone_number.empty()) r.phone_number = known->phone_number;
  } else {
    known = queue_.find(make_lead_key(r.lead_id, r.phone_number));
  }
  if (known != nullptr) {
    if (r.list_id.empty()) r.list_id = known->list_id;
    if (r.first_name.empty()) r.first_name = known->first_name;
    if (r.last_name.empty()) r.last_name = known->last_name;
    if (r.state.empty()) r.state = known->state;
  }
  ApplyResult a = queue_.apply_result(r);
  if (a.kind == ApplyKind::kDuplicate) {
    ++metrics_.webhooks_duplicate;
  } else {
    ++metrics_.webhooks_by_outcome[r.outcome];
  }
  spdlog::info("Call result applied {}",
               nlohmann::json{{"source", source},
                              {"key", a.key},
                              {"call_id", r.call_id},
                              {"outcome", r.outcome},
                              {"rule", call.rule},
                              {"result", a.kind == ApplyKind::kCreated   ? "created"
                                         : a.kind == ApplyKind::kUpdated ? "updated"
                                                                         : "duplicate"},
                              {"attempts", a.attempts},
                              {"status", std::string(status_name(a.status))}}
                   .dump());
  return a;
}

}  // namespace redial::runner
