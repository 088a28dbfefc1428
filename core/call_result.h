#pragma once
// What the queue learns when a call ends (from Bland's webhook, the simulator, or a test).
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
