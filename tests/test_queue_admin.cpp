// Operator actions (issue 16): pause, resume, delete, the run-time switch and do-not-call
// numbers added by hand, on the manual clock, in memory and across reloads of the month files.
#include <catch2/catch.hpp>

#include "core/errors.h"
#include "core/month_store.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

// A queue at 14:00 with one lead waiting for its redial at 14:02 (VOICEMAIL waits 2 minutes).
struct VoicemailAt14 : QueueFixture {
  VoicemailAt14() : QueueFixture(ny(2025, 12, 1, 14, 0)) {
    deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  }
};

}  // namespace

TEST_CASE("a paused lead is never dialed, and once resumed, it is dialed at the next tick") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "call_1"));
  RedialQueue& q = *f.queue;
  LeadAction a = q.pause_lead(kKey, "customer asked for a week");
  q.sync();
  REQUIRE(a.kind == LeadAction::Kind::kDone);
  const LeadRecord* r = q.find(kKey);
  CHECK(r->status == LeadStatus::kPaused);
  CHECK(r->paused_from == LeadStatus::kPending);
  CHECK(r->hold_reason == "paused by an operator: customer asked for a week");
  CHECK(q.counts().paused == 1);
  CHECK(q.counts().pending == 0);

  f.clock.set(ny(2025, 12, 1, 14, 30));  // long past its redial time
  CHECK(q.tick().total_ready == 0);
  CHECK(f.dialer.dials.empty());
  CHECK(q.ready(f.clock.now_ms()).empty());

  // Survives a restart (the record is durable with its status).
  f.restart();
  CHECK(f.queue->find(kKey)->status == LeadStatus::kPaused);
  CHECK(f.tick().calls_made == 0);

  REQUIRE(f.queue->resume_lead(kKey).kind == LeadAction::Kind::kDone);
  f.queue->sync();
  r = f.queue->find(kKey);
  CHECK(r->status == LeadStatus::kPending);
  CHECK_FALSE(r->paused_from);
  CHECK_FALSE(r->hold_reason);
  CHECK(r->next_redial_timestamp == ny(2025, 12, 1, 14, 30));  // due now: its time had passed
  CHECK(f.tick().calls_made == 1);
  REQUIRE(f.dialer.dials.size() == 1);
  CHECK(f.dialer.dials[0].key == kKey);
}

TEST_CASE("resume keeps a redial time still ahead, and a rescheduled lead's callback") {
  VoicemailAt14 f;
  RedialQueue& q = *f.queue;
  REQUIRE(q.pause_lead(kKey, "").kind == LeadAction::Kind::kDone);
  CHECK(q.find(kKey)->hold_reason == "paused by an operator");
  f.clock.set(ny(2025, 12, 1, 14, 1));
  REQUIRE(q.resume_lead(kKey).kind == LeadAction::Kind::kDone);
  CHECK(q.find(kKey)->next_redial_timestamp == ny(2025, 12, 1, 14, 2));

  CallResult cb = result("777", "+15551230000", "CALL_BACK_SCHEDULED", "cb_1");
  cb.scheduled_callback_time = ny(2025, 12, 1, 16, 0);
  f.deliver(cb);
  const std::string key = "777_5551230000";
  REQUIRE(q.pause_lead(key, "").kind == LeadAction::Kind::kDone);
  CHECK(q.find(key)->paused_from == LeadStatus::kRescheduled);
  REQUIRE(q.resume_lead(key).kind == LeadAction::Kind::kDone);
  CHECK(q.find(key)->status == LeadStatus::kRescheduled);
  CHECK(q.find(key)->scheduled_callback_time == ny(2025, 12, 1, 16, 0));
}

TEST_CASE("pause and resume refuse a lead in the wrong state, and unknown keys") {
  VoicemailAt14 f;
  RedialQueue& q = *f.queue;
  CHECK(q.pause_lead("nope_5550000000", "").kind == LeadAction::Kind::kUnknownKey);
  CHECK(q.resume_lead("nope_5550000000").kind == LeadAction::Kind::kUnknownKey);
  LeadAction not_paused = q.resume_lead(kKey);
  CHECK(not_paused.kind == LeadAction::Kind::kConflict);
  CHECK(not_paused.why == "the lead is pending, not paused");
  REQUIRE(q.pause_lead(kKey, "").kind == LeadAction::Kind::kDone);
  CHECK(q.pause_lead(kKey, "").kind == LeadAction::Kind::kConflict);
  q.stop_lead(kKey, "done");
  CHECK(q.find(kKey)->status == LeadStatus::kCompleted);
  CHECK_FALSE(q.find(kKey)->paused_from);
  LeadAction closed = q.pause_lead(kKey, "");
  CHECK(closed.kind == LeadAction::Kind::kConflict);
  CHECK(closed.why == "the lead is completed; only a pending or rescheduled lead can be paused");
  CHECK(q.find(kKey)->status == LeadStatus::kCompleted);  // unchanged
}

