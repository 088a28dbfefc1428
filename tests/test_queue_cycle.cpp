// The seed's worked cycle and the progressive schedule, in virtual time.
#include <catch2/catch.hpp>

#include "core/errors.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

TEST_CASE("the seed's worked cycle: VOICEMAIL at 14:00, redial at the 14:05 tick, and on") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  RedialQueue& q = *f.queue;

  auto a = f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  CHECK(a.kind == ApplyKind::kCreated);
  const LeadRecord* r = q.find(kKey);
  REQUIRE(r);
  CHECK(r->attempts == 1);
  CHECK(r->next_redial_timestamp == ny(2025, 12, 1, 14, 2));
  CHECK(r->status == LeadStatus::kPending);
  CHECK(r->created_at == ny(2025, 12, 1, 14, 0));

  auto t0 = q.tick();  // the service starts: tick at once, nothing is due yet
  CHECK(t0.ran);
  CHECK(t0.total_ready == 0);
  CHECK(f.dialer.dials.empty());

  f.clock.set(ny(2025, 12, 1, 14, 5));
  auto t1 = q.tick();
  CHECK(t1.total_ready == 1);
  CHECK(t1.calls_made == 1);
  REQUIRE(f.dialer.dials.size() == 1);
  CHECK(f.dialer.dials[0].key == kKey);
  CHECK(f.dialer.dials[0].phone == kPhone);
  CHECK(f.dialer.dials[0].attempt_number == 2);
  CHECK(q.find(kKey)->attempts == 1);  // a dial does not count an attempt
  q.on_dial_accepted(f.dialer.dials[0].dial_seq, "call_2");

  f.deliver(result("12345", kPhone, "NO_ANSWER", "call_2"));
  r = q.find(kKey);
  CHECK(r->attempts == 2);
  CHECK(r->next_redial_timestamp == ny(2025, 12, 1, 14, 7));
  CHECK(r->outcomes == std::vector<std::string>{"VOICEMAIL", "NO_ANSWER"});
  CHECK(r->last_outcome == "NO_ANSWER");
  CHECK(r->last_call_id == "call_2");
  CHECK(q.in_flight_calls().empty());

  f.clock.set(ny(2025, 12, 1, 14, 10));
  CHECK(q.tick().calls_made == 1);
  REQUIRE(f.dialer.dials.size() == 2);
  q.on_dial_accepted(f.dialer.dials[1].dial_seq, "call_3");
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_3"));
  CHECK(q.find(kKey)->attempts == 3);
  CHECK(q.find(kKey)->next_redial_timestamp == ny(2025, 12, 1, 14, 15));  // 5 min after result 3

  f.clock.set(ny(2025, 12, 1, 14, 15));
  CHECK(q.tick().calls_made == 1);
  q.on_dial_accepted(f.dialer.dials[2].dial_seq, "call_4");
  auto done = f.deliver(result("12345", kPhone, "TRANSFERRED", "call_4"));
  CHECK(done.status == LeadStatus::kCompleted);
  r = q.find(kKey);
  // The success is recorded like any result (the seed lost it), then completes the lead.
  CHECK(r->attempts == 4);
  CHECK(r->last_outcome == "TRANSFERRED");
  CHECK(r->outcomes.back() == "TRANSFERRED");
  CHECK(r->last_call_id == "call_4");

  for (int m : {20, 25, 30, 35}) {
    f.clock.set(ny(2025, 12, 1, 15, m));
    CHECK(q.tick().calls_made == 0);
  }
  CHECK(f.dialer.dials.size() == 3);
}

