#include "core/month_store.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/journal.h"
#include "core/memory_store.h"
#include "core/seed_format.h"

namespace redial {
namespace {

// write_file_atomically for a file built piece by piece: the caller appends to buffer() and calls
// flush_if_full(), so the file goes out in ~1 MB writes and never sits whole in memory (a 1M-lead
// month file is 436 MB). Until commit() the destination is untouched; a writer destroyed before
// commit() (or whose commit() threw) removes its temp file.
class AtomicFileWriter {
 public:
  AtomicFileWriter(FileSystem& fs, const std::string& dir, const std::string& path, bool do_fsync)
      : fs_(fs), dir_(dir), path_(path), tmp_(path + ".tmp"), fsync_(do_fsync) {
    file_ = fs_.open_writable(tmp_, FileSystem::OpenMode::kTruncate);
    buf_.reserve(kChunk + kChunk / 4);
  }
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter() {
    if (!committed_) {
      file_.reset();
      try {
        fs_.remove(tmp_);
      } catch (const StoreError&) {
        // A leftover .tmp is harmless (docs/storage.md); the first error is the one reported.
      }
    }
  }

  std::string& buffer() { return buf_; }
  std::uint64_t bytes_written() const { return written_; }
  void flush_if_full() {
    if (buf_.size() >= kChunk) flush();
  }
  // Writes the rest, fsyncs, renames over the destination and fsyncs the directory.
  void commit() {
    flush();
    if (fsync_) file_->sync();
    file_.reset();
    fs_.rename(tmp_, path_);
    committed_ = true;
    if (fsync_) fs_.sync_path(dir_);
  }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  void flush() {
    file_->append(buf_);
    written_ += buf_.size();
    buf_.clear();
  }

