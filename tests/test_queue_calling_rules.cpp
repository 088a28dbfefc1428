// The queue under calling rules: holds move the next redial, outcome rules, do-not-call,
// caps counted from the call history, and the new fields in the seed-format file.
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "core/errors.h"
#include "core/seed_format.h"
#include "test_support.h"

using namespace redial;
using namespace redial::testing;

namespace {

const std::string kWestPhone = "+14155550100";  // San Francisco
const std::string kWestKey = "W1_4155550100";

void answer(QueueFixture& f, std::size_t dial_index, const std::string& call_id,
            const std::string& outcome) {
  const DialRequest& d = f.dialer.dials.at(dial_index);
  f.queue->on_dial_accepted(d.dial_seq, call_id);
  CallResult r = result(d.lead.lead_id, d.lead.phone_number, outcome, call_id);
  r.dial_seq = d.dial_seq;
  f.deliver(r);
}

struct TempFile {
  explicit TempFile(const std::string& text) {
    path = "/tmp/redial-dnc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    write(text);
  }
  ~TempFile() { std::remove(path.c_str()); }
  void write(const std::string& text) const { std::ofstream(path, std::ios::binary) << text; }
  std::string path;
  static inline int counter = 0;
};

}  // namespace

TEST_CASE("a held lead moves to when the rules allow, says why, and is not re-checked") {
  std::vector<QueueEvent> events;
  QueueFixture f(ny(2026, 1, 15, 8, 50));
  f.queue->set_event_listener([&](const QueueEvent& e) { events.push_back(e); });
  f.deliver(result("W1", kWestPhone, "VOICEMAIL", "c1"));  // the first call, made elsewhere
  // Due at 08:50 (the seed's 2-minute floor), but 09:00 New York is 06:00 in San Francisco.
  f.clock.set(ny(2026, 1, 15, 9, 0));
  TickSummary t = f.tick();
  CHECK(t.total_ready == 1);
  CHECK(t.held == 1);
  CHECK(t.calls_made == 0);
  const LeadRecord* rec = f.queue->find(kWestKey);
  CHECK(rec->next_redial_timestamp == ny(2026, 1, 15, 11, 0));
  CHECK(rec->hold_reason == std::optional<std::string>("federal_window"));
  bool traced = false;
  for (const auto& e : events)
    if (e.kind == "hold" && e.key == kWestKey &&
        e.detail == "federal_window until 2026-01-15T11:00:00")
      traced = true;
  CHECK(traced);
  // The next ticks do not even consider it.
  f.clock.set(ny(2026, 1, 15, 9, 5));
  CHECK(f.tick().total_ready == 0);
  f.clock.set(ny(2026, 1, 15, 11, 0));
  t = f.tick();
  CHECK(t.calls_made == 1);
  CHECK_FALSE(f.queue->find(kWestKey)->hold_reason);
  // A restart keeps both the hold and the call history.
  f.restart();
  CHECK(f.queue->find(kWestKey)->recent_call_times.size() == 2);
}

TEST_CASE("default configuration: no redial outside 08:00-21:00 lead-local, any area code") {
  // Leads all over the country, results at random times for a week: every dial must fall in
  // the federal window in every zone of the lead's area code.
  RedialPolicy p;
  p.business_open_s = 0;  // the widest business hours: only the federal floor protects
  p.business_close_s = 24 * 3600;
  p.ready_window_days = 0;
  p.process_interval_ms = kMinuteMs;
  QueueFixture f(ny(2026, 3, 1, 0, 0), p);
  const CallingRules& rules = f.queue->calling_rules();
  const int codes[] = {212, 305, 415, 907, 808, 208, 915, 850, 270, 541, 787};
  std::mt19937_64 rng(7);
  std::size_t checked = 0;
  int n = 0;
  for (TimeMs t = f.clock.now_ms(); t < ny(2026, 3, 9, 0, 0); t += 7 * kMinuteMs) {
    f.clock.set(t);
    if (rng() % 9 == 0) {
      char phone[16];
      std::snprintf(phone, sizeof phone, "%d555%04d", codes[rng() % 11], n++ % 10000);
      f.deliver(result("L" + std::to_string(n), phone, "NO_ANSWER", "o" + std::to_string(n)));
    }
    std::size_t before = f.dialer.dials.size();
    f.tick();
    for (std::size_t i = before; i < f.dialer.dials.size(); ++i) {
      const DialRequest& d = f.dialer.dials[i];
      auto code = AreaCodeTable::area_code_of(d.phone.substr(2));
      REQUIRE(code);
      for (const auto* zone : rules.area_codes().find(*code)->zones) {
        int sod = zone_seconds_of_day(zone, t);
        INFO(d.phone << " at " << f.queue->calendar().format_local(t));
        CHECK(sod >= 8 * 3600);
        CHECK(sod < 21 * 3600);
        ++checked;
      }
      f.queue->on_dial_accepted(d.dial_seq, "q" + std::to_string(i));
      CallResult r =
          result(d.lead.lead_id, d.lead.phone_number, "NO_ANSWER", "q" + std::to_string(i));
      r.dial_seq = d.dial_seq;
      f.deliver(r);
    }
  }
  CHECK(checked > 200);
}

