// Calls in flight, business hours, the today filter, restarts and dial failures.
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

TEST_CASE("a phone with a call in flight is skipped and pushed ahead 5 minutes") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  RedialQueue& q = *f.queue;
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  // Another lead id on the same phone.
  f.deliver(result("777", kPhone, "VOICEMAIL", "x1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  auto t = q.tick();
  CHECK(t.total_ready == 2);
  CHECK(t.calls_made == 1);
  CHECK(t.skipped == 1);
  REQUIRE(f.dialer.dials.size() == 1);
  const std::string dialed = f.dialer.dials[0].key;
  const std::string other = dialed == kKey ? "777_5551234567" : kKey;
  CHECK(q.find(other)->next_redial_timestamp == ny(2025, 12, 1, 14, 10));
  // Still no result at 14:10: the dialed lead itself is due again, but its call is in flight.
  f.clock.set(ny(2025, 12, 1, 14, 10));
  auto t2 = q.tick();
  CHECK(t2.calls_made == 0);
  CHECK(t2.skipped == 2);
  CHECK(q.find(dialed)->next_redial_timestamp == ny(2025, 12, 1, 14, 15));
  CHECK(f.dialer.dials.size() == 1);
}

TEST_CASE("never a dial outside business hours, on both DST change days") {
  for (auto [month, day] : {std::pair{3u, 8u}, std::pair{11u, 1u}}) {
    INFO("2026-" << month << "-" << day);
    RedialPolicy p;
    p.ready_window_days = 0;
    QueueFixture f(ny(2026, month, day, 8, 0), p);
    f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
    f.clock.set(ny(2026, month, day, 8, 59));
    auto early = f.tick();
    CHECK_FALSE(early.ran);
    CHECK(early.skipped_reason == "outside business hours");
    f.clock.set(ny(2026, month, day, 9, 0));
    CHECK(f.tick().calls_made == 1);
    f.queue->on_dial_accepted(f.dialer.dials[0].dial_seq, "b");
    f.deliver(result("1", "5550000001", "VOICEMAIL", "b"));
    f.clock.set(ny(2026, month, day, 17, 0));
    CHECK_FALSE(f.tick().ran);
    CHECK(f.dialer.dials.size() == 1);
  }
}

TEST_CASE("the today filter: a lead from yesterday is not redialed after midnight") {
  RedialPolicy p;
  p.business_open_s = 0;
  p.business_close_s = 24 * 3600;
  p.federal_window = false;  // dials at midnight: this test is about the day filter alone
  QueueFixture f(ny(2025, 12, 1, 23, 50), p);
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));  // due 23:52
  f.clock.set(ny(2025, 12, 1, 23, 55));
  CHECK(f.queue->ready(f.clock.now_ms()).size() == 1);
  f.clock.set(ny(2025, 12, 2, 0, 0));
  CHECK(f.queue->ready(f.clock.now_ms()).empty());
  CHECK(f.tick().calls_made == 0);
  CHECK(f.dialer.dials.empty());

  SECTION("a window of 2 days keeps it") {
    p.ready_window_days = 2;
    f.restart(p);
    CHECK(f.tick().calls_made == 1);
  }
}

TEST_CASE("month rollover: a lead from November 30 keeps its history in December") {
  RedialPolicy p;
  p.business_open_s = 0;
  p.business_close_s = 24 * 3600;
  p.ready_window_days = 2;
  p.federal_window = false;  // dials at midnight: this test is about the month files alone
  QueueFixture f(ny(2025, 11, 30, 23, 58), p);
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
  f.clock.set(ny(2025, 12, 1, 0, 1));
  f.restart(p);
  CHECK(f.tick().calls_made == 1);
  f.queue->on_dial_accepted(f.dialer.dials[0].dial_seq, "b");
  f.deliver(result("1", "5550000001", "NO_ANSWER", "b"));
  CHECK(f.queue->find("1_5550000001")->attempts == 2);  // the seed would start over at 1
  CHECK(f.queue->size() == 1);
}

