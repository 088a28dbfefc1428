#pragma once
// Reads Bland's call object (the post-call webhook body, or GET /v1/calls/{id}) into what the
// queue needs: the call id, the lead it belongs to, and the mapped outcome.
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "bland/outcome_mapping.h"
#include "core/call_result.h"
#include "core/time.h"

namespace redial::bland {

struct ParsedCall {
  CallResult result;   // lead fields from metadata (may be empty: look the call id up)
  std::string rule;    // the outcome mapping rule that decided
  bool ended = false;  // the call is over (completed true or a terminal status)
  // Non-empty: a transfer was claimed or begun without Bland's evidence (the field that did).
  std::string unproven_transfer;
};

// Local "YYYY-MM-DDTHH:MM[:SS]" -> epoch ms; throws InputError. Used for callback times.
using LocalTimeParser = std::function<TimeMs(const std::string& text, const std::string& field)>;

// Throws redial::InputError naming the field for a body that cannot be used: not an object, no
// call_id. Lead fields come from metadata (lead_id, phone_number, list_id, first_name, last_name,
// state), then request_data, never `variables` (Bland's own lookups for the number, e.g. its
// `state`, describe the number, not the lead); the phone falls back to `to`; metadata.dial_seq (set
// by the runner's dialer) names the dial. A callback time is read from metadata/variables
// "scheduled_callback_time" or "callback_time" (epoch ms or local time).
ParsedCall parse_call_object(const nlohmann::json& call, const OutcomeMapping& mapping,
                             const KnownOutcome& is_known, const LocalTimeParser& parse_local);

// Why a body is not a call's final result ("" when it is one): "inbound" (`inbound: true`, a
// call into the account's number), "event" (the template sets `webhook_events` and the body names
// an event kind in `category`/`event`/`event_type`/`type` and is not `completed: true`),
// "not_completed" (`completed: false`),
// "status_not_final" / "queue_status_not_final" (new, queued, allocated, started, in-progress,
// ringing ...), "no_call_state" (none of completed, status, queue_status, answered_by,
// disposition_tag, error_message, transferred_to, warm_transfer_call nor an explicit outcome:
// e.g. an analysis body of a call not recorded yet; the call's real result still comes, or the
// reconcile lookup fetches it). REQUIRES: `call` is a JSON object.
std::string not_a_result(const nlohmann::json& call, bool webhook_events,
                         const OutcomeMapping& mapping);

}  // namespace redial::bland
