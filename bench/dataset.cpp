#include "bench/dataset.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace redial::bench {
namespace {

namespace fs = std::filesystem;

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finalizer: a fixed, portable hash
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
std::uint64_t h(std::size_t i, std::uint64_t salt) { return mix(i * 0x100000001b3ull ^ salt); }

constexpr TimeMs kToday = 1765774800000;  // 2025-12-15T05:00:00Z = 00:00 EST
constexpr TimeMs kMonthStart = kToday - 14 * kDayMs;
constexpr TimeMs kFirstDue = kToday + 10 * kHourMs;        // 10:00 local
constexpr TimeMs kDueSpan = 6 * kHourMs + 30 * kMinuteMs;  // to 16:30 local

constexpr std::array<const char*, 16> kFirst = {
    "John",  "Mary",   "Robert",  "Patricia", "Michael", "Jennifer", "William", "Linda",
    "David", "Sophia", "Richard", "Maria",    "Joseph",  "Susan",    "Thomas",  "Jessica"};
constexpr std::array<const char*, 16> kLast = {
    "Smith", "Johnson",  "Williams", "Brown", "Jones",    "Garcia", "Miller", "Davis",
    "Lopez", "Martinez", "Wilson",   "Moore", "Anderson", "Taylor", "Thomas", "Hernandez"};
constexpr std::array<const char*, 10> kStates = {"FL", "TX", "CA", "NY", "GA",
                                                 "NC", "OH", "PA", "AZ", "IL"};
constexpr std::array<const char*, 4> kMisses = {"VOICEMAIL", "NO_ANSWER", "BUSY", "HUNG_UP"};

std::string call_id(std::size_t i, int attempt) {
  static const char* hex = "0123456789abcdef";
  std::uint64_t v = h(i, 0xca11 + attempt);
  std::string s = "call_";
  for (int k = 0; k < 6; ++k) s += hex[(v >> (4 * k)) & 15];
  return s;
}

std::mutex scratch_mu;
std::vector<std::string> scratch_dirs;

}  // namespace

TimeMs today_start_ms() { return kToday; }

Dataset::Dataset(std::size_t leads) : n_(leads), old_(leads * 2 / 5) {
  for (std::size_t i = old_; i < n_; ++i) {
    if (kind(i) == LeadKind::kActionable) act_.push_back(static_cast<std::uint32_t>(i));
  }
  // A deterministic shuffle of [0, actionable) gives each actionable lead its due slot.
  rank_.resize(act_.size());
  for (std::size_t j = 0; j < rank_.size(); ++j) rank_[j] = static_cast<std::uint32_t>(j);
  for (std::size_t j = rank_.size(); j > 1; --j) std::swap(rank_[j - 1], rank_[h(j, 77) % j]);
  step_ =
      std::max<TimeMs>(1, kDueSpan / static_cast<TimeMs>(std::max<std::size_t>(1, act_.size())));
}

LeadKind Dataset::kind(std::size_t i) const {
  std::uint64_t r = h(i, 1) % 100;
  if (i < old_) {
    return r < 90 ? LeadKind::kOldTerminal : LeadKind::kOldStale;
  }
  if (r < 90) return LeadKind::kActionable;
  if (r < 95) return LeadKind::kRescheduled;
  return LeadKind::kTodayDone;
}

std::size_t Dataset::actionable_index(std::size_t j) const { return act_.at(j); }

TimeMs Dataset::now_for_ready(std::size_t k) const {
  if (k == 0 || k > act_.size()) throw std::out_of_range("now_for_ready");
  // Ranks are a permutation of [0, actionable_): lead with rank r is due at kFirstDue + r*step.
  return kFirstDue + static_cast<TimeMs>(k - 1) * step_;
}

std::string Dataset::key(std::size_t i) const {
  std::uint64_t phone =
      2000000000ull + (static_cast<std::uint64_t>(i) * 1000003ull) % 7999999999ull;
  return std::to_string(1000000 + i) + "_" + std::to_string(phone);
}

