// Disk faults under the MonthStore (FaultyFileSystem): a failed fsync, ENOSPC, a short write or a
// failed rename must throw, leave the last good snapshot and journal readable and unchanged, and
// let the store work again once the fault clears.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "core/file_system.h"
#include "core/journal.h"
#include "core/month_store.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;
namespace fs = std::filesystem;

namespace {

// A queue over a MonthStore whose file effects go through `faults`; destroying it and building
// another on the same directory is what the runner does after a fault (reload from disk).
struct FaultyQueue {
  FaultyQueue(const std::string& dir, FaultyFileSystem& faults)
      : clock(ny(2025, 12, 1, 10, 0)),
        store(options(dir, faults)),
        queue({}, clock, store, dialer, quiet_logger()) {
    queue.load();
  }
  static MonthStoreOptions options(const std::string& dir, FaultyFileSystem& faults) {
    MonthStoreOptions o;
    o.dir = dir;
    o.fs = &faults;
    return o;
  }
  ManualClock clock;
  RecordingDialer dialer;
  MonthStore store;
  RedialQueue queue;
};

CallResult lead_result(int n, const std::string& call_id) {
  return result(std::to_string(1000 + n), "+1555000" + std::to_string(1000 + n), "VOICEMAIL",
                call_id);
}
std::string lead_key(int n) {
  return std::to_string(1000 + n) + "_555000" + std::to_string(1000 + n);
}

bool any_file_named(const fs::path& dir, const std::string& part) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a journal write fault throws, leaves the journal at its last synced line, and clears",
          "[faults]") {
  struct Case {
    Fault fault;
    const char* message;
  };
  auto c = GENERATE(Case{Fault::kSync, "fdatasync failed"}, Case{Fault::kNoSpace, "No space left"},
                    Case{Fault::kShortWrite, "short write"});
  TempDir dir;
  FaultyFileSystem faults(default_file_system());
  const fs::path journal = dir.path / "redial-queue.journal";
  {
    FaultyQueue q(dir.str(), faults);
    q.queue.apply_result(lead_result(1, "call-1"));
    q.queue.sync();
    const std::string good = read_file(journal);
    REQUIRE_FALSE(good.empty());

    faults.arm(c.fault);
    q.queue.apply_result(lead_result(2, "call-2"));
    try {
      q.queue.sync();
      FAIL("sync succeeded despite the injected fault");
    } catch (const StoreError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(journal.string()) != std::string::npos);
      CHECK(std::string(e.what()).find(c.message) != std::string::npos);
    }
    CHECK(faults.injected() == 1);
    // The failed entry (or half of it) is gone: the file is its last good self.
    CHECK(read_file(journal) == good);
  }
  {
    // Reload: the unsynced result is not there, the synced one is, and nothing is torn.
    FaultyQueue q(dir.str(), faults);
    CHECK(q.queue.find(lead_key(1)) != nullptr);
    CHECK(q.queue.find(lead_key(2)) == nullptr);
    CHECK_FALSE(any_file_named(dir.path, ".torn-"));
    // The fault is spent: the sender's retry is recorded and survives another reload.
    q.queue.apply_result(lead_result(2, "call-2"));
    q.queue.sync();
  }
  FaultyQueue again(dir.str(), faults);
  REQUIRE(again.queue.find(lead_key(2)) != nullptr);
  CHECK(again.queue.find(lead_key(2))->attempts == 1);
}

TEST_CASE("the store goes on after a failed sync without a reload, appending after the good line",
          "[faults]") {
  TempDir dir;
  FaultyFileSystem faults(default_file_system());
  MonthStore store(FaultyQueue::options(dir.str(), faults));
  store.load();
  CallSeen first{"k1", "c1", 1}, lost{"k2", "c2", 2}, after{"k3", "c3", 3};
  store.append(first);
  store.sync();
  faults.arm(Fault::kShortWrite);
  store.append(lost);
  CHECK_THROWS_AS(store.sync(), StoreError);
  store.append(after);
  store.sync();

  std::string expected;
  append_journal_line(expected, first);
  append_journal_line(expected, after);
  CHECK(read_file(dir.path / "redial-queue.journal") == expected);
  CHECK(store.journal_bytes() == expected.size());
}

