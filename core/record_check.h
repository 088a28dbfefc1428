#pragma once
// Load-time checks of month-file values (implemented in seed_format.cpp). Kept apart from the
// reader so that code outside the core can use them without the parser's headers.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/lead_record.h"

namespace redial {

// Values a month file's reader could read but that do not add up (docs/storage.md, "Load-time
// checks"). They are loaded as they are, never rewritten: only counted and reported.
struct RecordCheckRules {
  std::optional<TimeMs> now_ms;                    // unset: "in the future" not checked
  std::function<bool(std::string_view)> is_known;  // null: outcome names not checked
};
struct MonthFileProblems {
  std::string path;
  std::size_t records = 0;                    // records read from the file
  std::size_t bad_records = 0;                // records with at least one problem
  std::map<std::string, std::size_t> counts;  // problem -> records with it
  std::string first;                          // the first problem found: record key and what
  bool any() const { return bad_records > 0; }
};
// Counts `r`'s problems into `out` (one record counts once per kind of problem).
void check_record_values(const std::string& key, const LeadRecord& r, const RecordCheckRules& rules,
                         MonthFileProblems& out);
// "attempts_vs_outcomes: 2, unknown_outcome: 1".
std::string describe_problem_counts(const MonthFileProblems& p);

}  // namespace redial