TEST_CASE("outcome rules: own schedules, never, and escalating waits past a day") {
  RedialPolicy p;
  p.ready_window_days = 0;
  p.outcome_rules = parse_outcome_rules(
      "BUSY=5m; NOT_INTERESTED=never; NO_ANSWER=1h,2d; DNC_REQUESTED=dnc", "outcome_rules");
  QueueFixture f(ny(2026, 6, 2, 10, 0), p);
  f.deliver(result("1", "2125550001", "BUSY", "a"));
  CHECK(f.queue->find("1_2125550001")->next_redial_timestamp == ny(2026, 6, 2, 10, 5));
  f.deliver(result("2", "2125550002", "NO_ANSWER", "b"));
  CHECK(f.queue->find("2_2125550002")->next_redial_timestamp == ny(2026, 6, 2, 11, 0));
  f.clock.set(ny(2026, 6, 2, 12, 0));
  f.deliver(result("2", "2125550002", "NO_ANSWER", "c"));
  CHECK(f.queue->find("2_2125550002")->next_redial_timestamp == ny(2026, 6, 4, 12, 0));
  // Not named: the progressive schedule (third result: 5 minutes).
  f.deliver(result("2", "2125550002", "VOICEMAIL", "d"));
  CHECK(f.queue->find("2_2125550002")->next_redial_timestamp == ny(2026, 6, 2, 12, 5));
  f.deliver(result("3", "2125550003", "NOT_INTERESTED", "e"));
  CHECK(f.queue->find("3_2125550003")->status == LeadStatus::kCompleted);
  CHECK(p.is_known("DNC_REQUESTED"));  // outcomes named in the rules are known
  CHECK_THROWS_AS(parse_outcome_rules("BUSY", "outcome_rules"), ConfigError);
  CHECK_THROWS_WITH(parse_outcome_rules("BUSY=soon", "outcome_rules"),
                    "outcome_rules: BUSY: expected progressive, never, dnc or waits such as "
                    "5m,1h,1d, got \"soon\"");
  CHECK_THROWS_WITH(parse_outcome_rules("BUSY=5m;BUSY=never", "outcome_rules"),
                    "outcome_rules: BUSY is named twice");
}

TEST_CASE("a do-not-call request stops every lead on the number, across restarts") {
  RedialPolicy p;
  p.ready_window_days = 0;
  QueueFixture f(ny(2026, 6, 2, 10, 0), p);
  f.deliver(result("A", "2125550100", "VOICEMAIL", "a1"));
  f.deliver(result("B", "2125550100", "VOICEMAIL", "b1"));
  f.deliver(result("A", "2125550100", "DNC_REQUESTED", "a2"));
  CHECK(f.queue->find("A_2125550100")->status == LeadStatus::kDnc);
  CHECK(f.queue->counts().dnc == 1);
  f.clock.set(ny(2026, 6, 2, 10, 30));
  TickSummary t = f.tick();
  CHECK(t.dnc == 1);
  CHECK(t.calls_made == 0);
  CHECK(f.queue->find("B_2125550100")->status == LeadStatus::kDnc);
  f.restart(p);
  f.queue->enqueue(LeadInput{"C", "+1 212 555 0100", "", "", "", ""}, ny(2026, 6, 2, 10, 30));
  CHECK(f.queue->find("C_2125550100")->status == LeadStatus::kDnc);
  f.clock.set(ny(2026, 6, 2, 11, 0));
  f.tick();
  CHECK(f.dialer.dials.empty());
}

TEST_CASE("the do-not-call file: loaded at start, reloaded, a bad line refused whole") {
  TempFile file("# opt-outs\n+1 (212) 555-0101\n212.555.0102  # by phone\n\n");
  RedialPolicy p;
  p.ready_window_days = 0;
  p.dnc_file = file.path;
  QueueFixture f(ny(2026, 6, 2, 10, 0), p);
  CHECK(f.queue->is_do_not_call("2125550101"));
  CHECK(f.queue->is_do_not_call("2125550102"));
  f.deliver(result("A", "2125550101", "VOICEMAIL", "a1"));
  f.deliver(result("D", "2125550103", "VOICEMAIL", "d1"));
  // A bad line: the reload is refused, naming file and line, and the old list stays.
  file.write("2125550101\n2125550103\nnot a number\n");
  CHECK_THROWS_WITH(f.queue->reload_dnc(),
                    Catch::Matchers::StartsWith(file.path + ": line 3: \"not a number\""));
  CHECK(f.queue->is_do_not_call("2125550102"));
  CHECK_FALSE(f.queue->is_do_not_call("2125550103"));
  file.write("2125550101\n2125550103\n");
  CHECK(f.queue->reload_dnc() == 2);
  CHECK(f.queue->is_do_not_call("2125550103"));
  f.clock.set(ny(2026, 6, 2, 10, 30));
  TickSummary t = f.tick();
  CHECK(t.dnc == 2);
  CHECK(f.dialer.dials.empty());
  CHECK(f.queue->find("D_2125550103")->status == LeadStatus::kDnc);
}

