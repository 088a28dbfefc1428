#pragma once
// The calls a record keeps, for GET /admin/phones/{phone}/calls, /admin/stats/daily and a lead's
// timeline. A record keeps every outcome (in order) but only its last result's call id and time,
// and the dial times of its calls in the 24 hours before its latest dial (recent_call_times, for
// the caps); nothing else is invented: what is not kept is nullopt (docs/runner.md, "What the
// views know").
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/business_calendar.h"
#include "core/dialer.h"
#include "core/lead_record.h"

namespace redial {

class RedialQueue;

struct KeptCall {
  int attempt = 0;  // 1-based: the k-th result; attempts + 1 for the call in flight
  std::optional<std::string> call_id;
  std::optional<TimeMs> dialed_at;
  std::optional<std::string> outcome;  // nullopt: in flight
  std::optional<TimeMs> result_at;
  bool in_flight = false;
};

// The record's calls, oldest first. Dial times are matched to results from the latest back (the
// oldest dials age out of recent_call_times); when the record has more dial times than results
// (a call released without one) no dial time is matched. `flight`: the call in flight to the
// record's number, if it is this record's.
std::vector<KeptCall> kept_calls(const LeadRecord& r, const InFlightCall* flight);

struct PhoneCall {
  std::string key;
  std::string lead_id;
  KeptCall call;
};

// Every kept call to the number, over every record with it (any accepted format), newest first
// (undated calls after the dated ones of their record). Throws InputError("phone").
std::vector<PhoneCall> calls_to_phone(const RedialQueue& queue, std::string_view raw_phone,
                                      std::string* normalized);

// A human answered (docs/runner.md "What the views know"): counted as a connect.
bool is_connect(std::string_view outcome);

struct ListCounts {
  int calls = 0, connects = 0, transfers = 0;
};
struct DayCounts {
  int calls = 0, connects = 0, voicemails = 0, transfers = 0;
  std::map<std::string, int> by_outcome;
  std::map<std::string, ListCounts> by_list;
};
struct DailyStats {
  LocalDay from = 0;            // business-zone days, inclusive
  std::vector<DayCounts> days;  // days[i] is day from + i
  DayCounts undated;            // calls and results whose day the records do not keep
};

// Calls by the business-zone day of their dial; results by the day they were recorded when kept
// (a lead's last result), else by their call's dial day, else undated. REQUIRES: from <= to.
DailyStats daily_stats(const RedialQueue& queue, LocalDay from, LocalDay to);

}  // namespace redial
