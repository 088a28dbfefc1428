#pragma once
// A tick's summary as JSON (admin API and logs).
#include <nlohmann/json.hpp>

#include "core/redial_queue.h"

namespace redial::runner {

inline nlohmann::json tick_json(const TickSummary& t) {
  return nlohmann::json{{"at", t.at},
                        {"ran", t.ran},
                        {"skipped_reason", t.skipped_reason},
                        {"total_ready", t.total_ready},
                        {"calls_made", t.calls_made},
                        {"skipped", t.skipped},
                        {"held", t.held},
                        {"dnc", t.dnc},
                        {"errors", t.errors},
                        {"calls_released", t.calls_released},
                        {"rate_limited", t.rate_limited},
                        {"paced", t.paced},
                        {"limit_rule", t.limit_rule}};
}

}  // namespace redial::runner
