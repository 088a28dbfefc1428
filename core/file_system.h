#pragma once
// Every file effect of the MonthStore goes through FileSystem (LevelDB's Env, reduced to what the
// store needs), so tests can fail the disk on command: PosixFileSystem is the real one,
// FaultyFileSystem wraps another and injects failed syncs, ENOSPC, short writes and failed
// renames. Every operation throws StoreError naming the path and the reason; none returns a code.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace redial {

// A file opened for writing. Not thread-safe (one owner, like the store).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data` at the end. On a throw, an unknown prefix of `data` may be in the file.
  virtual void append(std::string_view data) = 0;
  // Makes the written data durable (fdatasync). On a throw nothing written since the last good
  // sync may be relied upon.
  virtual void sync() = 0;
  // Cuts the file to `size` bytes. REQUIRES: size <= the file's size.
  virtual void truncate(std::uint64_t size) = 0;
  virtual const std::string& path() const = 0;
};

// Held while a process owns a directory; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  enum class OpenMode { kTruncate, kAppend };  // both create the file if missing

  virtual ~FileSystem() = default;
  // Reads the whole file into `out`, followed by `padding` zero bytes; returns the file's size.
  // REQUIRES: nothing else writes the file meanwhile.
  virtual std::size_t read_file(const std::string& path, std::string& out, std::size_t padding) = 0;
  virtual bool exists(const std::string& path) = 0;
  // REQUIRES: the parent directory exists.
  virtual std::unique_ptr<WritableFile> open_writable(const std::string& path, OpenMode mode) = 0;
  // REQUIRES: same file system. Atomic: `to` is the old file or the new one, never a mix.
  virtual void rename(const std::string& from, const std::string& to) = 0;
  // Deletes the file; a missing file is not an error.
  virtual void remove(const std::string& path) = 0;
  virtual void truncate(const std::string& path, std::uint64_t size) = 0;
  // fsync of a file or directory by path (a directory: makes creations and renames in it durable).
  virtual void sync_path(const std::string& path) = 0;
  // The names (not paths) of the entries of `dir`, without "." and "..".
  virtual std::vector<std::string> list_dir(const std::string& dir) = 0;
  // mkdir -p.
  virtual void create_dirs(const std::string& dir) = 0;
  // flock()s `path` (created if missing) and writes this process's pid in it; throws StoreError
  // naming the holder's pid when another process holds it.
  virtual std::unique_ptr<FileLock> lock(const std::string& path) = 0;
};

// The real one: POSIX calls, retried on EINTR.
class PosixFileSystem final : public FileSystem {
 public:
  std::size_t read_file(const std::string& path, std::string& out, std::size_t padding) override;
  bool exists(const std::string& path) override;
  std::unique_ptr<WritableFile> open_writable(const std::string& path, OpenMode mode) override;
  void rename(const std::string& from, const std::string& to) override;
  void remove(const std::string& path) override;
  void truncate(const std::string& path, std::uint64_t size) override;
  void sync_path(const std::string& path) override;
  std::vector<std::string> list_dir(const std::string& dir) override;
  void create_dirs(const std::string& dir) override;
  std::unique_ptr<FileLock> lock(const std::string& path) override;
};

// The process's PosixFileSystem (stateless; lives for the whole program).
FileSystem& default_file_system();

enum class Fault {
  kSync,        // fsync/fdatasync fails with EIO (WritableFile::sync and sync_path)
  kNoSpace,     // a write fails with ENOSPC, nothing written
  kShortWrite,  // a write puts half its bytes in the file, then fails with ENOSPC
  kRename,      // rename fails with EIO
};

// Wraps a FileSystem and fails operations on command, for tests. Faults are armed with a count
// (the next N matching operations fail) or held (every one fails until cleared). Reads, listing,
// locking and removal are never failed. arm(), clear() and injected() may be called from another
// thread; REQUIRES: the file operations come from one thread (the store's owner).
class FaultyFileSystem final : public FileSystem {
 public:
  static constexpr int kUntilCleared = -1;

  // REQUIRES: `base` outlives this.
  explicit FaultyFileSystem(FileSystem& base) : base_(base) {}

  // The next `count` operations of that kind fail (kUntilCleared: all of them until clear()).
  void arm(Fault fault, int count = 1);
  void clear();
  // Faults injected so far, of every kind.
  std::uint64_t injected() const;
  // Reads a fault spec ("fsync", "enospc", "short-write", "rename", optionally ":N"; empty or
  // "none" clears) and arms it; throws std::invalid_argument naming the spec if unknown.
  void arm_from_spec(std::string_view spec);
  // When set, arm_from_spec(contents of this file) is run before every operation that can fail,
  // so another process (an end-to-end test) can switch faults on and off by writing the file.
  // A missing file means no fault.
  void set_control_file(std::string path) { control_file_ = std::move(path); }

  std::size_t read_file(const std::string& path, std::string& out, std::size_t padding) override {
    return base_.read_file(path, out, padding);
  }
  bool exists(const std::string& path) override { return base_.exists(path); }
  std::unique_ptr<WritableFile> open_writable(const std::string& path, OpenMode mode) override;
  void rename(const std::string& from, const std::string& to) override;
  void remove(const std::string& path) override { base_.remove(path); }
  void truncate(const std::string& path, std::uint64_t size) override {
    base_.truncate(path, size);
  }
  void sync_path(const std::string& path) override;
  std::vector<std::string> list_dir(const std::string& dir) override { return base_.list_dir(dir); }
  void create_dirs(const std::string& dir) override { base_.create_dirs(dir); }
  std::unique_ptr<FileLock> lock(const std::string& path) override { return base_.lock(path); }

  // Used by the wrapped files: true if an operation of this kind must fail now (and counts it).
  bool take(Fault fault);

 private:
  void poll_control_file();

  FileSystem& base_;
  mutable std::mutex mu_;
  int remaining_[4] = {0, 0, 0, 0};
  std::uint64_t injected_ = 0;
  std::string control_file_;
  std::string control_seen_;  // the control file's last contents, applied once per change
};

}  // namespace redial
