#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "runner/bland_call.h"
#include "runner/outcome_mapping.h"

using namespace redial;
using namespace redial::runner;
using nlohmann::json;

namespace {

const KnownOutcome kKnown = [](std::string_view o) {
  for (const char* k : {"VOICEMAIL", "NO_ANSWER", "BUSY", "FAILED", "TRANSFERRED",
                        "CALL_BACK_SCHEDULED", "DO_NOT_CONTACT", "ANSWERED", "UNKNOWN"})
    if (o == k) return true;
  return false;
};

MappedOutcome map(const json& call, const OutcomeMapping& m = OutcomeMapping{}) {
  return map_outcome(call, m, kKnown);
}

}  // namespace

TEST_CASE("an explicit outcome in metadata or variables comes first") {
  json call{{"call_id", "c"},
            {"metadata", {{"outcome", "voicemail"}}},
            {"variables", {{"outcome", "BUSY"}}},
            {"disposition_tag", "TRANSFERRED"},
            {"status", "no-answer"}};
  CHECK(map(call).outcome == "VOICEMAIL");
  CHECK(map(call).rule == "metadata.outcome");
  call["metadata"].erase("outcome");
  CHECK(map(call).outcome == "BUSY");
  CHECK(map(call).rule == "variables.outcome");
}

TEST_CASE("disposition_tag: mapped, known, or falls through") {
  json call{{"call_id", "c"}, {"disposition_tag", "transferred"}, {"status", "completed"}};
  CHECK(map(call).outcome == "TRANSFERRED");
  CHECK(map(call).rule == "disposition_tag");
  OutcomeMapping m =
      load_outcome_mapping(json{{"disposition_tags", {{"hot_lead", "TRANSFERRED"}}}});
  call["disposition_tag"] = "HOT_LEAD";
  CHECK(map(call, m).outcome == "TRANSFERRED");
  // An account tag the queue does not know, without a mapping, falls to the next rules.
  call["answered_by"] = "voicemail";
  CHECK(map(call).outcome == "VOICEMAIL");
  CHECK(map(call).rule == "answered_by");
}

TEST_CASE("transferred_to, answered_by, status, error_message, in that order") {
  json call{{"call_id", "c"},
            {"transferred_to", "+15550001111"},
            {"answered_by", "voicemail"},
            {"status", "busy"},
            {"error_message", "boom"}};
  CHECK(map(call).outcome == "TRANSFERRED");
  call.erase("transferred_to");
  CHECK(map(call).outcome == "VOICEMAIL");
  call["answered_by"] = nullptr;
  CHECK(map(call).outcome == "BUSY");
  call["status"] = "no-answer";
  CHECK(map(call).outcome == "NO_ANSWER");
  call["status"] = "failed";
  CHECK(map(call).outcome == "FAILED");
  CHECK(map(call).rule == "status");
  call["status"] = "completed";
  CHECK(map(call).outcome == "FAILED");
  CHECK(map(call).rule == "error_message");
  call.erase("error_message");
  call["answered_by"] = "human";
  CHECK(map(call).outcome == "ANSWERED");
  call["answered_by"] = "unknown";
  CHECK(map(call).outcome == "UNKNOWN");
  CHECK(map(call).rule == "fallback");
}

TEST_CASE("the mapping is configurable and rejects bad overrides") {
  OutcomeMapping m = load_outcome_mapping(
      json{{"status", {{"busy", "NO_ANSWER"}}}, {"fallback", "answered"}, {"human", "ANSWERED"}});
  CHECK(map(json{{"status", "busy"}}, m).outcome == "NO_ANSWER");
  // The status table was replaced: "failed" is no longer mapped there.
  CHECK(map(json{{"status", "failed"}}, m).outcome == "ANSWERED");
  CHECK_THROWS_AS(load_outcome_mapping(json{{"status", 3}}), std::invalid_argument);
  CHECK_THROWS_AS(load_outcome_mapping(json{{"colour", "red"}}), std::invalid_argument);
  CHECK_THROWS_AS(load_outcome_mapping(json{{"answered_by", {{"human", 1}}}}),
                  std::invalid_argument);
}

TEST_CASE("parse_call_object reads the lead from metadata, request_data and `to`") {
  OutcomeMapping m;
  json call{{"call_id", "call-9"},
            {"to", "+15551234567"},
            {"completed", true},
            {"status", "completed"},
            {"answered_by", "voicemail"},
            {"metadata", {{"lead_id", 12345}, {"list_id", "L1"}}},
            {"request_data", {{"first_name", "Ann"}, {"state", "FL"}}}};
  ParsedCall p = parse_call_object(call, m, kKnown, nullptr);
  CHECK(p.result.call_id == "call-9");
  CHECK(p.result.lead_id == "12345");
  CHECK(p.result.phone_number == "+15551234567");
  CHECK(p.result.list_id == "L1");
  CHECK(p.result.first_name == "Ann");
  CHECK(p.result.state == "FL");
  CHECK(p.result.outcome == "VOICEMAIL");
  CHECK(p.ended);
  CHECK_FALSE(p.result.scheduled_callback_time.has_value());
  CHECK_FALSE(p.result.dial_seq.has_value());

  call["metadata"]["dial_seq"] = 17;
  CHECK(parse_call_object(call, m, kKnown, nullptr).result.dial_seq == 17u);
  call["metadata"]["dial_seq"] = "18";
  CHECK(parse_call_object(call, m, kKnown, nullptr).result.dial_seq == 18u);
  call["metadata"]["dial_seq"] = "x";
  CHECK_FALSE(parse_call_object(call, m, kKnown, nullptr).result.dial_seq.has_value());

  call["metadata"]["scheduled_callback_time"] = 1764600000000;
  CHECK(parse_call_object(call, m, kKnown, nullptr).result.scheduled_callback_time ==
        1764600000000);
  call["completed"] = false;
  call["status"] = "in-progress";
  CHECK_FALSE(parse_call_object(call, m, kKnown, nullptr).ended);
}

TEST_CASE("parse_call_object rejects what it cannot use") {
  OutcomeMapping m;
  CHECK_THROWS_AS(parse_call_object(json::array(), m, kKnown, nullptr), InputError);
  CHECK_THROWS_AS(parse_call_object(json{{"status", "completed"}}, m, kKnown, nullptr), InputError);
  CHECK_THROWS_AS(parse_call_object(json{{"call_id", ""}}, m, kKnown, nullptr), InputError);
}
