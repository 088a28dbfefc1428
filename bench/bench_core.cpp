// The core on the seed's month files: load, snapshot, durable apply, ready selection, memory.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

#include "bench/common.h"
#include "core/file_system.h"
#include "core/month_store.h"
#include "core/redial_queue.h"
#include "core/seed_format.h"

namespace redial::bench {
namespace {

class NullDialer final : public Dialer {
 public:
  void dial(const DialRequest&) override {}
};

// Logging stays on (info level, formatted as in production) but goes nowhere.
std::shared_ptr<spdlog::logger> quiet_logger() {
  static auto log =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  return log;
}

MonthStoreOptions store_options(const std::string& dir, bool fsync) {
  MonthStoreOptions o;
  o.dir = dir;
  o.fsync = fsync;
  return o;
}

// A queue loaded over a MonthStore on a scratch copy of a dataset's month file.
struct CoreEnv {
  CoreEnv(const Dataset& data, bool fsync, const std::string& tag, TimeMs start = 0)
      : d(data),
        clock(start ? start : data.default_now()),
        store(store_options(scratch_copy_of(data, tag), fsync)),
        queue(RedialPolicy{}, clock, store, dialer, quiet_logger()) {
    queue.load();
  }
  const Dataset& d;
  ManualClock clock;
  MonthStore store;
  NullDialer dialer;
  RedialQueue queue;
};

// The env the writing benchmarks share, one size at a time, and the results they send: each
// lead of the ring gets at most 4 results per env, so it stays pending (at most 7 attempts);
// past that budget the env is reloaded from the generated file (outside the timing).
struct WriteEnv {
  std::size_t leads = 0;
  bool fsync = true;
  std::unique_ptr<CoreEnv> env;
  std::vector<CallResult> ring;
  std::uint64_t sent = 0;
  std::uint64_t call_seq = 0;

  CallResult& next() {
    CallResult& r = ring[sent++ % ring.size()];
    r.call_id = "bench_";
    r.call_id += std::to_string(++call_seq);
    return r;
  }
  bool exhausted(std::size_t more) const { return sent + more > ring.size() * 4; }
};

WriteEnv& write_env(std::size_t leads, bool fsync, std::size_t batch = 1) {
  static WriteEnv w;
  if (w.env && w.leads == leads && w.fsync == fsync && !w.exhausted(batch)) return w;
  w.env.reset();
  const Dataset& d = dataset(leads);
  w.env = std::make_unique<CoreEnv>(d, fsync, "apply");
  w.leads = leads;
  w.fsync = fsync;
  w.sent = 0;
  if (w.ring.empty() || w.ring.size() != std::min<std::size_t>(d.actionable(), 65536) ||
      w.ring.front().lead_id != stream_result(d, 0).lead_id) {
    w.ring.clear();
    for (std::uint64_t n = 0; n < std::min<std::size_t>(d.actionable(), 65536); ++n) {
      StreamResult s = stream_result(d, n);
      LeadRecord rec = d.record(s.lead);
      CallResult r;
      r.lead_id = s.lead_id;
      r.phone_number = s.phone_number;
      r.list_id = rec.list_id;
      r.first_name = rec.first_name;
      r.last_name = rec.last_name;
      r.state = rec.state;
      r.outcome = s.outcome;
      w.ring.push_back(std::move(r));
    }
  }
  return w;
}

// A read-only env for the selection benchmarks. `ticked`: one tick ran at 09:30 local, before
// any lead is due, so it dialed nothing but dropped the leads of earlier days from the index (as
// the runner's first tick does at start-up); otherwise the queue is as loaded.
CoreEnv& read_env(std::size_t leads, bool ticked) {
  static std::unique_ptr<CoreEnv> env;
  static bool env_ticked = false;
  if (!env || env->d.leads() != leads || env_ticked != ticked) {
    env.reset();
    const TimeMs early = today_start_ms() + 9 * kHourMs + 30 * kMinuteMs;
    env = std::make_unique<CoreEnv>(dataset(leads), false, "read", ticked ? early : 0);
    if (ticked) {
      TickSummary t = env->queue.tick();
      if (t.calls_made != 0) throw std::logic_error("the 09:30 tick dialed");
    }
    env_ticked = ticked;
  }
  return *env;
}

// RedialQueue::load over a MonthStore: read + simdjson parse + records + ready index.
void BM_Load(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  std::string dir = scratch_copy_of(d, "load");
  ManualClock clock(d.default_now());
  NullDialer dialer;
  std::size_t leads = 0;
  for (auto _ : state) {
    auto store = std::make_unique<MonthStore>(store_options(dir, true));
    auto queue =
        std::make_unique<RedialQueue>(RedialPolicy{}, clock, *store, dialer, quiet_logger());
    queue->load();
    leads = queue->size();
    state.PauseTiming();
    queue.reset();  // freeing is not loading
    store.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.file_bytes()));
  state.counters["leads"] = static_cast<double>(leads);
}

// RedialQueue::load at start-up: in a fresh forked child each time, so every page the load
// touches is a new one, as in a process that has just started.
void BM_LoadCold(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  std::string dir = scratch_copy_of(d, "loadcold");
  for (auto _ : state) {
    double secs = time_in_child([&] {
      ManualClock clock(d.default_now());
      NullDialer dialer;
      MonthStore store(store_options(dir, true));
      RedialQueue queue(RedialPolicy{}, clock, store, dialer, quiet_logger());
      queue.load();
      if (queue.size() != d.leads()) throw std::runtime_error("short load");
    });
    if (secs < 0) {
      state.SkipWithError("child failed");
      break;
    }
    state.SetIterationTime(secs);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.file_bytes()));
}

