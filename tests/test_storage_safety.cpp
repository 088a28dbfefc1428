// Issue 15, storage half: retention that cannot destroy the queue, journal truth (a complete line
// failing its checksum is corruption, never a torn tail), load-time checks of month files.
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "core/month_store.h"
#include "core/seed_format.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
}

// A logger whose output the test reads.
struct CapturedLog {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(text));
};

MonthStoreOptions options(const std::string& dir, const CapturedLog* log = nullptr,
                          bool recover = false) {
  MonthStoreOptions o;
  o.dir = dir;
  o.fsync = false;  // the framing is under test here, not the disk (test_disk_faults.cpp)
  o.recover_journal = recover;
  if (log) o.log = log->logger;
  return o;
}

struct Queue {
  Queue(const std::string& dir, TimeMs now, RedialPolicy p = {}, const CapturedLog* log = nullptr,
        FileSystem* fs = nullptr)
      : clock(now),
        store(with_fs(options(dir, log), fs)),
        queue(p, clock, store, dialer, log ? log->logger : quiet_logger()) {
    queue.load();
  }
  static MonthStoreOptions with_fs(MonthStoreOptions o, FileSystem* fs) {
    o.fs = fs;
    return o;
  }
  ManualClock clock;
  RecordingDialer dialer;
  MonthStore store;
  RedialQueue queue;
};

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Three leads, each one journal line, synced; returns the journal's bytes.
std::string three_leads(const TempDir& dir, TimeMs t0) {
  Queue q(dir.str(), t0);
  for (int i = 1; i <= 3; ++i)
    q.queue.apply_result(result(std::to_string(i), "555000000" + std::to_string(i), "VOICEMAIL",
                                "c" + std::to_string(i)));
  q.queue.sync();
  return read_file(dir.path / "redial-queue.journal");
}

std::string key(int i) { return std::to_string(i) + "_555000000" + std::to_string(i); }

}  // namespace

// ---- journal truth ----

TEST_CASE(
    "a byte flipped at each position of the last journal line is refused or set aside "
    "loudly, never silently",
    "[journal]") {
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  TempDir master;
  const std::string journal = three_leads(master, t0);
  const std::size_t last = journal.rfind('\n', journal.size() - 2) + 1;  // the third line
  int refused = 0, set_aside = 0;
  for (std::size_t pos = last; pos < journal.size(); ++pos) {
    TempDir dir;
    fs::copy(master.path, dir.path, fs::copy_options::recursive);
    std::string damaged = journal;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x01);
    write_file(dir.path / "redial-queue.journal", damaged);
    CapturedLog log;
    try {
      ManualClock clock(t0);
      MonthStore store(options(dir.str(), &log));
      StoreState s = store.load();
      // Loaded: only possible if the flip cut the line's newline, making it an incomplete tail.
      INFO("position " << pos);
      REQUIRE(pos == journal.size() - 1);
      REQUIRE(store.load_report().set_aside.size() == 1);
      const SetAside& a = store.load_report().set_aside.front();
      CHECK(a.bytes == journal.size() - last);
      CHECK(a.entries == 1);
      CHECK(read_file(a.path) == damaged.substr(last));
      CHECK_THAT(log.text.str(), Catch::Contains("Journal bytes set aside") &&
                                     Catch::Contains("torn tail") &&
                                     Catch::Contains(std::to_string(a.bytes)));
      CHECK(s.records.size() == 2);
      ++set_aside;
    } catch (const StoreError& e) {
      INFO("position " << pos << ": " << e.what());
      CHECK_THAT(e.what(), Catch::Contains("redial-queue.journal") &&
                               Catch::Contains("byte " + std::to_string(last)) &&
                               Catch::Contains("entry 3") && Catch::Contains("corruption"));
      CHECK(read_file(dir.path / "redial-queue.journal") == damaged);  // nothing changed
      CHECK(files_in(dir.path) == files_in(master.path));
      ++refused;
    }
  }
  CHECK(set_aside == 1);
  CHECK(refused == static_cast<int>(journal.size() - last) - 1);
}

