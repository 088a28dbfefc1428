// Replays the fuzz seed corpora and every crash the fuzzers ever found (fuzz/regressions/) through
// the fuzz targets' own code, in the normal build. A target aborts (or lets an undocumented
// exception escape) on a bug, which fails this test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

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
