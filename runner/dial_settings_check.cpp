#include "runner/dial_settings_check.h"

#include <nlohmann/json.hpp>
#include <string>

namespace redial::runner {

using nlohmann::json;

namespace {

const char* kTemplate = "--call-template (REDIAL_CALL_TEMPLATE)";

[[noreturn]] void bad_template(const std::string& why) {
  throw SettingsError(std::string("bad value for ") + kTemplate + ": " + why);
}

std::string seconds_text(TimeMs ms) {
  return std::to_string(ms / 1000) + (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : "") +
         " s";
}

void check_voicemail(const json& vm) {
  static const char* kActions[] = {"hangup", "leave_message", "leave_message_and_sms", "ignore"};
  const std::string allowed = "hangup, leave_message, leave_message_and_sms or ignore";
  if (!vm.is_object()) bad_template("voicemail must be a JSON object {\"action\": ...}");
  auto it = vm.find("action");
  if (it == vm.end() || it->is_null())
    bad_template("voicemail.action is missing (Bland then hangs up and leaves nothing); set " +
                 allowed);
  std::string action = it->is_string() ? it->get<std::string>() : it->dump();
  bool known = false;
  for (const char* a : kActions) known = known || (it->is_string() && action == a);
  if (!known) bad_template("voicemail.action '" + action + "' is not one of " + allowed);
  if (action.rfind("leave_message", 0) == 0) {
    auto m = vm.find("message");
    if (m == vm.end() || !m->is_string() || m->get<std::string>().empty())
      bad_template("voicemail.action " + action + " needs a non-empty voicemail.message");
  }
}

}  // namespace

void check_dial_settings(const Settings& s) {
  json t = json::parse(s.call_template, nullptr, false);
  if (!t.is_object()) bad_template("must be a JSON object");
  bool names_agent = false;
  for (const char* k : {"task", "pathway_id", "persona_id"}) {
    auto it = t.find(k);
    names_agent =
        names_agent || (it != t.end() && it->is_string() && !it->get<std::string>().empty());
  }
  if (!names_agent)
    bad_template("names none of task, pathway_id, persona_id: Bland would refuse every dial (400)");
  double max_duration_min = 30;  // Bland's default
  if (auto it = t.find("max_duration"); it != t.end() && !it->is_null()) {
    if (!it->is_number() || it->get<double>() <= 0)
      bad_template("max_duration must be a positive number of minutes, not " + it->dump());
    max_duration_min = it->get<double>();
  }
  const TimeMs longest_ms = static_cast<TimeMs>(max_duration_min * kMinuteMs) + s.webhook_grace_ms;
  if (s.policy.call_timeout_ms <= longest_ms)
    throw SettingsError("bad value for --call-timeout (REDIAL_CALL_TIMEOUT): " +
                        seconds_text(s.policy.call_timeout_ms) +
                        " must exceed the call template's max_duration (" +
                        seconds_text(static_cast<TimeMs>(max_duration_min * kMinuteMs)) +
                        ") plus --webhook-grace (" + seconds_text(s.webhook_grace_ms) +
                        ") = " + seconds_text(longest_ms));
  if (auto it = t.find("voicemail"); it != t.end() && !it->is_null()) check_voicemail(*it);
}

}  // namespace redial::runner
