#pragma once
// Moved to bland/outcome_mapping.h (issue 21). This forwarding header keeps runner/settings.cpp
// (rewritten by issue 21's settings schema work) compiling; drop it once nothing includes it.
#include "bland/outcome_mapping.h"

namespace redial::runner {
using bland::load_outcome_mapping;
using bland::OutcomeMapping;
}  // namespace redial::runner