TEST_CASE(
    "a call in flight when the lead is paused: its result is recorded, the lead stays "
    "paused unless the result closes it") {
  VoicemailAt14 f;
  RedialQueue& q = *f.queue;
  f.clock.set(ny(2025, 12, 1, 14, 5));
  REQUIRE(q.tick().calls_made == 1);
  q.on_dial_accepted(f.dialer.dials[0].dial_seq, "call_2");
  REQUIRE(q.pause_lead(kKey, "hold").kind == LeadAction::Kind::kDone);
  f.deliver(result("12345", kPhone, "NO_ANSWER", "call_2"));
  const LeadRecord* r = q.find(kKey);
  CHECK(r->attempts == 2);
  CHECK(r->status == LeadStatus::kPaused);
  CHECK(r->paused_from == LeadStatus::kPending);
  CHECK(r->hold_reason == "paused by an operator: hold");
  CHECK(r->next_redial_timestamp == ny(2025, 12, 1, 14, 7));  // the schedule moved on
  CHECK(q.in_flight_calls().empty());

  f.clock.set(ny(2025, 12, 1, 14, 10));
  CHECK(q.tick().calls_made == 0);
  REQUIRE(q.resume_lead(kKey).kind == LeadAction::Kind::kDone);
  REQUIRE(q.tick().calls_made == 1);
  q.on_dial_accepted(f.dialer.dials[1].dial_seq, "call_3");
  REQUIRE(q.pause_lead(kKey, "").kind == LeadAction::Kind::kDone);
  f.deliver(result("12345", kPhone, "TRANSFERRED", "call_3"));
  CHECK(q.find(kKey)->status == LeadStatus::kCompleted);
  CHECK_FALSE(q.find(kKey)->paused_from);
  CHECK(q.counts().paused == 0);
}

TEST_CASE("a deleted lead is gone, after a restart too, and a call in flight refuses the delete") {
  VoicemailAt14 f;
  RedialQueue& q = *f.queue;
  f.deliver(result("2", "+15551230002", "VOICEMAIL", "other_1"));
  CHECK(q.delete_lead("nope_5550000000", "why").kind == LeadAction::Kind::kUnknownKey);

  f.clock.set(ny(2025, 12, 1, 14, 5));
  REQUIRE(q.tick().calls_made == 2);
  LeadAction busy = q.delete_lead(kKey, "duplicate lead");
  CHECK(busy.kind == LeadAction::Kind::kConflict);
  CHECK(q.find(kKey) != nullptr);
  for (const DialRequest& d : f.dialer.dials) q.on_dial_failed(d.dial_seq, "test");

  REQUIRE(q.delete_lead(kKey, "duplicate lead").kind == LeadAction::Kind::kDone);
  q.sync();
  CHECK(q.find(kKey) == nullptr);
  CHECK(q.size() == 1);
  CHECK(q.counts().pending == 1);
  f.clock.set(ny(2025, 12, 1, 14, 10));
  const std::size_t before = f.dialer.dials.size();
  CHECK(q.tick().calls_made == 1);
  REQUIRE(f.dialer.dials.size() == before + 1);
  CHECK(f.dialer.dials.back().key == "2_5551230002");

  f.restart();
  CHECK(f.queue->find(kKey) == nullptr);
  CHECK(f.queue->find("2_5551230002") != nullptr);
  CHECK(f.queue->size() == 1);
}