TEST_CASE("caps count calls from the history, and a refused dial does not count") {
  RedialPolicy p;
  p.ready_window_days = 0;
  p.max_calls_per_lead_24h = 2;
  p.progressive_intervals_ms = {0};
  p.min_wait_ms = 0;
  p.process_interval_ms = kMinuteMs;
  QueueFixture f(ny(2026, 6, 2, 9, 0), p);
  f.deliver(result("A", "2125550100", "NO_ANSWER", "a1"));  // call 1 (made elsewhere)
  f.clock.set(ny(2026, 6, 2, 9, 1));
  f.tick();
  REQUIRE(f.dialer.dials.size() == 1);
  f.queue->on_dial_failed(f.dialer.dials[0].dial_seq, "429 too many requests");
  CHECK(f.queue->find("A_2125550100")->recent_call_times.size() == 1);
  f.clock.set(ny(2026, 6, 2, 9, 2));
  f.tick();
  REQUIRE(f.dialer.dials.size() == 2);
  answer(f, 1, "a2", "NO_ANSWER");  // call 2
  f.clock.set(ny(2026, 6, 2, 9, 3));
  TickSummary t = f.tick();
  CHECK(t.held == 1);
  const LeadRecord* rec = f.queue->find("A_2125550100");
  CHECK(rec->hold_reason == std::optional<std::string>("lead_cap_24h"));
  CHECK(rec->next_redial_timestamp == ny(2026, 6, 3, 9, 0));
}

TEST_CASE("status dnc, call history and hold reason round-trip through the seed format") {
  LeadRecord r;
  r.lead_id = "A";
  r.phone_number = "+12125550100";
  r.status = LeadStatus::kDnc;
  r.recent_call_times = {1780000000000, 1780000600000};
  r.hold_reason = "state_hours:FL";
  std::string file;
  append_month_file_entry(file, true, "A_2125550100", r);
  file = "{" + file + "}";
  std::string padded = file + std::string(simdjson::SIMDJSON_PADDING, ' ');
  std::vector<StoredRecord> out;
  parse_month_file("test.json", padded, file.size(), 202606, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].record == r);
  CHECK(file.find("\"status\":\"dnc\"") != std::string::npos);
}

TEST_CASE("only a callback outcome reschedules to the callback time") {
  RedialPolicy p;
  p.callback_outcomes = {"CALL_BACK_SCHEDULED", "CALLBACK_REQUESTED"};
  QueueFixture f(ny(2026, 6, 2, 10, 0), p);
  CallResult voicemail = result("1", "2125550001", "VOICEMAIL", "a");
  voicemail.scheduled_callback_time = ny(2026, 6, 2, 15, 0);
  f.deliver(voicemail);
  CHECK(f.queue->find("1_2125550001")->status == LeadStatus::kPending);
  CHECK(f.queue->find("1_2125550001")->next_redial_timestamp == ny(2026, 6, 2, 10, 2));
  CallResult custom = result("2", "2125550002", "CALLBACK_REQUESTED", "b");
  custom.scheduled_callback_time = ny(2026, 6, 2, 15, 0);
  f.deliver(custom);
  CHECK(f.queue->find("2_2125550002")->status == LeadStatus::kRescheduled);
  CHECK(f.queue->find("2_2125550002")->next_redial_timestamp == ny(2026, 6, 2, 15, 0));
}

TEST_CASE("a late do-not-call request on a closed lead still stops the number") {
  // Found by the simulator: lead A completed, then its DNC_REQUESTED arrived late; lead B on
  // the same number kept being called.
  RedialPolicy p;
  p.ready_window_days = 0;
  QueueFixture f(ny(2026, 6, 2, 10, 0), p);
  f.deliver(result("A", "2125550100", "TRANSFERRED", "a1"));
  f.deliver(result("A", "2125550100", "DNC_REQUESTED", "a2"));
  CHECK(f.queue->find("A_2125550100")->status == LeadStatus::kDnc);
  f.deliver(result("B", "2125550100", "NO_ANSWER", "b1"));
  f.restart(p);
  CHECK(f.queue->is_do_not_call("2125550100"));
  f.clock.set(ny(2026, 6, 2, 10, 30));
  CHECK(f.tick().dnc == 1);
  CHECK(f.dialer.dials.empty());
  CHECK(f.queue->find("B_2125550100")->status == LeadStatus::kDnc);
}

TEST_CASE("switching the federal window off logs a warning at start") {
  auto logged = [](bool federal_window) {
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    RedialPolicy p;
    p.federal_window = federal_window;
    ManualClock clock(ny(2026, 6, 2, 10, 0));
    MemoryStore store;
    RecordingDialer dialer;
    RedialQueue q(p, clock, store, dialer, logger);
    q.load();
    logger->flush();
    return out.str();
  };
  CHECK(logged(false).find("Federal calling window is OFF") != std::string::npos);
  CHECK(logged(true).find("Federal calling window is OFF") == std::string::npos);
}
