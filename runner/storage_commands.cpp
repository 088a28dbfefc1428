#include "runner/storage_commands.h"

#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"
#include "core/file_system.h"
#include "core/month_store.h"
#include "runner/settings.h"

namespace redial::runner {
namespace {

constexpr const char* kCheckUsage = "usage: redial-runner check DATA_DIR [settings...]\n";
constexpr const char* kRecoverUsage = "usage: redial-runner recover DATA_DIR\n";

bool is_directory(FileSystem& fs, const std::string& dir) {
  try {
    fs.list_dir(dir);
    return true;
  } catch (const StoreError&) {
    return false;
  }
}

void print_check(const std::string& dir, const DirectoryCheck& c) {
  std::cout << dir << ": " << c.month_files << " month file(s), " << c.records << " record(s), "
            << c.journal_lines << " journal line(s), " << c.expired_files
            << " file(s) in expired/\n";
  for (const std::string& e : c.errors) std::cout << "refused: " << e << '\n';
  for (const DamagedLine& d : c.damaged)
    std::cout << "damaged: " << dir << "/redial-queue.journal: byte " << d.offset << ": entry "
              << d.entry << ": " << d.why << " (" << d.bytes
              << " bytes; start-up refuses; `redial-runner recover` sets it aside)\n";
  if (c.torn_bytes)
    std::cout << "torn: " << dir << "/redial-queue.journal: an incomplete last line of "
              << c.torn_bytes << " bytes (start-up sets it aside)\n";
  for (const MonthFileProblems& p : c.month_problems)
    std::cout << "inconsistent: " << p.path << ": " << p.bad_records << " of " << p.records
              << " record(s): " << describe_problem_counts(p) << "; first: " << p.first << '\n';
  std::cout << (c.clean() ? "clean\n" : "problems found\n");
}

}  // namespace

int run_check_command(int argc, char** argv, int first) {
  if (argc <= first || std::string(argv[first]).rfind("-", 0) == 0) {
    std::cerr << kCheckUsage;
    return 2;
  }
  const std::string dir = argv[first];
  // check places no call: the API key the service requires is not needed here.
  EnvLookup env = [base = process_environment()](const std::string& name) {
    auto v = base(name);
    if (!v && name == "BLAND_API_KEY") v = "unused-by-check";
    return v;
  };
  ParseOutcome parsed;
  try {
    parsed = parse_settings(std::vector<std::string>(argv + first + 1, argv + argc), env);
  } catch (const SettingsError& e) {
    std::cerr << "redial-runner check: " << e.what() << '\n' << kCheckUsage;
    return 2;
  }
  if (!parsed.settings) {
    std::cout << kCheckUsage;
    return 0;
  }
  FileSystem& fs = default_file_system();
  if (!is_directory(fs, dir)) {
    std::cerr << "redial-runner check: " << dir << ": not a readable directory\n";
    return 2;
  }
  SystemClock clock;
  RecordCheckRules rules;
  rules.now_ms = clock.now_ms();
  rules.is_known = [p = parsed.settings->policy](std::string_view o) { return p.is_known(o); };
  try {
    DirectoryCheck c = check_directory(fs, dir, rules);
    print_check(dir, c);
    return c.clean() ? 0 : 1;
  } catch (const StoreError& e) {
    std::cerr << "redial-runner check: " << e.what() << '\n';
    return 2;
  }
}

int run_recover_command(int argc, char** argv, int first) {
  if (argc != first + 1 || std::string(argv[first]).rfind("-", 0) == 0) {
    std::cerr << kRecoverUsage;
    return 2;
  }
  const std::string dir = argv[first];
  if (!is_directory(default_file_system(), dir)) {
    std::cerr << "redial-runner recover: " << dir << ": not a readable directory\n";
    return 2;
  }
  try {
    MonthStoreOptions o;
    o.dir = dir;
    o.recover_journal = true;  // the operator asked: set damaged lines aside (logged at warn)
    MonthStore store(std::move(o));
    StoreState state = store.load();
    std::size_t entries = 0;
    for (const SetAside& s : store.load_report().set_aside) {
      std::cout << "set aside: " << s.path << ": " << s.bytes << " bytes, " << s.entries
                << " line(s) (" << s.why << ", from byte " << s.offset << ")\n";
      entries += s.entries;
    }
    std::cout << dir << ": " << state.records.size() << " record(s) load; "
              << (entries ? "the journal now holds only its good lines\n"
                          : "nothing to set aside\n");
    return 0;
  } catch (const StoreError& e) {
    std::cerr << "redial-runner recover: " << e.what() << " (nothing was changed)\n";
    return 1;
  }
}

}  // namespace redial::runner
