// The seed-equivalent design (seed_equiv.h) at each size, so every ratio in performance.md is
// measured in the same run as the core's figure beside it.
#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>

#include "bench/common.h"
#include "bench/seed_equiv.h"

namespace redial::bench {
namespace {

// One loaded seed queue per use at a time, on a scratch copy of the month file: webhooks change
// their copy, so the read-only benchmarks keep theirs as generated.
struct SeedEnv {
  std::size_t leads = 0;
  std::unique_ptr<SeedQueue> queue;
};

SeedQueue& seed_env(std::size_t leads, bool writes = false) {
  static SeedEnv envs[2];
  SeedEnv& env = envs[writes ? 1 : 0];
  if (env.leads != leads || !env.queue) {
    env.queue.reset();
    const Dataset& d = dataset(leads);
    std::string dir = scratch_copy_of(d, "seed");
    env.queue = std::make_unique<SeedQueue>(dir + "/" + kMonthFile);
    env.queue->load();
    env.leads = leads;
  }
  return *env.queue;
}

void BM_SeedLoad(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  SeedQueue& q = seed_env(d.leads());
  for (auto _ : state) {
    state.PauseTiming();
    q.clear();
    state.ResumeTiming();
    q.load();
    benchmark::DoNotOptimize(q.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.file_bytes()));
  state.counters["leads"] = static_cast<double>(q.size());
}

// The seed's start-up load in a fresh forked child each time (see BM_LoadCold).
void BM_SeedLoadCold(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  std::string dir = scratch_copy_of(d, "seedcold");
  for (auto _ : state) {
    double secs = time_in_child([&] {
      SeedQueue q(dir + "/" + kMonthFile);
      q.load();
      if (q.size() != d.leads()) throw std::runtime_error("short load");
    });
    if (secs < 0) {
      state.SkipWithError("child failed");
      break;
    }
    state.SetIterationTime(secs);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.file_bytes()));
}

void BM_SeedWebhook(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  SeedQueue& q = seed_env(d.leads(), true);
  static std::uint64_t n = 0;
  TimeMs now = d.default_now();
  for (auto _ : state) {
    state.PauseTiming();
    StreamResult s = stream_result(d, n++);
    SeedResult r{s.lead_id, s.phone_number, s.outcome, s.call_id};
    state.ResumeTiming();
    q.add_or_update(r, now);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// processQueue as the seed ran it: reload the whole file, then the four filters.
void BM_SeedTick(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  SeedQueue& q = seed_env(d.leads());
  std::size_t k = static_cast<std::size_t>(state.range(1));
  TimeMs now = d.now_for_ready(k);
  std::size_t ready = 0;
  for (auto _ : state) {
    state.PauseTiming();
    q.clear();
    state.ResumeTiming();
    q.load();
    ready = q.ready(now, today_start_ms()).size();
    benchmark::DoNotOptimize(ready);
  }
  state.counters["ready"] = static_cast<double>(ready);
}

// The four filters alone over the in-memory map (the seed's selection without its reload).
void BM_SeedScan(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  SeedQueue& q = seed_env(d.leads());
  std::size_t k = static_cast<std::size_t>(state.range(1));
  TimeMs now = d.now_for_ready(k);
  std::size_t ready = 0;
  for (auto _ : state) {
    ready = q.ready(now, today_start_ms()).size();
    benchmark::DoNotOptimize(ready);
  }
  state.counters["ready"] = static_cast<double>(ready);
}

}  // namespace

void register_seed_benchmarks(const std::vector<std::size_t>& sizes) {
  for (std::size_t n : sizes) {
    auto leads = static_cast<std::int64_t>(n);
    benchmark::RegisterBenchmark("load/seed", BM_SeedLoad)
        ->Arg(leads)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("load/seed_cold_process", BM_SeedLoadCold)
        ->Arg(leads)
        ->UseManualTime()
        ->Iterations(n >= 1000000 ? 1 : 5)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("apply/seed_rewrite", BM_SeedWebhook)
        ->Arg(leads)
        ->Unit(benchmark::kMillisecond);
    for (std::int64_t k : {100, 5000}) {
      benchmark::RegisterBenchmark("tick/seed_reload_scan", BM_SeedTick)
          ->Args({leads, k})
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("tick/seed_scan", BM_SeedScan)
          ->Args({leads, k})
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace redial::bench
