// The seed's month files and the journal beside them, on a real temporary directory.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.h"
#include "core/month_store.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
}

// The seed's own example record, as its JSON.stringify wrote it.
const char* kSeedFile =
    R"({"12345_5551234567":{"lead_id":"12345","phone_number":"+15551234567","list_id":"LIST001",)"
    R"("first_name":"John","last_name":"Doe","state":"FL","attempts":2,)"
    R"("last_call_timestamp":1703347200000,"next_redial_timestamp":1703347800000,)"
    R"("scheduled_callback_time":null,"outcomes":["VOICEMAIL","NO_ANSWER"],)"
    R"("last_outcome":"NO_ANSWER","last_call_id":"call_xyz789","created_at":1703347200000,)"
    R"("updated_at":1703347200000,"status":"pending"}})";

// A queue over a MonthStore in `dir`, at time `now`.
struct DiskQueue {
  DiskQueue(const std::string& dir, TimeMs now, RedialPolicy p = {})
      : clock(now), store(MonthStoreOptions{dir}), queue(p, clock, store, dialer, quiet_logger()) {
    queue.load();
  }
  ManualClock clock;
  RecordingDialer dialer;
  MonthStore store;
  RedialQueue queue;
};

}  // namespace

TEST_CASE("a seed month file is read, and written back with the same fields and values") {
  TempDir dir;
  write_file(dir.path / "redial-queue_2023-12.json", kSeedFile);
  {
    DiskQueue d(dir.str(), 1703347300000);
    const LeadRecord* r = d.queue.find("12345_5551234567");
    REQUIRE(r);
    CHECK(r->attempts == 2);
    CHECK(r->outcomes == std::vector<std::string>{"VOICEMAIL", "NO_ANSWER"});
    CHECK(r->last_call_id == "call_xyz789");
    CHECK_FALSE(r->scheduled_callback_time);
    CHECK(r->status == LeadStatus::kPending);
    d.queue.stop_lead("12345_5551234567", "test");  // make the month dirty
    d.queue.checkpoint();
  }
  auto before = nlohmann::json::parse(kSeedFile);
  auto after = nlohmann::json::parse(read_file(dir.path / "redial-queue_2023-12.json"));
  before["12345_5551234567"]["status"] = "completed";
  before["12345_5551234567"]["updated_at"] = 1703347300000;
  CHECK(after == before);  // every seed field, same names, same types, same values
  // Field order is the seed's too.
  std::vector<std::string> order;
  auto ordered = nlohmann::ordered_json::parse(read_file(dir.path / "redial-queue_2023-12.json"));
  for (auto& [k, v] : ordered["12345_5551234567"].items()) order.push_back(k);
  CHECK(order == std::vector<std::string>{"lead_id", "phone_number", "list_id", "first_name",
                                          "last_name", "state", "attempts", "last_call_timestamp",
                                          "next_redial_timestamp", "scheduled_callback_time",
                                          "outcomes", "last_outcome", "last_call_id", "created_at",
                                          "updated_at", "status"});
}

TEST_CASE("a result costs one journal line, the month file changes only at a checkpoint") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  DiskQueue d(dir.str(), t0);
  d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
  d.queue.sync();
  CHECK_FALSE(fs::exists(dir.path / "redial-queue_2025-12.json"));
  std::string journal = read_file(dir.path / "redial-queue.journal");
  CHECK(std::count(journal.begin(), journal.end(), '\n') == 1);
  d.queue.checkpoint();
  auto month = nlohmann::json::parse(read_file(dir.path / "redial-queue_2025-12.json"));
  CHECK(month["1_5550000001"]["attempts"] == 1);
  CHECK(month["1_5550000001"]["next_redial_timestamp"] == t0 + 2 * kMinuteMs);
  // Folded: only the recent call id remains, for duplicate detection.
  std::string after = read_file(dir.path / "redial-queue.journal");
  CHECK(std::count(after.begin(), after.end(), '\n') == 1);
  CHECK(after.find("\"t\":\"seen\"") != std::string::npos);
  CHECK(after.find("\"t\":\"put\"") == std::string::npos);
}

TEST_CASE("a crash between the journal append and the snapshot replays correctly") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  {
    DiskQueue d(dir.str(), t0);
    d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
    d.queue.checkpoint();  // snapshot holds attempt 1
    d.clock.set(t0 + 5 * kMinuteMs);
    d.queue.tick();  // a dial in flight, journaled
    d.queue.apply_result(result("2", "5550000002", "NO_ANSWER", "b"));
    d.queue.sync();  // journal holds the dial and lead 2; no snapshot: the process dies here
  }
  DiskQueue d(dir.str(), t0 + 6 * kMinuteMs);
  CHECK(d.queue.find("1_5550000001")->attempts == 1);
  CHECK(d.queue.find("2_5550000002")->attempts == 1);
  REQUIRE(d.queue.in_flight_calls().size() == 1);
  CHECK(d.queue.in_flight_calls()[0].phone == "5550000001");
  // The call in flight is also carried across a checkpoint.
  d.queue.checkpoint();
  DiskQueue* none = nullptr;
  (void)none;
}

