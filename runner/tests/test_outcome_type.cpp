// Issue 15: metadata.outcome / variables.outcome of the wrong type is a 400 naming the field,
// not an UNKNOWN attempt.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "bland/bland_call.h"
#include "bland/outcome_mapping.h"
#include "core/errors.h"

using namespace redial;
using namespace redial::bland;
using nlohmann::json;

namespace {

const KnownOutcome kKnownOutcome = [](std::string_view o) {
  return o == "VOICEMAIL" || o == "UNKNOWN";
};

json call_with(const char* where, json outcome) {
  json call{{"call_id", "c-1"},
            {"status", "completed"},
            {"metadata", {{"lead_id", "1"}, {"phone_number", "+15551234567"}}}};
  call[where]["outcome"] = std::move(outcome);
  return call;
}

std::string refusal(const json& call) {
  OutcomeMapping m;
  try {
    parse_call_object(call, m, kKnownOutcome, nullptr);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("an outcome of the wrong type is refused, naming the field") {
  for (const char* where : {"metadata", "variables"}) {
    const std::string field = std::string(where) + ".outcome";
    CHECK(refusal(call_with(where, json::object({{"x", 1}}))) ==
          field + ": must be a non-empty string (got object)");
    CHECK(refusal(call_with(where, 3)) == field + ": must be a non-empty string (got number)");
    CHECK(refusal(call_with(where, "")) == field + ": must be a non-empty string (got \"\")");
    CHECK(refusal(call_with(where, json::array({"VOICEMAIL"}))) ==
          field + ": must be a non-empty string (got array)");
    CHECK(refusal(call_with(where, true)) == field + ": must be a non-empty string (got boolean)");
  }
}

TEST_CASE("a string outcome, a null one or none at all still parses") {
  OutcomeMapping m;
  CHECK(parse_call_object(call_with("metadata", "VOICEMAIL"), m, kKnownOutcome, nullptr)
            .result.outcome == "VOICEMAIL");
  CHECK(refusal(call_with("variables", nullptr)) == "accepted");
  json plain{{"call_id", "c-2"}, {"status", "completed"}, {"metadata", {{"lead_id", "1"}}}};
  CHECK(refusal(plain) == "accepted");
}
