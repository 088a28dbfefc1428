#include "core/lead_record.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace redial {

std::string_view status_name(LeadStatus s) {
  switch (s) {
    case LeadStatus::kPending:
      return "pending";
    case LeadStatus::kRescheduled:
      return "rescheduled";
    case LeadStatus::kCompleted:
      return "completed";
    case LeadStatus::kMaxAttempts:
      return "max_attempts";
    case LeadStatus::kDnc:
      return "dnc";
    case LeadStatus::kPaused:
      return "paused";
  }
  return "pending";
}

LeadStatus parse_status(std::string_view name) {
  if (name == "pending") return LeadStatus::kPending;
  if (name == "rescheduled") return LeadStatus::kRescheduled;
  if (name == "completed") return LeadStatus::kCompleted;
  if (name == "max_attempts") return LeadStatus::kMaxAttempts;
  if (name == "dnc") return LeadStatus::kDnc;
  if (name == "paused") return LeadStatus::kPaused;
  throw InputError(
      "status", "unknown status \"" + std::string(name) +
                    "\" (expected pending, rescheduled, completed, max_attempts, dnc or paused)");
}

void append_json_string(std::string& out, std::string_view s) {
  // Plain printable ASCII needs no escaping: placed as is (the same bytes nlohmann writes, without
  // its temporary json value, string copy and locale lookup, which dominated writing a snapshot).
  bool plain = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  // Anything else: nlohmann's serializer does the escaping (UTF-8 checked).
  out += nlohmann::json(std::string(s)).dump();
}

namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_optional(std::string& out, const std::optional<std::int64_t>& v) {
  if (v) {
    append_int(out, *v);
  } else {
    out += "null";
  }
}

void append_optional(std::string& out, const OptionalName& v) {
  if (v) {
    append_json_string(out, *v);
  } else {
    out += "null";
  }
}

void append_optional(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    append_json_string(out, *v);
  } else {
    out += "null";
  }
}

}  // namespace

void append_record_json(std::string& out, const LeadRecord& r) {
  out += "{\"lead_id\":";
  append_json_string(out, r.lead_id);
  out += ",\"phone_number\":";
  append_json_string(out, r.phone_number);
  out += ",\"list_id\":";
  append_json_string(out, r.list_id);
  out += ",\"first_name\":";
  append_json_string(out, r.first_name);
  out += ",\"last_name\":";
  append_json_string(out, r.last_name);
  out += ",\"state\":";
  append_json_string(out, r.state);
  out += ",\"attempts\":";
  append_int(out, r.attempts);
  out += ",\"last_call_timestamp\":";
  append_optional(out, r.last_call_timestamp);
  out += ",\"next_redial_timestamp\":";
  append_int(out, r.next_redial_timestamp);
  out += ",\"scheduled_callback_time\":";
  append_optional(out, r.scheduled_callback_time);
  out += ",\"outcomes\":[";
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, r.outcomes[i]);
  }
  out += "],\"last_outcome\":";
  append_optional(out, r.last_outcome);
  out += ",\"last_call_id\":";
  append_optional(out, r.last_call_id);
  out += ",\"created_at\":";
  append_int(out, r.created_at);
  out += ",\"updated_at\":";
  append_int(out, r.updated_at);
  out += ",\"status\":\"";
  out += status_name(r.status);
  out += '"';
  if (!r.recent_call_times.empty()) {
    out += ",\"recent_call_times\":[";
    for (std::size_t i = 0; i < r.recent_call_times.size(); ++i) {
      if (i) out += ',';
      append_int(out, r.recent_call_times[i]);
    }
    out += ']';
  }
  if (r.hold_reason) {
    out += ",\"hold_reason\":";
    append_json_string(out, *r.hold_reason);
  }
  if (r.paused_from) {
    out += ",\"paused_from\":\"";
    out += status_name(*r.paused_from);
    out += '"';
  }
  out += '}';
}

}  // namespace redial
