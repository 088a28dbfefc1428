#pragma once
// Deterministic benchmark data in the seed's month-file shape (redial-queue_YYYY-MM.json, one
// compact JSON object keyed "{lead_id}_{phone}", ~420 bytes a record like the seed's example).
//
// Lead i of an n-lead dataset is a pure function of (i, n): benchmarks rebuild any lead's
// identity without parsing. All leads are created in December 2025; "now" is 2025-12-15 in
// business hours (America/New_York). The mix, by index bucket:
//   40% created on earlier days of the month: 80% completed, 10% max_attempts, 10% pending whose
//       redial time has passed (outside the seed's "today only" window: never ready);
//   60% created today between 09:00 and 10:00: 90% pending (actionable), 5% rescheduled to a
//       callback tomorrow, 3% completed, 2% max_attempts.
// The actionable leads' redial times are spread evenly from 10:00 local, one `due_step_ms` apart,
// in a shuffled order, so `now_for_ready(k)` picks the instant at which exactly k are due.
// Files live in a temp dir ($REDIAL_BENCH_DATA, else $TMPDIR or /tmp + /redial-bench-data).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lead_record.h"
#include "core/time.h"

namespace redial::bench {

// Fixed calendar facts of every dataset.
inline constexpr const char* kMonthFile = "redial-queue_2025-12.json";
TimeMs today_start_ms();  // 2025-12-15 00:00 America/New_York (EST, UTC-5)
inline constexpr int kMaxAttempts = 8;

enum class LeadKind : std::uint8_t {
  kOldTerminal,
  kOldStale,
  kActionable,
  kRescheduled,
  kTodayDone
};

class Dataset {
 public:
  explicit Dataset(std::size_t leads);

  std::size_t leads() const { return n_; }
  LeadKind kind(std::size_t i) const;
  // Record i exactly as the file holds it, and its key.
  LeadRecord record(std::size_t i) const;
  std::string key(std::size_t i) const;

  // Actionable leads (pending, created today): how many, and the index of the j-th one.
  std::size_t actionable() const { return act_.size(); }
  std::size_t actionable_index(std::size_t j) const;
  TimeMs due_step_ms() const { return step_; }
  // An instant in business hours at which exactly k actionable leads are due (k >= 1).
  TimeMs now_for_ready(std::size_t k) const;
  // "Now" for benchmarks that do not care about readiness: 5 actionable leads due.
  TimeMs default_now() const { return now_for_ready(5); }

  // The month file, generated on first use in a forked child (so the benchmark process's heap
  // stays clean) and cached across runs. Returns its path.
  const std::string& month_file() const;
  std::uint64_t file_bytes() const;

 private:
  std::size_t n_;
  std::size_t old_;                  // leads [0, old_) are old, the rest today's
  std::vector<std::uint32_t> act_;   // indices of the actionable leads, ascending
  std::vector<std::uint32_t> rank_;  // act_[j] is due at now_for_ready(rank_[j] + 1)
  TimeMs step_;
  mutable std::string path_;
};

// Writes the whole month file for `d` to `path` (the seed's compact JSON.stringify output).
void write_month_file(const Dataset& d, const std::string& path);

// Compact JSON of one record, same bytes as the seed's JSON.stringify (and the core's writer).
void append_seed_record(std::string& out, const LeadRecord& r);

// Root for generated files and scratch dirs.
std::string data_root();
// A fresh empty directory under data_root()/work; removed by remove_scratch_dirs().
std::string make_scratch_dir(const std::string& tag);
void remove_scratch_dirs();
// A scratch dir holding a copy of the dataset's month file (a MonthStore data dir).
std::string scratch_copy_of(const Dataset& d, const std::string& tag);

// Resident set size of this process, in bytes (from /proc/self/statm).
std::uint64_t rss_bytes();

}  // namespace redial::bench
