#include "bland_model/call_objects.h"

#include <stdexcept>

namespace redial::bland_model {

using nlohmann::json;

namespace {

std::string id_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  throw std::invalid_argument("lead_id must be a string or an integer");
}

// An optional non-negative integer of milliseconds (absent or null: nothing).
std::optional<TimeMs> optional_ms(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<long long>() < 0)
    throw std::invalid_argument(std::string(key) + " must be a non-negative integer (ms)");
  return it->get<TimeMs>();
}

std::vector<OutcomeScript::Step> outcome_list(const json& v) {
  const char* kWhat = "outcomes must be an array of strings or {\"outcome\", \"webhook\"} objects";
  if (!v.is_array()) throw std::invalid_argument(kWhat);
  std::vector<OutcomeScript::Step> out;
  for (const auto& o : v) {
    if (o.is_string()) {
      out.push_back({o.get<std::string>(), "", {}, {}});
    } else if (o.is_object() && o.contains("outcome") && o["outcome"].is_string()) {
      std::string hook = o.value("webhook", "");
      if (hook != "" && hook != "lost" && hook != "duplicate" && hook != "forgotten" &&
          hook != "status_events" && hook != "analysis")
        throw std::invalid_argument(
            "webhook must be \"lost\", \"duplicate\", \"forgotten\", \"status_events\" or "
            "\"analysis\"");
      OutcomeScript::Step step{o["outcome"].get<std::string>(), hook, {}, {}};
      step.delay_ms = optional_ms(o, "webhook_after_ms");
      step.callback_ms = optional_ms(o, "scheduled_callback_time");
      out.push_back(std::move(step));
    } else {
      throw std::invalid_argument(kWhat);
    }
  }
  return out;
}

// Bland's `variables`: the prompt's variables plus its own lookups for the number (city, state,
// zip). The state is a guess about the number, deliberately not the lead's own state.
json bland_variables(const std::string& call_id, const json& request) {
  json v = request.value("request_data", json::object());
  if (!v.is_object()) v = json::object();
  std::string to = request.value("phone_number", "");
  std::string lead_state;
  if (v.contains("state") && v["state"].is_string()) lead_state = v["state"].get<std::string>();
  v["call_id"] = call_id;
  v["to"] = to;
  v["from"] = request.value("from", "+15550100000");
  v["short_to"] = to.size() > 2 && to.rfind("+1", 0) == 0 ? to.substr(2) : to;
  v["city"] = "SAN FRANCISCO";
  v["state"] = lead_state == "CA" ? "TX" : "CA";
  v["country"] = "US";
  v["zip"] = "94103";
  return v;
}

json base_object(const std::string& call_id, const json& request, const std::string& created_at) {
  json meta = request.value("metadata", json::object());
  json data = request.value("request_data", json::object());
  return json{{"call_id", call_id},
              {"c_id", call_id},
              {"to", request.value("phone_number", "")},
              {"from", request.value("from", "+15550100000")},
              {"created_at", created_at},
              {"inbound", false},
              {"batch_id", nullptr},
              {"max_duration", request.value("max_duration", 30)},
              {"metadata", meta},
              {"request_data", data},
              {"variables", bland_variables(call_id, request)},
              {"call_length", 0},
              {"corrected_duration", "0"},
              {"answered_by", nullptr},
              {"disposition_tag", nullptr},
              {"transferred_to", nullptr},
              {"transferred_at", nullptr},
              {"warm_transfer_call", nullptr},
              {"call_ended_by", nullptr},
              {"error_message", nullptr},
              {"summary", nullptr},
              {"concatenated_transcript", ""}};
}

// The call's length in Bland's two units: call_length in minutes, corrected_duration in seconds
// (a string).
void set_length(json& c, double minutes) {
  c["call_length"] = minutes;
  c["corrected_duration"] = std::to_string(static_cast<long>(minutes * 60 + 0.5));
}

