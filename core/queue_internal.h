#pragma once
// Helpers shared by the files that implement RedialQueue; not part of the core's interface.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/lead_record.h"
#include "core/redial_queue.h"

// Logs through spdlog only when `lvl` is enabled. spdlog itself skips formatting below the
// logger's level (lvl: info, warn, err, debug), but the arguments (escaped copies of keys,
// local-time text through the tz database) would still be built on every call; the simulator runs
// with logging off.
#define REDIAL_LOG(logger, lvl, ...)                                                              \
  do {                                                                                            \
    if ((logger)->should_log(spdlog::level::lvl)) (logger)->log(spdlog::level::lvl, __VA_ARGS__); \
  } while (0)

namespace redial::internal {

inline std::size_t& count_of(StatusCounts& c, LeadStatus s) {
  switch (s) {
    case LeadStatus::kPending:
      return c.pending;
    case LeadStatus::kRescheduled:
      return c.rescheduled;
    case LeadStatus::kCompleted:
      return c.completed;
    case LeadStatus::kMaxAttempts:
      return c.max_attempts;
    case LeadStatus::kDnc:
      return c.dnc;
    case LeadStatus::kPaused:
      return c.paused;
  }
  return c.pending;
}

inline bool is_open_status(LeadStatus s) {
  return s == LeadStatus::kPending || s == LeadStatus::kRescheduled;
}

inline std::uint64_t hash_call_id(const std::string& id) { return std::hash<std::string>{}(id); }

constexpr std::size_t kCallIdsRemembered = 16;

// A value placed inside a JSON string in a log line, escaped so the line stays valid JSON.
inline std::string esc(std::string_view v) {
  std::string quoted;
  append_json_string(quoted, v);
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace redial::internal
