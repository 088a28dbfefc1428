#pragma once
// Reads Bland's call object (the post-call webhook body, or GET /v1/calls/{id}) into what the
// queue needs: the call id, the lead it belongs to, and the mapped outcome.
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "core/call_result.h"
#include "core/time.h"
#include "runner/outcome_mapping.h"

namespace redial::runner {

struct ParsedCall {
  CallResult result;   // lead fields from metadata (may be empty: look the call id up)
  std::string rule;    // the outcome mapping rule that decided
  bool ended = false;  // the call is over (completed true or a terminal status)
};

// Local "YYYY-MM-DDTHH:MM[:SS]" -> epoch ms; throws InputError. Used for callback times.
using LocalTimeParser = std::function<TimeMs(const std::string& text, const std::string& field)>;

// Throws redial::InputError naming the field for a body that cannot be used: not an object, no
// call_id. Lead fields come from metadata (lead_id, phone_number, list_id, first_name, last_name,
// state), then request_data; the phone falls back to `to`; metadata.dial_seq (set by the runner's
// dialer) names the dial. A callback time is read from
// metadata/variables "scheduled_callback_time" or "callback_time" (epoch ms or local time).
ParsedCall parse_call_object(const nlohmann::json& call, const OutcomeMapping& mapping,
                             const KnownOutcome& is_known, const LocalTimeParser& parse_local);

}  // namespace redial::runner
