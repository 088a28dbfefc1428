#pragma once
// Our model of Bland (issue 21), shared by bland-emulator and the simulator (sim/sim_bland.h):
// scripted outcomes per lead and Bland-shaped call objects.
//
// Script file (the outcome lists of the simulator's scenario files):
//   {"leads": {"12345": ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"]}}
// or a scenario file itself: {"leads": [{"lead_id": "12345", "outcomes": [...]}, ...]}.
// Call N of a lead gets outcome N; after the list ends, the default outcome (NO_ANSWER).
// An entry may also be {"outcome": "VOICEMAIL", "webhook": "lost" | "duplicate"} to script a
// fault for that one call (the call still ends with that outcome at GET /v1/calls/{id}), or
// "forgotten": no webhook, and GET /v1/calls/{id} answers 404 (Bland lost the call);
// "status_events": non-final status bodies (queued, started; completed false) before the result;
// "analysis": a second body after --analysis-delay (post-call analysis, without metadata).
// An object may also give "webhook_after_ms" (the time from the dial to this call's webhook,
// instead of --webhook-delay) and "scheduled_callback_time" (epoch ms, put in the webhook's
// metadata: a callback the call scheduled).
// Outcomes that are Bland shapes rather than queue outcomes: "TRANSFER_MERGED" (= TRANSFERRED:
// warm_transfer_call MERGED, transferred_to/at set), "TRANSFER_FAILED_TAGGED" (tagged
// TRANSFERRED, no transfer), "BAD_NUMBER" (status failed, "The number you dialed is not found"),
// "UNKNOWN_ANSWER" (answered_by unknown).
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace redial::bland_model {

class OutcomeScript {
 public:
  OutcomeScript() = default;
  // Throws std::invalid_argument for a malformed script.
  explicit OutcomeScript(const nlohmann::json& script, std::string default_outcome = "NO_ANSWER");
  struct Step {
    std::string outcome;
    std::string webhook;  // "", "lost", "duplicate", "forgotten", "status_events", "analysis"
    std::optional<TimeMs> delay_ms;     // "webhook_after_ms": this call's --webhook-delay
    std::optional<TimeMs> callback_ms;  // "scheduled_callback_time" (epoch ms), in the metadata
  };
  // The lead's next call (counts calls per lead).
  Step next(const std::string& lead_id);

 private:
  std::map<std::string, std::vector<Step>> outcomes_;
  std::map<std::string, std::size_t> calls_;
  std::string default_outcome_ = "NO_ANSWER";
};

// Bland's post-call object for a call placed with `request` (the POST /v1/calls body) that
// ended with `outcome`: status, answered_by, disposition_tag, transferred_to, error_message...
nlohmann::json ended_call_object(const std::string& call_id, const nlohmann::json& request,
                                 const std::string& outcome, const std::string& created_at);
// The same call while it is still running (GET /v1/calls/{id} before it ends).
nlohmann::json running_call_object(const std::string& call_id, const nlohmann::json& request,
                                   const std::string& created_at);

// A non-final status body (`queue_status` "queued" or "started", completed false).
nlohmann::json status_event_object(const std::string& call_id, const nlohmann::json& request,
                                   const std::string& created_at, const std::string& queue_status);
// The later post-call analysis body: the ended call object without metadata, with
// corrected_transcript.
nlohmann::json analysis_object(const std::string& call_id, const nlohmann::json& request,
                               const std::string& outcome, const std::string& created_at);

}  // namespace redial::bland_model
