// Creating and changing a lead is serialised in the database (issue 20, docs/scaling.md "No
// lost result"): two stores (runners) on one database, one of them in a second thread.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "core/errors.h"
#include "pg/pg_store.h"
#include "pg/tests/pg_test_support.h"

using namespace redial;
using namespace redial::testing;
using namespace std::chrono_literals;

namespace {

constexpr TimeMs kT0 = 1'762'000'000'000;  // Nov 2025
constexpr TimeMs kLeaseMs = 5000;
const std::string kKey = "N1_5550000001";

RecordPut with_attempts(int attempts) {
  LeadRecord r;
  r.lead_id = "N1";
  r.phone_number = "+15550000001";
  r.created_at = kT0;
  r.updated_at = kT0;
  r.next_redial_timestamp = kT0;
  r.attempts = attempts;
  return RecordPut{202511, kKey, r};
}

// What a result does: lock the lead, then write attempts + 1 of what the lock returned.
int apply_one(PgStore& s, const std::string& key) {
  auto got = s.lock_lead(key);
  RecordPut p = with_attempts(got ? got->record.attempts + 1 : 1);
  p.key = key;
  s.append(p);
  return p.record.attempts;
}

}  // namespace

TEST_CASE("pg locking: two runners creating one new lead at once: the second waits and counts 2") {
  const std::string url = fresh_pg_database("redial_t_lock_new");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  CHECK_FALSE(a.lock_lead(kKey).has_value());  // no row: a placeholder, locked by A
  a.append(with_attempts(1));
  // B's result for the same new lead: it must wait for A, then build on A's row.
  auto second = std::async(std::launch::async, [&] { return apply_one(b, kKey); });
  CHECK(second.wait_for(300ms) == std::future_status::timeout);
  a.sync();
  REQUIRE(second.wait_for(10s) == std::future_status::ready);
  CHECK(second.get() == 2);
  b.sync();
  CHECK(pg_count(url, "SELECT attempts FROM leads") == 2);
  CHECK(pg_count(url, "SELECT count(*) FROM leads") == 1);
}

TEST_CASE("pg locking: a placeholder not written is never committed") {
  const std::string url = fresh_pg_database("redial_t_lock_stub");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  CHECK_FALSE(a.lock_lead(kKey).has_value());
  CHECK_FALSE(a.lock_lead(kKey).has_value());  // again in the same transaction: still none
  // B wants the lead too: it waits for A's transaction, then finds no lead.
  auto other = std::async(std::launch::async, [&] { return b.lock_lead(kKey).has_value(); });
  CHECK(other.wait_for(300ms) == std::future_status::timeout);
  a.sync();
  REQUIRE(other.wait_for(10s) == std::future_status::ready);
  CHECK_FALSE(other.get());
  b.sync();
  CHECK(pg_count(url, "SELECT count(*) FROM leads") == 0);
  CHECK(a.load().records.empty());
}

TEST_CASE("pg locking: two runners locking two leads in opposite orders do not deadlock") {
  const std::string url = fresh_pg_database("redial_t_lock_order");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  const std::string x = "X1_5550000001", y = "Y1_5550000002";
  apply_one(a, x);  // A holds X (new), B holds Y (new)
  apply_one(b, y);
  // A now wants Y: it commits X first and waits holding nothing; B then takes X at once.
  auto a_y = std::async(std::launch::async, [&] { return apply_one(a, y); });
  CHECK(a_y.wait_for(300ms) == std::future_status::timeout);
  CHECK(pg_count(url, "SELECT count(*) FROM leads WHERE key = 'X1_5550000001'") == 1);
  CHECK(apply_one(b, x) == 2);
  b.sync();
  REQUIRE(a_y.wait_for(10s) == std::future_status::ready);
  CHECK(a_y.get() == 2);
  a.sync();
  CHECK(pg_count(url, "SELECT sum(attempts) FROM leads") == 4);
}

