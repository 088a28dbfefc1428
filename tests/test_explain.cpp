// RedialQueue::explain (GET /admin/records/{key}/explain) and the kept call history behind the
// phone and daily views: each rule's verdict and next allowed instant on the manual clock, and
// that the tick does what explain says.
#include <date/date.h>
#include <date/tz.h>

#include <catch2/catch.hpp>

#include "core/call_history.h"
#include "core/dnc_list.h"
#include "core/errors.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

const std::string kNyPhone = "+12125550100";  // Manhattan: America/New_York
const std::string kNyKey = "N1_2125550100";

// Business hours all day, no "today only" filter: only the rule under test holds a lead.
RedialPolicy open_policy() {
  RedialPolicy p;
  p.business_open_s = 0;
  p.business_close_s = 24 * 3600;
  p.ready_window_days = 0;
  return p;
}

const LeadVerdict& verdict(const LeadExplanation& e, const std::string& rule) {
  for (const LeadVerdict& v : e.verdicts)
    if (v.rule == rule) return v;
  FAIL("no verdict " << rule);
  throw std::logic_error("unreachable");
}

TimeMs utc_ms(date::sys_days day, int hour) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (day + std::chrono::hours(hour)).time_since_epoch())
      .count();
}

void enqueue(QueueFixture& f, const std::string& id, const std::string& phone, TimeMs at) {
  f.queue->enqueue(LeadInput{id, phone, "L1", "Ann", "Lee", ""}, at);
  f.queue->sync();
}

}  // namespace

TEST_CASE("explain: the federal window closed at night opens next morning on the DST day") {
  using namespace date::literals;
  // Saturday 2026-03-07 23:00 EST; New York springs forward at 02:00 on Sunday 2026-03-08.
  QueueFixture f(ny(2026, 3, 7, 23, 0), open_policy());
  enqueue(f, "N1", kNyPhone, f.clock.now_ms());
  auto e = f.queue->explain(kNyKey);
  REQUIRE(e);
  CHECK_FALSE(e->can_dial_now);
  const LeadVerdict& federal = verdict(*e, "federal_window");
  CHECK_FALSE(federal.allows_now);
  // 08:00 EDT (UTC-4) is 12:00 UTC; an EST offset would give 13:00 UTC.
  const TimeMs morning = utc_ms(date::sys_days{2026_y / date::March / 8}, 12);
  CHECK(morning == ny(2026, 3, 8, 8, 0));
  CHECK(federal.next_allowed_at == morning);
  CHECK(std::string(federal.zone->name()) == "America/New_York");
  CHECK(e->next_dial_at == morning);
  CHECK(verdict(*e, "schedule").allows_now);
  CHECK(verdict(*e, "business_hours").allows_now);
  // The tick holds it to the same instant, by the same rule.
  TickSummary t = f.tick();
  CHECK(t.held == 1);
  CHECK(f.queue->find(kNyKey)->next_redial_timestamp == morning);
  CHECK(f.queue->find(kNyKey)->hold_reason == std::optional<std::string>("federal_window"));
  // Now the schedule says the same, and the window still holds it a minute before.
  f.clock.set(morning - kMinuteMs);
  e = f.queue->explain(kNyKey);
  CHECK_FALSE(verdict(*e, "schedule").allows_now);
  CHECK(verdict(*e, "schedule").next_allowed_at == morning);
  CHECK(e->next_dial_at == morning);
  f.clock.set(morning);
  e = f.queue->explain(kNyKey);
  CHECK(e->can_dial_now);
  CHECK(e->next_dial_at == morning);
  CHECK(f.tick().calls_made == 1);
  // A call in flight: no instant is known until its result comes.
  e = f.queue->explain(kNyKey);
  CHECK_FALSE(verdict(*e, "in_flight").allows_now);
  CHECK_FALSE(verdict(*e, "in_flight").next_allowed_at);
  CHECK_FALSE(e->next_dial_at);
  CHECK_FALSE(f.queue->explain("nobody_5550000000"));
}