TEST_CASE(
    "the run-time switch: off, no tick dials but results still apply, and on again it dials") {
  VoicemailAt14 f;
  RedialQueue& q = *f.queue;
  q.set_queue_switch(QueueSwitch{false, "carrier outage", ny(2025, 12, 1, 14, 1)});
  CHECK_FALSE(q.queue_switch().enabled);
  CHECK(q.queue_switch().reason == "carrier outage");
  f.clock.set(ny(2025, 12, 1, 14, 5));
  TickSummary t = q.tick();
  CHECK_FALSE(t.ran);
  CHECK(t.skipped_reason == "disabled");
  CHECK(f.dialer.dials.empty());
  f.deliver(result("12345", kPhone, "NO_ANSWER", "call_late"));
  CHECK(q.find(kKey)->attempts == 2);
  q.set_queue_switch(QueueSwitch{true, std::nullopt, ny(2025, 12, 1, 14, 6)});
  f.clock.set(ny(2025, 12, 1, 14, 10));
  CHECK(q.tick().calls_made == 1);
}

TEST_CASE("a number added by an operator marks open and paused leads dnc at once, and new ones") {
  VoicemailAt14 f;
  RedialQueue& q = *f.queue;
  f.deliver(result("B", kPhone, "VOICEMAIL", "b_1"));
  f.deliver(result("C", kPhone, "TRANSFERRED", "c_1"));
  f.deliver(result("D", "+15551230009", "VOICEMAIL", "d_1"));
  REQUIRE(q.pause_lead("B_5551234567", "").kind == LeadAction::Kind::kDone);
  q.set_admin_dnc({"5551234567"});
  CHECK(q.is_do_not_call("5551234567"));
  CHECK(q.apply_dnc_number("5551234567", "operator") == 2);
  q.sync();
  CHECK(q.find(kKey)->status == LeadStatus::kDnc);
  CHECK(q.find("B_5551234567")->status == LeadStatus::kDnc);
  CHECK_FALSE(q.find("B_5551234567")->paused_from);
  CHECK(q.find("C_5551234567")->status == LeadStatus::kCompleted);  // closed: left as it is
  CHECK(q.find("D_5551230009")->status == LeadStatus::kPending);
  q.enqueue(LeadInput{"E", kPhone, "", "", "", ""}, ny(2025, 12, 1, 14, 3));
  CHECK(q.find("E_5551234567")->status == LeadStatus::kDnc);
  f.clock.set(ny(2025, 12, 1, 14, 5));
  q.tick();
  REQUIRE(f.dialer.dials.size() == 1);
  CHECK(f.dialer.dials[0].key == "D_5551230009");
}

TEST_CASE("month files: paused and deleted records survive a reload, and a checkpoint") {
  TempDir dir;
  const TimeMs t0 = ny(2025, 12, 1, 14, 0);
  {
    ManualClock clock(t0);
    RecordingDialer dialer;
    MonthStore store(MonthStoreOptions{dir.str()});
    RedialQueue q({}, clock, store, dialer, quiet_logger());
    q.load();
    q.apply_result(result("1", "+15551230001", "VOICEMAIL", "a"));
    q.apply_result(result("2", "+15551230002", "VOICEMAIL", "b"));
    q.apply_result(result("3", "+15551230003", "VOICEMAIL", "c"));
    REQUIRE(q.pause_lead("1_5551230001", "vacation").kind == LeadAction::Kind::kDone);
    REQUIRE(q.delete_lead("2_5551230002", "test lead").kind == LeadAction::Kind::kDone);
    q.sync();
    std::string journal = read_file(dir.path / "redial-queue.journal");
    CHECK(journal.find(R"("t":"del")") != std::string::npos);
    CHECK(journal.find(R"("why":"test lead")") != std::string::npos);
  }
  for (int pass = 0; pass < 2; ++pass) {  // from the journal, then from the checkpointed files
    ManualClock clock(t0 + 60000);
    RecordingDialer dialer;
    MonthStore store(MonthStoreOptions{dir.str()});
    RedialQueue q({}, clock, store, dialer, quiet_logger());
    q.load();
    INFO("pass " << pass);
    REQUIRE(q.find("1_5551230001"));
    CHECK(q.find("1_5551230001")->status == LeadStatus::kPaused);
    CHECK(q.find("1_5551230001")->paused_from == LeadStatus::kPending);
    CHECK(q.find("1_5551230001")->hold_reason == "paused by an operator: vacation");
    CHECK(q.find("2_5551230002") == nullptr);
    CHECK(q.find("3_5551230003") != nullptr);
    CHECK(q.size() == 2);
    q.checkpoint();
  }
  const std::string month = read_file(dir.path / "redial-queue_2025-12.json");
  CHECK(month.find(R"("status":"paused")") != std::string::npos);
  CHECK(month.find(R"("paused_from":"pending")") != std::string::npos);
  CHECK(month.find("5551230002") == std::string::npos);
}
