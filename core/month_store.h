#pragma once
// The seed's month files plus a checksummed journal, in one data directory:
//   redial-queue_YYYY-MM.json   the seed's format, exactly (a snapshot of that month's records)
//   redial-queue.journal        changes since the snapshots, one checksummed line each
//   .lock                       flock()ed while a process owns the directory
//   expired/                    months retention retired, kept for a grace period
// A change costs one journal append; checkpoint() rewrites only the months that changed.
#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/file_system.h"
#include "core/journal.h"
#include "core/record_check.h"
#include "core/store.h"

namespace redial {

struct MonthStoreOptions {
  std::string dir = "data/redial-queue";
  // checkpoint() is wanted once the journal has grown this much since the last checkpoint (what
  // a checkpoint leaves in it, the calls in flight and recent call ids, does not count), and by
  // at least checkpoint_journal_ratio
  // times the month files it would rewrite: a checkpoint costs the size of those files, so a
  // big queue is folded less often (at 1M leads a month file is ~440 MB and its rewrite holds
  // the loop ~2 s), and each journaled byte costs at most 1/ratio bytes of rewriting. The price
  // is a longer journal to replay after a crash (at most ratio times the month files). 0: the
  // byte threshold alone.
  std::uint64_t checkpoint_journal_bytes = 64ull << 20;
  bool fsync = true;  // false only for benchmarks that measure the work without the disk
  // Every file effect goes through this (tests inject disk faults); null: the real one.
  // REQUIRES: outlives the store.
  FileSystem* fs = nullptr;
  double checkpoint_journal_ratio = 1.0;  // see checkpoint_journal_bytes
  // load() sets complete journal lines that fail their checksum aside (into
  // redial-queue.journal.damaged-<offset>) instead of refusing: `redial-runner recover` only.
  bool recover_journal = false;
  // Load-time checks of month-file values, warned about once per file (never rewritten): the
  // clock for "in the future" (null: not checked) and the outcome names known (null: not checked).
  const Clock* clock = nullptr;
  std::function<bool(std::string_view)> is_known_outcome = nullptr;
  std::shared_ptr<spdlog::logger> log = nullptr;  // null: spdlog's default logger
};

// Bytes load() moved out of the journal into a side file (never deleted).
struct SetAside {
  std::string path;  // the side file
  std::uint64_t offset = 0, bytes = 0;
  std::size_t entries = 0;  // lines set aside (an incomplete last line counts as one)
  std::string why;          // "torn tail" or "damaged lines"
};
struct StoreLoadReport {
  std::vector<SetAside> set_aside;
  std::vector<MonthFileProblems> month_problems;  // only files with problems
};

// What `redial-runner check DATA_DIR` finds, read without the lock and without changing anything.
struct DirectoryCheck {
  std::vector<std::string> errors;  // what would refuse start-up, file and position
  std::vector<MonthFileProblems> month_problems;
  std::vector<DamagedLine> damaged;  // journal lines that fail their checksum
  std::uint64_t torn_bytes = 0;      // an incomplete last journal line
  std::size_t month_files = 0, records = 0, journal_lines = 0, expired_files = 0;
  bool clean() const {
    return errors.empty() && month_problems.empty() && damaged.empty() && torn_bytes == 0;
  }
};
DirectoryCheck check_directory(FileSystem& fs, const std::string& dir,
                               const RecordCheckRules& rules);

// The state load() would give (month files, then the journal's changes), read without the lock
// and without changing anything, so a directory a runner is using can be read (redial-sim
// --from-data). An incomplete last journal line is left out (*torn_bytes says how much); a
// month file or complete journal line that cannot be read throws StoreError naming it.
StoreState read_directory(FileSystem& fs, const std::string& dir, std::uint64_t* torn_bytes);

class MonthStore final : public Store {
 public:
  // Creates the directory if needed and takes its lock; throws StoreError if another process
  // holds it ("... is locked by another redial process").
  // A sync() that throws has cut the journal back to its last synced line and dropped the
  // pending changes: the files hold exactly what was last synced, and the store can go on (the
  // caller must reload its memory, which is ahead). A checkpoint that throws leaves every month
  // file and the journal either old or new, never partial; if it failed while replacing the
  // journal, sync() refuses from then on (load a new store).
  explicit MonthStore(MonthStoreOptions options);
  ~MonthStore() override;

  StoreState load() override;
  void append(const Mutation& m) override;
  void sync() override;
  bool wants_checkpoint() const override;
  void checkpoint(const RecordSource& source) override;
  // Moves each month's file to expired/redial-queue_YYYY-MM.expired-<now_ms>.json (rename,
  // fsync both directories); purge_retired deletes those stamped before `before_ms`.
  std::vector<MonthId> drop_months(const std::vector<MonthId>& months, TimeMs now_ms) override;
  std::vector<std::string> purge_retired(TimeMs before_ms) override;
  const StoreLoadReport& load_report() const { return report_; }

  std::string month_path(MonthId m) const;
  std::string journal_path() const;
  std::string expired_dir() const { return opt_.dir + "/expired"; }
  std::uint64_t journal_bytes() const { return journal_bytes_; }
  // How much the journal may grow before wants_checkpoint() turns true (see MonthStoreOptions).
  std::uint64_t checkpoint_threshold_bytes() const;

 private:
  void load_month_files(StoreState& base);
  void set_journal_parts_aside(const std::string& buf, std::size_t jsize,
                               const JournalContents& journal);
  void warn_set_aside(const SetAside& s);

  MonthStoreOptions opt_;
  std::shared_ptr<spdlog::logger> log_;
  StoreLoadReport report_;
  FileSystem& fs_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<WritableFile> journal_;
  std::uint64_t journal_bytes_ = 0;
  std::uint64_t journal_bytes_after_checkpoint_ = 0;  // 0 until this process checkpoints
  std::string pending_;                               // appended, not yet written
  std::set<MonthId> dirty_months_;  // months with changes not yet in their snapshot
  std::set<MonthId> known_months_;
  std::map<MonthId, std::uint64_t> month_bytes_;  // each month file's size, as read or written
};

}  // namespace redial
