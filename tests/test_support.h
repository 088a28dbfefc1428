#pragma once
// Shared fixtures for the core's tests: a recording dialer and a queue on a manual clock.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/business_calendar.h"
#include "core/memory_store.h"
#include "core/redial_queue.h"

namespace redial::testing {

// A fresh directory under the system temp dir, removed with everything in it at scope end.
struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("redial-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
  std::filesystem::path path;
  static inline int counter = 0;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The seed's example lead.
inline const std::string kPhone = "+15551234567";
inline const std::string kKey = "12345_5551234567";

inline std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Records every dial; the test decides when (and whether) the dial is answered.
class RecordingDialer : public Dialer {
 public:
  void dial(const DialRequest& r) override { dials.push_back(r); }
  std::string paused_reason() const override { return paused; }
  std::vector<DialRequest> dials;
  std::string paused;  // non-empty: the dialer asks ticks to dial nothing
};

// New York local time on a given day, as epoch ms.
inline TimeMs ny(int y, unsigned m, unsigned d, int hh, int mm, int ss = 0) {
  static const BusinessCalendar cal("America/New_York", 0, 24 * 3600);
  return cal.local_to_epoch(y, m, d, hh * 3600 + mm * 60 + ss);
}

inline CallResult result(const std::string& lead_id, const std::string& phone,
                         const std::string& outcome, const std::string& call_id) {
  CallResult r;
  r.lead_id = lead_id;
  r.phone_number = phone;
  r.list_id = "LIST001";
  r.first_name = "John";
  r.last_name = "Doe";
  r.state = "FL";
  r.outcome = outcome;
  r.call_id = call_id;
  return r;
}

struct QueueFixture {
  explicit QueueFixture(TimeMs start, RedialPolicy policy = {})
      : clock(start),
        queue(std::make_unique<RedialQueue>(policy, clock, store, dialer, quiet_logger())) {
    queue->load();
  }
  // The process dies and comes back on the same store: unsynced changes are lost.
  void restart(RedialPolicy policy = {}) {
    queue.reset();
    store.crash();
    dialer.dials.clear();
    queue = std::make_unique<RedialQueue>(policy, clock, store, dialer, quiet_logger());
    queue->load();
  }
  // Applies a result and makes it durable, as the runner does before answering 200.
  ApplyResult deliver(const CallResult& r) {
    ApplyResult a = queue->apply_result(r);
    queue->sync();
    check();
    return a;
  }
  ApplyResult apply(const CallResult& r) {
    ApplyResult a = queue->apply_result(r);
    check();
    return a;
  }
  TickSummary tick() {
    TickSummary s = queue->tick();
    check();
    return s;
  }
  // The queue's bookkeeping agrees with itself (issue 21): after every tick and result.
  void check() const { REQUIRE(queue->consistency_error() == ""); }

  ManualClock clock;
  MemoryStore store;
  RecordingDialer dialer;
  std::unique_ptr<RedialQueue> queue;
};

}  // namespace redial::testing
