// The month-file reader beyond the writer's own shape: its fast paths (raw keys in the writer's
// order, strings and integers read in one step) must give way to the general reading for
// anything else, with the same results and errors.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/seed_format.h"

using namespace redial;

namespace {

std::vector<StoredRecord> parse(const std::string& text) {
  std::string padded = text;
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  std::vector<StoredRecord> out;
  parse_month_file("m.json", padded, text.size(), 202512, out);
  return out;
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("month file: the writer's own output reads back field for field") {
  LeadRecord r;
  r.lead_id = "12345";
  r.phone_number = "+15551234567";
  r.list_id = "LIST001";
  r.first_name = "Zo\xc3\xab \"Q\"";  // escaped on the way out
  r.last_name = "Doe";
  r.state = "FL";
  r.attempts = 2;
  r.last_call_timestamp = 1703347200000;
  r.next_redial_timestamp = 1703347800000;
  r.outcomes = {"VOICEMAIL", "NO_ANSWER"};
  r.last_outcome = "NO_ANSWER";
  r.last_call_id = "call_0123456789abcdef0123456789abcdef";
  r.created_at = 1703347100000;
  r.updated_at = 1703347200000;
  r.status = LeadStatus::kPending;
  r.recent_call_times = {1703347100000, 1703347200000};
  r.hold_reason = "federal window";
  std::string text = "{";
  append_month_file_entry(text, true, "12345_5551234567", r);
  text += "}";
  auto out = parse(text);
  REQUIRE(out.size() == 1);
  CHECK(out[0].key == "12345_5551234567");
  CHECK(out[0].month == 202512);
  CHECK(out[0].record == r);
}

TEST_CASE("month file: other field orders, escaped keys, numeric ids and fractions still read") {
  auto out =
      parse(R"({"k\u0031":{"status":"rescheduled","extra":{"a":[1,2]},"lead\u005fid":12345,)"
            R"("phone_number":"+15551234567","list_id":null,"attempts":1,)"
            R"("next_redial_timestamp":1703347800000.4,"scheduled_callback_time":1703350000000,)"
            R"("outcomes":["CALL_BACK_SCHEDULED"],"last_outcome":"CALL_BACK_SCHEDULED",)"
            R"("last_call_id":null,"created_at":1703347200000,"updated_at":1.7033472e12}})");
  REQUIRE(out.size() == 1);
  const LeadRecord& r = out[0].record;
  CHECK(out[0].key == "k1");
  CHECK(r.lead_id == "12345");  // an escaped key names the field; a numeric id is its digits
  CHECK(r.phone_number == "+15551234567");
  CHECK(r.list_id.empty());
  CHECK(r.status == LeadStatus::kRescheduled);
  CHECK(r.next_redial_timestamp == 1703347800000);  // a fraction is rounded
  CHECK(r.scheduled_callback_time == 1703350000000);
  CHECK(r.updated_at == 1703347200000);
  CHECK_FALSE(r.last_call_id.has_value());
  CHECK(r.outcomes == std::vector<std::string>{"CALL_BACK_SCHEDULED"});
}

TEST_CASE("month file: a field of the wrong type is refused, naming file, byte, record, field") {
  const std::string head = R"({"a_1":{"lead_id":"a","phone_number":"+15551234567",)";
  std::string e = error_of(head + R"("attempts":"two","status":"pending"}})");
  CHECK_THAT(e, Catch::Contains("m.json: byte "));
  CHECK_THAT(e, Catch::Contains("record \"a_1\": attempts: expected a number"));
  e = error_of(head + R"("created_at":"x","status":"pending"}})");
  CHECK_THAT(e, Catch::Contains("created_at: expected a number"));
  e = error_of(head + R"("status":5}})");
  CHECK_THAT(e, Catch::Contains("status: expected a string"));
  e = error_of(head + R"("last_call_id":[1],"status":"pending"}})");
  CHECK_THAT(e, Catch::Contains("last_call_id: expected a string"));
  e = error_of(head + R"("status":"open"}})");
  CHECK_THAT(e, Catch::Contains("unknown status \"open\""));
  e = error_of(R"({"a_1":{"phone_number":"+15551234567","status":"pending"}})");
  CHECK_THAT(e, Catch::Contains("lead_id: missing"));
}

TEST_CASE("month file: a bad record after good ones appends none of its fields") {
  std::string padded =
      R"({"a_1":{"lead_id":"a","phone_number":"+15551234567","status":"pending"},)"
      R"("b_2":{"lead_id":"b","phone_number":"+15551234568","attempts":-1,"status":"pending"}})";
  const std::size_t size = padded.size();
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  std::vector<StoredRecord> out;
  CHECK_THROWS_WITH(parse_month_file("m.json", padded, size, 202512, out),
                    Catch::Contains("record \"b_2\": attempts: negative"));
  REQUIRE(out.size() == 1);
  CHECK(out[0].key == "a_1");
}

TEST_CASE("month file: a paused record round-trips, and records without paused_from still load") {
  LeadRecord r;
  r.lead_id = "a";
  r.phone_number = "+15551234567";
  r.status = LeadStatus::kPaused;
  r.paused_from = LeadStatus::kRescheduled;
  r.scheduled_callback_time = 1764600000000;
  r.hold_reason = "paused by an operator: away";
  std::string text = R"({"a_5551234567":)";
  append_record_json(text, r);
  text += "}";
  CHECK_THAT(text, Catch::Contains(R"("status":"paused")"));
  CHECK_THAT(text, Catch::Contains(R"("paused_from":"rescheduled")"));
  auto out = parse(text);
  REQUIRE(out.size() == 1);
  CHECK(out[0].record == r);

  out = parse(R"({"b_1":{"lead_id":"b","phone_number":"+15551234568","status":"pending"}})");
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].record.paused_from);
  CHECK(error_of(R"({"a_1":{"lead_id":"a","phone_number":"+15551234567","status":"paused",)"
                 R"("paused_from":"later"}})")
            .find("unknown status \"later\"") != std::string::npos);
}
