// redial-bench: the performance suite (docs/performance.md). Sizes come from the environment:
//   REDIAL_BENCH_SIZES=10000,100000   lead counts to run (this is the default)
//   REDIAL_BENCH_LARGE=1              adds 1,000,000 (minutes more, ~3 GB of RAM for the seed's
//   DOM) REDIAL_BENCH_DATA=/path           where generated month files and scratch dirs go (a temp
//   dir)
// Every other flag is Google Benchmark's (--benchmark_filter, --benchmark_out, ...).
//   redial-bench --month-file N       generates the N-lead month file if needed and prints its
//                                     path (bench/runner_http.sh --preload uses it)
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "bench/common.h"

namespace redial::bench {

const Dataset& dataset(std::size_t leads) {
  static std::map<std::size_t, std::unique_ptr<Dataset>> cache;
  auto& slot = cache[leads];
  if (!slot) slot = std::make_unique<Dataset>(leads);
  return *slot;
}

StreamResult stream_result(const Dataset& d, std::uint64_t n) {
  static const char* kOutcomes[] = {"VOICEMAIL", "NO_ANSWER", "BUSY"};
  static std::uint64_t call_seq = 0;
  // 7919 is prime and does not divide the actionable count of any size we run, so consecutive
  // results land on leads far apart and every lead is visited before any repeats.
  std::size_t j = static_cast<std::size_t>((n * 7919) % d.actionable());
  std::size_t i = d.actionable_index(j);
  LeadRecord r = d.record(i);
  return {i, r.lead_id, r.phone_number, kOutcomes[n % 3], "bench_" + std::to_string(++call_seq)};
}

double time_in_child(const std::function<void()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    close(fds[0]);
    double secs = -1;
    try {
      auto t0 = std::chrono::steady_clock::now();
      fn();
      secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } catch (...) {
    }
    ssize_t n = write(fds[1], &secs, sizeof secs);
    _exit(n == sizeof secs ? 0 : 1);
  }
  close(fds[1]);
  double secs = -1;
  if (read(fds[0], &secs, sizeof secs) != sizeof secs) secs = -1;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return secs;
}

}  // namespace redial::bench

namespace {

std::vector<std::size_t> sizes_from_env() {
  std::vector<std::size_t> sizes;
  const char* s = std::getenv("REDIAL_BENCH_SIZES");
  std::stringstream in(s && *s ? s : "10000,100000");
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) sizes.push_back(std::stoul(item));
  }
  const char* large = std::getenv("REDIAL_BENCH_LARGE");
  if (large && std::string(large) == "1" &&
      std::find(sizes.begin(), sizes.end(), 1000000u) == sizes.end()) {
    sizes.push_back(1000000);
  }
  return sizes;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace redial::bench;
  if (argc == 3 && std::string(argv[1]) == "--month-file") {
    char* end = nullptr;
    unsigned long n = std::strtoul(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || n == 0) {
      std::fprintf(stderr, "redial-bench: --month-file takes a lead count > 0, not '%s'\n",
                   argv[2]);
      return 2;
    }
    std::printf("%s\n", dataset(n).month_file().c_str());
    return 0;
  }
  std::vector<std::size_t> sizes = sizes_from_env();
  std::string list;
  for (auto n : sizes) {
    if (!list.empty()) list += ',';
    list += std::to_string(n);
  }
  benchmark::AddCustomContext("redial_sizes", list);
  benchmark::AddCustomContext("redial_data", data_root());
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  benchmark::AddCustomContext("glibc_tunables", tunables ? tunables : "");
  register_core_benchmarks(sizes);
  register_seed_benchmarks(sizes);
  register_event_benchmarks(sizes);
  register_sim_benchmarks(sizes);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  remove_scratch_dirs();
  return 0;
}