TEST_CASE("progressive intervals up to attempt 8, then max_attempts and no more dials") {
  QueueFixture f(ny(2025, 12, 1, 9, 0));
  RedialQueue& q = *f.queue;
  const TimeMs expected_wait_min[] = {2, 2, 5, 10, 30, 60, 120};
  f.deliver(result("7", "5559876543", "VOICEMAIL", "c1"));
  for (int attempt = 1; attempt < 8; ++attempt) {
    const LeadRecord* r = q.find("7_5559876543");
    INFO("after result " << attempt);
    CHECK(r->attempts == attempt);
    CHECK(r->status == LeadStatus::kPending);
    TimeMs due = r->next_redial_timestamp;
    CHECK(due - f.clock.now_ms() == expected_wait_min[attempt - 1] * kMinuteMs);
    // One minute before it is due: nothing. At the due time: exactly one dial.
    f.clock.set(due - kMinuteMs);
    CHECK(q.tick().calls_made == 0);
    f.clock.set(due);
    CHECK(q.tick().calls_made == 1);
    q.on_dial_accepted(f.dialer.dials.back().dial_seq, "c" + std::to_string(attempt + 1));
    f.deliver(result("7", "5559876543", "NO_ANSWER", "c" + std::to_string(attempt + 1)));
  }
  const LeadRecord* r = q.find("7_5559876543");
  CHECK(r->attempts == 8);
  CHECK(r->status == LeadStatus::kMaxAttempts);
  CHECK(f.dialer.dials.size() == 7);
  f.clock.advance(3 * kHourMs);
  CHECK(q.tick().total_ready == 0);
  CHECK(f.dialer.dials.size() == 7);
  CHECK(q.counts().max_attempts == 1);
}

TEST_CASE("max attempts is a setting") {
  RedialPolicy p;
  p.max_attempts = 2;
  QueueFixture f(ny(2025, 12, 1, 10, 0), p);
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
  CHECK(f.queue->find("1_5550000001")->status == LeadStatus::kPending);
  f.deliver(result("1", "5550000001", "VOICEMAIL", "b"));
  CHECK(f.queue->find("1_5550000001")->status == LeadStatus::kMaxAttempts);
}

TEST_CASE("a duplicate webhook never changes attempts") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  const LeadRecord before = *f.queue->find(kKey);
  f.clock.advance(30 * kSecondMs);
  auto dup = f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  CHECK(dup.kind == ApplyKind::kDuplicate);
  CHECK(*f.queue->find(kKey) == before);
  // Out of order: call_1 delivered again after call_2 was recorded.
  f.deliver(result("12345", kPhone, "NO_ANSWER", "call_2"));
  CHECK(f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1")).kind == ApplyKind::kDuplicate);
  CHECK(f.queue->find(kKey)->attempts == 2);
}

TEST_CASE("success outcomes are configurable") {
  RedialPolicy p;
  p.success_outcomes = {"TRANSFERRED", "APPOINTMENT_SET"};
  QueueFixture f(ny(2025, 12, 1, 10, 0), p);
  CHECK(f.deliver(result("1", "5550000001", "APPOINTMENT_SET", "a")).status ==
        LeadStatus::kCompleted);
  // DO_NOT_CONTACT puts the number on the do-not-call list: never called again.
  CHECK(f.deliver(result("2", "5550000002", "DO_NOT_CONTACT", "b")).status == LeadStatus::kDnc);
  // A stop outcome completes a lead without a do-not-call entry.
  RedialPolicy stop = p;
  stop.stop_outcomes = {"WRONG_PERSON"};
  QueueFixture g(ny(2025, 12, 1, 10, 0), stop);
  CHECK(g.deliver(result("3", "5550000003", "WRONG_PERSON", "c")).status == LeadStatus::kCompleted);
  CHECK_FALSE(g.queue->is_do_not_call("5550000003"));
}

