#include "core/month_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "core/errors.h"
#include "core/journal.h"
#include "core/memory_store.h"
#include "core/seed_format.h"

namespace redial {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Reads a whole file into a string padded for simdjson. Returns the unpadded size.
std::size_t read_padded(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(path + ": cannot open: " + errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw StoreError(path + ": cannot stat: " + errno_text());
  }
  std::size_t size = static_cast<std::size_t>(st.st_size);
  out.assign(size + simdjson::SIMDJSON_PADDING, '\0');
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw StoreError(path + ": cannot read: " + errno_text());
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return size;
}

void write_all(int fd, const std::string& path, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw StoreError(path + ": cannot write: " + errno_text());
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void fsync_path(const std::string& path, bool enabled) {
  if (!enabled) return;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(path + ": cannot open to fsync: " + errno_text());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw StoreError(path + ": fsync failed: " + errno_text());
}

// Writes `data` to `path` atomically and durably: temp file, fsync, rename, fsync directory.
void write_file_atomically(const std::string& dir, const std::string& path, const std::string& data,
                           bool do_fsync) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError(tmp + ": cannot create: " + errno_text());
  try {
    write_all(fd, tmp, data.data(), data.size());
    if (do_fsync && ::fsync(fd) != 0) throw StoreError(tmp + ": fsync failed: " + errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw StoreError(path + ": cannot rename from " + tmp + ": " + errno_text());
  fsync_path(dir, do_fsync);
}

// write_file_atomically for a file built piece by piece: the caller appends to buffer() and calls
// flush_if_full(), so the file goes out in ~1 MB writes and never sits whole in memory (a 1M-lead
// month file is 436 MB). Until commit() the destination is untouched; a writer destroyed before
// commit() removes its temp file.
class AtomicFileWriter {
 public:
  AtomicFileWriter(const std::string& dir, const std::string& path, bool do_fsync)
      : dir_(dir), path_(path), tmp_(path + ".tmp"), fsync_(do_fsync) {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw StoreError(tmp_ + ": cannot create: " + errno_text());
    buf_.reserve(kChunk + kChunk / 4);
  }
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(tmp_.c_str());
    }
  }

  std::string& buffer() { return buf_; }
  void flush_if_full() {
    if (buf_.size() >= kChunk) flush();
  }
  // Writes the rest, fsyncs, renames over the destination and fsyncs the directory.
  void commit() {
    flush();
    if (fsync_ && ::fsync(fd_) != 0) throw StoreError(tmp_ + ": fsync failed: " + errno_text());
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0)
      throw StoreError(path_ + ": cannot rename from " + tmp_ + ": " + errno_text());
    fsync_path(dir_, fsync_);
  }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  void flush() {
    write_all(fd_, tmp_, buf_.data(), buf_.size());
    buf_.clear();
  }

  std::string dir_, path_, tmp_;
  bool fsync_;
  int fd_ = -1;
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

std::vector<MonthId> list_months(const std::string& dir) {
  std::vector<MonthId> months;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw StoreError(dir + ": cannot list: " + errno_text());
  while (dirent* e = ::readdir(d)) {
    MonthId m = month_from_name(e->d_name);
    if (m) months.push_back(m);
  }
  ::closedir(d);
  std::sort(months.begin(), months.end());
  return months;
}

void make_dirs(const std::string& dir) {
  std::string partial;
  for (std::size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!partial.empty() && ::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
        throw StoreError(partial + ": cannot create directory: " + errno_text());
    }
    if (i < dir.size()) partial.push_back(dir[i]);
  }
}

}  // namespace

MonthStore::MonthStore(MonthStoreOptions options) : opt_(std::move(options)) {
  make_dirs(opt_.dir);
  std::string lock_path = opt_.dir + "/.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw StoreError(lock_path + ": cannot open: " + errno_text());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    ssize_t n = ::pread(lock_fd_, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw StoreError(opt_.dir + " is locked by another redial process (pid " + holder +
                     "); only one process may own a data directory");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) == 0) {
    ssize_t ignored = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
    (void)ignored;
  }
}

MonthStore::~MonthStore() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string MonthStore::month_path(MonthId m) const {
  return opt_.dir + "/redial-queue_" + month_name(m) + ".json";
}

