#pragma once
// The runner's process: the core's RedialQueue on a MonthStore, Bland's dialer, the webhook and
// admin HTTP server, all driven by one poll() loop:
//   each iteration: tick when due -> poll (HTTP, curl, signals, timers) -> group commit: one
//   queue.sync() for everything the iteration changed, then every waiting response is answered.
#include <memory>

#include "runner/settings.h"

namespace redial::runner {

// Runs until SIGTERM/SIGINT; returns the exit status (0 clean; 1 store or start-up failure).
int run_app(const Settings& settings);

}  // namespace redial::runner
