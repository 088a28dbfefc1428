// The ready index: what ready() and tick() select, on a queue just loaded as after a tick.
// load() leaves out of the index the due leads already outside the ready window (as tick()
// drops them); these tests pin that this changes nothing a caller can see.
#include <algorithm>
#include <catch2/catch.hpp>
#include <tuple>

#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

// The seed's four filters over every record, due first, ties by key: what ready() must return.
std::vector<std::pair<TimeMs, std::string>> brute_force_ready(const RedialQueue& q, TimeMs now) {
  std::vector<std::pair<TimeMs, std::string>> out;
  if (!q.calendar().is_open(now)) return out;
  const auto& p = q.policy();
  const LocalDay today = q.calendar().local_day(now);
  q.for_each([&](const std::string& key, const LeadRecord& r) {
    if (r.attempts >= p.max_attempts) return;
    TimeMs due = 0;
    if (r.status == LeadStatus::kPending) {
      due = r.next_redial_timestamp;
    } else if (r.status == LeadStatus::kRescheduled) {
      due = std::max(r.next_redial_timestamp, r.scheduled_callback_time.value_or(0));
    } else {
      return;
    }
    due = std::max<TimeMs>(due, 0);
    const bool in_window = r.status == LeadStatus::kRescheduled || p.ready_window_days == 0 ||
                           q.calendar().local_day(r.created_at) > today - p.ready_window_days;
    if (in_window && due <= now) out.emplace_back(due, key);
  });
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<TimeMs, std::string>> as_pairs(const std::vector<ReadyLead>& ready) {
  std::vector<std::pair<TimeMs, std::string>> out;
  for (const auto& r : ready) out.emplace_back(r.due_at, r.key);
  return out;
}

// Yesterday: three leads left pending (due yesterday), one rescheduled to today 11:00, one
// completed. Today 09:00: two new leads. The clock is left at today 09:30.
// REQUIRES: f starts at yesterday 14:00 (ny(2025, 12, 1, 14, 0)).
void deliver_two_days(QueueFixture& f) {
  f.deliver(result("old1", "5550000001", "VOICEMAIL", "o1"));
  f.deliver(result("old2", "5550000002", "NO_ANSWER", "o2"));
  f.deliver(result("old3", "5550000003", "BUSY", "o3"));
  CallResult cb = result("oldcb", "5550000004", "CALL_BACK_SCHEDULED", "o4");
  cb.scheduled_callback_time = ny(2025, 12, 2, 11, 0);
  f.deliver(cb);
  f.deliver(result("olddone", "5550000005", "TRANSFERRED", "o5"));
  f.clock.set(ny(2025, 12, 2, 9, 0));
  f.deliver(result("new1", "5550000011", "VOICEMAIL", "n1"));
  f.deliver(result("new2", "5550000012", "NO_ANSWER", "n2"));
  f.clock.set(ny(2025, 12, 2, 9, 30));
}

// The two days above, then the process restarts at today 09:30.
struct TwoDays {
  explicit TwoDays(RedialPolicy p = {}) : policy(p), f(ny(2025, 12, 1, 14, 0), p) {
    deliver_two_days(f);
    f.restart(p);
  }
  RedialPolicy policy;
  QueueFixture f;
};

}  // namespace

TEST_CASE("a just-loaded queue's ready() is the four filters over every record") {
  for (int window : {1, 2, 0}) {
    INFO("ready_window_days " << window);
    RedialPolicy p;
    p.ready_window_days = window;
    TwoDays d(p);
    RedialQueue& q = *d.f.queue;
    for (auto [hh, mm] : {std::pair{9, 30}, {9, 45}, {11, 0}, {16, 59}, {17, 0}}) {
      const TimeMs t = ny(2025, 12, 2, hh, mm);
      INFO(hh << ":" << mm);
      CHECK(as_pairs(q.ready(t)) == brute_force_ready(q, t));
    }
    const auto at_11 = as_pairs(q.ready(ny(2025, 12, 2, 11, 0)));
    const bool old_kept = window != 1;
    CHECK(std::count_if(at_11.begin(), at_11.end(), [](const auto& e) {
            return e.second.rfind("old", 0) == 0 && e.second.rfind("oldcb", 0) != 0;
          }) == (old_kept ? 3 : 0));
    CHECK(std::count_if(at_11.begin(), at_11.end(),
                        [](const auto& e) { return e.second.rfind("oldcb", 0) == 0; }) == 1);
  }
}

TEST_CASE("a just-loaded queue dials what a queue that kept running dials") {
  TwoDays loaded;                             // restarted at 09:30
  QueueFixture kept(ny(2025, 12, 1, 14, 0));  // the same results, no restart
  deliver_two_days(kept);
  for (auto [hh, mm] : {std::pair{9, 30}, {11, 0}, {11, 5}}) {
    INFO(hh << ":" << mm);
    const TimeMs t = ny(2025, 12, 2, hh, mm);
    loaded.f.clock.set(t);
    kept.clock.set(t);
    CHECK(as_pairs(loaded.f.queue->ready(t)) == as_pairs(kept.queue->ready(t)));
    const TickSummary a = loaded.f.tick();
    const TickSummary b = kept.tick();
    CHECK(std::tie(a.ran, a.total_ready, a.calls_made, a.skipped, a.held, a.dnc, a.errors) ==
          std::tie(b.ran, b.total_ready, b.calls_made, b.skipped, b.held, b.dnc, b.errors));
  }
  std::vector<std::string> da, db;
  for (const auto& r : loaded.f.dialer.dials) da.push_back(r.key);
  for (const auto& r : kept.dialer.dials) db.push_back(r.key);
  CHECK(da == db);
  CHECK(std::find(da.begin(), da.end(), "oldcb_5550000004") != da.end());
}

TEST_CASE("a lead left out of the index at load comes back when a change brings it back") {
  TwoDays d;
  RedialQueue& q = *d.f.queue;
  const std::string key = "old1_5550000001";
  auto keys_at = [&](TimeMs t) {
    std::vector<std::string> keys;
    for (const auto& r : d.f.queue->ready(t)) keys.push_back(r.key);
    return keys;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  CHECK_FALSE(has(keys_at(ny(2025, 12, 2, 9, 30)), key));

  SECTION("a callback result reschedules it") {
    CallResult cb = result("old1", "5550000001", "CALL_BACK_SCHEDULED", "o1b");
    cb.scheduled_callback_time = ny(2025, 12, 2, 13, 0);
    d.f.deliver(cb);
    CHECK_FALSE(has(keys_at(ny(2025, 12, 2, 12, 59)), key));
    CHECK(has(keys_at(ny(2025, 12, 2, 13, 0)), key));
    d.f.clock.set(ny(2025, 12, 2, 13, 0));
    CHECK(q.tick().calls_made >= 1);
    CHECK(d.f.dialer.dials.back().key == key);
  }
  SECTION("a plain result keeps it out: it is still a lead of yesterday") {
    d.f.deliver(result("old1", "5550000001", "NO_ANSWER", "o1b"));
    CHECK(q.find(key)->attempts == 2);
    CHECK_FALSE(has(keys_at(ny(2025, 12, 2, 16, 0)), key));
  }
  SECTION("a restart with a wider window brings it back") {
    RedialPolicy p;
    p.ready_window_days = 2;
    d.f.restart(p);
    CHECK(has(keys_at(ny(2025, 12, 2, 9, 30)), key));
  }
  SECTION("stopping and retention still find it") {
    CHECK(q.stop_lead(key, "operator"));
    CHECK(q.find(key)->status == LeadStatus::kCompleted);
    CHECK(q.counts().completed == 2);
  }
}
