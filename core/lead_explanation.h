#pragma once
// Why a lead is or is not dialed now, and when it may be: every check the tick applies to it, each
// with its verdict and the next instant it allows (GET /admin/records/{key}/explain). Built by
// RedialQueue::explain from the same code the tick runs (core/redial_queue_explain.cpp).
#include <optional>
#include <string>
#include <vector>

#include "core/lead_record.h"
#include "core/time.h"

namespace date {
class time_zone;
}

namespace redial {

struct LeadVerdict {
  std::string rule;  // "status", "max_attempts", "schedule", "federal_window", ...
  bool allows_now = true;
  std::string detail;  // for a human, e.g. "08:00-21:00 in America/Chicago"
  // The earliest instant this rule allows a dial; nullopt when it never will (a closed lead) or
  // it is not a time (a call in flight ends when its result comes).
  std::optional<TimeMs> next_allowed_at;
  const date::time_zone* zone = nullptr;  // the zone to show next_allowed_at in; null: business
};

struct LeadExplanation {
  TimeMs now = 0;
  LeadStatus status = LeadStatus::kPending;
  bool can_dial_now = false;  // every verdict allows now: the next tick dials it
  std::vector<LeadVerdict> verdicts;
  // The first instant every rule allows (the dial is placed at the first tick from then);
  // nullopt when some rule gives no instant.
  std::optional<TimeMs> next_dial_at;
  const date::time_zone* lead_zone = nullptr;  // the lead's first zone (business zone if unknown)
  bool zone_assumed = false;                   // nothing locates the number
};

}  // namespace redial
