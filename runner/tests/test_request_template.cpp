#include <catch2/catch.hpp>

#include "bland/request_template.h"
#include "runner/dial_settings_check.h"

using namespace redial;
using namespace redial::runner;
using namespace redial::bland;
using nlohmann::json;

namespace {
DialRequest request() {
  DialRequest r;
  r.dial_seq = 42;
  r.key = "12345_5551234567";
  r.phone = "+15551234567";
  r.lead.lead_id = "12345";
  r.lead.phone_number = "(555) 123-4567";
  r.lead.list_id = "LIST001";
  r.lead.first_name = "John";
  r.lead.last_name = "Doe";
  r.lead.state = "FL";
  r.lead.attempts = 2;
  r.attempt_number = 3;
  return r;
}
}  // namespace

TEST_CASE("the template's own fields are kept and the runner's are merged in") {
  json tmpl{{"pathway_id", "pw-1"},
            {"voice", "maya"},
            {"from", "+15550009999"},
            {"max_duration", 12},
            {"request_data", {{"campaign", "winter"}, {"first_name", "ignored"}}},
            {"metadata", {{"source", "redial"}, {"lead_id", "spoofed"}}}};
  json body =
      build_call_body(tmpl, request(), "https://hooks.example.test/webhooks/bland-callback");
  CHECK(body["pathway_id"] == "pw-1");
  CHECK(body["voice"] == "maya");
  CHECK(body["from"] == "+15550009999");
  CHECK(body["max_duration"] == 12);
  CHECK(body["phone_number"] == "+15551234567");
  CHECK(body["webhook"] == "https://hooks.example.test/webhooks/bland-callback");
  CHECK(body["request_data"]["campaign"] == "winter");
  CHECK(body["request_data"]["first_name"] == "John");
  CHECK(body["request_data"]["last_name"] == "Doe");
  CHECK(body["request_data"]["state"] == "FL");
  CHECK(body["request_data"]["attempt_number"] == 3);
  CHECK(body["metadata"]["source"] == "redial");
  CHECK(body["metadata"]["lead_id"] == "12345");
  CHECK(body["metadata"]["phone_number"] == "(555) 123-4567");
  CHECK(body["metadata"]["list_id"] == "LIST001");
  CHECK(body["metadata"]["lead_key"] == "12345_5551234567");
  CHECK(body["metadata"]["dial_seq"] == 42);
  CHECK(body["metadata"]["state"] == "FL");
}

TEST_CASE("an empty template still gives a complete body and bad templates are refused") {
  json body = build_call_body(json::object(), request(), "");
  CHECK(body["phone_number"] == "+15551234567");
  CHECK_FALSE(body.contains("webhook"));
  CHECK(body["metadata"]["lead_id"] == "12345");
  CHECK_THROWS_AS(build_call_body(json::array(), request(), ""), std::invalid_argument);
  CHECK_THROWS_AS(build_call_body(json{{"metadata", "x"}}, request(), ""), std::invalid_argument);
  CHECK_THROWS_AS(build_call_body(json{{"request_data", 1}}, request(), ""), std::invalid_argument);
}

namespace {
Settings dial_settings(const std::string& tmpl, TimeMs call_timeout_ms = 35 * kMinuteMs) {
  Settings s;
  s.call_template = tmpl;
  s.policy.call_timeout_ms = call_timeout_ms;
  return s;
}
std::string check_error(const Settings& s) {
  try {
    check_dial_settings(s);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("start-up checks: the template must name task, pathway_id or persona_id") {
  CHECK(check_error(dial_settings(R"({"task":"Call about the offer"})")).empty());
  CHECK(check_error(dial_settings(R"({"pathway_id":"pw-1"})")).empty());
  CHECK(check_error(dial_settings(R"({"persona_id":"p-1"})")).empty());
  for (const char* t : {"{}", R"({"voice":"maya"})", R"({"task":""})", R"({"pathway_id":7})"}) {
    std::string e = check_error(dial_settings(t));
    CHECK_THAT(e, Catch::Contains("--call-template (REDIAL_CALL_TEMPLATE)") &&
                      Catch::Contains("task, pathway_id, persona_id"));
  }
}

TEST_CASE("start-up checks: --call-timeout must exceed max_duration plus the webhook grace") {
  // Defaults: 35 min > 30 min (Bland's default max_duration) + 2 min.
  CHECK(check_error(dial_settings(R"({"task":"t"})")).empty());
  std::string e = check_error(dial_settings(R"({"task":"t"})", 32 * kMinuteMs));
  CHECK_THAT(e, Catch::Contains("--call-timeout (REDIAL_CALL_TIMEOUT)") &&
                    Catch::Contains("1920 s") && Catch::Contains("max_duration (1800 s)"));
  e = check_error(dial_settings(R"({"task":"t","max_duration":60})"));
  CHECK_THAT(e, Catch::Contains("--call-timeout") && Catch::Contains("3600 s"));
  CHECK(check_error(dial_settings(R"({"task":"t","max_duration":10})", 13 * kMinuteMs)).empty());
  Settings s = dial_settings(R"({"task":"t","max_duration":10})", 13 * kMinuteMs);
  s.webhook_grace_ms = 3 * kMinuteMs;
  CHECK_THAT(check_error(s), Catch::Contains("--webhook-grace (180 s)"));
  CHECK_THAT(check_error(dial_settings(R"({"task":"t","max_duration":"30"})")),
             Catch::Contains("max_duration must be a positive number"));
  CHECK_THAT(check_error(dial_settings(R"({"task":"t","max_duration":0})")),
             Catch::Contains("max_duration must be a positive number"));
}

TEST_CASE("start-up checks: a voicemail object needs one of Bland's actions") {
  for (const char* ok : {R"({"task":"t","voicemail":{"action":"hangup"}})",
                         R"({"task":"t","voicemail":{"action":"ignore"}})",
                         R"({"task":"t","voicemail":{"action":"leave_message","message":"Hi"}})",
                         R"({"task":"t","voicemail":{"action":"leave_message_and_sms",)"
                         R"("message":"Hi","sms":{"message":"Hi"}}})",
                         R"({"task":"t","voicemail":null})"})
    CHECK(check_error(dial_settings(ok)).empty());
  CHECK_THAT(check_error(dial_settings(R"({"task":"t","voicemail":{"message":"Hi"}})")),
             Catch::Contains("voicemail.action is missing"));
  CHECK_THAT(check_error(dial_settings(R"({"task":"t","voicemail":{"action":"voicemail"}})")),
             Catch::Contains("voicemail.action 'voicemail' is not one of hangup, leave_message"));
  CHECK_THAT(check_error(dial_settings(R"({"task":"t","voicemail":{"action":"leave_message"}})")),
             Catch::Contains("needs a non-empty voicemail.message"));
  CHECK_THAT(check_error(dial_settings(R"({"task":"t","voicemail":"leave_message"})")),
             Catch::Contains("voicemail must be a JSON object"));
}