TEST_CASE("explain: business hours, min call gap, lead cap and pause each give their instant") {
  RedialPolicy p = open_policy();
  p.business_open_s = 9 * 3600;
  p.business_close_s = 17 * 3600;
  p.max_calls_per_lead_24h = 2;
  p.min_wait_ms = 0;
  p.progressive_intervals_ms = {0};
  QueueFixture f(ny(2026, 1, 15, 8, 30), p);
  f.deliver(result("N1", kNyPhone, "VOICEMAIL", "c1"));  // a call at 08:30 (made elsewhere)
  auto e = f.queue->explain(kNyKey);
  CHECK_FALSE(verdict(*e, "business_hours").allows_now);
  CHECK(verdict(*e, "business_hours").next_allowed_at == ny(2026, 1, 15, 9, 0));
  CHECK_FALSE(verdict(*e, "min_call_gap").allows_now);
  CHECK(verdict(*e, "min_call_gap").next_allowed_at == ny(2026, 1, 15, 8, 30, 10));
  CHECK(verdict(*e, "lead_cap_24h").allows_now);
  CHECK(e->next_dial_at == ny(2026, 1, 15, 9, 0));
  // A second call: the lead cap of 2 per 24 h now holds it until the first call ages out.
  f.clock.set(ny(2026, 1, 15, 9, 0));
  REQUIRE(f.tick().calls_made == 1);
  const DialRequest d = f.dialer.dials.at(0);
  f.queue->on_dial_accepted(d.dial_seq, "c2");
  CallResult r = result("N1", kNyPhone, "NO_ANSWER", "c2");
  r.dial_seq = d.dial_seq;
  f.deliver(r);
  e = f.queue->explain(kNyKey);
  CHECK_FALSE(verdict(*e, "lead_cap_24h").allows_now);
  CHECK(verdict(*e, "lead_cap_24h").next_allowed_at == ny(2026, 1, 16, 8, 30));
  CHECK(e->next_dial_at == ny(2026, 1, 16, 9, 0));  // 08:30 is before business hours
  CHECK(f.tick().held == 1);
  CHECK(f.queue->find(kNyKey)->next_redial_timestamp == ny(2026, 1, 16, 9, 0));
  // The dialer's plan-limit pause has no known end here.
  f.dialer.paused = "daily minutes";
  e = f.queue->explain(kNyKey);
  CHECK_FALSE(verdict(*e, "dialing_paused").allows_now);
  CHECK_FALSE(e->next_dial_at);
}

TEST_CASE("explain: closed leads, max attempts, do-not-call and the ready window say never") {
  RedialPolicy p = open_policy();
  p.max_attempts = 1;
  QueueFixture f(ny(2026, 1, 15, 10, 0), p);
  f.deliver(result("N1", kNyPhone, "VOICEMAIL", "c1"));
  auto e = f.queue->explain(kNyKey);
  CHECK(e->status == LeadStatus::kMaxAttempts);
  CHECK_FALSE(verdict(*e, "max_attempts").allows_now);
  CHECK_FALSE(verdict(*e, "max_attempts").next_allowed_at);
  CHECK_FALSE(e->next_dial_at);

  QueueFixture g(ny(2026, 1, 15, 10, 0), open_policy());
  enqueue(g, "N2", "+12125550199", g.clock.now_ms());
  g.queue->set_dnc_list(std::make_shared<const DncList>(DncList::parse("2125550199\n", "t")));
  e = g.queue->explain("N2_2125550199");
  CHECK_FALSE(verdict(*e, "do_not_call").allows_now);
  CHECK_FALSE(e->next_dial_at);
  CHECK(g.tick().dnc == 1);  // the tick agrees
  enqueue(g, "N3", kNyPhone, g.clock.now_ms());
  REQUIRE(g.queue->stop_lead("N3_2125550100", "test"));
  e = g.queue->explain("N3_2125550100");
  CHECK_FALSE(verdict(*e, "status").allows_now);
  CHECK_FALSE(e->next_dial_at);

  // "Today only": a lead held past midnight leaves the queue undialed, and explain says so.
  RedialPolicy today = open_policy();
  today.ready_window_days = 1;
  QueueFixture h(ny(2026, 1, 15, 22, 0), today);
  enqueue(h, "N1", kNyPhone, h.clock.now_ms());
  e = h.queue->explain(kNyKey);
  CHECK(verdict(*e, "ready_window").allows_now);
  CHECK(verdict(*e, "federal_window").next_allowed_at == ny(2026, 1, 16, 8, 0));
  CHECK_FALSE(e->next_dial_at);
  h.clock.set(ny(2026, 1, 16, 8, 0));
  e = h.queue->explain(kNyKey);
  CHECK_FALSE(verdict(*e, "ready_window").allows_now);
  CHECK(h.tick().calls_made == 0);
}

