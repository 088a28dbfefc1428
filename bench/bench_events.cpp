// Core event throughput: the queue's whole cycle (enqueue, tick, dial, dial accepted, result) in
// virtual time on a ManualClock and a MemoryStore, as the simulator drives it, without the
// simulator's own event queue. One iteration is one business day with `leads` new leads.
#include <benchmark/benchmark.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "bench/common.h"
#include "core/memory_store.h"
#include "core/redial_queue.h"

namespace redial::bench {
namespace {

// Accepts every dial at once and remembers it; the loop delivers its result later.
class RecordingDialer final : public Dialer {
 public:
  void dial(const DialRequest& r) override { placed.push_back(r); }
  std::vector<DialRequest> placed;
};

// Keeps nothing: the queue's own cost without a store's bookkeeping.
class NullStore final : public Store {
 public:
  StoreState load() override { return {}; }
  void append(const Mutation&) override { ++appended; }
  void sync() override {}
  bool wants_checkpoint() const override { return false; }
  void checkpoint(const RecordSource&) override {}
  std::vector<MonthId> drop_months(const std::vector<MonthId>&, TimeMs) override { return {}; }
  std::uint64_t appended = 0;
};

std::string prefixed(const char* prefix, std::uint64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

std::uint64_t next_random(std::uint64_t& s) {  // xorshift64*: fixed and portable
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545f4914f6cdd1dull;
}

std::shared_ptr<spdlog::logger> events_logger() {
  return std::make_shared<spdlog::logger>("events",
                                          std::make_shared<spdlog::sinks::null_sink_mt>());
}

RedialPolicy default_policy() { return RedialPolicy{}; }

template <typename StoreT>
struct EventLoop {
  explicit EventLoop(std::size_t leads_per_day)
      : per_day(leads_per_day),
        clock(today_start_ms()),
        queue(default_policy(), clock, store, dialer, events_logger()) {
    queue.load();
  }

  // One business day: leads arrive at 09:00, ticks every 5 minutes to 17:00, each dial is
  // accepted at once and its result arrives 2 minutes later. Returns the events handled.
  std::uint64_t run_day() {
    static const char* kMiss[] = {"VOICEMAIL", "NO_ANSWER", "BUSY", "HUNG_UP"};
    const TimeMs day = today_start_ms() + static_cast<TimeMs>(days) * kDayMs;
    ++days;
    std::uint64_t events = 0;
    clock.set(day + 9 * kHourMs);
    for (std::size_t i = 0; i < per_day; ++i, ++lead_seq) {
      std::uint64_t phone = 2000000000ull + (lead_seq * 1000003ull) % 7999999999ull;
      queue.enqueue(LeadInput{std::to_string(5000000 + lead_seq), prefixed("+1", phone), "LIST100",
                              "Ann", "Lee", "FL"},
                    clock.now_ms());
      ++events;
    }
    for (TimeMs t = day + 9 * kHourMs; t < day + 17 * kHourMs; t += 5 * kMinuteMs) {
      clock.set(t);
      queue.tick();
      ++events;
      std::vector<DialRequest> calls;
      calls.swap(dialer.placed);
      for (const auto& c : calls) {
        queue.on_dial_accepted(c.dial_seq, prefixed("c", c.dial_seq));
        ++events;
      }
      clock.set(t + 2 * kMinuteMs);
      for (const auto& c : calls) {
        std::uint64_t r = next_random(rng) % 100;
        CallResult res;
        res.lead_id = c.lead.lead_id;
        res.phone_number = c.lead.phone_number;
        res.outcome = r < 8 ? "TRANSFERRED" : kMiss[r % 4];
        res.call_id = prefixed("c", c.dial_seq);
        res.dial_seq = c.dial_seq;
        if (r >= 8 && r < 12) {
          res.outcome = "CALL_BACK_SCHEDULED";
          res.scheduled_callback_time = t + kHourMs;
        }
        queue.apply_result(res);
        ++events;
      }
      queue.sync();
    }
    return events;
  }

  std::size_t per_day;
  ManualClock clock;
  StoreT store;
  RecordingDialer dialer;
  RedialQueue queue;
  std::size_t days = 0;
  std::uint64_t lead_seq = 0;
  std::uint64_t rng = 0x9e3779b97f4a7c15ull;
};

template <typename StoreT>
void BM_CoreEvents(benchmark::State& state) {
  auto loop = std::make_unique<EventLoop<StoreT>>(static_cast<std::size_t>(state.range(0)));
  std::uint64_t events = 0;
  for (auto _ : state) events += loop->run_day();
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.counters["events_per_day"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["leads_in_queue"] = static_cast<double>(loop->queue.size());
}

}  // namespace

void register_event_benchmarks(const std::vector<std::size_t>& sizes) {
  for (std::size_t n : sizes) {
    // 1M new leads a day is 13M events a day: minutes per run, and no more telling than 100k.
    if (n > 100000) continue;
    // One virtual day per iteration; a few days so the queue holds several days of leads.
    benchmark::RegisterBenchmark("events/core_cycle_memorystore", BM_CoreEvents<MemoryStore>)
        ->Arg(static_cast<std::int64_t>(n))
        ->Iterations(n >= 100000 ? 1 : 3)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("events/core_cycle_nullstore", BM_CoreEvents<NullStore>)
        ->Arg(static_cast<std::int64_t>(n))
        ->Iterations(n >= 100000 ? 1 : 3)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace redial::bench