std::string MonthStore::journal_path() const { return opt_.dir + "/redial-queue.journal"; }

StoreState MonthStore::load() {
  StoreState base;
  std::string buf;
  for (MonthId m : list_months(opt_.dir)) {
    known_months_.insert(m);
    std::string path = month_path(m);
    std::size_t size = read_padded(path, buf);
    parse_month_file(path, buf, size, m, base.records);
  }
  StateBuilder builder(std::move(base));

  std::string jpath = journal_path();
  bool journal_exists = ::access(jpath.c_str(), F_OK) == 0;
  JournalContents journal;
  std::size_t jsize = 0;
  if (journal_exists) {
    jsize = read_padded(jpath, buf);
    journal = parse_journal(jpath, buf, jsize);
    for (const auto& m : journal.entries) {
      if (auto* put = std::get_if<RecordPut>(&m)) dirty_months_.insert(put->month);
      builder.apply(m);
    }
  }
  // Everything is read; only now touch the disk. A torn tail is kept aside, then cut off so
  // new entries follow the last good one.
  if (journal.torn) {
    std::string torn_path = jpath + ".torn-" + std::to_string(journal.valid_bytes);
    write_file_atomically(opt_.dir, torn_path,
                          buf.substr(journal.valid_bytes, jsize - journal.valid_bytes), opt_.fsync);
    if (::truncate(jpath.c_str(), static_cast<off_t>(journal.valid_bytes)) != 0)
      throw StoreError(jpath + ": cannot cut the torn tail: " + errno_text());
    fsync_path(jpath, opt_.fsync);
  }
  journal_fd_ = ::open(jpath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd_ < 0) throw StoreError(jpath + ": cannot open for append: " + errno_text());
  if (!journal_exists) fsync_path(opt_.dir, opt_.fsync);
  journal_bytes_ = journal.torn ? journal.valid_bytes : jsize;
  return builder.take();
}

void MonthStore::append(const Mutation& m) {
  if (auto* put = std::get_if<RecordPut>(&m)) dirty_months_.insert(put->month);
  append_journal_line(pending_, m);
}

void MonthStore::sync() {
  if (pending_.empty()) return;
  if (journal_fd_ < 0) throw StoreError(journal_path() + ": not open (load() first)");
  write_all(journal_fd_, journal_path(), pending_.data(), pending_.size());
  if (opt_.fsync && ::fdatasync(journal_fd_) != 0)
    throw StoreError(journal_path() + ": fdatasync failed: " + errno_text());
  journal_bytes_ += pending_.size();
  pending_.clear();
}

bool MonthStore::wants_checkpoint() const {
  return journal_bytes_ >= opt_.checkpoint_journal_bytes;
}

void MonthStore::checkpoint(const RecordSource& source) {
  sync();
  for (MonthId m : dirty_months_) {
    AtomicFileWriter file(opt_.dir, month_path(m), opt_.fsync);
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
  }
  // A new journal holding only the calls in flight and the recent call ids, so they survive
  // the fold.
  std::string out;
  for (const auto& call : source.in_flight_calls()) append_journal_line(out, CallStarted{call});
  for (const auto& seen : source.recent_call_ids()) append_journal_line(out, seen);
  ::close(journal_fd_);
  journal_fd_ = -1;
  write_file_atomically(opt_.dir, journal_path(), out, opt_.fsync);
  journal_fd_ = ::open(journal_path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (journal_fd_ < 0) throw StoreError(journal_path() + ": cannot reopen: " + errno_text());
  journal_bytes_ = out.size();
  dirty_months_.clear();
}

std::vector<MonthId> MonthStore::drop_months_before(MonthId first_kept) {
  std::vector<MonthId> dropped;
  for (MonthId m : list_months(opt_.dir)) {
    if (m >= first_kept) continue;
    if (::unlink(month_path(m).c_str()) != 0 && errno != ENOENT)
      throw StoreError(month_path(m) + ": cannot delete: " + errno_text());
    dropped.push_back(m);
    known_months_.erase(m);
  }
  for (auto it = dirty_months_.begin(); it != dirty_months_.end();)
    it = *it < first_kept ? dirty_months_.erase(it) : std::next(it);
  if (!dropped.empty()) fsync_path(opt_.dir, opt_.fsync);
  return dropped;
}

}  // namespace redial