TEST_CASE("recover sets a damaged complete line aside into a side file and keeps the good ones",
          "[journal]") {
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  TempDir dir;
  const std::string journal = three_leads(dir, t0);
  const std::size_t second = journal.find('\n') + 1;
  const std::size_t third = journal.find('\n', second) + 1;
  std::string damaged = journal;
  damaged[second + 40] ^= 0x04;  // entry 2: good lines follow
  write_file(dir.path / "redial-queue.journal", damaged);
  CHECK_THROWS_WITH(
      MonthStore(options(dir.str())).load(),
      Catch::Contains("byte " + std::to_string(second)) && Catch::Contains("entry 2"));
  CapturedLog log;
  {
    MonthStore store(options(dir.str(), &log, /*recover=*/true));
    StoreState s = store.load();
    CHECK(s.records.size() == 2);  // leads 1 and 3
    REQUIRE(store.load_report().set_aside.size() == 1);
    const SetAside& a = store.load_report().set_aside.front();
    CHECK(a.path ==
          (dir.path / ("redial-queue.journal.damaged-" + std::to_string(second))).string());
    CHECK(a.entries == 1);
    CHECK(a.bytes == third - second);
    CHECK(read_file(a.path) == damaged.substr(second, third - second));  // kept, byte for byte
    CHECK_THAT(log.text.str(), Catch::Contains("damaged lines") && Catch::Contains(a.path));
  }
  // The journal holds its good lines; a normal start-up now goes through and appends after them.
  CHECK(read_file(dir.path / "redial-queue.journal") ==
        journal.substr(0, second) + journal.substr(third));
  Queue q(dir.str(), t0 + kMinuteMs);
  CHECK(q.queue.find(key(1)));
  CHECK_FALSE(q.queue.find(key(2)));
  CHECK(q.queue.find(key(3)));
}

TEST_CASE("a torn tail of zero bytes is set aside with a warning, and counted", "[journal]") {
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  TempDir dir;
  const std::string journal = three_leads(dir, t0);
  write_file(dir.path / "redial-queue.journal", journal + std::string(4096, '\0'));
  CapturedLog log;
  MonthStore store(options(dir.str(), &log));
  CHECK(store.load().records.size() == 3);
  REQUIRE(store.load_report().set_aside.size() == 1);
  CHECK(store.load_report().set_aside.front().bytes == 4096);
  CHECK(read_file(dir.path / "redial-queue.journal") == journal);
  CHECK_THAT(log.text.str(), Catch::Contains("\"bytes\":4096"));
}

// ---- retention ----

namespace {
// Forty leads in 2025-10..2025-12, the last updated Dec 2 2025 10:00 (New York).
void forty_leads(const TempDir& dir) {
  Queue q(dir.str(), ny(2025, 10, 20, 10, 0));
  for (int i = 0; i < 40; ++i) {
    if (i == 15) q.clock.set(ny(2025, 11, 20, 10, 0));
    if (i == 30) q.clock.set(ny(2025, 12, 2, 10, 0));
    q.queue.apply_result(result(std::to_string(100 + i), "55500001" + std::to_string(10 + i),
                                "VOICEMAIL", "c" + std::to_string(i)));
  }
  q.queue.checkpoint();
}
}  // namespace

TEST_CASE("a clock two months or 400 days fast at start-up: retention refuses, nothing is lost",
          "[retention]") {
  TempDir dir;
  forty_leads(dir);
  const auto before = files_in(dir.path);
  for (TimeMs ahead : {61 * kDayMs, 400 * kDayMs}) {
    CapturedLog log;
    Queue q(dir.str(), ny(2025, 12, 2, 10, 0) + ahead, {}, &log);
    RetentionReport r = q.queue.enforce_retention();
    CHECK_THAT(r.refused, Catch::Contains("days after the newest record's updated_at"));
    CHECK(r.retired.empty());
    CHECK(q.queue.size() == 40);
    CHECK_THAT(log.text.str(), Catch::Contains("[error] Retention refused"));
  }
  CHECK(files_in(dir.path) == before);
  CHECK_FALSE(fs::exists(dir.path / "expired"));
}

TEST_CASE("a clock before the newest update: retention refuses", "[retention]") {
  TempDir dir;
  forty_leads(dir);
  Queue q(dir.str(), ny(2025, 12, 1, 10, 0));  // a day behind the newest record
  RetentionReport r = q.queue.enforce_retention();
  CHECK_THAT(r.refused, Catch::Contains("before the newest record's updated_at"));
  CHECK(q.queue.size() == 40);
}

