#include "runner/emulator/emulated_calls.h"

#include <stdexcept>

namespace redial::emulator {

using nlohmann::json;

namespace {

std::string id_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  throw std::invalid_argument("lead_id must be a string or an integer");
}

std::vector<OutcomeScript::Step> outcome_list(const json& v) {
  const char* kWhat = "outcomes must be an array of strings or {\"outcome\", \"webhook\"} objects";
  if (!v.is_array()) throw std::invalid_argument(kWhat);
  std::vector<OutcomeScript::Step> out;
  for (const auto& o : v) {
    if (o.is_string()) {
      out.push_back({o.get<std::string>(), ""});
    } else if (o.is_object() && o.contains("outcome") && o["outcome"].is_string()) {
      std::string hook = o.value("webhook", "");
      if (hook != "" && hook != "lost" && hook != "duplicate" && hook != "forgotten")
        throw std::invalid_argument("webhook must be \"lost\", \"duplicate\" or \"forgotten\"");
      out.push_back({o["outcome"].get<std::string>(), hook});
    } else {
      throw std::invalid_argument(kWhat);
    }
  }
  return out;
}

json base_object(const std::string& call_id, const json& request, const std::string& created_at) {
  json meta = request.value("metadata", json::object());
  json data = request.value("request_data", json::object());
  return json{{"call_id", call_id},
              {"c_id", call_id},
              {"to", request.value("phone_number", "")},
              {"from", request.value("from", "+15550100000")},
              {"created_at", created_at},
              {"metadata", meta},
              {"request_data", data},
              {"variables", data},
              {"call_length", 0},
              {"answered_by", nullptr},
              {"disposition_tag", nullptr},
              {"transferred_to", nullptr},
              {"error_message", nullptr},
              {"summary", nullptr},
              {"concatenated_transcript", ""}};
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
  if (it == outcomes_.end() || n >= it->second.size()) return {default_outcome_, ""};
  return it->second[n];
}

json ended_call_object(const std::string& call_id, const json& request, const std::string& outcome,
                       const std::string& created_at) {
  json c = base_object(call_id, request, created_at);
  c["completed"] = true;
  c["queue_status"] = "complete";
  c["status"] = "completed";
  if (outcome == "VOICEMAIL") {
    c["answered_by"] = "voicemail";
    c["call_length"] = 0.4;
    c["summary"] = "Reached voicemail; left a message.";
  } else if (outcome == "NO_ANSWER") {
    c["status"] = "no-answer";
    c["answered_by"] = "no-answer";
  } else if (outcome == "BUSY") {
    c["status"] = "busy";
  } else if (outcome == "FAILED") {
    c["status"] = "failed";
    c["error_message"] = "Call failed (emulated)";
  } else if (outcome == "TRANSFERRED") {
    c["answered_by"] = "human";
    c["call_length"] = 2.5;
    c["transferred_to"] = "+15550109999";
    c["disposition_tag"] = "TRANSFERRED";
    c["summary"] = "Interested; transferred to an agent.";
  } else {
    c["answered_by"] = "human";
    c["call_length"] = 1.2;
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

}  // namespace redial::emulator