TEST_CASE("pg locking: a tick's change to a lead another runner changed after the claim fails") {
  const std::string url = fresh_pg_database("redial_t_lock_claim");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  a.append(with_attempts(1));
  a.sync();
  ClaimResult claimed = a.claim_due(ClaimQuery{kT0, 0, 8, 100, 0});
  REQUIRE(claimed.records.size() == 1);
  CHECK(apply_one(b, kKey) == 2);  // a result on another runner, after A's claim
  b.sync();
  RecordPut stale = with_attempts(claimed.records[0].record.attempts);  // the tick's copy
  CHECK_THROWS_AS(a.append(stale), StoreError);
  // The transaction was rolled back: the sync that would acknowledge its changes fails too.
  CHECK_THROWS_AS(a.sync(), StoreError);
  a.sync();                                                 // reported once; nothing is open now
  CHECK(pg_count(url, "SELECT attempts FROM leads") == 2);  // B's result stays
  // Unchanged since the claim (the failed tick's lease has expired): the tick's write goes through.
  claimed = a.claim_due(ClaimQuery{kT0 + kLeaseMs, 0, 8, 100, 0});
  REQUIRE(claimed.records.size() == 1);
  RecordPut held = with_attempts(claimed.records[0].record.attempts);
  held.record.next_redial_timestamp = kT0 + 60'000;
  a.append(held);
  a.release_undialed();
  a.sync();
  CHECK(pg_count(url, "SELECT due_at FROM leads") == kT0 + 60'000);
}

TEST_CASE("pg locking: a bulk creation of leads holds at most 1000 key locks at a time") {
  const std::string url = fresh_pg_database("redial_t_lock_bulk");
  PgStore a({url, "A", kLeaseMs});
  // Each new lead holds an advisory lock until its commit, and the server's lock table is
  // shared and bounded (about max_locks_per_transaction x max_connections): a bulk enqueue of
  // 10k new leads must not fill it, so the store commits every 1000 creations.
  constexpr int kLeads = 2500;
  for (int k = 0; k < kLeads; ++k) apply_one(a, "B" + std::to_string(k) + "_5550000001");
  const long held = pg_count(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
  CHECK(held > 0);
  CHECK(held <= 1000);
  CHECK(pg_count(url, "SELECT count(*) FROM leads") == 2000);  // two commits so far
  a.sync();
  CHECK(pg_count(url, "SELECT count(*) FROM leads") == kLeads);
}

TEST_CASE("pg locking: leads written together in one statement come back exactly") {
  const std::string url = fresh_pg_database("redial_t_lock_many");
  std::vector<RecordPut> puts;
  {
    PgStore a({url, "A", kLeaseMs});
    // Written through the batch's one multi-row upsert (the rows are locked): values that need
    // escaping in an array literal, a closed lead (due_at NULL) and an open one.
    for (const char* name : {"q\"uote", "back\\slash", "{brace,comma}", "NULL", "", "é ü 名"}) {
      RecordPut p = with_attempts(3);
      p.key = std::string("M") + std::to_string(puts.size()) + "_5550000001";
      p.record.first_name = name;
      p.record.last_call_id = std::string("c-") + name;
      p.record.status = puts.size() % 2 ? LeadStatus::kCompleted : LeadStatus::kPending;
      REQUIRE_FALSE(a.lock_lead(p.key).has_value());
      a.append(p);
      puts.push_back(p);
    }
    a.sync();
  }
  CHECK(pg_count(url, "SELECT count(*) FROM leads WHERE due_at IS NULL") == 3);
  PgStore b({url, "B", kLeaseMs});
  StoreState st = b.load();
  REQUIRE(st.records.size() == puts.size());
  for (const RecordPut& p : puts) {
    auto it = std::find_if(st.records.begin(), st.records.end(),
                           [&](const StoredRecord& r) { return r.key == p.key; });
    REQUIRE(it != st.records.end());
    CHECK(it->record == p.record);
  }
}