TEST_CASE("calls in flight survive a restart: never a second call to the same phone") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  CHECK(f.tick().calls_made == 1);
  // Crash right after the dial, before Bland answered.
  f.restart();
  REQUIRE(f.queue->in_flight_calls().size() == 1);
  CHECK(f.queue->in_flight_calls()[0].key == kKey);
  f.clock.set(ny(2025, 12, 1, 14, 10));
  auto t = f.tick();
  CHECK(t.calls_made == 0);
  CHECK(t.skipped == 1);
  // The result of that call still settles it after the restart (the dial never got its id).
  f.deliver(result("12345", kPhone, "NO_ANSWER", "c2"));
  CHECK(f.queue->in_flight_calls().empty());
  CHECK(f.queue->find(kKey)->attempts == 2);
}

TEST_CASE("a crash loses only what was not synced: acknowledged results survive") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));  // acknowledged
  f.apply(result("2", "5550000002", "VOICEMAIL", "b"));    // never synced
  f.restart();
  CHECK(f.queue->find("1_5550000001"));
  CHECK_FALSE(f.queue->find("2_5550000002"));
  // Bland re-delivers the unacknowledged webhook; it applies exactly once.
  f.deliver(result("2", "5550000002", "VOICEMAIL", "b"));
  CHECK(f.queue->find("2_5550000002")->attempts == 1);
}

TEST_CASE("a failed sync throws, and a restart holds only what was durable") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
  f.apply(result("1", "5550000001", "NO_ANSWER", "b"));
  f.store.fail_next_sync();
  CHECK_THROWS_AS(f.queue->sync(), StoreError);
  f.restart();
  CHECK(f.queue->find("1_5550000001")->attempts == 1);
}

TEST_CASE("a webhook that beats the dial response settles the call") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();
  f.deliver(result("12345", kPhone, "NO_ANSWER", "c2"));
  CHECK(f.queue->in_flight_calls().empty());
  f.queue->on_dial_accepted(f.dialer.dials[0].dial_seq, "c2");  // late answer: ignored
  CHECK(f.queue->in_flight_calls().empty());
  CHECK(f.queue->find(kKey)->attempts == 2);
}

TEST_CASE("a failed dial is not an attempt and a 429 waits its retry time") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();
  f.queue->on_dial_failed(f.dialer.dials[0].dial_seq, "HTTP 429", 10 * kSecondMs);
  CHECK(f.queue->in_flight_calls().empty());
  CHECK(f.queue->find(kKey)->attempts == 1);
  CHECK(f.queue->find(kKey)->next_redial_timestamp == ny(2025, 12, 1, 14, 5, 10));
  CHECK(f.queue->dial_failures() == 1);
  f.clock.set(ny(2025, 12, 1, 14, 10));
  CHECK(f.tick().calls_made == 1);
}

TEST_CASE("a dialer that fails inside dial() is counted as an error, not a call") {
  struct FailingDialer : Dialer {
    RedialQueue* q = nullptr;
    void dial(const DialRequest& r) override { q->on_dial_failed(r.dial_seq, "HTTP 402"); }
  } dialer;
  ManualClock clock(ny(2025, 12, 1, 14, 0));
  MemoryStore store;
  RedialQueue q({}, clock, store, dialer, quiet_logger());
  dialer.q = &q;
  q.load();
  q.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
  clock.set(ny(2025, 12, 1, 14, 5));
  auto t = q.tick();
  CHECK(t.calls_made == 0);
  CHECK(t.errors == 1);
  CHECK(q.in_flight_calls().empty());
}

