#pragma once
// Shared by the benchmark files: the cached datasets and the stream of call results they send.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/dataset.h"

namespace redial::bench {

// One Dataset per size, built once per process.
const Dataset& dataset(std::size_t leads);

// The n-th result of a benchmark's stream: a miss outcome for the n-th actionable lead (in a
// spread order), with a call id never used before in this process.
struct StreamResult {
  std::size_t lead;  // dataset index
  std::string lead_id, phone_number, outcome, call_id;
};
StreamResult stream_result(const Dataset& d, std::uint64_t n);

// Runs fn in a forked child (a fresh copy of this process: its heap warm only with what the
// parent had) and returns the seconds fn took there, or a negative value if the child failed.
double time_in_child(const std::function<void()>& fn);

// Registration, one function per file; `sizes` are the lead counts to run.
void register_core_benchmarks(const std::vector<std::size_t>& sizes);
void register_seed_benchmarks(const std::vector<std::size_t>& sizes);
void register_event_benchmarks(const std::vector<std::size_t>& sizes);

}  // namespace redial::bench