TEST_CASE("a callback reschedules the lead to the customer's time") {
  QueueFixture f(ny(2025, 12, 1, 10, 0));
  CallResult r = result("9", "5550000009", "CALL_BACK_SCHEDULED", "cb1");
  r.scheduled_callback_time = ny(2025, 12, 2, 11, 30);  // tomorrow
  auto a = f.deliver(r);
  CHECK(a.status == LeadStatus::kRescheduled);
  const LeadRecord* rec = f.queue->find("9_5550000009");
  CHECK(rec->scheduled_callback_time == ny(2025, 12, 2, 11, 30));
  f.clock.set(ny(2025, 12, 1, 16, 0));
  CHECK(f.tick().calls_made == 0);
  f.clock.set(ny(2025, 12, 2, 11, 25));
  CHECK(f.tick().calls_made == 0);
  f.clock.set(ny(2025, 12, 2, 11, 30));
  // Created yesterday, but a scheduled callback is exempt from the "today only" filter.
  CHECK(f.tick().calls_made == 1);
}

TEST_CASE("a result for a completed lead is recorded but never reopens it") {
  QueueFixture f(ny(2025, 12, 1, 10, 0));
  f.deliver(result("1", "5550000001", "TRANSFERRED", "a"));
  auto late = f.deliver(result("1", "5550000001", "VOICEMAIL", "b"));
  CHECK(late.status == LeadStatus::kCompleted);
  CHECK(late.attempts == 2);
  f.clock.advance(10 * kMinuteMs);
  CHECK(f.tick().total_ready == 0);
}

TEST_CASE("bad results are rejected with the field named, and nothing changes") {
  QueueFixture f(ny(2025, 12, 1, 10, 0));
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
  const LeadRecord before = *f.queue->find("1_5550000001");
  const std::size_t durable = f.store.durable_mutations();

  auto expect_reject = [&](CallResult r, const std::string& field) {
    try {
      f.apply(r);
      FAIL("accepted a result with a bad " << field);
    } catch (const InputError& e) {
      CHECK(e.field() == field);
    }
  };
  expect_reject(result("1", "5550000001", "VOICEMAIL", ""), "call_id");
  expect_reject(result("1", "5550000001", "", "b"), "outcome");
  expect_reject(result("1", "5550000001", "ALIENS", "b"), "outcome");
  expect_reject(result("1", "555-0001", "VOICEMAIL", "b"), "phone_number");
  expect_reject(result("", "5550000001", "VOICEMAIL", "b"), "lead_id");
  f.queue->sync();
  CHECK(*f.queue->find("1_5550000001") == before);
  CHECK(f.queue->size() == 1);
  CHECK(f.store.durable_mutations() == durable);
}

TEST_CASE("enqueue puts a lead up for a first dial without counting an attempt") {
  QueueFixture f(ny(2025, 12, 1, 10, 0));
  LeadInput lead{"55", "(555) 000-0055", "L1", "Ann", "Lee", "NY"};
  std::string key = f.queue->enqueue(lead, ny(2025, 12, 1, 10, 0));
  CHECK(key == "55_5550000055");
  CHECK(f.queue->find(key)->attempts == 0);
  CHECK(f.tick().calls_made == 1);
  CHECK(f.dialer.dials[0].attempt_number == 1);
  // Enqueuing again leaves it as it is.
  f.queue->enqueue(lead, ny(2025, 12, 1, 12, 0));
  CHECK(f.queue->find(key)->next_redial_timestamp == ny(2025, 12, 1, 10, 0));
}

TEST_CASE("a paused dialer: ticks dial nothing and no lead moves") {
  QueueFixture f(ny(2025, 12, 1, 10, 0));
  RedialQueue& q = *f.queue;
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  const TimeMs due = q.find(kKey)->next_redial_timestamp;
  f.dialer.paused = "plan limit (concurrency)";
  f.clock.set(due + kMinuteMs);
  TickSummary t = q.tick();
  CHECK_FALSE(t.ran);
  CHECK(t.skipped_reason == "dialing paused: plan limit (concurrency)");
  CHECK(f.dialer.dials.empty());
  CHECK(q.find(kKey)->next_redial_timestamp == due);
  CHECK(q.find(kKey)->attempts == 1);
  f.dialer.paused.clear();
  CHECK(q.tick().calls_made == 1);
  CHECK(f.dialer.dials.size() == 1);
}
