#pragma once
// Compares what a run produced with what its scenario expects, field by field.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/lead_record.h"
#include "sim/scenario.h"

namespace redial::sim {

// One expected value that did not match.
struct FieldDiff {
  std::string field;  // "leads.12345.attempts"
  std::string expected;
  std::string actual;
};

// What the run produced for one lead_id.
struct ActualLead {
  bool exists = false;  // the queue has a record
  LeadRecord record;
  std::vector<TimeMs> dials_at;
  int calls = 0;
};

std::vector<FieldDiff> compare_expectations(
    const Scenario& sc, const std::function<ActualLead(const std::string& lead_id)>& actual,
    const std::map<std::string, long long>& totals, std::size_t violations);

// Column layout of a diff: field, expected, actual, one row per field.
std::string format_diffs(const std::vector<FieldDiff>& diffs, const std::string& indent);

}  // namespace redial::sim