TEST_CASE("calls in flight survive a checkpoint and a restart") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  {
    DiskQueue d(dir.str(), t0);
    d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
    d.clock.set(t0 + 5 * kMinuteMs);
    d.queue.tick();
    d.queue.on_dial_accepted(d.dialer.dials.at(0).dial_seq, "bland-42");
    d.queue.checkpoint();
  }
  DiskQueue d(dir.str(), t0 + 6 * kMinuteMs);
  REQUIRE(d.queue.in_flight_calls().size() == 1);
  CHECK(d.queue.in_flight_calls()[0].call_id == "bland-42");
  d.clock.set(t0 + 10 * kMinuteMs);
  CHECK(d.queue.tick().calls_made == 0);
}

TEST_CASE("a torn journal tail is the end of the log, kept aside, and appends continue") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  {
    DiskQueue d(dir.str(), t0);
    d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
    d.queue.apply_result(result("2", "5550000002", "VOICEMAIL", "b"));
    d.queue.sync();
  }
  fs::path jpath = dir.path / "redial-queue.journal";
  std::string journal = read_file(jpath);
  std::size_t first_line = journal.find('\n') + 1;
  // Cut the second entry in half, as a crash during write would.
  write_file(jpath, journal.substr(0, first_line + (journal.size() - first_line) / 2));
  {
    DiskQueue d(dir.str(), t0 + kMinuteMs);
    CHECK(d.queue.find("1_5550000001"));
    CHECK_FALSE(d.queue.find("2_5550000002"));
    CHECK(fs::exists(dir.path / ("redial-queue.journal.torn-" + std::to_string(first_line))));
    d.queue.apply_result(result("3", "5550000003", "VOICEMAIL", "c"));
    d.queue.sync();
  }
  DiskQueue d(dir.str(), t0 + 2 * kMinuteMs);
  CHECK(d.queue.find("1_5550000001"));
  CHECK(d.queue.find("3_5550000003"));
}

TEST_CASE("a corrupt entry followed by good ones is refused, naming file and byte") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  {
    DiskQueue d(dir.str(), t0);
    for (int i = 1; i <= 3; ++i)
      d.queue.apply_result(result(std::to_string(i), "555000000" + std::to_string(i), "VOICEMAIL",
                                  "c" + std::to_string(i)));
    d.queue.sync();
  }
  fs::path jpath = dir.path / "redial-queue.journal";
  std::string journal = read_file(jpath);
  std::size_t second = journal.find('\n') + 1;
  std::string damaged = journal;
  damaged[second + 30] ^= 0x20;  // flip a bit inside entry 2
  write_file(jpath, damaged);
  ManualClock clock(t0);
  MonthStore store(MonthStoreOptions{dir.str()});
  RecordingDialer dialer;
  RedialQueue q({}, clock, store, dialer, quiet_logger());
  try {
    q.load();
    FAIL("loaded a corrupt journal");
  } catch (const StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains("redial-queue.journal") &&
                             Catch::Contains("byte " + std::to_string(second)));
  }
  CHECK(read_file(jpath) == damaged);  // never overwritten
}

TEST_CASE("a corrupt month file is refused with file and position, and kept as it was") {
  TempDir dir;
  std::string broken = std::string(kSeedFile);
  broken = broken.substr(0, broken.size() - 40);  // truncated mid-record
  fs::path p = dir.path / "redial-queue_2023-12.json";
  write_file(p, broken);
  ManualClock clock(1703347300000);
  MonthStore store(MonthStoreOptions{dir.str()});
  RecordingDialer dialer;
  RedialQueue q({}, clock, store, dialer, quiet_logger());
  try {
    q.load();
    FAIL("loaded a truncated month file");
  } catch (const StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains("redial-queue_2023-12.json") && Catch::Contains("byte"));
  }
  CHECK(read_file(p) == broken);
  CHECK_FALSE(fs::exists(dir.path / "redial-queue.journal"));  // nothing written

  SECTION("a wrong field type names the record and the field") {
    std::string bad = kSeedFile;
    bad.replace(bad.find("\"attempts\":2"), 12, "\"attempts\":\"two\"");
    write_file(p, bad);
    MonthStore store2(MonthStoreOptions{(dir.path / "other").string()});
    fs::copy(p, dir.path / "other" / "redial-queue_2023-12.json");
    RedialQueue q2({}, clock, store2, dialer, quiet_logger());
    CHECK_THROWS_WITH(q2.load(), Catch::Contains("12345_5551234567") &&
                                     Catch::Contains("attempts") &&
                                     Catch::Contains("expected a number"));
  }
}

TEST_CASE("a second process on the same data directory is refused") {
  TempDir dir;
  MonthStore first(MonthStoreOptions{dir.str()});
  CHECK_THROWS_WITH(MonthStore(MonthStoreOptions{dir.str()}),
                    Catch::Contains("locked by another redial process"));
}

