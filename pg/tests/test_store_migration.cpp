// redial-runner migrate: month files -> PostgreSQL -> month files gives the same files, byte
// for byte.
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/errors.h"
#include "core/month_store.h"
#include "pg/pg_store.h"
#include "pg/store_migration.h"
#include "pg/tests/pg_test_support.h"
#include "tests/test_support.h"

using namespace redial;
using namespace redial::testing;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> month_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("redial-queue_", 0) == 0) out[name] = read_file(e.path());
  }
  return out;
}

}  // namespace

TEST_CASE("pg migrate: month files to PostgreSQL and back are the same files") {
  TempDir original, back;
  RedialPolicy p = any_hour_policy();
  ManualClock clock(ny(2025, 10, 31, 23, 0));
  {
    MonthStore store({original.str()});
    RecordingDialer dialer;
    RedialQueue q(p, clock, store, dialer, quiet_logger());
    q.load();
    q.enqueue(LeadInput{"A1", "+15550000001", "L1", "Ann \"Q\"", "O'Neil", "NY"}, clock.now_ms());
    q.apply_result(result("B2", "+15550000002", "VOICEMAIL", "call-b2-1"));
    clock.advance(2 * kHourMs);  // November: a second month file
    q.apply_result(result("C3", "+15550000003", "TRANSFERRED", "call-c3-1"));
    q.apply_result(result("B2", "+15550000002", "NO_ANSWER", "call-b2-2"));
    q.sync();
    q.checkpoint();
  }
  const auto before = month_files(original.path);
  REQUIRE(before.size() == 2);

  const std::string url = fresh_pg_database("redial_t_migrate_rt");
  {
    MonthStore from({original.str()});
    PgStore to({url, "migrate", 0});
    MigrationSummary s = copy_store_records(from, to);
    CHECK(s.records == 3);
  }
  CHECK(pg_count(url, "SELECT count(*) FROM leads") == 3);
  // The call ids came along: a replayed webhook is a duplicate on PostgreSQL too.
  CHECK(pg_count(url,
                 "SELECT count(*) FROM call_ids WHERE call_id IN ('call-b2-1', "
                 "'call-b2-2', 'call-c3-1')") == 3);
  {
    PgStore from({url, "migrate", 0});
    MonthStore to({back.str()});
    CHECK(copy_store_records(from, to).records == 3);
  }
  CHECK(month_files(back.path) == before);

  // Into a store that holds records: refused.
  PgStore from({url, "migrate", 0});
  MonthStore to({back.str()});
  CHECK_THROWS_AS(copy_store_records(from, to), StoreError);
}
