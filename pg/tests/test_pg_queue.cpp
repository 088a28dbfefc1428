// Two RedialQueues on one PostgreSQL database, as two runners: the core's rules decide, the
// database's claims keep them from dialing one lead or one number at once.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/redial_queue.h"
#include "pg/pg_store.h"
#include "pg/tests/pg_test_support.h"
#include "tests/test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

struct Runner {
  Runner(const std::string& url, const std::string& owner, const RedialPolicy& p,
         ManualClock& clock)
      : store({url, owner, 60'000}), queue(p, clock, store, dialer, quiet_logger()) {
    queue.load();
  }
  PgStore store;
  RecordingDialer dialer;
  RedialQueue queue;
};

}  // namespace

TEST_CASE("pg queue: two runners dial every lead exactly max_attempts times, one call a number") {
  const std::string url = fresh_pg_database("redial_t_queues");
  RedialPolicy p = any_hour_policy();
  p.max_attempts = 3;
  p.max_concurrent_calls = 2;  // each claims two: the runners share the work
  ManualClock clock(ny(2025, 11, 3, 10, 0));
  Runner a(url, "A", p, clock), b(url, "B", p, clock);
  const std::vector<std::pair<std::string, std::string>> leads = {
      {"L1", "+15550000001"},
      {"L2", "+15550000002"},
      {"L3", "+15550000003"},
      {"L4", "+15550000004"},
      {"L5", "+15550000004"}};  // L5 shares L4's number
  for (const auto& [id, phone] : leads)
    a.queue.enqueue(LeadInput{id, phone, "", "", "", ""}, clock.now_ms());
  a.queue.sync();

  std::map<std::string, int> dials_per_lead;
  std::map<std::string, int> dials_by_runner;
  int call = 0;
  for (int round = 0; round < 40; ++round) {
    a.dialer.dials.clear();
    b.dialer.dials.clear();
    a.queue.tick();
    b.queue.tick();
    struct Placed {
      Runner* by;
      DialRequest dial;
      std::string call_id;
    };
    std::vector<Placed> placed;
    for (Runner* r : {&a, &b})
      for (const auto& d : r->dialer.dials)
        placed.push_back({r, d, "call-" + std::to_string(++call)});
    if (placed.empty()) break;
    std::set<std::string> phones;  // every call of the round is in flight at once
    for (const auto& pl : placed) {
      CHECK(phones.insert(pl.dial.phone).second);
      ++dials_per_lead[pl.dial.lead.lead_id];
      ++dials_by_runner[pl.by == &a ? "A" : "B"];
      pl.by->queue.on_dial_accepted(pl.dial.dial_seq, pl.call_id);
    }
    a.queue.sync();
    b.queue.sync();
    // Each result is applied by the runner that did NOT dial it, and then sent again (a
    // duplicate) to the one that did.
    for (const auto& pl : placed) {
      Runner& other = pl.by == &a ? b : a;
      CallResult res =
          result(pl.dial.lead.lead_id, pl.dial.lead.phone_number, "NO_ANSWER", pl.call_id);
      res.state.clear();  // no state rules: the test is about claims
      CHECK(other.queue.apply_result(res).kind == ApplyKind::kUpdated);
      other.queue.sync();
      CHECK(pl.by->queue.apply_result(res).kind == ApplyKind::kDuplicate);
      pl.by->queue.sync();
    }
    clock.advance(3 * kMinuteMs);  // past the min wait (2 min) and the first intervals
  }
  for (const auto& [id, phone] : leads) CHECK(dials_per_lead[id] == 3);
  CHECK(dials_by_runner["A"] > 0);
  CHECK(dials_by_runner["B"] > 0);
  CHECK(pg_count(url,
                 "SELECT count(*) FROM leads WHERE attempts = 3 AND status = "
                 "'max_attempts'") == 5);
  CHECK(pg_count(url, "SELECT count(*) FROM call_ids") == 15);
  CHECK(pg_count(url, "SELECT count(*) FROM phone_leases") == 0);
  CHECK(a.queue.in_flight_calls().empty());  // ended by B's results, seen at A's next claim
  CHECK(b.queue.in_flight_calls().empty());
}

TEST_CASE("pg queue: a paused lead is claimed by no runner, a deleted one is gone for both") {
  const std::string url = fresh_pg_database("redial_t_admin");
  RedialPolicy p = any_hour_policy();
  ManualClock clock(ny(2025, 11, 3, 10, 0));
  Runner a(url, "A", p, clock), b(url, "B", p, clock);
  a.queue.enqueue(LeadInput{"P1", "+15550000011", "", "", "", ""}, clock.now_ms());
  a.queue.enqueue(LeadInput{"D1", "+15550000012", "", "", "", ""}, clock.now_ms());
  a.queue.sync();
  REQUIRE(a.queue.pause_lead("P1_5550000011", "test").kind == LeadAction::Kind::kDone);
  REQUIRE(a.queue.delete_lead("D1_5550000012", "entered twice").kind == LeadAction::Kind::kDone);
  a.queue.sync();
  CHECK(a.queue.find("D1_5550000012") == nullptr);
  clock.advance(1000);
  b.queue.tick();
  a.queue.tick();
  CHECK(a.dialer.dials.empty());
  CHECK(b.dialer.dials.empty());

  Runner c(url, "C", p, clock);  // a fresh load from the database
  REQUIRE(c.queue.find("P1_5550000011"));
  CHECK(c.queue.find("P1_5550000011")->status == LeadStatus::kPaused);
  CHECK(c.queue.find("P1_5550000011")->paused_from == LeadStatus::kPending);
  CHECK(c.queue.find("D1_5550000012") == nullptr);
  REQUIRE(c.queue.resume_lead("P1_5550000011").kind == LeadAction::Kind::kDone);
  c.queue.sync();
  clock.advance(1000);
  b.queue.tick();
  REQUIRE(b.dialer.dials.size() == 1);
  CHECK(b.dialer.dials[0].key == "P1_5550000011");
}
