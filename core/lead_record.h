#pragma once
// One lead in the redial queue: the seed's record, field for field.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/outcome_list.h"
#include "core/time.h"

namespace redial {

// kDnc: the number is on a do-not-call list; never dialed again (written "dnc": the seed's
// readers load it and, as for completed, never select it). kPaused: an operator paused the lead
// (admin API); never dialed until resumed, when it goes back to paused_from (written "paused",
// which the seed's readers likewise never select).
enum class LeadStatus : std::uint8_t {
  kPending,
  kRescheduled,
  kCompleted,
  kMaxAttempts,
  kDnc,
  kPaused
};

std::string_view status_name(LeadStatus s);  // "pending", "rescheduled", ...
// Throws InputError("status") for a name that is not one of them.
LeadStatus parse_status(std::string_view name);

// Field names and meanings are the seed's (the file's field order is append_record_json's).
// Optional fields are null in the file when unset.
struct LeadRecord {
  std::string lead_id;
  std::string phone_number;  // as received, e.g. "+15551234567"
  std::string list_id;
  std::string first_name;
  std::string last_name;
  std::string state;
  int attempts = 0;  // results recorded (a dial alone never counts)
  // (status is the seed's last field; it sits here to fill the padding after attempts)
  LeadStatus status = LeadStatus::kPending;
  // Set only while paused: the ready status (pending or rescheduled) a resume goes back to.
  std::optional<LeadStatus> paused_from;
  std::optional<TimeMs> last_call_timestamp;
  TimeMs next_redial_timestamp = 0;
  std::optional<TimeMs> scheduled_callback_time;
  OutcomeList outcomes;       // one per recorded result, oldest first (interned names)
  OptionalName last_outcome;  // an interned name
  std::optional<std::string> last_call_id;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  // Extensions, written after the seed's fields and only when set:
  std::vector<TimeMs> recent_call_times;  // calls placed or reported in the last 24 h, for caps
  OptionalName hold_reason;               // the calling rule holding the lead until its next redial
                                          // (paused: "paused by an operator[: reason]")

  bool operator==(const LeadRecord&) const = default;
};

// Appends the record as one compact JSON object with the seed's field order.
void append_record_json(std::string& out, const LeadRecord& r);
// Appends a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view s);

}  // namespace redial
