#include "bland/bland_call.h"

#include <cassert>
#include <nlohmann/json.hpp>
#include <set>

#include "core/errors.h"

namespace redial::bland {
namespace {

using nlohmann::json;

std::string field_text(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return "";
}

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string first_of(const json& call, const char* key) {
  for (const char* where : {"metadata", "request_data"}) {
    std::string v = field_text(member(call, where), key);
    if (!v.empty()) return v;
  }
  return "";
}

// Issue 15: an outcome the caller set with the wrong type is refused, never guessed at (it would
// otherwise fall through to the status rules and be recorded as UNKNOWN). Absent or null is fine.
void check_outcome_types(const json& call) {
  for (const char* where : {"metadata", "variables"}) {
    const json& v = member(member(call, where), "outcome");
    if (v.is_null() || (v.is_string() && !v.get<std::string>().empty())) continue;
    throw InputError(std::string(where) + ".outcome",
                     std::string("must be a non-empty string (got ") +
                         (v.is_string() ? "\"\"" : v.type_name()) + ")");
  }
}

}  // namespace

ParsedCall parse_call_object(const json& call, const OutcomeMapping& mapping,
                             const KnownOutcome& is_known, const LocalTimeParser& parse_local) {
  if (!call.is_object()) throw InputError("body", "expected a JSON object (Bland's call object)");
  check_outcome_types(call);
  ParsedCall p;
  CallResult& r = p.result;
  r.call_id = field_text(call, "call_id");
  if (r.call_id.empty()) throw InputError("call_id", "missing");
  r.lead_id = first_of(call, "lead_id");
  r.phone_number = first_of(call, "phone_number");
  if (r.phone_number.empty()) r.phone_number = field_text(call, "to");
  r.list_id = first_of(call, "list_id");
  r.first_name = first_of(call, "first_name");
  r.last_name = first_of(call, "last_name");
  r.state = first_of(call, "state");

  // The runner's dial_seq comes back in metadata: it names the dial this result belongs to.
  const json& seq = member(member(call, "metadata"), "dial_seq");
  if (seq.is_number_integer() && seq.get<long long>() >= 0) {
    r.dial_seq = seq.get<std::uint64_t>();
  } else if (seq.is_string() && !seq.get<std::string>().empty() &&
             seq.get<std::string>().find_first_not_of("0123456789") == std::string::npos &&
             seq.get<std::string>().size() < 20) {
    r.dial_seq = std::stoull(seq.get<std::string>());
  }

  MappedOutcome m = map_outcome(call, mapping, is_known);
  r.outcome = m.outcome;
  p.rule = m.rule;
  p.unproven_transfer = m.unproven_transfer;

  for (const char* where : {"metadata", "variables"}) {
    for (const char* key : {"scheduled_callback_time", "callback_time"}) {
      const json& v = member(member(call, where), key);
      if (v.is_number_integer()) {
        r.scheduled_callback_time = v.get<TimeMs>();
      } else if (v.is_string() && !v.get<std::string>().empty() && parse_local) {
        r.scheduled_callback_time = parse_local(v.get<std::string>(), key);
      }
      if (r.scheduled_callback_time) break;
    }
    if (r.scheduled_callback_time) break;
  }

  const json& completed = member(call, "completed");
  std::string status = field_text(call, "status");
  std::string queue_status = field_text(call, "queue_status");
  p.ended = (completed.is_boolean() && completed.get<bool>()) || status == "completed" ||
            status == "failed" || status == "busy" || status == "no-answer" ||
            status == "canceled" || queue_status == "complete" || queue_status == "completed";
  return p;
}

std::string not_a_result(const json& call, bool webhook_events, const OutcomeMapping& mapping) {
  assert(call.is_object());
  const json& inbound = member(call, "inbound");
  if (inbound.is_boolean() && inbound.get<bool>()) return "inbound";
  const json& completed = member(call, "completed");
  // An event body (webhook_events) is not the result, unless it says the call is complete: a
  // kind field on the real result must not hide it.
  const bool complete = completed.is_boolean() && completed.get<bool>();
  if (webhook_events && !complete)
    for (const char* key : {"category", "event", "event_type", "type"})
      if (!field_text(call, key).empty()) return "event";
  // Bland: `completed` is the most up-to-date state when it differs from queue_status.
  if (completed.is_boolean()) return completed.get<bool>() ? "" : "not_completed";
  static const std::set<std::string> kRunning{"new",     "queued",      "allocated",  "started",
                                              "ringing", "in-progress", "in_progress"};
  if (kRunning.count(field_text(call, "status"))) return "status_not_final";
  if (kRunning.count(field_text(call, "queue_status"))) return "queue_status_not_final";
  for (const char* key : {"status", "queue_status", "answered_by", "disposition_tag",
                          "error_message", "transferred_to", "warm_transfer_call"})
    if (!member(call, key).is_null()) return "";
  MappedOutcome explicit_outcome = map_outcome(call, mapping, nullptr);
  for (const auto& field : mapping.explicit_fields)
    if (explicit_outcome.rule.rfind(field, 0) == 0) return "";
  return "no_call_state";
}

}  // namespace redial::bland
