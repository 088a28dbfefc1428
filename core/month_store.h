#pragma once
// The seed's month files plus a checksummed journal, in one data directory:
//   redial-queue_YYYY-MM.json   the seed's format, exactly (a snapshot of that month's records)
//   redial-queue.journal        changes since the snapshots, one checksummed line each
//   .lock                       flock()ed while a process owns the directory
// A change costs one journal append; checkpoint() rewrites only the months that changed.
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/file_system.h"
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
};

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
  std::vector<MonthId> drop_months_before(MonthId first_kept) override;

  std::string month_path(MonthId m) const;
  std::string journal_path() const;
  std::uint64_t journal_bytes() const { return journal_bytes_; }
  // How much the journal may grow before wants_checkpoint() turns true (see MonthStoreOptions).
  std::uint64_t checkpoint_threshold_bytes() const;

 private:
  MonthStoreOptions opt_;
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
