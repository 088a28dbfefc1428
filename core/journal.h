#pragma once
// The journal's framing: one change per line, "<crc32 as 8 hex digits> <json>\n". Only the bytes
// after the last newline (an incomplete line, or the zero bytes a crash can leave) are a torn
// tail: a write cut short, never acknowledged. A complete line that fails its checksum was
// written whole (and maybe acknowledged), so it is corruption: refused, or with
// set_aside_damaged, reported in `damaged` for the caller to set aside.
#include <cstdint>
#include <string>
#include <vector>

#include "core/store.h"

namespace redial {

void append_journal_line(std::string& out, const Mutation& m);

// A complete journal line that could not be used.
struct DamagedLine {
  std::uint64_t offset = 0, bytes = 0;  // the line, its newline included
  std::size_t entry = 0;                // its line number, from 1
  std::string why;
};

struct JournalContents {
  std::vector<Mutation> entries;
  std::uint64_t valid_bytes = 0;  // the torn tail, if any, starts here
  bool torn = false;
  std::size_t lines = 0;             // complete lines, good or damaged
  std::vector<DamagedLine> damaged;  // only with set_aside_damaged
};

// REQUIRES: `data` padded with at least simdjson's padding bytes past `size`.
// Throws StoreError "<path>: byte <offset>: entry <n>: ..." for a complete line that fails its
// checksum or cannot be read, unless set_aside_damaged (then listed in `damaged`).
JournalContents parse_journal(const std::string& path, const std::string& data, std::size_t size,
                              bool set_aside_damaged = false);

}  // namespace redial