  FileSystem& fs_;
  std::string dir_, path_, tmp_;
  bool fsync_;
  bool committed_ = false;
  std::uint64_t written_ = 0;
  std::unique_ptr<WritableFile> file_;
  std::string buf_;
};

// "redial-queue_2025-12.json" -> 202512; 0 if the name is not a month file.
MonthId month_from_name(const std::string& name) {
  static const std::string prefix = "redial-queue_", suffix = ".json";
  if (name.size() != prefix.size() + 7 + suffix.size()) return 0;
  if (name.compare(0, prefix.size(), prefix) != 0) return 0;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return 0;
  const char* p = name.c_str() + prefix.size();
  for (int i : {0, 1, 2, 3, 5, 6})
    if (p[i] < '0' || p[i] > '9') return 0;
  if (p[4] != '-') return 0;
  int y = std::atoi(std::string(p, 4).c_str()), m = std::atoi(std::string(p + 5, 2).c_str());
  if (m < 1 || m > 12) return 0;
  return y * 100 + m;
}

std::vector<MonthId> list_months(FileSystem& fs, const std::string& dir) {
  std::vector<MonthId> months;
  for (const std::string& name : fs.list_dir(dir))
    if (MonthId m = month_from_name(name)) months.push_back(m);
  std::sort(months.begin(), months.end());
  return months;
}

}  // namespace

MonthStore::MonthStore(MonthStoreOptions options)
    : opt_(std::move(options)),
      log_(opt_.log ? opt_.log : spdlog::default_logger()),
      fs_(opt_.fs ? *opt_.fs : default_file_system()) {
  fs_.create_dirs(opt_.dir);
  lock_ = fs_.lock(opt_.dir + "/.lock");
}

MonthStore::~MonthStore() = default;

std::string MonthStore::month_path(MonthId m) const {
  return opt_.dir + "/redial-queue_" + month_name(m) + ".json";
}

std::string MonthStore::journal_path() const { return opt_.dir + "/redial-queue.journal"; }

void MonthStore::load_month_files(StoreState& base) {
  std::string buf;
  RecordCheckRules rules;
  if (opt_.clock) rules.now_ms = opt_.clock->now_ms();
  rules.is_known = opt_.is_known_outcome;
  for (MonthId m : list_months(fs_, opt_.dir)) {
    known_months_.insert(m);
    std::string path = month_path(m);
    std::size_t size = fs_.read_file(path, buf, simdjson::SIMDJSON_PADDING);
    const std::size_t first = base.records.size();
    parse_month_file(path, buf, size, m, base.records);
    month_bytes_[m] = size;
    MonthFileProblems problems;
    problems.path = path;
    for (std::size_t i = first; i < base.records.size(); ++i)
      check_record_values(base.records[i].key, base.records[i].record, rules, problems);
    if (!problems.any()) continue;
    // Once per file, with counts: the values load as they are and are never rewritten.
    log_->warn(
        "Month file has inconsistent values, loaded as they are {{\"path\":{},\"records\":{},"
        "\"records_with_problems\":{},\"problems\":\"{}\",\"first\":{}}}",
        nlohmann::json(path).dump(), problems.records, problems.bad_records,
        describe_problem_counts(problems), nlohmann::json(problems.first).dump());
    report_.month_problems.push_back(std::move(problems));
  }
}

void MonthStore::warn_set_aside(const SetAside& s) {
  log_->warn(
      "Journal bytes set aside {{\"path\":{},\"journal\":{},\"offset\":{},\"bytes\":{},"
      "\"entries\":{},\"why\":\"{}\"}}",
      nlohmann::json(s.path).dump(), nlohmann::json(journal_path()).dump(), s.offset, s.bytes,
      s.entries, s.why);
  report_.set_aside.push_back(s);
}

// Everything is read; only now touch the disk. Damaged lines (recover only) go to their side file
// and the journal is rewritten without them; a torn tail is kept aside, then cut off, so new
// entries follow the last good one. Side files are written before the journal changes.
void MonthStore::set_journal_parts_aside(const std::string& buf, std::size_t jsize,
                                         const JournalContents& journal) {
  const std::string jpath = journal_path();
  if (!journal.damaged.empty()) {
    std::string damaged, kept;
    std::uint64_t at = 0;
    for (const DamagedLine& d : journal.damaged) {
      kept.append(buf, at, d.offset - at);
      damaged.append(buf, d.offset, d.bytes);
      at = d.offset + d.bytes;
    }
    kept.append(buf, at, journal.valid_bytes - at);
    SetAside s{jpath + ".damaged-" + std::to_string(journal.damaged.front().offset),
               journal.damaged.front().offset, damaged.size(), journal.damaged.size(),
               "damaged lines"};
    write_file_atomically(fs_, opt_.dir, s.path, damaged, opt_.fsync);
    if (journal.torn) {  // the tail first, so no byte is ever only in memory
      SetAside t{jpath + ".torn-" + std::to_string(journal.valid_bytes), journal.valid_bytes,
                 jsize - journal.valid_bytes, 1, "torn tail"};
      write_file_atomically(fs_, opt_.dir, t.path, buf.substr(t.offset, t.bytes), opt_.fsync);
      warn_set_aside(t);
    }
    write_file_atomically(fs_, opt_.dir, jpath, kept, opt_.fsync);
    warn_set_aside(s);
    journal_bytes_ = kept.size();
    return;
  }
  journal_bytes_ = jsize;
  if (!journal.torn) return;
  SetAside t{jpath + ".torn-" + std::to_string(journal.valid_bytes), journal.valid_bytes,
             jsize - journal.valid_bytes, 1, "torn tail"};
  write_file_atomically(fs_, opt_.dir, t.path, buf.substr(t.offset, t.bytes), opt_.fsync);
  fs_.truncate(jpath, journal.valid_bytes);
  if (opt_.fsync) fs_.sync_path(jpath);
  warn_set_aside(t);
  journal_bytes_ = journal.valid_bytes;
}

StoreState MonthStore::load() {
  StoreState base;
  load_month_files(base);
  StateBuilder builder(std::move(base));

  std::string jpath = journal_path();
  bool journal_exists = fs_.exists(jpath);
  JournalContents journal;
  std::string buf;
  std::size_t jsize = 0;
  if (journal_exists) {
    jsize = fs_.read_file(jpath, buf, simdjson::SIMDJSON_PADDING);
    journal = parse_journal(jpath, buf, jsize, opt_.recover_journal);
    for (const auto& m : journal.entries) {
      if (auto* put = std::get_if<RecordPut>(&m)) dirty_months_.insert(put->month);
      if (auto* del = std::get_if<RecordDeleted>(&m)) dirty_months_.insert(del->month);
      builder.apply(m);
    }
  }
  set_journal_parts_aside(buf, jsize, journal);
  journal_ = fs_.open_writable(jpath, FileSystem::OpenMode::kAppend);
  if (!journal_exists && opt_.fsync) fs_.sync_path(opt_.dir);
  return builder.take();
}

void MonthStore::append(const Mutation& m) {
  if (auto* put = std::get_if<RecordPut>(&m)) dirty_months_.insert(put->month);
  if (auto* del = std::get_if<RecordDeleted>(&m)) dirty_months_.insert(del->month);
  append_journal_line(pending_, m);
}

void MonthStore::sync() {
  if (pending_.empty()) return;
  if (!journal_)
    throw StoreError(journal_path() +
                     ": not open (load() not called, or a failed checkpoint could not reopen it)");
  try {
    journal_->append(pending_);
    if (opt_.fsync) journal_->sync();
  } catch (const StoreError& e) {
    // The changes are lost (the caller acknowledges none of them and reloads). Cut the journal
    // back to the last synced line, so that no partial or unsynced entry stays readable: after
    // a failed fsync the kernel may drop those pages, and a later read must not find them.
    pending_.clear();
    try {
      journal_->truncate(journal_bytes_);
    } catch (const StoreError& t) {
      journal_.reset();  // no more appends after bytes we could not remove
      throw StoreError(std::string(e.what()) + "; then " + t.what());
    }
    throw;
  }
  journal_bytes_ += pending_.size();
  pending_.clear();
}

std::uint64_t MonthStore::checkpoint_threshold_bytes() const {
  std::uint64_t rewrite = 0;
  for (MonthId m : dirty_months_) {
    auto it = month_bytes_.find(m);
    if (it != month_bytes_.end()) rewrite += it->second;
  }
  const auto proportional =
      static_cast<std::uint64_t>(opt_.checkpoint_journal_ratio * static_cast<double>(rewrite));
  return std::max(opt_.checkpoint_journal_bytes, proportional);
}

bool MonthStore::wants_checkpoint() const {
  return journal_bytes_ - journal_bytes_after_checkpoint_ >= checkpoint_threshold_bytes();
}

void MonthStore::checkpoint(const RecordSource& source) {
  sync();
  // Each month file is replaced atomically; a failure leaves it (and the journal, which still
  // holds every change) as it was.
  for (MonthId m : dirty_months_) {
    AtomicFileWriter file(fs_, opt_.dir, month_path(m), opt_.fsync);
    std::string& out = file.buffer();
    out.push_back('{');
    bool first = true;
    source.for_each_in_month(m, [&](const std::string& key, const LeadRecord& r) {
      append_month_file_entry(out, first, key, r);
      first = false;
      file.flush_if_full();
    });
    out.push_back('}');
    file.commit();
    known_months_.insert(m);
    month_bytes_[m] = file.bytes_written();
  }
  // A new journal holding only the calls in flight and the recent call ids, so they survive
  // the fold. Until its rename the old journal stays open and in use.
  std::string out;
  for (const auto& call : source.in_flight_calls()) append_journal_line(out, CallStarted{call});
  for (const auto& seen : source.recent_call_ids()) append_journal_line(out, seen);
  try {
    write_file_atomically(fs_, opt_.dir, journal_path(), out, opt_.fsync);
  } catch (const StoreError&) {
    // The rename may have happened (a failed directory fsync comes after it): the open file may
    // no longer be the journal, so take no more appends until a new store is loaded.
    journal_.reset();
    throw;
  }
  journal_.reset();
  journal_ = fs_.open_writable(journal_path(), FileSystem::OpenMode::kAppend);
  journal_bytes_ = out.size();
  journal_bytes_after_checkpoint_ = journal_bytes_;
  dirty_months_.clear();
}

std::vector<MonthId> MonthStore::drop_months(const std::vector<MonthId>& months, TimeMs now_ms) {
  std::vector<MonthId> dropped;
  const std::string expired = expired_dir();
  bool moved = false;
  for (MonthId m : months) {
    if (fs_.exists(month_path(m))) {
      if (!moved) fs_.create_dirs(expired);
      fs_.rename(month_path(m), expired + "/redial-queue_" + month_name(m) + ".expired-" +
                                    std::to_string(now_ms) + ".json");
      moved = true;
    }
    dropped.push_back(m);
    known_months_.erase(m);
    month_bytes_.erase(m);
    dirty_months_.erase(m);
  }
  if (moved && opt_.fsync) {
    fs_.sync_path(expired);
    fs_.sync_path(opt_.dir);
  }
  return dropped;
}

namespace {
// "redial-queue_2025-10.expired-1767225600000.json" -> its stamp; -1 for any other name.
TimeMs expired_stamp(const std::string& name) {
  static const std::string mark = ".expired-", suffix = ".json";
  auto at = name.find(mark);
  if (name.rfind("redial-queue_", 0) != 0 || at == std::string::npos ||
      name.size() < suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  std::string digits =
      name.substr(at + mark.size(), name.size() - suffix.size() - at - mark.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}
}  // namespace

std::vector<std::string> MonthStore::purge_retired(TimeMs before_ms) {
  std::vector<std::string> purged;
  const std::string expired = expired_dir();
  if (!fs_.exists(expired)) return purged;
  for (const std::string& name : fs_.list_dir(expired)) {
    TimeMs stamp = expired_stamp(name);
    if (stamp < 0 || stamp >= before_ms) continue;
    fs_.remove(expired + "/" + name);
    purged.push_back(name);
  }
  if (!purged.empty() && opt_.fsync) fs_.sync_path(expired);
  std::sort(purged.begin(), purged.end());
  return purged;
}

DirectoryCheck check_directory(FileSystem& fs, const std::string& dir,
                               const RecordCheckRules& rules) {
  DirectoryCheck out;
  std::string buf;
  for (MonthId m : list_months(fs, dir)) {
    const std::string path = dir + "/redial-queue_" + month_name(m) + ".json";
    ++out.month_files;
    std::vector<StoredRecord> records;
    try {
      std::size_t size = fs.read_file(path, buf, simdjson::SIMDJSON_PADDING);
      parse_month_file(path, buf, size, m, records);
    } catch (const StoreError& e) {
      out.errors.push_back(e.what());
      continue;
    }
    out.records += records.size();
    MonthFileProblems problems;
    problems.path = path;
    for (const StoredRecord& r : records) check_record_values(r.key, r.record, rules, problems);
    if (problems.any()) out.month_problems.push_back(std::move(problems));
  }
  const std::string jpath = dir + "/redial-queue.journal";
  if (fs.exists(jpath)) {
    try {
      std::size_t size = fs.read_file(jpath, buf, simdjson::SIMDJSON_PADDING);
      JournalContents j = parse_journal(jpath, buf, size, /*set_aside_damaged=*/true);
      out.journal_lines = j.lines;
      out.damaged = std::move(j.damaged);
      if (j.torn) out.torn_bytes = size - j.valid_bytes;
    } catch (const StoreError& e) {
      out.errors.push_back(e.what());
    }
  }
  if (fs.exists(dir + "/expired")) out.expired_files = fs.list_dir(dir + "/expired").size();
  return out;
}

StoreState read_directory(FileSystem& fs, const std::string& dir, std::uint64_t* torn_bytes) {
  assert(torn_bytes != nullptr);
  if (!fs.exists(dir)) throw StoreError(dir + ": no such data directory");
  StoreState base;
  std::string buf;
  for (MonthId m : list_months(fs, dir)) {
    const std::string path = dir + "/redial-queue_" + month_name(m) + ".json";
    std::size_t size = fs.read_file(path, buf, simdjson::SIMDJSON_PADDING);
    parse_month_file(path, buf, size, m, base.records);
  }
  StateBuilder builder(std::move(base));
  *torn_bytes = 0;
  const std::string jpath = dir + "/redial-queue.journal";
  if (fs.exists(jpath)) {
    std::size_t size = fs.read_file(jpath, buf, simdjson::SIMDJSON_PADDING);
    JournalContents j = parse_journal(jpath, buf, size);
    for (const Mutation& m : j.entries) builder.apply(m);
    if (j.torn) *torn_bytes = size - j.valid_bytes;
  }
  return builder.take();
}

}  // namespace redial
