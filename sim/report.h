#pragma once
// What redial-sim prints: one line per scenario, the diff of a failure, and the --json report.
#include <cstdio>
#include <string>
#include <vector>

#include "sim/simulation.h"

namespace redial::sim {

// "PASS  name  leads=1 calls=3 span=14:00 .. 14:20 (20m) wall=0.3ms", then for a failure the
// fields side by side and the violations.
void print_result(std::FILE* out, const RunResult& r);
// One line for a random run: seed, counts, trace hash.
void print_random_result(std::FILE* out, const RunResult& r, std::uint64_t seed);
// Writes every result as JSON to `path` ("-" for stdout). Throws std::runtime_error.
void write_json_report(const std::string& path, const std::vector<RunResult>& results);

}  // namespace redial::sim
