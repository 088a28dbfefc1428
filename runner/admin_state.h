#pragma once
// What operators change at run time through the admin API and must survive a restart: the
// queue's on/off switch and the numbers put on the do-not-call list by hand. Each is one small
// JSON file in the data directory, replaced atomically and durably (temp, fsync, rename, fsync
// directory) before the change is answered:
//   DATA_DIR/queue-switch.json  {"enabled": false, "reason": "...", "changed_at": ms}
//   DATA_DIR/dnc-admin.json     {"numbers": [{"phone": "5550100001", "reason": "...",
//                                             "added_at": ms}, ...]}
// They sit beside the store (month files or not): a PostgreSQL store's runners each keep their
// own (docs/runner.md).
#include <map>
#include <optional>
#include <string>

#include "core/file_system.h"
#include "core/redial_queue.h"

namespace redial::runner {

struct AdminDncEntry {
  std::string reason;
  TimeMs added_at = 0;
};

class AdminState {
 public:
  AdminState(std::string data_dir, bool fsync, FileSystem& fs = default_file_system())
      : dir_(std::move(data_dir)), fsync_(fsync), fs_(fs) {}

  // Reads both files (missing: defaults). Throws ConfigError naming the file and what is wrong.
  void load();
  const QueueSwitch& queue_switch() const { return switch_; }
  // By normalized phone.
  const std::map<std::string, AdminDncEntry>& dnc() const { return dnc_; }

  // Each writes its file durably, then changes memory. Throws StoreError (nothing changed).
  void save_switch(const QueueSwitch& s);
  void add_dnc(const std::string& phone, AdminDncEntry entry);
  // False when the number was not on the list.
  bool remove_dnc(const std::string& phone);

  std::string switch_path() const { return dir_ + "/queue-switch.json"; }
  std::string dnc_path() const { return dir_ + "/dnc-admin.json"; }

 private:
  void write_dnc(const std::map<std::string, AdminDncEntry>& numbers);

  std::string dir_;
  bool fsync_;
  FileSystem& fs_;
  QueueSwitch switch_;
  std::map<std::string, AdminDncEntry> dnc_;
};

}  // namespace redial::runner
