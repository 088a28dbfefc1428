#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "bland/bland_call.h"
#include "bland/outcome_mapping.h"
#include "core/errors.h"

using namespace redial;
using namespace redial::bland;
using nlohmann::json;

namespace {

const KnownOutcome kKnown = [](std::string_view o) {
  for (const char* k : {"VOICEMAIL", "NO_ANSWER", "BUSY", "FAILED", "TRANSFERRED",
                        "CALL_BACK_SCHEDULED", "DO_NOT_CONTACT", "ANSWERED", "UNKNOWN"})
    if (o == k) return true;
  return false;
};

const OutcomeMapping kMapping;

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
  json call{{"call_id", "c"},
            {"disposition_tag", "transferred"},
            {"status", "completed"},
            {"warm_transfer_call", {{"state", "MERGED"}}}};
  CHECK(map(call).outcome == "TRANSFERRED");
  CHECK(map(call).rule == "disposition_tag");
  CHECK(map(call).unproven_transfer.empty());
  OutcomeMapping m =
      load_outcome_mapping(json{{"disposition_tags", {{"hot_lead", "TRANSFERRED"}}}});
  call["disposition_tag"] = "HOT_LEAD";
  CHECK(map(call, m).outcome == "TRANSFERRED");
  // An account tag the queue does not know, without a mapping, falls to the next rules.
  call.erase("warm_transfer_call");
  call["answered_by"] = "voicemail";
  CHECK(map(call).outcome == "VOICEMAIL");
  CHECK(map(call).rule == "answered_by");
}

TEST_CASE("a transfer counts only with Bland's evidence") {
  // The captured shape: the pathway tagged TRANSFERRED, the transfer never happened.
  json call{{"call_id", "c"},
            {"status", "completed"},
            {"completed", true},
            {"answered_by", "human"},
            {"disposition_tag", "TRANSFERRED"},
            {"transferred_to", nullptr},
            {"transferred_at", nullptr},
            {"warm_transfer_call", nullptr}};
  MappedOutcome o = map(call);
  CHECK(o.outcome == "TRANSFER_FAILED");
  CHECK(o.rule == "disposition_tag without transfer evidence");
  CHECK(o.unproven_transfer == "disposition_tag");
  call["warm_transfer_call"] = {{"state", "FAILED"}};
  CHECK(map(call).outcome == "TRANSFER_FAILED");
  call["warm_transfer_call"] = {{"state", "MERGED"}};
  CHECK(map(call).outcome == "TRANSFERRED");
  call["warm_transfer_call"] = nullptr;
  call["transferred_to"] = "+15550109999";
  CHECK(map(call).outcome == "TRANSFER_FAILED");  // begun, no transferred_at
  call["transferred_at"] = "2026-12-02T15:04:05Z";
  CHECK(map(call).outcome == "TRANSFERRED");

  // An explicit outcome claiming a transfer needs the same evidence.
  json claim{{"call_id", "c"}, {"metadata", {{"outcome", "transferred"}}}};
  CHECK(map(claim).outcome == "TRANSFER_FAILED");
  CHECK(map(claim).unproven_transfer == "metadata.outcome");
  claim["warm_transfer_call"] = {{"state", "merged"}};
  CHECK(map(claim).outcome == "TRANSFERRED");

  // Without any tag: the evidence alone, or a transfer begun and not proven.
  CHECK(map(json{{"warm_transfer_call", {{"state", "MERGED"}}}}).rule == "transfer_evidence");
  MappedOutcome begun = map(json{{"transferred_to", "+15550109999"}, {"answered_by", "human"}});
  CHECK(begun.outcome == "TRANSFER_FAILED");
  CHECK(begun.unproven_transfer == "transferred_to");
  CHECK(map(json{{"warm_transfer_call", {{"state", "FAILED"}}}}).unproven_transfer ==
        "warm_transfer_call");
  // An empty warm_transfer_call (no state) says nothing about a transfer.
  CHECK(map(json{{"warm_transfer_call", json::object()}, {"answered_by", "voicemail"}}).outcome ==
        "VOICEMAIL");

  // Configurable: the outcome a failed claim maps to.
  OutcomeMapping m = load_outcome_mapping(json{{"transfer_failed", "no_answer"}});
  CHECK(map(json{{"disposition_tag", "TRANSFERRED"}}, m).outcome == "NO_ANSWER");
}

TEST_CASE("every documented answered_by value has a mapping") {
  auto with = [](json answered) {
    return map(json{{"call_id", "c"},
                    {"completed", true},
                    {"status", "completed"},
                    {"answered_by", std::move(answered)}})
        .outcome;
  };
  CHECK(with("human") == "ANSWERED");
  CHECK(with("voicemail") == "VOICEMAIL");
  CHECK(with("no-answer") == "NO_ANSWER");
  CHECK(with("unknown") == "UNKNOWN");
  CHECK(with(nullptr) == "UNKNOWN");
}

