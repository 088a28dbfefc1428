#pragma once
// The "config" object of a scenario file: the queue's policy (see scenarios/README.md).
#include <nlohmann/json.hpp>

#include "core/redial_policy.h"
#include "sim/json_reader.h"

namespace redial::sim {

// Fills `p` from `c` and validates it. Throws ScenarioError "FILE: config.FIELD: reason".
void read_config(const JsonReader& r, const nlohmann::json& c, RedialPolicy& p);

}  // namespace redial::sim
