// Issue 19: what the Debian package relies on: --version, and the rule tables found beside an
// installed binary (PREFIX/bin -> PREFIX/share/redial/rules) with the source tree as fallback.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/rule_tables.h"
#include "runner/settings.h"

using namespace redial;
using namespace redial::runner;
namespace fs = std::filesystem;

namespace {

EnvLookup no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

// A fresh PREFIX with bin/ (and, when asked, share/redial/rules/nanp_area_codes.csv).
fs::path make_prefix(const std::string& name, bool with_tables) {
  fs::path root = fs::temp_directory_path() / ("redial-install-" + std::to_string(getpid())) / name;
  fs::remove_all(root);
  fs::create_directories(root / "bin");
  if (with_tables) {
    fs::create_directories(root / "share/redial/rules");
    std::ofstream(root / "share/redial/rules/nanp_area_codes.csv") << "npa,state,zones\n";
  }
  return root;
}

}  // namespace

TEST_CASE("the version flag prints the name and the project version, and needs no other setting") {
  // No BLAND_API_KEY: --version must not validate the settings.
  ParseOutcome out = parse_settings({"--version"}, no_env());
  CHECK_FALSE(out.settings.has_value());
  CHECK(out.help_text == version_text());
  CHECK(out.help_text == std::string("redial-runner ") + REDIAL_TEST_VERSION + "\n");
  CHECK_FALSE(out.check_only);
}

TEST_CASE("an installed binary finds the tables in PREFIX/share/redial/rules") {
  fs::path prefix = make_prefix("installed", true);
  std::string found = rules_dir_beside((prefix / "bin/redial-runner").string(), "/src/rules");
  CHECK(found == (prefix / "share/redial/rules").string());
  fs::remove_all(prefix.parent_path());
}

TEST_CASE("a binary without share/redial/rules beside it falls back to the source tree's") {
  fs::path prefix = make_prefix("build-tree", false);
  CHECK(rules_dir_beside((prefix / "bin/redial-runner").string(), "/src/rules") == "/src/rules");
  fs::remove_all(prefix.parent_path());
}

TEST_CASE("an installed rules folder with a table missing is still the one used") {
  // Falling back would read another tree's tables, or name a path that means nothing here.
  fs::path prefix = make_prefix("broken-install", false);
  fs::create_directories(prefix / "share/redial/rules");
  std::string found = rules_dir_beside((prefix / "bin/redial-runner").string(), "/src/rules");
  CHECK(found == (prefix / "share/redial/rules").string());
  fs::remove_all(prefix.parent_path());
}

TEST_CASE("the test binary, in the build tree, reads the source tree's tables") {
  std::string dir = default_rules_dir();
  CHECK(fs::is_regular_file(fs::path(dir) / "nanp_area_codes.csv"));
  CHECK(fs::path(dir).filename() == "rules");
  CHECK(dir.find("/share/redial/rules") == std::string::npos);
}
