// The settings tables of README.md and scenarios/README.md, generated from the schema
// (`redial-runner --print-settings-markdown`; runner/tests/test_settings.cpp checks the files).
#include <string>

#include "core/settings_schema.h"

namespace redial {
namespace {

std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

const char* unit_name(TimeMs unit_ms) {
  if (unit_ms == kSecondMs) return "seconds";
  if (unit_ms == kMinuteMs) return "minutes";
  return "ms";
}

bool plain_number(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == ',' || c == '.')) return false;
  return true;
}

std::string default_cell(const SettingSpec& s) {
  if (*s.default_text == '\0') return "(none)";
  std::string out = code(s.default_text);
  bool timed = s.type == SettingType::kDuration || s.type == SettingType::kDurationList;
  if (timed && plain_number(s.default_text))
    out += std::string(" (") + unit_name(s.plain_unit_ms) + ")";
  return out;
}

std::string meaning_cell(const SettingSpec& s) {
  std::string out = s.help;
  if (s.type == SettingType::kDuration || s.type == SettingType::kDurationList)
    out += std::string("; a plain number is in ") + unit_name(s.plain_unit_ms) +
           ", or 500ms, 30s, 5m, 2h, 1d";
  if (*s.more) out += std::string(" ") + s.more;
  for (std::size_t i = out.find('|'); i != std::string::npos; i = out.find('|', i + 2))
    out.replace(i, 1, "\\|");  // a '|' would end the markdown cell
  return out;
}

}  // namespace

std::string settings_markdown(std::string_view group) {
  std::string out = "| setting | environment | default | meaning |\n|---|---|---|---|\n";
  for (const SettingSpec& s : settings_schema()) {
    if (group != s.group) continue;
    out += "| " + code(std::string("--") + s.name) + " | " + code(s.env) + " | " + default_cell(s) +
           " | " + meaning_cell(s) + " |\n";
  }
  return out;
}

std::string scenario_config_markdown() {
  std::string out = "| key | runner setting | default | meaning |\n|---|---|---|---|\n";
  for (const SettingSpec& s : settings_schema()) {
    if (s.runner_only()) continue;
    out += "| " + code(s.scenario_key) + " | " + code(std::string("--") + s.name) + " | " +
           default_cell(s) + " | " + meaning_cell(s) + " |\n";
  }
  return out;
}

}  // namespace redial