TEST_CASE("daily stats bucket calls and results by the business-zone day") {
  QueueFixture f(ny(2026, 1, 15, 23, 30), open_policy());  // 04:30 UTC on the 16th
  f.deliver(result("N1", kNyPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2026, 1, 16, 0, 30));
  f.deliver(result("N2", "+12125550111", "TRANSFERRED", "c2"));
  const LocalDay d15 = f.queue->calendar().local_day(ny(2026, 1, 15, 12, 0));
  DailyStats s = daily_stats(*f.queue, d15, d15 + 1);
  REQUIRE(s.days.size() == 2);
  CHECK(s.days[0].calls == 1);
  CHECK(s.days[0].voicemails == 1);
  CHECK(s.days[0].connects == 0);
  CHECK(s.days[0].by_outcome.at("VOICEMAIL") == 1);
  CHECK(s.days[1].calls == 1);
  CHECK(s.days[1].transfers == 1);
  CHECK(s.days[1].connects == 1);
  CHECK(s.days[1].by_list.at("LIST001").transfers == 1);
  CHECK(s.undated.calls == 0);
  // Past the 24 hours recent_call_times keeps, an earlier call's day is no longer known.
  f.clock.set(ny(2026, 1, 17, 1, 0));
  f.deliver(result("N1", kNyPhone, "NO_ANSWER", "c3"));
  s = daily_stats(*f.queue, d15, d15 + 2);
  CHECK(s.days[0].calls == 0);
  CHECK(s.undated.calls == 1);
  CHECK(s.undated.by_outcome.at("VOICEMAIL") == 1);
  CHECK(s.days[2].by_outcome.at("NO_ANSWER") == 1);
}

TEST_CASE("a phone's calls are found from any accepted format, newest first") {
  QueueFixture f(ny(2026, 1, 15, 10, 0), open_policy());
  f.deliver(result("N1", "(212) 555-0100", "VOICEMAIL", "c1"));
  f.clock.set(ny(2026, 1, 15, 11, 0));
  f.deliver(result("N2", "+1 212.555.0100", "NO_ANSWER", "c2"));
  f.deliver(result("X", "+12125550999", "NO_ANSWER", "c9"));
  for (const char* id : {"Q1", "Q2", "Q3"})  // queued with the number, never called: no calls
    enqueue(f, id, "212-555-0100", ny(2026, 1, 16, 10, 0));
  for (const char* raw : {"+12125550100", "2125550100", "1-212-555-0100", "(212) 555 0100"}) {
    std::string normalized;
    auto calls = calls_to_phone(*f.queue, raw, &normalized);
    CHECK(normalized == "2125550100");
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].call.call_id == std::optional<std::string>("c2"));
    CHECK(calls[0].call.result_at == ny(2026, 1, 15, 11, 0));
    CHECK(calls[1].lead_id == "N1");
  }
  CHECK(calls_to_phone(*f.queue, "+12125550000", nullptr).empty());
  CHECK_THROWS_AS(calls_to_phone(*f.queue, "212-CALL-NOW", nullptr), InputError);
}

TEST_CASE("explain: a paused lead and the run-time queue switch say why, and resume clears them") {
  QueueFixture f(ny(2026, 1, 15, 10, 0), open_policy());
  enqueue(f, "N1", kNyPhone, f.clock.now_ms());
  REQUIRE(f.queue->pause_lead(kNyKey, "asked to wait").kind == LeadAction::Kind::kDone);
  auto e = f.queue->explain(kNyKey);
  const LeadVerdict& status = verdict(*e, "status");
  CHECK_FALSE(status.allows_now);
  CHECK(status.detail.find("asked to wait") != std::string::npos);
  CHECK_FALSE(status.next_allowed_at);  // no clock reaches a resume
  CHECK(verdict(*e, "schedule").detail == "not scheduled while paused (resume sets it)");
  CHECK(verdict(*e, "lead_cap_24h").detail == "no cap on calls per 24 h");  // 0 is no cap
  CHECK_FALSE(e->next_dial_at);
  CHECK(f.tick().calls_made == 0);  // the tick agrees

  REQUIRE(f.queue->resume_lead(kNyKey).kind == LeadAction::Kind::kDone);
  f.queue->set_queue_switch(QueueSwitch{false, "carrier outage", f.clock.now_ms()});
  e = f.queue->explain(kNyKey);
  CHECK(verdict(*e, "status").allows_now);
  const LeadVerdict& sw = verdict(*e, "queue_enabled");
  CHECK_FALSE(sw.allows_now);
  CHECK(sw.detail == "queue disabled by an operator: carrier outage");
  CHECK_FALSE(e->next_dial_at);
  CHECK(f.tick().calls_made == 0);

  f.queue->set_queue_switch(QueueSwitch{true, std::nullopt, f.clock.now_ms()});
  e = f.queue->explain(kNyKey);
  CHECK(verdict(*e, "queue_enabled").allows_now);
  CHECK(e->next_dial_at == f.clock.now_ms());
  CHECK(f.tick().calls_made == 1);
}