// MonthStore::load alone: read + parse into StoredRecords (no queue, no index).
void BM_StoreLoad(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  std::string dir = scratch_copy_of(d, "storeload");
  for (auto _ : state) {
    auto store = std::make_unique<MonthStore>(store_options(dir, true));
    StoreState s = store->load();
    benchmark::DoNotOptimize(s.records.data());
    state.PauseTiming();
    s = StoreState{};
    store.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * d.file_bytes()));
}

// The month file's parse alone (parse_month_file), from bytes already in memory: no file I/O, no
// store, no queue.
void BM_Parse(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  std::string buf;
  PosixFileSystem fs;
  const std::size_t size = fs.read_file(d.month_file(), buf, simdjson::SIMDJSON_PADDING);
  std::size_t records = 0;
  for (auto _ : state) {
    std::vector<StoredRecord> out;
    parse_month_file(d.month_file(), buf, size, 202512, out);
    records = out.size();
    state.PauseTiming();
    out = {};
    state.ResumeTiming();
  }
  if (records != d.leads()) state.SkipWithError("parsed a different number of records");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// MonthStore::checkpoint: the month file rewritten in the seed's format (one result applied and
// synced before each, outside the timing, so the month is dirty).
void BM_Checkpoint(benchmark::State& state) {
  const auto leads = static_cast<std::size_t>(state.range(0));
  const bool fsync = state.range(1) != 0;
  for (auto _ : state) {
    state.PauseTiming();
    WriteEnv& w = write_env(leads, fsync);
    w.env->queue.apply_result(w.next());
    w.env->queue.sync();
    state.ResumeTiming();
    w.env->queue.checkpoint();
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * dataset(leads).file_bytes()));
}

