// Replays the fuzz seed corpora and every crash the fuzzers ever found (fuzz/regressions/) through
// the fuzz targets' own code, in the normal build. A target aborts (or lets an undocumented
// exception escape) on a bug, which fails this test.
#define CATCH_CONFIG_MAIN
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/seed_format.h"
#include "sim/scenario.h"

extern "C" int fuzz_webhook_entry(const std::uint8_t*, std::size_t);
extern "C" int fuzz_scenario_entry(const std::uint8_t*, std::size_t);
extern "C" int fuzz_month_file_entry(const std::uint8_t*, std::size_t);
extern "C" int fuzz_journal_entry(const std::uint8_t*, std::size_t);

namespace {

using Entry = int (*)(const std::uint8_t*, std::size_t);

// Runs every file of fuzz/corpus/<target> and fuzz/regressions/<target>; returns how many.
int replay(const std::string& target, Entry entry) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(FUZZ_DIR) / kind / target;
    if (!fs::exists(dir)) continue;
    for (const auto& f : fs::directory_iterator(dir)) {
      std::ifstream in(f.path(), std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(f.path().string());
      CHECK_NOTHROW(entry(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("webhook fuzz inputs replay cleanly") {
  CHECK(replay("fuzz_webhook", fuzz_webhook_entry) > 0);
}
TEST_CASE("scenario fuzz inputs replay cleanly") {
  CHECK(replay("fuzz_scenario", fuzz_scenario_entry) > 0);
}
TEST_CASE("month file fuzz inputs replay cleanly") {
  CHECK(replay("fuzz_month_file", fuzz_month_file_entry) > 0);
}
TEST_CASE("journal fuzz inputs replay cleanly") {
  CHECK(replay("fuzz_journal", fuzz_journal_entry) > 0);
}

// Crashes the fuzzers found, as readable regression tests (the raw inputs are in
// fuzz/regressions/). Both were nlohmann::json::out_of_range (a number overflowing a double)
// escaping parsers that promise their own error type: the runner would have died at start-up on
// such a month file with "terminate called", and redial-sim on such a scenario.
TEST_CASE("a month file with a number overflowing a double is refused with a StoreError") {
  std::string text = R"({"1_5551234567":{"lead_id":"1","attempts":1703E47800000}})";
  std::string padded = text + std::string(simdjson::SIMDJSON_PADDING, '\0');
  std::vector<redial::StoredRecord> out;
  CHECK_THROWS_AS(
      redial::parse_month_file("data/redial-queue_2025-12.json", padded, text.size(), 202512, out),
      redial::StoreError);
  CHECK_THROWS_WITH(
      redial::parse_month_file("data/redial-queue_2025-12.json", padded, text.size(), 202512, out),
      Catch::Contains("data/redial-queue_2025-12.json"));
}

TEST_CASE("a scenario with a number overflowing a double is refused with a ScenarioError") {
  CHECK_THROWS_AS(redial::sim::parse_scenario(R"({"name": "x", "start": 1e999})", "s.json"),
                  redial::sim::ScenarioError);
  CHECK_THROWS_WITH(redial::sim::parse_scenario("[1e999]", "s.json"),
                    Catch::Contains("s.json: not valid JSON"));
}
