#include "core/atomic_file.h"

namespace redial {

void write_file_atomically(FileSystem& fs, const std::string& dir, const std::string& path,
                           const std::string& data, bool do_fsync) {
  std::string tmp = path + ".tmp";
  try {
    auto file = fs.open_writable(tmp, FileSystem::OpenMode::kTruncate);
    file->append(data);
    if (do_fsync) file->sync();
    file.reset();
    fs.rename(tmp, path);
  } catch (...) {
    fs.remove(tmp);
    throw;
  }
  if (do_fsync) fs.sync_path(dir);
}

}  // namespace redial
