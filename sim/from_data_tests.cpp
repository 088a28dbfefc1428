// redial-sim --from-data (issue 18): a runner's data directory as a scenario. The directories
// here are written as a runner writes them: month files in the seed's format
// (../shared/seed/redial-queue-flow.md, "File format") and journal lines through MonthStore.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/month_store.h"
#include "sim/from_data.h"
#include "sim/simulation.h"
#include "tests/test_support.h"

using namespace redial;
using namespace redial::sim;
using redial::testing::TempDir;

namespace {

// 2026-12-02T15:00:00Z: Wednesday 10:00 in New York, inside the default business hours.
constexpr TimeMs kT = 1796223600000;

struct Rec {
  std::string lead_id, phone, status = "pending", outcomes_json = "[]";
  int attempts = 0;
  TimeMs created_at = kT, updated_at = kT, next_redial = kT;
  std::string recent_json;  // "" : none kept
  std::string last_call = "null";
};

Rec rec(std::string lead_id, std::string phone, std::string status = "pending",
        std::string outcomes_json = "[]", int attempts = 0) {
  Rec r;
  r.lead_id = std::move(lead_id);
  r.phone = std::move(phone);
  r.status = std::move(status);
  r.outcomes_json = std::move(outcomes_json);
  r.attempts = attempts;
  return r;
}

std::string record_json(const Rec& r) {
  std::string j = "\"" + r.lead_id + "_" + r.phone.substr(2) + "\":{\"lead_id\":\"" + r.lead_id +
                  "\",\"phone_number\":\"" + r.phone +
                  "\",\"list_id\":\"L\",\"first_name\":\"\",\"last_name\":\"\",\"state\":\"\","
                  "\"attempts\":" +
                  std::to_string(r.attempts) + ",\"last_call_timestamp\":" + r.last_call +
                  ",\"next_redial_timestamp\":" + std::to_string(r.next_redial) +
                  ",\"scheduled_callback_time\":null,\"outcomes\":" + r.outcomes_json +
                  ",\"last_outcome\":null,\"last_call_id\":null,\"created_at\":" +
                  std::to_string(r.created_at) + ",\"updated_at\":" + std::to_string(r.updated_at) +
                  ",\"status\":\"" + r.status + "\"";
  if (!r.recent_json.empty()) j += ",\"recent_call_times\":" + r.recent_json;
  return j + "}";
}

void write_month(const TempDir& dir, const std::vector<Rec>& records) {
  std::string text = "{";
  for (std::size_t i = 0; i < records.size(); ++i) text += (i ? "," : "") + record_json(records[i]);
  std::ofstream(dir.path / "redial-queue_2026-12.json") << text << "}";
}

const LeadSpec& lead(const Scenario& sc, const std::string& id) {
  for (const LeadSpec& l : sc.leads)
    if (l.lead_id == id) return l;
  FAIL("no lead " << id);
  throw;
}

std::string error_of(const std::string& dir) {
  try {
    scenario_from_data(dir, {}, "the defaults");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

// W1: created by its first call's result (noted at created_at), then a queue redial that
// completed it. S3: a voicemail, then an operator's stop. N4: on a do-not-call list.
std::vector<Rec> day_records() {
  Rec w1 = rec("W1", "+15550100011", "completed", "[\"VOICEMAIL\",\"TRANSFERRED\"]", 2);
  w1.recent_json = "[" + std::to_string(kT) + "," + std::to_string(kT + 180000) + "]";
  w1.last_call = std::to_string(kT + 180600);  // 600 ms from the dial to the durable result
  w1.updated_at = kT + 180600;
  Rec s3 = rec("S3", "+15550100013", "completed", "[\"VOICEMAIL\"]", 1);
  s3.recent_json = "[" + std::to_string(kT) + "]";
  s3.updated_at = kT + 10000;
  Rec n4 = rec("N4", "+15550100014", "dnc");
  n4.updated_at = kT + 1;
  return {w1, s3, n4};
}

}  // namespace

TEST_CASE("a data directory becomes leads with their recorded outcomes and first calls") {
  TempDir dir;
  write_month(dir, day_records());
  {  // Q2 reaches only the journal, as a runner's enqueue does before a checkpoint.
    MonthStore store(MonthStoreOptions{dir.str()});
    store.load();
    LeadRecord q2;
    q2.lead_id = "Q2";
    q2.phone_number = "+15550100012";
    q2.created_at = q2.updated_at = kT + 5000;
    q2.next_redial_timestamp = kT + 3600000;  // the admin API's dial_at
    store.append(RecordPut{202612, "Q2_5550100012", q2});
    store.sync();
    // Still held: a runner is using the directory, and the replay reads it anyway.
    const Scenario sc = scenario_from_data(dir.str(), {}, "the defaults");
    REQUIRE(sc.leads.size() == 4);
    const LeadSpec& w1 = lead(sc, "W1");
    CHECK(w1.call_ms + w1.webhook_delay_ms == 600);
    CHECK(w1.first_call_at == kT - 600);  // its result lands at the record's creation
    CHECK_FALSE(w1.enqueue_at.has_value());
    REQUIRE(w1.outcomes.size() == 2);
    CHECK(w1.outcomes[1].outcome == "TRANSFERRED");
    const LeadSpec& q2s = lead(sc, "Q2");
    CHECK(q2s.enqueue_at == kT + 5000);
    CHECK(q2s.dial_at == kT + 3600000);
    REQUIRE(sc.events.size() == 1);  // S3's stop; W1 completed by its TRANSFERRED
    CHECK(sc.events[0].type == EventType::kStopLead);
    CHECK(sc.events[0].lead_id == "S3");
    CHECK(sc.events[0].at == kT + 10000);
    CHECK(sc.dnc == std::vector<std::string>{"+15550100014"});
    // Settled leads are checked; Q2, still pending, is replayed unchecked.
    CHECK(sc.expect.leads.count("W1") == 1);
    CHECK(sc.expect.leads.at("W1").calls == 2);
    CHECK(sc.expect.leads.count("Q2") == 0);
    CHECK(sc.end.value() > kT + 180600);
  }
}

TEST_CASE("a replay under the settings it ran with ends as recorded, under others it does not") {
  TempDir dir;
  std::vector<Rec> records = day_records();
  Rec m5 =
      rec("M5", "+15550100015", "max_attempts", "[\"NO_ANSWER\",\"NO_ANSWER\",\"NO_ANSWER\"]", 3);
  m5.updated_at = kT + 3 * 60000;
  records.push_back(m5);
  write_month(dir, records);
  // max-attempts = 3 and no waits: M5 reaches max attempts after three results.
  const SettingValues ran_with = {{"max-attempts", "3"},
                                  {"progressive-intervals", "0"},
                                  {"min-wait", "0"},
                                  {"process-interval", "30s"}};
  SimOptions o;
  RunResult same = run_scenario(scenario_from_data(dir.str(), ran_with, "ran.conf"), o);
  INFO(same.error);
  for (const auto& d : same.diffs) INFO(d.field << ": " << d.expected << " vs " << d.actual);
  CHECK(same.passed);
  // Under the defaults (8 attempts) M5 is still being called when the recorded day ends.
  RunResult other = run_scenario(scenario_from_data(dir.str(), {}, "the defaults"), o);
  CHECK_FALSE(other.passed);
  bool named = false;
  for (const auto& d : other.diffs) named = named || d.field.find("M5") != std::string::npos;
  CHECK(named);
}

TEST_CASE("an unusable data directory is refused naming it, and left as it was") {
  TempDir dir;
  CHECK_THAT(error_of(dir.str() + "/nope"), Catch::Contains(dir.str() + "/nope"));
  CHECK_THAT(error_of(dir.str()), Catch::Contains("no records to replay"));
  Rec a = rec("A", "+15550100021"), b = rec("A", "+15550100022");
  write_month(dir, {a, b});
  CHECK_THAT(error_of(dir.str()), Catch::Contains("lead_id \"A\" is also another record's"));
  write_month(dir, {a});
  const std::string journal = (dir.path / "redial-queue.journal").string();
  const std::string damaged = "00000000 {\"put\":1}\n";
  std::ofstream(journal) << damaged;
  CHECK_THAT(error_of(dir.str()),
             Catch::Contains("redial-queue.journal") && Catch::Contains("byte 0"));
  std::ifstream in(journal);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == damaged);
}
