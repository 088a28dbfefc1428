#pragma once
// Our model of how Bland refuses a dial or ends a placed call in an error state (issue 21),
// shared by bland-emulator (runner/emulator/dial_script.h) and the simulator (sim/sim_bland.h).
// Shapes from Bland's docs (docs.bland.ai, "Send Call" errors and "Call Details" queue_status);
// the plan-limit codes are in ../shared/bland-api-notes.md with how sure each is.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace redial::bland_model {

struct BlandReply {
  int status = 200;
  std::string body;                        // JSON text
  std::optional<long long> retry_after_s;  // the Retry-After header, when Bland sends one
};

// Bland's error envelope: {"status":"error","message":...,"errors":[{"message":...,"code":...}]}.
std::string error_body(const std::string& message, const std::string& code);

// Kinds that refuse POST /v1/calls (no call is placed):
//   plan_concurrency, plan_daily_minutes, plan_rate  429 with the plan limit's code
//   rate_limited                                     429 naming no limit
//   same_number                                      429: the number was called within ~10 s
//   unauthorized, forbidden                          401 / 403
//   server_error                                     503 (Bland's side failed; retried)
bool is_refusal_kind(const std::string& kind);
// Kinds that accept the dial (a call_id) but end the call in that error state: no webhook, and
// GET /v1/calls/{id} reports it: pre_queue_error, queue_error, call_error, complete_error,
// status_error.
bool is_error_state_kind(const std::string& kind);

// The reply for a refusal kind; `code` ("" : the kind's own) overrides the error code. nullopt
// for a kind that is not a refusal. `phone` is named in the same-number message.
std::optional<BlandReply> dial_refusal(const std::string& kind, const std::string& code,
                                       std::optional<double> retry_after_s,
                                       const std::string& phone);

// A call object (call_objects.h's running_call_object) turned into Bland's error state `kind`.
// REQUIRES: is_error_state_kind(kind).
nlohmann::json error_state_object(nlohmann::json running, const std::string& kind);

}  // namespace redial::bland_model