TEST_CASE("the same key in two month files: the newest record wins") {
  TempDir dir;
  write_file(dir.path / "redial-queue_2023-12.json", kSeedFile);
  std::string jan = kSeedFile;
  jan.replace(jan.find("\"attempts\":2"), 12, "\"attempts\":1");
  jan.replace(jan.find("\"updated_at\":1703347200000"), 26, "\"updated_at\":1704100000000");
  write_file(dir.path / "redial-queue_2024-01.json", jan);
  DiskQueue d(dir.str(), 1704100000000);
  CHECK(d.queue.size() == 1);
  CHECK(d.queue.find("12345_5551234567")->attempts == 1);
}

TEST_CASE("a late duplicate of an older call is recognised after a checkpoint and restart") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  {
    DiskQueue d(dir.str(), t0);
    d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "call-1"));
    d.clock.set(t0 + 3 * kMinuteMs);
    d.queue.apply_result(result("1", "5550000001", "NO_ANSWER", "call-2"));
    d.queue.checkpoint();  // shutdown: the journal is folded
  }
  DiskQueue d(dir.str(), t0 + 10 * kMinuteMs);
  // call-1 is no longer the last call id, but Bland may still retry its webhook.
  auto a = d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "call-1"));
  CHECK(a.kind == ApplyKind::kDuplicate);
  CHECK(d.queue.find("1_5550000001")->attempts == 2);
}

TEST_CASE("retention deletes old month files on disk and keeps the rest") {
  TempDir dir;
  std::string oct = kSeedFile;  // any valid month file will do; its month is in its name
  write_file(dir.path / "redial-queue_2025-10.json", oct);
  write_file(dir.path / "redial-queue_2025-11.json", "{}");
  {
    DiskQueue d(dir.str(), ny(2025, 12, 2, 10, 0));
    d.queue.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
    d.queue.sync();
    CHECK(d.queue.find("12345_5551234567"));
    auto report = d.queue.enforce_retention();  // Dec 2 - 30 days = Nov 2: October goes
    CHECK(report.retired == std::vector<MonthId>{202510});
    CHECK(report.records == 1);
    CHECK_FALSE(d.queue.find("12345_5551234567"));
  }
  CHECK_FALSE(fs::exists(dir.path / "redial-queue_2025-10.json"));
  // Moved aside, byte for byte, stamped with the time it was retired.
  const TimeMs retired_at = ny(2025, 12, 2, 10, 0);
  CHECK(read_file(dir.path / "expired" /
                  ("redial-queue_2025-10.expired-" + std::to_string(retired_at) + ".json")) == oct);
  CHECK(fs::exists(dir.path / "redial-queue_2025-11.json"));
  CHECK(fs::exists(dir.path / "redial-queue_2025-12.json"));  // folded by the retention checkpoint
  DiskQueue d(dir.str(), ny(2025, 12, 2, 10, 5));
  CHECK(d.queue.size() == 1);
  CHECK(d.queue.find("1_5550000001"));
}

TEST_CASE("a big month is folded only once the journal is as large as the file it rewrites") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  // A month file of 200 leads (~90 KB) and a byte threshold far below it (but above the ~16 KB
  // of recent call ids a checkpoint leaves in the journal, which a restart counts as growth).
  {
    DiskQueue d(dir.str(), t0);
    for (int i = 0; i < 200; ++i)
      d.queue.apply_result(result(std::to_string(1000 + i), "555000" + std::to_string(1000 + i),
                                  "VOICEMAIL", "first-" + std::to_string(i)));
    d.queue.checkpoint();
  }
  const auto month_bytes = fs::file_size(dir.path / "redial-queue_2025-12.json");
  REQUIRE(month_bytes > 50000);
  for (double ratio : {1.0, 0.0}) {
    MonthStoreOptions o{dir.str()};
    o.checkpoint_journal_bytes = 40000;
    o.checkpoint_journal_ratio = ratio;
    ManualClock clock(t0 + kHourMs);
    RecordingDialer dialer;
    MonthStore store(o);
    RedialQueue queue({}, clock, store, dialer, quiet_logger());
    queue.load();
    CHECK_FALSE(store.wants_checkpoint());
    int results = 0;
    while (!store.wants_checkpoint() && results < 5000) {
      queue.apply_result(result(std::to_string(1000 + results % 200),
                                "555000" + std::to_string(1000 + results % 200), "NO_ANSWER",
                                "r" + std::to_string(ratio) + "-" + std::to_string(results)));
      store.sync();
      ++results;
    }
    REQUIRE(store.wants_checkpoint());
    if (ratio == 1.0) {
      CHECK(store.checkpoint_threshold_bytes() >= month_bytes);
      CHECK(store.journal_bytes() >= month_bytes);
    } else {
      CHECK(store.checkpoint_threshold_bytes() == 40000);
      CHECK(store.journal_bytes() < month_bytes);
    }
    queue.checkpoint();  // folds, so the next round starts from a short journal
    CHECK_FALSE(store.wants_checkpoint());
  }
}
