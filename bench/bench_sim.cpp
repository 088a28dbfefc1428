// Simulator throughput (issue 5, item 5): a seeded random multi-day run of the simulator
// (sim/, redial_sim) - leads, calls, Bland's webhooks with faults (losses, duplicates, delays,
// restarts) around one RedialQueue on a ManualClock and a MemoryStore, invariants checked.
// Events are the simulator's own count (every event it pops from its queue).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "bench/common.h"
#include "sim/random_scenario.h"
#include "sim/simulation.h"

namespace redial::bench {
namespace {

void BM_SimRandom(benchmark::State& state) {
  sim::RandomOptions ro;
  ro.seed = 1;
  ro.leads = static_cast<int>(state.range(0));
  ro.days = static_cast<int>(state.range(1));
  std::uint64_t events = 0;
  bool passed = true;
  std::string error;
  for (auto _ : state) {
    state.PauseTiming();
    sim::Scenario sc = sim::make_random_scenario(ro);
    state.ResumeTiming();
    sim::Simulation simulation(sc, sim::SimOptions{});
    sim::RunResult r = simulation.run();
    events += r.events;
    passed = passed && r.passed;
    if (!r.error.empty()) error = r.error;
  }
  if (!error.empty()) state.SkipWithError(error.c_str());
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.counters["events_per_run"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["passed"] = passed ? 1 : 0;
}

}  // namespace

void register_sim_benchmarks(const std::vector<std::size_t>& sizes) {
  // Three days at each size up to 10k leads. Each injected restart rebuilds the queue from the
  // store, so a run's cost grows with leads x restarts; the 30-day, 100k-lead run takes
  // ~145 s of CPU here (200 s before this round, same session) and is registered only with
  // REDIAL_BENCH_SIM_100K=1 (docs/performance.md, 5).
  for (std::size_t n : sizes) {
    if (n > 10000) continue;
    benchmark::RegisterBenchmark("events/sim_random", BM_SimRandom)
        ->ArgNames({"leads", "days"})
        ->Args({static_cast<std::int64_t>(n), 3})
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
  const char* big = std::getenv("REDIAL_BENCH_SIM_100K");
  if (big && std::string(big) == "1") {
    benchmark::RegisterBenchmark("events/sim_random", BM_SimRandom)
        ->ArgNames({"leads", "days"})
        ->Args({100000, 30})
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace redial::bench
