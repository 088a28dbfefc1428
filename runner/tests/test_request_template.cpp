#include <catch2/catch.hpp>

#include "runner/request_template.h"

using namespace redial;
using namespace redial::runner;
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
