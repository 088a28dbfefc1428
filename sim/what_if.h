#pragma once
// redial-sim --config FILE and --compare A B (issue 18): run a scenario under the settings of
// a runner config file ('name = value' lines, as redial-runner --config reads), and set two
// runs of one scenario side by side.
#include <map>
#include <string>
#include <vector>

#include "core/settings_schema.h"
#include "sim/scenario.h"
#include "sim/simulation.h"

namespace redial::sim {

// The policy settings of a runner config file ('name = value', as redial-runner --config
// reads; NAME=value lines of an environment file such as /etc/redial/redial.env are read as
// their setting); runner-only settings (Bland, HTTP, storage) are read and left out. Throws ScenarioError "FILE: reason" for an unreadable file, an
// unknown name or a bad value (the reader is the runner's: Boost.Program_options).
SettingValues read_settings_file(const std::string& path);

// The scenario under `values` alone (the schema's defaults for the rest), as a runner started
// with that file would run: its own "config" and "expect" are dropped (its expectations were
// worked out for its own settings), so only the invariants judge the run; its name says which
// settings ran. Throws ScenarioError naming `label` and the setting.
Scenario with_settings(const Scenario& sc, const SettingValues& values, const std::string& label);

// What --compare prints for one run. REQUIRES: r.timeline (SimOptions::timeline).
struct WhatIfFigures {
  long long dials = 0, attempts = 0, completed = 0, max_attempts = 0;
  double calls_per_lead_day_mean = 0;
  int calls_per_lead_day_max = 0;
  long long outside_business_hours = 0;  // queue dials while the business calendar was closed
  std::map<std::string, long long> holds_by_rule;
  long long violations = 0;
};
WhatIfFigures figures_of(const RunResult& r);

// Rows of (figure, A, B): every figure above, holds one row per rule seen in either run.
std::vector<std::vector<std::string>> compare_rows(const WhatIfFigures& a, const WhatIfFigures& b);
// The rows as an aligned text table with the two labels as column heads.
std::string compare_text(const std::vector<std::vector<std::string>>& rows,
                         const std::string& label_a, const std::string& label_b);

}  // namespace redial::sim
