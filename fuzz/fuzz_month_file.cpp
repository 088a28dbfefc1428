// Fuzzes the month-file loader (core/seed_format.cpp): the seed's JSON month files are read with
// simdjson; a bad file must be refused with a StoreError naming the byte, never crash.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/seed_format.h"

// FUZZ_ENTRY: renamed in the replay test (fuzz/CMakeLists.txt), which links every target.
#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

extern "C" int FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  // Padded exactly as MonthStore::load reads files (read_padded in core/month_store.cpp).
  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  std::vector<redial::StoredRecord> out;
  try {
    redial::parse_month_file("fuzz/redial-queue_2025-12.json", padded, size, 202512, out);
  } catch (const redial::StoreError&) {
  }
  return 0;
}