TEST_CASE("a call with no result is released after the call timeout") {
  RedialPolicy p;
  p.call_timeout_ms = 35 * kMinuteMs;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();
  f.clock.set(ny(2025, 12, 1, 14, 35));
  CHECK(f.tick().calls_made == 0);  // 30 min: still in flight
  f.clock.set(ny(2025, 12, 1, 14, 40));
  auto t = f.tick();
  CHECK(t.calls_released == 1);
  CHECK(t.calls_made == 1);  // released, then dialed again in the same tick
  CHECK(f.queue->find(kKey)->attempts == 1);
}

TEST_CASE("a reconciling dialer keeps the call until it settles it") {
  struct ReconcilingDialer : RecordingDialer {
    std::vector<InFlightCall> asked;
    bool reconcile(const InFlightCall& c) override {
      asked.push_back(c);
      return true;
    }
  };
  ReconcilingDialer dialer;
  ManualClock clock(ny(2025, 12, 1, 14, 0));
  MemoryStore store;
  RedialQueue q({}, clock, store, dialer, quiet_logger());
  q.load();
  q.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
  clock.set(ny(2025, 12, 1, 14, 5));
  q.tick();
  clock.set(ny(2025, 12, 1, 14, 45));
  q.tick();
  q.tick();
  REQUIRE(dialer.asked.size() == 1);  // asked once, not every tick
  CHECK(q.in_flight_calls().size() == 1);
  CHECK(q.release_call(dialer.asked[0].dial_seq, "Bland does not know the call"));
  CHECK(q.in_flight_calls().empty());
}

TEST_CASE("max_concurrent_calls caps calls in flight") {
  RedialPolicy p;
  p.max_concurrent_calls = 2;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  for (int i = 0; i < 5; ++i)
    f.deliver(result(std::to_string(i), "555000000" + std::to_string(i), "VOICEMAIL", "a"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  auto t = f.tick();
  CHECK(t.total_ready == 5);
  CHECK(t.calls_made == 2);
  CHECK(t.skipped == 3);
}

TEST_CASE("a disabled queue records results but never dials") {
  RedialPolicy p;
  p.enabled = false;
  QueueFixture f(ny(2025, 12, 1, 14, 0), p);
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  auto t = f.tick();
  CHECK_FALSE(t.ran);
  CHECK(t.skipped_reason == "disabled");
  CHECK(f.dialer.dials.empty());
}

TEST_CASE("ticks are due every process interval after the last one") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  CHECK(f.queue->next_tick_at() == ny(2025, 12, 1, 14, 0));
  f.tick();
  CHECK(f.queue->next_tick_at() == ny(2025, 12, 1, 14, 5));
}

TEST_CASE("ready leads come out due-first with ties broken by key") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("b", "5550000002", "VOICEMAIL", "1"));
  f.deliver(result("a", "5550000001", "VOICEMAIL", "2"));
  f.clock.set(ny(2025, 12, 1, 14, 1));
  f.deliver(result("c", "5550000003", "VOICEMAIL", "3"));
  auto ready = f.queue->ready(ny(2025, 12, 1, 14, 5));
  REQUIRE(ready.size() == 3);
  CHECK(ready[0].key == "a_5550000001");
  CHECK(ready[1].key == "b_5550000002");
  CHECK(ready[2].key == "c_5550000003");
}

TEST_CASE("retention drops months older than the retention period") {
  RedialPolicy p;
  p.retention_days = 30;
  QueueFixture f(ny(2025, 10, 15, 10, 0), p);
  f.deliver(result("1", "5550000001", "VOICEMAIL", "a"));
  f.clock.set(ny(2025, 11, 20, 10, 0));
  f.deliver(result("2", "5550000002", "VOICEMAIL", "b"));
  CHECK(f.queue->enforce_retention().retired.empty());  // Oct 21 is in October: October stays
  f.clock.set(ny(2025, 12, 2, 10, 0));
  auto report = f.queue->enforce_retention();
  CHECK(report.refused.empty());
  CHECK(report.retired == std::vector<MonthId>{202510});
  CHECK(report.records == 1);
  CHECK_FALSE(f.queue->find("1_5550000001"));
  CHECK(f.queue->find("2_5550000002"));
  f.restart(p);
  CHECK_FALSE(f.queue->find("1_5550000001"));
  CHECK(f.queue->size() == 1);
}

