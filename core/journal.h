#pragma once
// The journal's framing: one change per line, "<crc32 as 8 hex digits> <json>\n". A line that
// fails its checksum with no good line after it is a torn tail (a write cut short by a crash)
// and marks the end of the log; a bad line followed by good ones is corruption and is refused.
#include <cstdint>
#include <string>
#include <vector>

#include "core/store.h"

namespace redial {

void append_journal_line(std::string& out, const Mutation& m);

struct JournalContents {
  std::vector<Mutation> entries;
  std::uint64_t valid_bytes = 0;  // the torn tail, if any, starts here
  bool torn = false;
};

// REQUIRES: `data` padded with at least simdjson's padding bytes past `size`.
// Throws StoreError "<path>: byte <offset>: ..." for corruption before the tail.
JournalContents parse_journal(const std::string& path, const std::string& data, std::size_t size);

}  // namespace redial
