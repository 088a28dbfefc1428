#pragma once
// Whole-file replacement that survives a crash at any point.
#include <string>

#include "core/file_system.h"

namespace redial {

// Writes `data` to `path` atomically and durably: temp file, fsync, rename, fsync directory
// `dir` (the file's). On a throw (StoreError) the destination is untouched and the temp file is
// removed.
void write_file_atomically(FileSystem& fs, const std::string& dir, const std::string& path,
                           const std::string& data, bool do_fsync);

}  // namespace redial
