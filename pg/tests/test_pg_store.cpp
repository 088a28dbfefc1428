// PgStore against a real PostgreSQL: migrations, exact records, claims and leases between two
// runners (two stores on one database), duplicates across runners.
#include <algorithm>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "core/errors.h"
#include "core/shared_store.h"
#include "pg/pg_store.h"
#include "pg/tests/pg_test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

constexpr TimeMs kT0 = 1'762'000'000'000;  // Nov 2025
constexpr TimeMs kLeaseMs = 5000;

RecordPut lead(const std::string& id, const std::string& phone, TimeMs due) {
  LeadRecord r;
  r.lead_id = id;
  r.phone_number = "+1" + phone;
  r.created_at = kT0;
  r.updated_at = kT0;
  r.next_redial_timestamp = due;
  return RecordPut{202511, id + "_" + phone, r};
}

ClaimQuery at(TimeMs now) { return ClaimQuery{now, 0, 8, 100, 0}; }

std::vector<std::string> keys(const ClaimResult& c) {
  std::vector<std::string> out;
  for (const auto& r : c.records) out.push_back(r.key);
  return out;
}

}  // namespace

TEST_CASE("pg store: migrations are applied once and a restart changes nothing") {
  const std::string url = fresh_pg_database("redial_t_migrate");
  { PgStore a({url, "A", kLeaseMs}); }
  { PgStore b({url, "B", kLeaseMs}); }
  CHECK(pg_count(url, "SELECT count(*) FROM schema_migrations") == 3);
  CHECK(pg_count(url, "SELECT max(version) FROM schema_migrations") == 3);
  CHECK(pg_count(url,
                 "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                 "('leads', 'phone_leases', 'call_ids')") == 3);
}

TEST_CASE("pg store: an unreachable database is one error naming the redacted URL") {
  try {
    PgStore s({"postgres://u:secret@127.0.0.1:1/nodb", "A", kLeaseMs});
    FAIL("connected to port 1");
  } catch (const StoreError& e) {
    const std::string what = e.what();
    CHECK(what.find("postgres://u:***@127.0.0.1:1/nodb") != std::string::npos);
    CHECK(what.find("secret") == std::string::npos);
  }
}

TEST_CASE("pg store: records come back exactly as they were put") {
  const std::string url = fresh_pg_database("redial_t_records");
  RecordPut p = lead("L1", "5550000001", kT0);
  p.record.outcomes = {"VOICEMAIL", "NO_ANSWER"};
  p.record.attempts = 2;
  p.record.last_call_id = "c-\"quoted\"";
  p.record.scheduled_callback_time = kT0 + 99;
  p.record.status = LeadStatus::kRescheduled;
  p.record.recent_call_times = {kT0 - 5, kT0 - 1};
  p.record.hold_reason = "state cap";
  {
    PgStore s({url, "A", kLeaseMs});
    s.append(p);
    s.sync();
  }
  PgStore s({url, "B", kLeaseMs});
  StoreState st = s.load();
  REQUIRE(st.records.size() == 1);
  CHECK(st.records[0].key == p.key);
  CHECK(st.records[0].month == 202511);
  CHECK(st.records[0].record == p.record);
  CHECK(st.in_flight.empty());
}

TEST_CASE("pg store: two runners never claim one lead or one number at once") {
  const std::string url = fresh_pg_database("redial_t_claims");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  a.append(lead("L1", "5550000001", kT0));
  a.append(lead("L2", "5550000002", kT0 + 1));
  a.append(lead("L3", "5550000002", kT0 + 2));       // L2's number
  a.append(lead("L4", "5550000004", kT0 + 10'000));  // not due yet
  a.sync();

  ClaimResult ca = a.claim_due(at(kT0 + 5));
  CHECK(keys(ca) == std::vector<std::string>{"L1_5550000001", "L2_5550000002"});
  CHECK(keys(b.claim_due(at(kT0 + 5))).empty());  // L3's number is A's

  // A dials L1 only; L2's number goes back and B takes L2 (or L3), never both.
  a.append(CallStarted{InFlightCall{1, "5550000001", "L1_5550000001", "", kT0 + 5}});
  a.release_undialed();
  a.sync();
  ClaimResult cb = b.claim_due(at(kT0 + 6));
  CHECK(keys(cb) == std::vector<std::string>{"L2_5550000002"});
  CHECK(pg_count(url, "SELECT count(*) FROM phone_leases") == 2);
  CHECK(ca.live_dial_seqs.empty());
  CHECK(a.claim_due(at(kT0 + 7)).live_dial_seqs == std::vector<std::uint64_t>{1});
}

TEST_CASE("pg store: a dead runner's numbers are free when its lease expires and not before") {
  const std::string url = fresh_pg_database("redial_t_lease");
  PgStore b({url, "B", kLeaseMs});
  b.append(lead("L1", "5550000001", kT0));
  b.append(lead("L2", "5550000002", kT0));
  b.sync();
  {
    // A claims both, dials L1, and dies mid-tick: nothing released, L2 never dialed.
    PgStore a({url, "A", kLeaseMs});
    REQUIRE(a.claim_due(at(kT0 + 1000)).records.size() == 2);
    a.append(CallStarted{InFlightCall{7, "5550000001", "L1_5550000001", "", kT0 + 1000}});
    a.sync();
  }
  CHECK(keys(b.claim_due(at(kT0 + 1000 + kLeaseMs - 1))).empty());
  CHECK(keys(b.claim_due(at(kT0 + 1000 + kLeaseMs))) ==
        std::vector<std::string>{"L1_5550000001", "L2_5550000002"});
}

TEST_CASE("pg store: a live runner's call keeps its number past the lease") {
  const std::string url = fresh_pg_database("redial_t_renew");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  a.append(lead("L1", "5550000001", kT0));
  a.sync();
  REQUIRE(a.claim_due(at(kT0)).records.size() == 1);
  a.append(CallStarted{InFlightCall{1, "5550000001", "L1_5550000001", "", kT0}});
  a.sync();
  a.claim_due(at(kT0 + 4000));  // A's next tick renews its call lease
  CHECK(keys(b.claim_due(at(kT0 + 8000))).empty());
  CHECK(keys(b.claim_due(at(kT0 + 4000 + kLeaseMs))).size() == 1);
}

TEST_CASE("pg store: a dial whose lease was lost fails before the dial") {
  const std::string url = fresh_pg_database("redial_t_lost");
  PgStore a({url, "A", kLeaseMs});
  a.append(lead("L1", "5550000001", kT0));
  a.sync();
  CHECK_THROWS_AS(a.append(CallStarted{InFlightCall{1, "5550000001", "L1_5550000001", "", kT0}}),
                  StoreError);
}

TEST_CASE("pg store: a call id is recorded once across runners and ends the call's lease") {
  const std::string url = fresh_pg_database("redial_t_callids");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  a.append(lead("L1", "5550000001", kT0));
  a.sync();
  REQUIRE(a.claim_due(at(kT0)).records.size() == 1);
  a.append(CallStarted{InFlightCall{3, "5550000001", "L1_5550000001", "", kT0}});
  a.append(CallAccepted{"5550000001", 3, "call-1"});
  a.sync();
  // B takes the webhook: the lease ends, and A's next claim reports the call gone.
  REQUIRE(b.lock_lead("L1_5550000001").has_value());
  CHECK(b.record_call_id("call-1", "L1_5550000001", "5550000001", kT0 + 1) ==
        SharedStore::Recorded::kEndedCall);
  b.sync();
  CHECK(pg_count(url, "SELECT count(*) FROM phone_leases") == 0);
  CHECK(a.claim_due(at(kT0 + 2)).live_dial_seqs.empty());
  CHECK(a.record_call_id("call-1", "L1_5550000001", "5550000001", kT0 + 3) ==
        SharedStore::Recorded::kDuplicate);
  CHECK(a.record_call_id("call-2", "L1_5550000001", "5550000001", kT0 + 3) ==
        SharedStore::Recorded::kOutsideCall);
  a.sync();
  CHECK(pg_count(url, "SELECT count(*) FROM call_ids") == 2);
}

TEST_CASE("pg store: a claim counts this runner's calls in flight against the limit") {
  const std::string url = fresh_pg_database("redial_t_limit");
  PgStore a({url, "A", kLeaseMs}), b({url, "B", kLeaseMs});
  for (int k = 1; k <= 4; ++k)
    a.append(lead("L" + std::to_string(k), "555000000" + std::to_string(k), kT0));
  a.sync();
  ClaimQuery q = at(kT0);
  q.max_calls_in_flight = 2;
  REQUIRE(a.claim_due(q).records.size() == 2);
  a.append(CallStarted{InFlightCall{1, "5550000001", "L1_5550000001", "", kT0}});
  a.append(CallAccepted{"5550000001", 1, "call-1"});
  a.release_undialed();
  a.sync();
  CHECK(a.claim_due(q).records.size() == 1);  // one call in flight: one place left
  a.release_undialed();
  a.sync();
  // B applies the call's result: A has two places again.
  b.record_call_id("call-1", "L1_5550000001", "5550000001", kT0 + 1);
  b.sync();
  CHECK(a.claim_due(q).records.size() == 2);
}

TEST_CASE("pg store: changed_records returns other runners' changes, even committed late") {
  const std::string url = fresh_pg_database("redial_t_changed");
  PgStore a({url, "A", kLeaseMs});
  PgStore b({url, "B", kLeaseMs});
  PgStore c({url, "C", kLeaseMs});
  a.append(lead("L0", "5550000000", kT0));
  a.sync();
  a.load();
  CHECK(a.changed_records().empty());
  // B writes first (its transaction id is older) but commits after C: a counter bumped at
  // write time would let A skip B's row for good.
  b.append(lead("L1", "5550000001", kT0));
  c.append(lead("L2", "5550000002", kT0));
  c.sync();
  auto keys_of = [](const std::vector<StoredRecord>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) out.push_back(r.key);
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(keys_of(a.changed_records()) == std::vector<std::string>{"L2_5550000002"});
  b.sync();
  auto late = keys_of(a.changed_records());
  CHECK(std::count(late.begin(), late.end(), "L1_5550000001") == 1);
  RecordPut closed = lead("L0", "5550000000", kT0);
  closed.record.status = LeadStatus::kCompleted;
  c.append(closed);
  c.sync();
  std::vector<StoredRecord> got = a.changed_records();
  auto it = std::find_if(got.begin(), got.end(),
                         [](const StoredRecord& r) { return r.key == "L0_5550000000"; });
  REQUIRE(it != got.end());
  CHECK(it->record.status == LeadStatus::kCompleted);
}
