// Issue 21: the result decision as a pure function, and the queue's consistency check.
#include <catch2/catch.hpp>

#include "core/result_decision.h"
#include "tests/test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

constexpr TimeMs kNow = 1'760'000'000'000;

LeadRecord open_record(int attempts) {
  LeadRecord r;
  r.lead_id = "1";
  r.phone_number = "+15550000001";
  r.attempts = attempts;
  r.status = LeadStatus::kPending;
  r.hold_reason = std::string("min_call_gap");
  return r;
}

}  // namespace

TEST_CASE("decide_result: an ordinary retry waits the attempt's interval", "[decision]") {
  RedialPolicy p;
  const ResultDecision d =
      decide_result(p, open_record(3), result("1", "5550000001", "NO_ANSWER", "c4"), kNow);
  REQUIRE(d.kind == ResultKind::kPending);
  REQUIRE(d.record.status == LeadStatus::kPending);
  REQUIRE(d.record.attempts == 4);
  REQUIRE(d.record.next_redial_timestamp == kNow + p.wait_after_result_ms(4));
  REQUIRE(d.record.last_call_id == std::optional<std::string>("c4"));
  REQUIRE(d.record.last_call_timestamp == kNow);
  REQUIRE_FALSE(d.record.hold_reason);  // a result clears the rule that held the lead
}

TEST_CASE("decide_result: success completes, the last attempt maxes out", "[decision]") {
  RedialPolicy p;
  REQUIRE(
      decide_result(p, open_record(0), result("1", "5550000001", "TRANSFERRED", "c"), kNow).kind ==
      ResultKind::kCompleted);
  const ResultDecision last = decide_result(p, open_record(p.max_attempts - 1),
                                            result("1", "5550000001", "VOICEMAIL", "c"), kNow);
  REQUIRE(last.kind == ResultKind::kMaxAttempts);
  REQUIRE(last.record.status == LeadStatus::kMaxAttempts);
}

TEST_CASE("decide_result: do-not-call closes even a completed lead, others never reopen it",
          "[decision]") {
  RedialPolicy p;
  LeadRecord done = open_record(2);
  done.status = LeadStatus::kCompleted;
  const ResultDecision dnc =
      decide_result(p, done, result("1", "5550000001", "DO_NOT_CONTACT", "c"), kNow);
  REQUIRE(dnc.kind == ResultKind::kDoNotCall);
  REQUIRE(dnc.record.status == LeadStatus::kDnc);
  const ResultDecision late =
      decide_result(p, done, result("1", "5550000001", "NO_ANSWER", "c"), kNow);
  REQUIRE(late.kind == ResultKind::kStaysClosed);
  REQUIRE(late.record.status == LeadStatus::kCompleted);
  REQUIRE(late.record.attempts == 3);
}

TEST_CASE("decide_result: a callback reschedules, a paused lead stays paused", "[decision]") {
  RedialPolicy p;
  CallResult cb = result("1", "5550000001", "CALL_BACK_SCHEDULED", "c");
  cb.scheduled_callback_time = kNow + kHourMs;
  LeadRecord paused = open_record(1);
  paused.paused_from = LeadStatus::kPending;
  paused.status = LeadStatus::kPaused;
  paused.hold_reason = std::string("paused by an operator");
  const ResultDecision d = decide_result(p, paused, cb, kNow);
  REQUIRE(d.kind == ResultKind::kRescheduled);
  REQUIRE(d.record.status == LeadStatus::kPaused);
  REQUIRE(d.record.paused_from == LeadStatus::kRescheduled);
  REQUIRE(d.record.next_redial_timestamp == kNow + kHourMs);
  REQUIRE(d.record.hold_reason);
  REQUIRE(std::string(*d.record.hold_reason) == "paused by an operator");
}

TEST_CASE("decide_result: an outcome's own schedule gives the k-th wait", "[decision]") {
  RedialPolicy p;
  p.outcome_rules["BUSY"] = {OutcomeRule::Kind::kSchedule, {10 * kMinuteMs, kHourMs}};
  LeadRecord rec = open_record(0);
  rec = decide_result(p, rec, result("1", "5550000001", "BUSY", "a"), kNow).record;
  REQUIRE(rec.next_redial_timestamp == kNow + 10 * kMinuteMs);
  rec = decide_result(p, rec, result("1", "5550000001", "BUSY", "b"), kNow).record;
  REQUIRE(rec.next_redial_timestamp == kNow + kHourMs);
  rec = decide_result(p, rec, result("1", "5550000001", "BUSY", "c"), kNow).record;
  REQUIRE(rec.next_redial_timestamp == kNow + kHourMs);  // the last interval repeats
}

TEST_CASE("validate_result: a bad result is refused with the field named", "[decision]") {
  RedialPolicy p;
  CallResult r = result("1", "5550000001", "NO_SUCH_OUTCOME", "c");
  REQUIRE_THROWS_WITH(validate_result(p, r), Catch::Contains("outcome"));
  r.outcome = "VOICEMAIL";
  r.call_id.clear();
  REQUIRE_THROWS_WITH(validate_result(p, r), Catch::Contains("call_id"));
}

TEST_CASE("consistency_error: a queue after ticks and results is consistent", "[consistency]") {
  RedialPolicy p;
  p.max_concurrent_calls = 1;
  QueueFixture f(ny(2026, 1, 15, 10, 0), p);
  f.deliver(result("1", "5550000001", "NO_ANSWER", "a"));
  f.deliver(result("2", "5550000002", "NO_ANSWER", "b"));
  f.clock.advance(kHourMs);
  const TickSummary s = f.tick();
  REQUIRE(s.calls_made == 1);  // the limit held the second lead back
  REQUIRE(f.queue->consistency_error() == "");
}

TEST_CASE("consistency_error: damaged status counts are reported", "[consistency]") {
  QueueFixture f(ny(2026, 1, 15, 10, 0));
  f.deliver(result("1", "5550000001", "NO_ANSWER", "a"));
  REQUIRE(f.queue->consistency_error() == "");
  f.queue->corrupt_counts_for_test();
  REQUIRE_THAT(f.queue->consistency_error(), Catch::Contains("differ from a recount"));
}
