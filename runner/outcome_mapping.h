#pragma once
// Bland's post-call object -> one queue outcome (VOICEMAIL, NO_ANSWER, TRANSFERRED ...).
//
// Rules, first match wins (each table can be overridden with --outcome-mapping, a JSON object
// with the same keys as the defaults below; see docs/deploy.md):
//   1. explicit:        the first non-empty string among explicit_fields ("metadata.outcome",
//                       "variables.outcome"), upper-cased, used as given.
//   2. disposition_tag: disposition_tags[TAG] if present; else TAG itself when the queue knows it
//                       as an outcome; else the next rules.
//   3. transferred_to:  non-empty -> "TRANSFERRED".
//   4. answered_by:     answered_by table ("voicemail" -> VOICEMAIL, "no-answer" -> NO_ANSWER).
//   5. status:          status table ("no-answer" -> NO_ANSWER, "busy" -> BUSY, "failed" ->
//                       FAILED, "canceled" -> CANCELED).
//   6. error_message:   non-empty -> "FAILED".
//   7. answered_by "human" -> "ANSWERED"; anything else -> "UNKNOWN".
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace redial::runner {

struct OutcomeMapping {
  std::vector<std::string> explicit_fields{"metadata.outcome", "variables.outcome"};
  std::map<std::string, std::string> disposition_tags;  // TAG -> outcome (keys upper-case)
  std::string transferred = "TRANSFERRED";
  std::map<std::string, std::string> answered_by{{"voicemail", "VOICEMAIL"},
                                                 {"no-answer", "NO_ANSWER"}};
  std::map<std::string, std::string> status{
      {"no-answer", "NO_ANSWER"}, {"busy", "BUSY"}, {"failed", "FAILED"}, {"canceled", "CANCELED"}};
  std::string error = "FAILED";
  std::string human = "ANSWERED";
  std::string fallback = "UNKNOWN";
};

// Defaults overridden by the keys present in `overrides` (a JSON object). Tables given replace
// the default table. Throws std::invalid_argument naming the key for a wrong type or unknown key.
OutcomeMapping load_outcome_mapping(const nlohmann::json& overrides);

struct MappedOutcome {
  std::string outcome;  // upper-case
  std::string rule;     // which rule decided: "metadata.outcome", "disposition_tag", "status" ...
};

using KnownOutcome = std::function<bool(std::string_view)>;

// Pure: the same call object always maps to the same outcome. `call` must be a JSON object.
MappedOutcome map_outcome(const nlohmann::json& call, const OutcomeMapping& mapping,
                          const KnownOutcome& is_known);

std::string upper(std::string_view s);

}  // namespace redial::runner