TEST_CASE("a month past the period by name is kept while any record in it is recent",
          "[retention]") {
  TempDir dir;
  forty_leads(dir);
  {
    Queue q(dir.str(), ny(2025, 12, 2, 10, 5));
    q.queue.apply_result(result("100", "5550000110", "NO_ANSWER", "again"));  // an October lead
    q.queue.sync();
  }
  Queue q(dir.str(), ny(2025, 12, 20, 10, 0));  // Nov 20 cutoff: October is old by name
  RetentionReport r = q.queue.enforce_retention();
  CHECK(r.refused.empty());
  CHECK(r.retired.empty());
  CHECK(r.kept == std::vector<MonthId>{202510});
  CHECK(fs::exists(dir.path / "redial-queue_2025-10.json"));
  CHECK(q.queue.size() == 40);
}

TEST_CASE("an expired month goes to expired/, then is deleted only after the grace period",
          "[retention]") {
  TempDir dir;
  forty_leads(dir);
  RedialPolicy p;
  p.retention_grace_days = 10;
  const TimeMs t1 = ny(2025, 12, 21, 10, 0);  // Nov 21 cutoff: October (15 leads) is past it
  CapturedLog log;
  {
    Queue q(dir.str(), t1, p, &log);
    RetentionReport r = q.queue.enforce_retention();
    CHECK(r.retired == std::vector<MonthId>{202510});
    CHECK(r.records == 15);
    CHECK(q.queue.size() == 25);
    CHECK_THAT(log.text.str(), Catch::Contains("[warning] Retention moved old months aside") &&
                                   Catch::Contains("\"months\":\"2025-10\",\"records\":15"));
  }
  const std::string moved = "redial-queue_2025-10.expired-" + std::to_string(t1) + ".json";
  CHECK(files_in(dir.path / "expired") == std::vector<std::string>{moved});
  CHECK_FALSE(fs::exists(dir.path / "redial-queue_2025-10.json"));
  {
    Queue q(dir.str(), t1 + 9 * kDayMs, p);  // within the grace period: kept
    q.queue.apply_result(result("900", "5550000900", "VOICEMAIL", "x"));  // keeps the clock sane
    CHECK(q.queue.enforce_retention().purged.empty());
    CHECK(q.queue.size() == 26);  // the expired month is not loaded back
    q.queue.sync();
  }
  Queue q(dir.str(), t1 + 11 * kDayMs, p, &log);
  RetentionReport r = q.queue.enforce_retention();
  CHECK(r.purged == std::vector<std::string>{moved});
  CHECK(r.retired == std::vector<MonthId>{202511});  // now past the period too: moved, not deleted
  const auto left = files_in(dir.path / "expired");
  REQUIRE(left.size() == 1);
  CHECK(left[0].rfind("redial-queue_2025-11.expired-", 0) == 0);
  CHECK_THAT(log.text.str(), Catch::Contains("Retention deleted expired month files"));
}

TEST_CASE("a migrated old seed month file is moved to expired/, not deleted", "[retention]") {
  TempDir dir;
  forty_leads(dir);
  const std::string old_seed =
      R"({"12345_5551234567":{"lead_id":"12345","phone_number":"+15551234567","list_id":"L",)"
      R"("attempts":1,"last_call_timestamp":1703347200000,"next_redial_timestamp":1703347800000,)"
      R"("scheduled_callback_time":null,"outcomes":["VOICEMAIL"],"last_outcome":"VOICEMAIL",)"
      R"("last_call_id":"c","created_at":1703347200000,"updated_at":1703347200000,)"
      R"("status":"pending"}})";
  write_file(dir.path / "redial-queue_2023-12.json", old_seed);
  CapturedLog log;
  const TimeMs now = ny(2025, 12, 2, 11, 0);  // Nov 2 cutoff: October's 15 leads go too
  Queue q(dir.str(), now, {}, &log);
  RetentionReport r = q.queue.enforce_retention();
  CHECK(r.retired == std::vector<MonthId>{202312, 202510});
  CHECK(r.records == 16);
  CHECK(read_file(dir.path / "expired" /
                  ("redial-queue_2023-12.expired-" + std::to_string(now) + ".json")) == old_seed);
  CHECK(q.queue.size() == 25);
  CHECK_THAT(log.text.str(), Catch::Contains("[warning] Retention moved old months aside") &&
                                 Catch::Contains("2023-12"));
}

TEST_CASE("retention_days 0 never deletes, and a negative value is refused", "[retention]") {
  TempDir dir;
  forty_leads(dir);
  RedialPolicy p;
  p.retention_days = 0;
  Queue q(dir.str(), ny(2027, 1, 1, 10, 0), p);
  RetentionReport r = q.queue.enforce_retention();
  CHECK(r.refused.empty());
  CHECK(r.retired.empty());
  CHECK(q.queue.size() == 40);
  p.retention_days = -1;
  CHECK_THROWS_AS(p.validate(), ConfigError);
}

