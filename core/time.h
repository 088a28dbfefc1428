#pragma once
// Time values used across the core: epoch milliseconds, as on disk in the seed's files.
#include <cstdint>

namespace redial {

using TimeMs = std::int64_t;  // milliseconds since 1970-01-01T00:00:00Z

constexpr TimeMs kSecondMs = 1000;
constexpr TimeMs kMinuteMs = 60 * kSecondMs;
constexpr TimeMs kHourMs = 60 * kMinuteMs;
constexpr TimeMs kDayMs = 24 * kHourMs;

}  // namespace redial
