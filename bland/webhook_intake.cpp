#include "bland/webhook_intake.h"

#include <nlohmann/json.hpp>

#include "bland/bland_call.h"
#include "core/errors.h"
#include "core/phone.h"

namespace redial::bland {

using nlohmann::json;

bool template_sets_webhook_events(const std::string& call_template) {
  auto t = json::parse(call_template, nullptr, false);
  if (!t.is_object()) return false;
  auto it = t.find("webhook_events");
  return it != t.end() && it->is_array() && !it->empty();
}

IntakeResult WebhookIntake::take(const json& body) {
  IntakeResult out;
  try {
    auto is_known = [this](std::string_view o) { return queue_.policy().is_known(o); };
    ParsedCall call = parse_call_object(body, mapping_, is_known,
                                        [this](const std::string& t, const std::string& f) {
                                          return queue_.calendar().parse_local(t, f);
                                        });
    out.call_id = call.result.call_id;
    // An inbound call is never an attempt nor a new lead, whatever it carries.
    const std::string why = not_a_result(body, webhook_events_, mapping_);
    if (why == "inbound") {
      out.kind = IntakeResult::kIgnored;
      out.why = why;
      return out;
    }
    if (!why.empty() || !is_known(call.result.outcome)) {
      // A later body of a call already recorded (analysis, resend) is a duplicate, whatever its
      // shape; anything else that is not a final result changes nothing.
      CallResult r = call.result;
      const LeadRecord* known = applier_.resolve(r);
      if (known != nullptr &&
          applier_.recorded(make_lead_key(r.lead_id, r.phone_number), r.call_id)) {
        out.kind = IntakeResult::kApplied;
        out.applied = applier_.duplicate(r, "webhook");
        return out;
      }
      if (!why.empty()) {
        out.kind = IntakeResult::kIgnored;
        out.why = why;
        return out;
      }
    }
    out.applied = applier_.apply(std::move(call), "webhook");
    out.kind = IntakeResult::kApplied;
  } catch (const InputError& e) {
    out.kind = IntakeResult::kRejected;
    out.error = e.what();
  }
  return out;
}

}  // namespace redial::bland
