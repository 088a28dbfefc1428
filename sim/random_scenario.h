#pragma once
// Seeded random scenarios: leads, outcomes and faults all drawn from one std::mt19937_64 seeded
// with the seed, so a seed names one run exactly (same trace, same hash).
#include <cstdint>
#include <string>

#include "sim/scenario.h"

namespace redial::sim {

struct RandomOptions {
  std::uint64_t seed = 1;
  int leads = 1000;
  int days = 1;
  // First local day of the run; the default crosses the DST start of 2026-03-08 when days >= 2.
  std::string start_date = "2026-03-07";
  bool faults = true;
  bool webhook_dial_seq = true;  // false: webhooks do not name their dial (--no-dial-seq)
};

// Throws ScenarioError for a bad option.
Scenario make_random_scenario(const RandomOptions& options);

}  // namespace redial::sim
