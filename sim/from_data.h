#pragma once
// redial-sim --from-data DIR (issue 18): a runner's data directory (month files and journal)
// turned into a scenario, so a production day can be replayed in virtual time, under the
// settings it ran with or under others (--config, --compare).
#include <string>

#include "core/settings_schema.h"
#include "sim/scenario.h"

namespace redial::sim {

// Each record becomes a lead: its recorded outcomes, in order, are its outcome script; its
// first call is placed when the data says (outside the queue at its creation, or by the queue
// after an admin enqueue); an operator stop becomes a stop_lead event; dnc numbers go on the
// scenario's do-not-call list. The policy is the schema's defaults with `values` over them.
// Leads the data shows settled (completed, max attempts, dnc) are expected to end as recorded:
// attempts, outcomes, status and, when every dial is still kept, the number of calls; leads
// still in progress are replayed unchecked. Reads without the lock and changes nothing.
// Throws ScenarioError naming the directory (or `settings_label` for a bad setting).
Scenario scenario_from_data(const std::string& dir, const SettingValues& values,
                            const std::string& settings_label);

}  // namespace redial::sim
