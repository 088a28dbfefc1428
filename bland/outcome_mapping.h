#pragma once
// Bland's post-call object -> one queue outcome (VOICEMAIL, NO_ANSWER, TRANSFERRED ...).
//
// Rules, first match wins (each table can be overridden with --outcome-mapping, a JSON object
// with the same keys as the defaults below; see docs/runner.md):
//   1. explicit:        the first non-empty string among explicit_fields ("metadata.outcome",
//                       "variables.outcome"), upper-cased, used as given.
//   2. disposition_tag: disposition_tags[TAG] if present; else TAG itself when the queue knows it
//                       as an outcome; else the next rules.
//      A claim of `transferred` by rule 1 or 2 without Bland's evidence (below) becomes
//      `transfer_failed` (TRANSFER_FAILED): a tag is the pathway's claim, not proof.
//   3. evidence:        warm_transfer_call.state "MERGED", or transferred_to and transferred_at
//                       both non-empty -> "TRANSFERRED".
//   4. a transfer begun but not proven (transferred_to alone, or warm_transfer_call.state
//      another non-empty state) -> "TRANSFER_FAILED".
//   5. error_message matching a bad_number_patterns entry (case-insensitive substring: "is not
//      found", "not in service", ...) -> "BAD_NUMBER".
//   6. answered_by:     answered_by table ("voicemail" -> VOICEMAIL, "no-answer" -> NO_ANSWER).
//   7. status:          status table ("no-answer" -> NO_ANSWER, "busy" -> BUSY, "failed" ->
//                       FAILED, "canceled" -> CANCELED).
//   8. error_message:   any other non-empty -> "FAILED" (transient: retried).
//   9. answered_by "human" -> "ANSWERED"; "unknown", null or anything else -> "UNKNOWN".
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace redial::bland {

struct OutcomeMapping {
  std::vector<std::string> explicit_fields{"metadata.outcome", "variables.outcome"};
  std::map<std::string, std::string> disposition_tags;  // TAG -> outcome (keys upper-case)
  std::string transferred = "TRANSFERRED";
  std::string transfer_failed = "TRANSFER_FAILED";
  // Permanent number errors in error_message (lower-case substrings). Anything else is transient.
  std::vector<std::string> bad_number_patterns{
      "is not found",    "not in service",       "no longer in service",
      "invalid number",  "invalid phone number", "has been disconnected",
      "is disconnected", "does not exist",       "unallocated number"};
  std::string bad_number = "BAD_NUMBER";
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
  // Non-empty when a transfer was claimed or begun without Bland's evidence: which field
  // claimed it ("disposition_tag", "metadata.outcome", "transferred_to", "warm_transfer_call").
  std::string unproven_transfer;
};

// Bland's evidence that the customer was really joined to the agent.
bool transfer_evidence(const nlohmann::json& call);

using KnownOutcome = std::function<bool(std::string_view)>;

// Pure: the same call object always maps to the same outcome. `call` must be a JSON object.
MappedOutcome map_outcome(const nlohmann::json& call, const OutcomeMapping& mapping,
                          const KnownOutcome& is_known);

std::string upper(std::string_view s);

}  // namespace redial::bland
