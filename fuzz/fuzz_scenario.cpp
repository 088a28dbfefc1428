// Fuzzes the simulator's scenario parser (sim/scenario.cpp): any text must load or be refused
// with a ScenarioError naming the field, never crash or throw anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/scenario.h"

// FUZZ_ENTRY: renamed in the replay test (fuzz/CMakeLists.txt), which links every target.
#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

extern "C" int FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)redial::sim::parse_scenario(text, "fuzz.json");
  } catch (const redial::sim::ScenarioError&) {
  }
  return 0;
}