LeadRecord Dataset::record(std::size_t i) const {
  LeadRecord r;
  std::uint64_t phone =
      2000000000ull + (static_cast<std::uint64_t>(i) * 1000003ull) % 7999999999ull;
  r.lead_id = std::to_string(1000000 + i);
  r.phone_number = "+1" + std::to_string(phone);
  r.list_id = "LIST" + std::to_string(100 + h(i, 2) % 900);
  r.first_name = kFirst[h(i, 3) % kFirst.size()];
  r.last_name = kLast[h(i, 4) % kLast.size()];
  r.state = kStates[h(i, 5) % kStates.size()];
  LeadKind k = kind(i);
  std::uint64_t sub = h(i, 1) % 100;
  bool old = i < old_;
  r.created_at = old ? kMonthStart + static_cast<TimeMs>(h(i, 6) % (13 * kDayMs))
                     : kToday + 9 * kHourMs + static_cast<TimeMs>(h(i, 6) % kHourMs);
  int attempts = 1 + static_cast<int>(h(i, 7) % 3);
  std::string last;
  switch (k) {
    case LeadKind::kOldTerminal:
      if (sub < 80) {
        r.status = LeadStatus::kCompleted;
        last = "TRANSFERRED";
      } else {
        r.status = LeadStatus::kMaxAttempts;
        attempts = kMaxAttempts;
      }
      break;
    case LeadKind::kOldStale:
      r.status = LeadStatus::kPending;
      break;
    case LeadKind::kActionable:
      r.status = LeadStatus::kPending;
      break;
    case LeadKind::kRescheduled:
      r.status = LeadStatus::kRescheduled;
      last = "CALL_BACK_SCHEDULED";
      r.scheduled_callback_time =
          kToday + kDayMs + 10 * kHourMs + static_cast<TimeMs>(h(i, 8) % (6 * kHourMs));
      break;
    case LeadKind::kTodayDone:
      if (sub < 98) {
        r.status = LeadStatus::kCompleted;
        last = "TRANSFERRED";
      } else {
        r.status = LeadStatus::kMaxAttempts;
        attempts = kMaxAttempts;
      }
      break;
  }
  r.attempts = attempts;
  for (int a = 1; a <= attempts; ++a) {
    // The last outcome is `last` when set (the record's end), a miss otherwise.
    const bool end = a == attempts && !last.empty();
    r.outcomes.push_back(end ? std::string_view(last) : kMisses[h(i, 100 + a) % kMisses.size()]);
  }
  r.last_outcome = r.outcomes.back();
  r.last_call_id = call_id(i, attempts);
  TimeMs last_call = r.created_at + static_cast<TimeMs>(attempts - 1) * 7 * kMinuteMs;
  r.last_call_timestamp = last_call;
  r.updated_at = last_call;
  if (k == LeadKind::kActionable) {
    auto it = std::lower_bound(act_.begin(), act_.end(), static_cast<std::uint32_t>(i));
    r.next_redial_timestamp = now_for_ready(rank_[static_cast<std::size_t>(it - act_.begin())] + 1);
  } else if (k == LeadKind::kRescheduled) {
    r.next_redial_timestamp = *r.scheduled_callback_time;
  } else {
    r.next_redial_timestamp = last_call + 30 * kMinuteMs;
  }
  return r;
}

const std::string& Dataset::month_file() const {
  if (!path_.empty()) return path_;
  std::string dir = data_root() + "/gen-v1-n" + std::to_string(n_);
  std::string path = dir + "/" + kMonthFile;
  if (!fs::exists(path)) {
    fs::create_directories(dir);
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      try {
        write_month_file(*this, path + ".tmp");
        fs::rename(path + ".tmp", path);
        _exit(0);
      } catch (...) {
        _exit(1);
      }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(path)) {
      throw std::runtime_error("generating " + path + " failed");
    }
  }
  path_ = path;
  return path_;
}

std::uint64_t Dataset::file_bytes() const { return fs::file_size(month_file()); }

void append_seed_record(std::string& out, const LeadRecord& r) {
  // The core's writer emits the seed's field order and JSON escaping.
  append_record_json(out, r);
}

void write_month_file(const Dataset& d, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::string buf;
  buf.reserve(1 << 20);
  buf += '{';
  for (std::size_t i = 0; i < d.leads(); ++i) {
    LeadRecord r = d.record(i);
    if (i) buf += ',';
    append_json_string(buf, d.key(i));
    buf += ':';
    append_seed_record(buf, r);
    if (buf.size() > (1 << 20) - 4096) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  buf += '}';
  std::fwrite(buf.data(), 1, buf.size(), f);
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
}

std::string data_root() {
  if (const char* e = std::getenv("REDIAL_BENCH_DATA"); e && *e) return e;
  const char* t = std::getenv("TMPDIR");
  return std::string(t && *t ? t : "/tmp") + "/redial-bench-data";
}

std::string make_scratch_dir(const std::string& tag) {
  std::string base = data_root() + "/work";
  fs::create_directories(base);
  std::string templ = base + "/" + tag + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp " + templ);
  std::lock_guard<std::mutex> lock(scratch_mu);
  scratch_dirs.emplace_back(buf.data());
  return scratch_dirs.back();
}

void remove_scratch_dirs() {
  std::lock_guard<std::mutex> lock(scratch_mu);
  for (const auto& d : scratch_dirs) {
    std::error_code ec;
    fs::remove_all(d, ec);
  }
  scratch_dirs.clear();
}

std::string scratch_copy_of(const Dataset& d, const std::string& tag) {
  std::string dir = make_scratch_dir(tag);
  fs::copy_file(d.month_file(), dir + "/" + kMonthFile);
  return dir;
}

std::uint64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace redial::bench
