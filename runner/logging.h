#pragma once
// spdlog set-up: human-readable lines by default, JSON lines with --log-format json; to stderr or
// to a file that SIGHUP reopens (for logrotate's move-then-HUP).
#include <memory>
#include <string>

#include "runner/settings.h"

namespace spdlog {
class logger;
}

namespace redial::runner {

// Creates the "redial" logger, makes it spdlog's default and returns it. Throws on a bad file.
std::shared_ptr<spdlog::logger> setup_logging(const Settings& settings);
// Reopens the log file (after logrotate moved it). No-op when logging to stderr.
void reopen_log(spdlog::logger& logger, const Settings& settings);

}  // namespace redial::runner
