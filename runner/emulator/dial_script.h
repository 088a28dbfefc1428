#pragma once
// The emulator's dial-time script kinds (issue 14): how Bland answers POST /v1/calls, and error
// states a placed call ends in. Kept apart from the outcome script (bland_model/call_objects.h):
// these decide whether a call is placed at all, those how a placed call ends.
//
// Script file, beside "leads":
//   "dials": {"*": [...], "<lead_id>": [...]}
// "*" is consumed by every POST /v1/calls in order, whatever the lead; a lead's list by that
// lead's POSTs. A "*" entry other than "accept" wins; then the lead's entry; then "accept".
// Each entry is a kind, or {"kind": K, "retry_after": seconds, "code": "..."}:
//   accept                              placed as usual
//   plan_concurrency, plan_daily_minutes, plan_rate
//                                       429 with Bland's error code (CALL_RL_PLAN_CONCURRENCY,
//                                       CALL_RL_PLAN_DAILY_MINUTES; plan_rate uses
//                                       CALL_RL_PLAN_HOURLY_CALLS, an assumed name) and
//                                       Retry-After when given
//   rate_limited                        429 naming no limit
//   same_number                         429 for a number called within ~10 s
//   unauthorized, forbidden             401 / 403
//   server_error                        503: Bland's side failed (the dialer retries it)
//   pre_queue_error, queue_error, call_error, complete_error, status_error
//                                       accepted (call_id), but the call ends in that error
//                                       state: no webhook; GET /v1/calls/{id} reports it
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bland_model/refusals.h"
#include "runner/http_server.h"

namespace redial::emulator {

struct DialStep {
  std::string kind = "accept";
  std::optional<double> retry_after_s;
  std::string code;  // overrides the kind's error code
};

class DialScript {
 public:
  DialScript() = default;
  // Reads script["dials"] (absent: every dial accepted). Throws std::invalid_argument.
  explicit DialScript(const nlohmann::json& script);
  // The next POST's step for this lead (counts POSTs).
  DialStep next(const std::string& lead_id);

 private:
  std::map<std::string, std::vector<DialStep>> steps_;
  std::map<std::string, std::size_t> used_;
};

// The refusal for a step that does not place the call (429, 401, 403, 503); nullopt for the
// rest (bland_model/refusals.h).
std::optional<runner::HttpResponse> dial_refusal(const DialStep& step, const std::string& phone);

}  // namespace redial::emulator
