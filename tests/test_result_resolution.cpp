// Issue 21: the policy decisions the runner and the simulator used to make for themselves --
// which lead a call result belongs to, and the reconcile schedule -- now the core's.
#include <catch2/catch.hpp>

#include "core/reconcile_schedule.h"
#include "core/result_resolver.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {
CallResult by_call_id(const std::string& call_id) {
  CallResult r;
  r.call_id = call_id;
  r.outcome = "VOICEMAIL";
  return r;
}
}  // namespace

TEST_CASE("a result with its lead fields resolves to that lead, even for an unknown call id") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  ResultResolver resolver(*f.queue);
  CallResult r = result("12345", kPhone, "NO_ANSWER", "call_never_seen");
  const LeadRecord* rec = resolver.resolve(r);
  REQUIRE(rec != nullptr);
  CHECK(rec->lead_id == "12345");
  CallResult other = result("99999", kPhone, "NO_ANSWER", "call_1");
  CHECK(resolver.resolve(other) == nullptr);  // a new lead: metadata wins over the call id
}

TEST_CASE("a result without lead fields resolves by its call id: in flight, then recorded") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  ResultResolver resolver(*f.queue);

  CallResult recorded_one = by_call_id("call_1");  // the record's last call
  REQUIRE(resolver.resolve(recorded_one) != nullptr);
  CHECK(recorded_one.lead_id == "12345");
  CHECK(recorded_one.phone_number == kPhone);

  f.clock.set(ny(2025, 12, 1, 14, 5));
  REQUIRE(f.queue->tick().calls_made == 1);
  f.queue->on_dial_accepted(f.dialer.dials.at(0).dial_seq, "call_2");
  CallResult in_flight = by_call_id("call_2");
  const LeadRecord* rec = resolver.resolve(in_flight);
  REQUIRE(rec != nullptr);
  CHECK(rec->lead_id == "12345");
  CHECK(in_flight.lead_id == "12345");

  CallResult unknown = by_call_id("call_nobody");
  CHECK(resolver.resolve(unknown) == nullptr);
  CHECK(unknown.lead_id.empty());
}

TEST_CASE("the resolver remembers call ids it was told, and says which are recorded") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  f.deliver(result("12345", kPhone, "NO_ANSWER", "call_2"));
  ResultResolver resolver(*f.queue);
  CHECK(resolver.recorded(kKey, "call_2"));  // the last call
  CHECK_FALSE(resolver.recorded(kKey, "call_9"));
  CHECK_FALSE(resolver.recorded("nobody_5551234567", "call_2"));
  resolver.remember("call_9", kKey);
  CHECK(resolver.recorded(kKey, "call_9"));
  CallResult r = by_call_id("call_9");
  REQUIRE(resolver.resolve(r) != nullptr);
  CHECK(r.lead_id == "12345");
}

TEST_CASE("the reconcile schedule comes from the policy: 10 look-ups, spaced by the time-out") {
  RedialPolicy p;
  p.call_timeout_ms = 35 * kMinuteMs;
  ReconcileSchedule s = ReconcileSchedule::from_policy(p);
  CHECK(s.tries == 10);
  CHECK(s.delay_before_ms(1) == 35 * kMinuteMs);  // a call Bland named after its time-out
  CHECK(s.delay_before_ms(2) == 60 * kSecondMs);  // at most a minute apart
  CHECK(s.delay_before_ms(10) == 60 * kSecondMs);
  CHECK_FALSE(s.exhausted(9));
  CHECK(s.exhausted(10));

  p.call_timeout_ms = 20 * kSecondMs;  // a short time-out spaces the look-ups closer
  ReconcileSchedule short_one = ReconcileSchedule::from_policy(p);
  CHECK(short_one.delay_before_ms(1) == 20 * kSecondMs);
  CHECK(short_one.delay_before_ms(3) == 20 * kSecondMs);
}