TEST_CASE("a failed move to expired/ throws and loses nothing", "[retention][faults]") {
  TempDir dir;
  forty_leads(dir);
  FaultyFileSystem faults(default_file_system());
  {
    Queue q(dir.str(), ny(2025, 12, 21, 10, 0), {}, nullptr, &faults);
    faults.arm(Fault::kRename, FaultyFileSystem::kUntilCleared);
    CHECK_THROWS_AS(q.queue.enforce_retention(), StoreError);
    faults.clear();
  }
  CHECK(fs::exists(dir.path / "redial-queue_2025-10.json"));
  Queue q(dir.str(), ny(2025, 12, 21, 10, 0));
  CHECK(q.queue.size() == 40);
}

// ---- load-time checks ----

TEST_CASE("inconsistent month-file values load as they are, warned once per file with counts",
          "[seed_format]") {
  TempDir dir;
  const std::string file =
      R"({"1_5550000001":{"lead_id":"1","phone_number":"5550000001","attempts":7,)"
      R"("outcomes":["VOICEMAIL"],"last_outcome":"VOICEMAIL","created_at":1764600000000,)"
      R"("updated_at":1764600000000,"status":"pending"},)"
      R"("2_5550000002":{"lead_id":"2","phone_number":"5550000002","attempts":1,)"
      R"("outcomes":["WEIRD"],"last_outcome":"WEIRD","created_at":1764600000000,)"
      R"("updated_at":4102444800000,"status":"pending"},)"
      R"("3_5550000003":{"lead_id":"3","phone_number":"5550000003","attempts":0,)"
      R"("outcomes":[],"created_at":12,"updated_at":1764600000000,"status":"pending"}})";
  write_file(dir.path / "redial-queue_2025-12.json", file);
  CapturedLog log;
  ManualClock clock(ny(2025, 12, 2, 10, 0));
  MonthStoreOptions o = options(dir.str(), &log);
  o.clock = &clock;
  RedialPolicy policy;
  o.is_known_outcome = [&](std::string_view n) { return policy.is_known(n); };
  MonthStore store(o);
  StoreState s = store.load();
  REQUIRE(s.records.size() == 3);
  CHECK(s.records[0].record.attempts == 7);  // never rewritten
  REQUIRE(store.load_report().month_problems.size() == 1);
  const MonthFileProblems& p = store.load_report().month_problems.front();
  CHECK(p.records == 3);
  CHECK(p.bad_records == 3);
  CHECK(p.counts.at("attempts_vs_outcomes") == 1);
  CHECK(p.counts.at("unknown_outcome") == 1);
  CHECK(p.counts.at("timestamp_in_future") == 1);
  CHECK(p.counts.at("timestamp_before_2000") == 1);
  const std::string text = log.text.str();
  CHECK(text.find("inconsistent values") == text.rfind("inconsistent values"));  // once
  CHECK_THAT(text, Catch::Contains("redial-queue_2025-12.json") &&
                       Catch::Contains("attempts_vs_outcomes: 1"));
  CHECK(read_file(dir.path / "redial-queue_2025-12.json") == file);

  RecordCheckRules rules;
  rules.now_ms = clock.now_ms();
  rules.is_known = o.is_known_outcome;
  DirectoryCheck c = check_directory(default_file_system(), dir.str(), rules);
  CHECK_FALSE(c.clean());
  CHECK(c.records == 3);
  REQUIRE(c.month_problems.size() == 1);
  CHECK(c.month_problems[0].bad_records == 3);
}

TEST_CASE("check_directory finds nothing in a clean directory and lists journal damage",
          "[seed_format]") {
  TempDir dir;
  const std::string journal = three_leads(dir, ny(2025, 12, 1, 14, 0));
  RecordCheckRules rules;
  CHECK(check_directory(default_file_system(), dir.str(), rules).clean());
  std::string damaged = journal;
  damaged[20] ^= 0x01;
  write_file(dir.path / "redial-queue.journal", damaged);
  DirectoryCheck c = check_directory(default_file_system(), dir.str(), rules);
  REQUIRE(c.damaged.size() == 1);
  CHECK(c.damaged[0].entry == 1);
  CHECK(c.damaged[0].offset == 0);
  CHECK(read_file(dir.path / "redial-queue.journal") == damaged);  // read only
}