// Script kinds beyond the queue's outcomes (docs/runner.md, "bland-emulator"). True when
// `outcome` is one of them and `c` was filled.
bool scripted_kind(json& c, const std::string& outcome) {
  if (outcome == "TRANSFERRED" || outcome == "TRANSFER_MERGED") {
    // A transfer that happened: Bland's evidence is there.
    c["answered_by"] = "human";
    set_length(c, 2.5);
    c["transferred_to"] = "+15550109999";
    c["transferred_at"] = c["created_at"];
    c["warm_transfer_call"] = {{"state", "MERGED"}};
    c["pre_transfer_duration"] = 1.5;
    c["post_transfer_duration"] = 1.0;
    c["disposition_tag"] = "TRANSFERRED";
    c["call_ended_by"] = "USER";
    c["summary"] = "Interested; transferred to an agent.";
  } else if (outcome == "TRANSFER_FAILED_TAGGED") {
    // The captured shape: the pathway tagged TRANSFERRED, the transfer never happened.
    c["answered_by"] = "human";
    set_length(c, 3.27);
    c["disposition_tag"] = "TRANSFERRED";
    c["call_ended_by"] = "USER";
    c["summary"] = "Asked for an agent; the transfer did not connect.";
  } else if (outcome == "BAD_NUMBER") {
    c["status"] = "failed";
    c["answered_by"] = nullptr;
    c["error_message"] = "The number you dialed is not found";
  } else if (outcome == "UNKNOWN_ANSWER") {
    c["answered_by"] = "unknown";
    set_length(c, 0.3);
    c["call_ended_by"] = "USER";
  } else {
    return false;
  }
  return true;
}

}  // namespace

OutcomeScript::OutcomeScript(const json& script, std::string default_outcome)
    : default_outcome_(std::move(default_outcome)) {
  if (!script.is_object() || !script.contains("leads"))
    throw std::invalid_argument("script: expected {\"leads\": ...}");
  const json& leads = script["leads"];
  if (leads.is_object()) {
    for (auto it = leads.begin(); it != leads.end(); ++it)
      outcomes_[it.key()] = outcome_list(it.value());
  } else if (leads.is_array()) {
    for (const auto& l : leads) {
      if (!l.is_object() || !l.contains("lead_id"))
        throw std::invalid_argument("script: each lead needs a lead_id");
      outcomes_[id_text(l["lead_id"])] = outcome_list(l.value("outcomes", json::array()));
    }
  } else {
    throw std::invalid_argument("script: leads must be an object or an array");
  }
}

OutcomeScript::Step OutcomeScript::next(const std::string& lead_id) {
  std::size_t n = calls_[lead_id]++;
  auto it = outcomes_.find(lead_id);
  if (it == outcomes_.end() || n >= it->second.size()) return {default_outcome_, "", {}, {}};
  return it->second[n];
}

json ended_call_object(const std::string& call_id, const json& request, const std::string& outcome,
                       const std::string& created_at) {
  json c = base_object(call_id, request, created_at);
  c["completed"] = true;
  c["queue_status"] = "complete";
  c["status"] = "completed";
  if (scripted_kind(c, outcome)) {
    // filled above
  } else if (outcome == "VOICEMAIL") {
    c["answered_by"] = "voicemail";
    set_length(c, 0.4);
    c["call_ended_by"] = "ASSISTANT";
    c["summary"] = "Reached voicemail; left a message.";
  } else if (outcome == "NO_ANSWER") {
    c["status"] = "no-answer";
    c["answered_by"] = "no-answer";
  } else if (outcome == "BUSY") {
    c["status"] = "busy";
  } else if (outcome == "FAILED") {
    c["status"] = "failed";
    c["error_message"] = "Call failed (emulated)";
  } else {
    c["answered_by"] = "human";
    set_length(c, 1.2);
    c["call_ended_by"] = "ASSISTANT";
    c["disposition_tag"] = outcome;
  }
  c["concatenated_transcript"] = "assistant: Hello, this is an emulated call. (" + outcome + ")";
  return c;
}

json running_call_object(const std::string& call_id, const json& request,
                         const std::string& created_at) {
  json c = base_object(call_id, request, created_at);
  c["completed"] = false;
  c["queue_status"] = "started";
  c["status"] = "in-progress";
  return c;
}

json status_event_object(const std::string& call_id, const json& request,
                         const std::string& created_at, const std::string& queue_status) {
  json c = base_object(call_id, request, created_at);
  c["completed"] = false;
  c["queue_status"] = queue_status;
  c["status"] = queue_status == "started" ? "in-progress" : "queued";
  return c;
}

json analysis_object(const std::string& call_id, const json& request, const std::string& outcome,
                     const std::string& created_at) {
  // Assumed shape (Bland documents the later post-call analysis only loosely): the call object
  // again with the corrected transcript, and without the metadata.
  json c = ended_call_object(call_id, request, outcome, created_at);
  c.erase("metadata");
  c["corrected_transcript"] = c["concatenated_transcript"];
  c["citations"] = json::array();
  return c;
}

}  // namespace redial::bland_model