// apply_result for `batch` results, then one sync (journal append + fdatasync): the cost of
// acknowledging results durably, singly (batch 1) or under group commit.
void BM_ApplyDurable(benchmark::State& state) {
  const auto leads = static_cast<std::size_t>(state.range(0));
  const auto batch = static_cast<std::size_t>(state.range(1));
  const bool fsync = state.range(2) != 0;
  WriteEnv* w = &write_env(leads, fsync, batch);
  for (auto _ : state) {
    if (w->exhausted(batch)) {
      state.PauseTiming();
      w = &write_env(leads, fsync, batch);
      state.ResumeTiming();
    }
    for (std::size_t k = 0; k < batch; ++k) w->env->queue.apply_result(w->next());
    w->env->queue.sync();
  }
  const auto results = static_cast<double>(state.iterations() * batch);
  state.SetItemsProcessed(static_cast<std::int64_t>(results));
  // Seconds per acknowledged result (shown as ms/us), the figure that must stay flat.
  state.counters["time_per_result"] =
      benchmark::Counter(results, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// RedialQueue::ready(now) with k leads due (k = 0 means half of the actionable leads), on a
// queue as loaded (stale leads of earlier days still indexed) or after its first tick.
void BM_Ready(benchmark::State& state) {
  CoreEnv& env = read_env(static_cast<std::size_t>(state.range(0)), state.range(2) != 0);
  std::size_t k = static_cast<std::size_t>(state.range(1));
  if (k == 0) k = env.d.actionable() / 2;
  if (k == 0 || k > env.d.actionable()) {
    state.SkipWithError("the dataset has too few actionable leads for this count");
    return;
  }
  const TimeMs now = env.d.now_for_ready(k);
  std::size_t ready = 0;
  for (auto _ : state) {
    auto r = env.queue.ready(now);
    ready = r.size();
    benchmark::DoNotOptimize(r.data());
  }
  state.counters["ready"] = static_cast<double>(ready);
  if (ready != k) state.SkipWithError("ready() returned an unexpected count");
}

// Resident memory per lead: RSS after RedialQueue::load minus RSS before, in a forked child so
// nothing else this process allocated is counted.
void BM_MemoryPerLead(benchmark::State& state) {
  const Dataset& d = dataset(static_cast<std::size_t>(state.range(0)));
  std::string dir = scratch_copy_of(d, "mem");
  double per_lead = 0, per_lead_trimmed = 0;
  for (auto _ : state) {
    int fds[2];
    if (pipe(fds) != 0) {
      state.SkipWithError("pipe failed");
      break;
    }
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      double out[2] = {0, 0};
      {
        malloc_trim(0);
        const double before = static_cast<double>(rss_bytes());
        ManualClock clock(d.default_now());
        NullDialer dialer;
        MonthStore store(store_options(dir, false));
        RedialQueue queue(RedialPolicy{}, clock, store, dialer, quiet_logger());
        queue.load();
        out[0] = (static_cast<double>(rss_bytes()) - before) / static_cast<double>(queue.size());
        malloc_trim(0);
        out[1] = (static_cast<double>(rss_bytes()) - before) / static_cast<double>(queue.size());
        ssize_t wrote = write(fds[1], out, sizeof out);
        _exit(wrote == sizeof out ? 0 : 1);
      }
    }
    close(fds[1]);
    double in[2] = {0, 0};
    ssize_t got = read(fds[0], in, sizeof in);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != sizeof in) {
      state.SkipWithError("memory probe failed");
      break;
    }
    per_lead = in[0];
    per_lead_trimmed = in[1];
  }
  state.counters["rss_bytes_per_lead"] = per_lead;
  state.counters["rss_bytes_per_lead_trimmed"] = per_lead_trimmed;
}

}  // namespace

void register_core_benchmarks(const std::vector<std::size_t>& sizes) {
  using benchmark::kMicrosecond;
  using benchmark::kMillisecond;
  for (std::size_t n : sizes) {
    auto leads = static_cast<std::int64_t>(n);
    benchmark::RegisterBenchmark("load/core", BM_Load)->Arg(leads)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("load/core_cold_process", BM_LoadCold)
        ->Arg(leads)
        ->UseManualTime()
        ->Iterations(n >= 1000000 ? 1 : 5)
        ->Unit(kMillisecond);
    benchmark::RegisterBenchmark("load/core_store_only", BM_StoreLoad)
        ->Arg(leads)
        ->Unit(kMillisecond);
    benchmark::RegisterBenchmark("load/core_parse", BM_Parse)->Arg(leads)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("snapshot/core", BM_Checkpoint)
        ->ArgNames({"leads", "fsync"})
        ->Args({leads, 1})
        ->Args({leads, 0})
        ->UseRealTime()
        ->Unit(kMillisecond);
    benchmark::RegisterBenchmark("apply/core_durable", BM_ApplyDurable)
        ->ArgNames({"leads", "batch", "fsync"})
        ->Args({leads, 1, 1})
        ->Args({leads, 64, 1})
        ->Args({leads, 1, 0})
        ->Args({leads, 64, 0})
        ->UseRealTime()
        ->Unit(kMicrosecond);
    benchmark::RegisterBenchmark("tick/core_ready", BM_Ready)
        ->ArgNames({"leads", "ready", "ticked"})
        ->Args({leads, 100, 0})
        ->Args({leads, 5000, 0})
        ->Args({leads, 0, 0})
        ->Args({leads, 100, 1})
        ->Args({leads, 5000, 1})
        ->Args({leads, 0, 1})
        ->Unit(kMicrosecond);
    benchmark::RegisterBenchmark("memory/core", BM_MemoryPerLead)
        ->Arg(leads)
        ->Iterations(1)
        ->Unit(kMillisecond);
  }
}

}  // namespace redial::bench
