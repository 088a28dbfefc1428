#pragma once
// The settings tables of the docs, generated from the core's settings schema
// (core/settings_schema.h); `redial-runner --print-settings-markdown TABLE` prints one.
#include <string>

namespace redial::runner {

// "queue", "calling-rules" or "runner" (README.md), or "scenario" (scenarios/README.md). Throws
// SettingsError for another name. README.md and scenarios/README.md hold exactly this text.
std::string settings_markdown_table(const std::string& table);

}  // namespace redial::runner
