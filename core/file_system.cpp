#include "core/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "core/errors.h"

namespace redial {
namespace {

std::string errno_text(int err = errno) { return std::strerror(err); }

void write_all(int fd, const std::string& path, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw StoreError(path + ": cannot write: " + errno_text());
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override { ::close(fd_); }
  void append(std::string_view data) override { write_all(fd_, path_, data.data(), data.size()); }
  void sync() override {
    if (::fdatasync(fd_) != 0) throw StoreError(path_ + ": fdatasync failed: " + errno_text());
  }
  void truncate(std::uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      throw StoreError(path_ + ": cannot truncate to " + std::to_string(size) +
                       " bytes: " + errno_text());
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // releases the flock

 private:
  int fd_;
};

}  // namespace

std::size_t PosixFileSystem::read_file(const std::string& path, std::string& out,
                                       std::size_t padding) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(path + ": cannot open: " + errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw StoreError(path + ": cannot stat: " + errno_text(err));
  }
  std::size_t size = static_cast<std::size_t>(st.st_size);
  out.assign(size + padding, '\0');
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n == 0 ? EIO : errno;
      ::close(fd);
      throw StoreError(path + ": cannot read: " +
                       (n == 0 ? std::string("file shrank while read") : errno_text(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return size;
}

bool PosixFileSystem::exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::unique_ptr<WritableFile> PosixFileSystem::open_writable(const std::string& path,
                                                             OpenMode mode) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (mode == OpenMode::kAppend ? O_APPEND : O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) throw StoreError(path + ": cannot open for writing: " + errno_text());
  return std::make_unique<PosixWritableFile>(path, fd);
}

void PosixFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    throw StoreError(to + ": cannot rename from " + from + ": " + errno_text());
}

void PosixFileSystem::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw StoreError(path + ": cannot delete: " + errno_text());
}

void PosixFileSystem::truncate(const std::string& path, std::uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0)
    throw StoreError(path + ": cannot truncate to " + std::to_string(size) +
                     " bytes: " + errno_text());
}

void PosixFileSystem::sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(path + ": cannot open to fsync: " + errno_text());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw StoreError(path + ": fsync failed: " + errno_text(err));
}

std::vector<std::string> PosixFileSystem::list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw StoreError(dir + ": cannot list: " + errno_text());
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  return names;
}

void PosixFileSystem::create_dirs(const std::string& dir) {
  std::string partial;
  for (std::size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!partial.empty() && ::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
        throw StoreError(partial + ": cannot create directory: " + errno_text());
    }
    if (i < dir.size()) partial.push_back(dir[i]);
  }
}

std::unique_ptr<FileLock> PosixFileSystem::lock(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError(path + ": cannot open: " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(fd);
    std::string dir = path.substr(0, path.rfind('/'));
    throw StoreError(dir + " is locked by another redial process (pid " + holder +
                     "); only one process may own a data directory");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, pid.data(), pid.size(), 0);
    (void)ignored;
  }
  return std::make_unique<PosixFileLock>(fd);
}

FileSystem& default_file_system() {
  static PosixFileSystem fs;
  return fs;
}

// ---- FaultyFileSystem ----

namespace {

class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(FaultyFileSystem& fs, std::unique_ptr<WritableFile> base)
      : fs_(fs), base_(std::move(base)) {}
  void append(std::string_view data) override {
    if (fs_.take(Fault::kNoSpace))
      throw StoreError(path() + ": cannot write: " + errno_text(ENOSPC) + " (injected fault)");
    if (fs_.take(Fault::kShortWrite)) {
      base_->append(data.substr(0, data.size() / 2));
      throw StoreError(path() + ": cannot write: short write of " +
                       std::to_string(data.size() / 2) + " of " + std::to_string(data.size()) +
                       " bytes, " + errno_text(ENOSPC) + " (injected fault)");
    }
    base_->append(data);
  }
  void sync() override {
    if (fs_.take(Fault::kSync))
      throw StoreError(path() + ": fdatasync failed: " + errno_text(EIO) + " (injected fault)");
    base_->sync();
  }
  void truncate(std::uint64_t size) override { base_->truncate(size); }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultyFileSystem& fs_;
  std::unique_ptr<WritableFile> base_;
};

const char* const kFaultNames[] = {"fsync", "enospc", "short-write", "rename"};

}  // namespace

void FaultyFileSystem::arm(Fault fault, int count) {
  std::lock_guard<std::mutex> g(mu_);
  remaining_[static_cast<int>(fault)] = count;
}

void FaultyFileSystem::clear() {
  std::lock_guard<std::mutex> g(mu_);
  for (int& r : remaining_) r = 0;
}

std::uint64_t FaultyFileSystem::injected() const {
  std::lock_guard<std::mutex> g(mu_);
  return injected_;
}

void FaultyFileSystem::arm_from_spec(std::string_view spec) {
  while (!spec.empty() && (spec.back() == '\n' || spec.back() == ' ')) spec.remove_suffix(1);
  if (spec.empty() || spec == "none") {
    clear();
    return;
  }
  std::string_view name = spec.substr(0, spec.find(':'));
  int count = kUntilCleared;
  if (name.size() < spec.size()) {
    std::string_view n = spec.substr(name.size() + 1);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    if (ec != std::errc() || p != n.data() + n.size() || count < 1)
      throw std::invalid_argument("fault spec \"" + std::string(spec) +
                                  "\": the count after ':' must be a positive number");
  }
  for (int i = 0; i < 4; ++i) {
    if (name == kFaultNames[i]) {
      clear();
      arm(static_cast<Fault>(i), count);
      return;
    }
  }
  throw std::invalid_argument("fault spec \"" + std::string(spec) +
                              "\": unknown fault (fsync, enospc, short-write, rename, none)");
}

void FaultyFileSystem::poll_control_file() {
  if (control_file_.empty()) return;
  std::string contents;
  if (base_.exists(control_file_)) {
    try {
      base_.read_file(control_file_, contents, 0);
    } catch (const StoreError&) {
      return;  // being rewritten; look again at the next operation
    }
  }
  if (contents == control_seen_) return;
  control_seen_ = contents;
  arm_from_spec(contents);
}

bool FaultyFileSystem::take(Fault fault) {
  poll_control_file();
  std::lock_guard<std::mutex> g(mu_);
  int& r = remaining_[static_cast<int>(fault)];
  if (r == 0) return false;
  if (r > 0) --r;
  ++injected_;
  return true;
}

std::unique_ptr<WritableFile> FaultyFileSystem::open_writable(const std::string& path,
                                                              OpenMode mode) {
  return std::make_unique<FaultyWritableFile>(*this, base_.open_writable(path, mode));
}

void FaultyFileSystem::rename(const std::string& from, const std::string& to) {
  if (take(Fault::kRename))
    throw StoreError(to + ": cannot rename from " + from + ": " + errno_text(EIO) +
                     " (injected fault)");
  base_.rename(from, to);
}

void FaultyFileSystem::sync_path(const std::string& path) {
  if (take(Fault::kSync))
    throw StoreError(path + ": fsync failed: " + errno_text(EIO) + " (injected fault)");
  base_.sync_path(path);
}

}  // namespace redial