TEST_CASE("a checkpoint fault never damages the last good month file, and the journal keeps all",
          "[faults]") {
  auto fault = GENERATE(Fault::kRename, Fault::kNoSpace, Fault::kShortWrite, Fault::kSync);
  TempDir dir;
  FaultyFileSystem faults(default_file_system());
  const fs::path month = dir.path / "redial-queue_2025-12.json";
  std::string snapshot;
  {
    FaultyQueue q(dir.str(), faults);
    q.queue.apply_result(lead_result(1, "call-1"));
    q.queue.checkpoint();
    snapshot = read_file(month);
    REQUIRE(snapshot.find(lead_key(1)) != std::string::npos);

    q.queue.apply_result(lead_result(2, "call-2"));
    q.queue.sync();  // durable in the journal
    faults.arm(fault);
    CHECK_THROWS_AS(q.queue.checkpoint(), StoreError);
    CHECK(faults.injected() == 1);
    CHECK(read_file(month) == snapshot);
    CHECK_FALSE(any_file_named(dir.path, ".tmp"));
  }
  // The old journal still holds the second result: nothing acknowledged is lost.
  FaultyQueue q(dir.str(), faults);
  CHECK(q.queue.find(lead_key(1)) != nullptr);
  CHECK(q.queue.find(lead_key(2)) != nullptr);
  // Cleared: the next checkpoint folds both into the month file.
  q.queue.checkpoint();
  CHECK(read_file(month).find(lead_key(2)) != std::string::npos);
}

TEST_CASE("a fault spec arms a fault for N operations or until cleared, and names bad specs",
          "[faults]") {
  TempDir dir;
  FaultyFileSystem faults(default_file_system());
  const std::string path = (dir.path / "f").string();
  auto file = faults.open_writable(path, FileSystem::OpenMode::kAppend);

  faults.arm_from_spec("fsync:2");
  CHECK_THROWS_AS(file->sync(), StoreError);
  CHECK_THROWS_AS(file->sync(), StoreError);
  CHECK_NOTHROW(file->sync());

  faults.arm_from_spec("enospc\n");
  for (int i = 0; i < 5; ++i) CHECK_THROWS_WITH(file->append("x"), Catch::Contains("No space"));
  faults.arm_from_spec("none");
  CHECK_NOTHROW(file->append("x"));
  CHECK(faults.injected() == 7);

  CHECK_THROWS_WITH(faults.arm_from_spec("fsynk"), Catch::Contains("\"fsynk\": unknown fault"));
  CHECK_THROWS_WITH(faults.arm_from_spec("rename:0"), Catch::Contains("positive number"));
}

TEST_CASE("a control file switches faults on and off for another process", "[faults]") {
  TempDir dir;
  FaultyFileSystem faults(default_file_system());
  const fs::path control = dir.path / "faults";
  faults.set_control_file(control.string());
  const std::string a = (dir.path / "a").string(), b = (dir.path / "b").string();
  auto file = faults.open_writable(a, FileSystem::OpenMode::kTruncate);
  CHECK_NOTHROW(faults.rename(a, b));  // no control file: no fault

  std::ofstream(control) << "rename";
  CHECK_THROWS_WITH(faults.rename(b, a), Catch::Contains("injected fault"));
  CHECK_THROWS_WITH(faults.rename(b, a), Catch::Contains("injected fault"));  // held

  fs::remove(control);
  CHECK_NOTHROW(faults.rename(b, a));
  CHECK(fs::exists(a));
}

TEST_CASE("a checkpoint that fails replacing the journal refuses later syncs until reloaded",
          "[faults]") {
  // Nothing to fold into month files, so the journal's replacement is the checkpoint's only write.
  struct NoRecords : RecordSource {
    void for_each_in_month(
        MonthId, const std::function<void(const std::string&, const LeadRecord&)>&) const override {
    }
    std::vector<InFlightCall> in_flight_calls() const override { return {}; }
    std::vector<CallSeen> recent_call_ids() const override { return {}; }
  };
  TempDir dir;
  FaultyFileSystem faults(default_file_system());
  CallSeen kept{"k1", "c1", 1};
  {
    MonthStore store(FaultyQueue::options(dir.str(), faults));
    store.load();
    store.append(kept);
    store.sync();
    faults.arm(Fault::kSync);
    CHECK_THROWS_WITH(store.checkpoint(NoRecords{}), Catch::Contains("injected fault"));
    store.append(CallSeen{"k2", "c2", 2});
    CHECK_THROWS_WITH(store.sync(), Catch::Contains("not open"));
  }
  MonthStore store(FaultyQueue::options(dir.str(), faults));
  StoreState state = store.load();
  REQUIRE(state.seen.size() == 1);
  CHECK(state.seen[0].call_id == "c1");
}
