#pragma once
// What the queue learns when a call ends (from Bland's webhook, the simulator, or a test).
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace redial {

struct CallResult {
  std::string lead_id;
  std::string phone_number;
  std::string list_id;
  std::string first_name;
  std::string last_name;
  std::string state;
  std::string outcome;  // e.g. VOICEMAIL, NO_ANSWER, TRANSFERRED
  std::string call_id;  // Bland's call id; a repeated id is a duplicate webhook
  std::optional<TimeMs> scheduled_callback_time;  // set: the lead is rescheduled to it
  // The DialRequest::dial_seq of the queue's dial this result belongs to, when known (the runner
  // puts it in Bland's metadata, which comes back in the webhook). Without it, a result for a
  // lead whose dial has not been answered yet is taken to be that dial's.
  std::optional<std::uint64_t> dial_seq;
};

// Fields of a lead to put in the queue for a first dial (no call made yet).
struct LeadInput {
  std::string lead_id;
  std::string phone_number;
  std::string list_id;
  std::string first_name;
  std::string last_name;
  std::string state;
};

}  // namespace redial