TEST_CASE("error messages: permanent number errors are BAD_NUMBER, the rest FAILED") {
  for (const char* text :
       {"The number you dialed is not found", "Number not in service",
        "This number is no longer in service", "Invalid number", "Invalid phone number: +1555",
        "The number has been disconnected", "Number does not exist"}) {
    json call{{"status", "failed"}, {"answered_by", "unknown"}, {"error_message", text}};
    CAPTURE(text);
    CHECK(map(call).outcome == "BAD_NUMBER");
    CHECK(map(call).rule == "error_message (bad number)");
  }
  json transient{{"status", "failed"}, {"error_message", "Carrier timeout, try again"}};
  CHECK(map(transient).outcome == "FAILED");
  transient["status"] = "completed";
  CHECK(map(transient).outcome == "FAILED");
  CHECK(map(transient).rule == "error_message");
  // The pattern table is overridable (it replaces the default one).
  OutcomeMapping m = load_outcome_mapping(json{{"bad_number_patterns", {"Carrier TIMEOUT"}}});
  CHECK(map(transient, m).outcome == "BAD_NUMBER");
  CHECK(map(json{{"error_message", "The number you dialed is not found"}}, m).outcome == "FAILED");
  CHECK_THROWS_AS(load_outcome_mapping(json{{"bad_number_patterns", "x"}}), std::invalid_argument);
  CHECK_THROWS_AS(load_outcome_mapping(json{{"bad_number_patterns", {""}}}), std::invalid_argument);
}

TEST_CASE("which bodies are a call's final result") {
  CHECK(not_a_result(json{{"completed", true}, {"status", "completed"}}, false, kMapping).empty());
  CHECK(not_a_result(json{{"status", "busy"}}, false, kMapping).empty());
  // A body that says nothing about the call's state (an analysis body) is not a result...
  CHECK(not_a_result(json{{"call_id", "c"}, {"corrected_transcript", "hi"}}, false, kMapping) ==
        "no_call_state");
  // ... unless it names an outcome itself.
  CHECK(not_a_result(json{{"metadata", {{"outcome", "VOICEMAIL"}}}}, false, kMapping).empty());
  CHECK(not_a_result(json{{"completed", false}, {"queue_status", "started"}}, false, kMapping) ==
        "not_completed");
  CHECK(not_a_result(json{{"queue_status", "queued"}}, false, kMapping) ==
        "queue_status_not_final");
  CHECK(not_a_result(json{{"status", "in-progress"}}, false, kMapping) == "status_not_final");
  // completed is Bland's most up-to-date state.
  CHECK(not_a_result(json{{"completed", true}, {"queue_status", "started"}}, false, kMapping)
            .empty());
  CHECK(not_a_result(json{{"completed", true}, {"inbound", true}}, false, kMapping) == "inbound");
  CHECK(not_a_result(json{{"completed", true}, {"inbound", false}}, false, kMapping).empty());
  // Event kinds only when the template asks Bland for events.
  json event{{"call_id", "c"}, {"category", "queue"}, {"message", "Call queued"}};
  CHECK(not_a_result(event, true, kMapping) == "event");
  CHECK(not_a_result(event, false, kMapping) == "no_call_state");
  json tagged_result{{"call_id", "c"}, {"category", "call"}, {"completed", true}};
  CHECK(not_a_result(tagged_result, true, kMapping).empty());  // the result itself
  event["status"] = "completed";  // a field named `type` in a result, without webhook_events
  CHECK(not_a_result(event, false, kMapping).empty());
}

TEST_CASE("Bland's lookups in variables never set the lead's fields") {
  json call{{"call_id", "c"},
            {"to", "+15551234567"},
            {"variables", {{"state", "CA"}, {"lead_id", "V"}, {"city", "SAN FRANCISCO"}}},
            {"metadata", {{"lead_id", "M1"}}}};
  ParsedCall p = parse_call_object(call, OutcomeMapping{}, kKnown, nullptr);
  CHECK(p.result.lead_id == "M1");
  CHECK(p.result.state.empty());
  call["request_data"] = {{"state", "FL"}};
  CHECK(parse_call_object(call, OutcomeMapping{}, kKnown, nullptr).result.state == "FL");
  call["metadata"]["state"] = "GA";
  CHECK(parse_call_object(call, OutcomeMapping{}, kKnown, nullptr).result.state == "GA");
}

TEST_CASE("transfer evidence, answered_by, status, error_message, in that order") {
  json call{{"call_id", "c"},
            {"transferred_to", "+15550001111"},
            {"transferred_at", "2026-12-02T15:04:05Z"},
            {"answered_by", "voicemail"},
            {"status", "busy"},
            {"error_message", "boom"}};
  CHECK(map(call).outcome == "TRANSFERRED");
  call.erase("transferred_at");
  CHECK(map(call).outcome == "TRANSFER_FAILED");
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
