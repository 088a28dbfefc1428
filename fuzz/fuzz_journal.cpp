// Fuzzes the journal reader (core/journal.cpp): CRC-framed JSON lines. Any bytes must give
// entries plus a torn-tail offset within the input, or a StoreError; never a crash.
//
// Random bytes almost never carry a valid CRC-32, so when the first byte is '#' the target
// rewrites each line's checksum to match its payload first: the fuzzer then reaches the JSON
// payload parser instead of stopping at the frame check.
#include <simdjson.h>

#include <boost/crc.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/errors.h"
#include "core/journal.h"

namespace {

void fix_checksums(std::string& text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a last line without '\n' stays a torn tail
    if (nl - pos >= 10 && text[pos + 8] == ' ') {
      boost::crc_32_type crc;
      crc.process_bytes(text.data() + pos + 9, nl - pos - 9);
      char hex[9];
      std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(crc.checksum()));
      text.replace(pos, 8, hex);
    }
    pos = nl + 1;
  }
}

}  // namespace

// FUZZ_ENTRY: renamed in the replay test (fuzz/CMakeLists.txt), which links every target.
#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

extern "C" int FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text[0] == '#') fix_checksums(text);
  std::string padded = text;
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  try {
    redial::JournalContents c =
        redial::parse_journal("fuzz/redial-queue.journal", padded, text.size());
    // The store truncates the file to valid_bytes: it must never point past the data.
    if (c.valid_bytes > text.size()) std::abort();
  } catch (const redial::StoreError&) {
  }
  return 0;
}