TEST_CASE("a late result of a released call does not end the next, unanswered dial") {
  QueueFixture f(ny(2025, 12, 1, 14, 0));
  f.deliver(result("12345", kPhone, "VOICEMAIL", "c1"));
  f.clock.set(ny(2025, 12, 1, 14, 5));
  f.tick();  // call 2: its webhook is lost
  const std::uint64_t lost = f.dialer.dials.at(0).dial_seq;
  f.clock.set(ny(2025, 12, 1, 14, 45));
  f.tick();  // released, and call 3 dialed; Bland has not answered the dial yet
  REQUIRE(f.dialer.dials.size() == 2);
  const std::uint64_t current = f.dialer.dials.at(1).dial_seq;
  CallResult late = result("12345", kPhone, "NO_ANSWER", "c2");
  late.dial_seq = lost;  // from the webhook's metadata
  f.deliver(late);
  CHECK(f.queue->find(kKey)->attempts == 2);
  REQUIRE(f.queue->in_flight_calls().size() == 1);
  CHECK(f.queue->in_flight_calls()[0].dial_seq == current);
  CallResult own = result("12345", kPhone, "VOICEMAIL", "c3");
  own.dial_seq = current;
  f.deliver(own);
  CHECK(f.queue->in_flight_calls().empty());
}

TEST_CASE("log lines stay valid JSON whatever the lead id holds") {
  std::ostringstream lines;
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  logger->set_pattern("%v");
  ManualClock clock(ny(2025, 12, 1, 14, 0));
  MemoryStore store;
  RecordingDialer dialer;
  RedialQueue q({}, clock, store, dialer, logger);
  q.load();
  q.apply_result(result("q\"x\\y", "5550000001", "VOICEMAIL", "c\"1"));
  std::istringstream in(lines.str());
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    auto brace = line.find('{');
    if (brace == std::string::npos) continue;
    INFO(line);
    auto fields = nlohmann::json::parse(line.substr(brace));
    if (fields.contains("key")) {
      CHECK(fields["key"] == "q\"x\\y_5550000001");
      ++checked;
    }
  }
  CHECK(checked >= 2);
}

TEST_CASE("a sync that stalls during a tick does not age the calls it dials") {
  // A store whose sync takes 40 virtual minutes (a disk stall), longer than the call timeout.
  struct StallingStore : Store {
    MemoryStore inner;
    ManualClock* clock = nullptr;
    bool stall = false;
    StoreState load() override { return inner.load(); }
    void append(const Mutation& m) override { inner.append(m); }
    void sync() override {
      if (stall) clock->advance(40 * kMinuteMs);
      inner.sync();
    }
    bool wants_checkpoint() const override { return false; }
    void checkpoint(const RecordSource& s) override { inner.checkpoint(s); }
    std::vector<MonthId> drop_months(const std::vector<MonthId>& m, TimeMs now) override {
      return inner.drop_months(m, now);
    }
  } store;
  ManualClock clock(ny(2025, 12, 1, 10, 0));
  store.clock = &clock;
  RecordingDialer dialer;
  RedialQueue q({}, clock, store, dialer, quiet_logger());
  q.load();
  q.apply_result(result("1", "5550000001", "VOICEMAIL", "a"));
  clock.set(ny(2025, 12, 1, 10, 5));
  store.stall = true;
  CHECK(q.tick().calls_made == 1);
  store.stall = false;
  clock.advance(kMinuteMs);
  auto t = q.tick();
  CHECK(t.calls_released == 0);
  CHECK(t.calls_made == 0);
  CHECK(dialer.dials.size() == 1);
}
