// redial-runner: the production redial queue service for Bland AI. See --help and docs/deploy.md.
#include <spdlog/spdlog.h>

#include <iostream>

#include "core/rule_tables.h"
#include "pg/store_migration.h"
#include "runner/app.h"
#include "runner/dial_settings_check.h"
#include "runner/logging.h"
#include "runner/settings.h"
#include "runner/storage_commands.h"

int main(int argc, char** argv) {
  using namespace redial::runner;
  // redial-runner migrate --from ... --to ...: month files <-> PostgreSQL (docs/scaling.md).
  if (argc > 1 && std::string(argv[1]) == "migrate")
    return redial::run_migrate_command(argc, argv, 2);
  // redial-runner check DATA_DIR / recover DATA_DIR: the files, not the service (docs/storage.md).
  if (argc > 1 && std::string(argv[1]) == "check") return run_check_command(argc, argv, 2);
  if (argc > 1 && std::string(argv[1]) == "recover") return run_recover_command(argc, argv, 2);
  std::vector<std::string> args(argv + 1, argv + argc);
  ParseOutcome parsed;
  try {
    parsed = parse_settings(args, process_environment());
  } catch (const SettingsError& e) {
    std::cerr << "redial-runner: " << e.what() << "\n(see redial-runner --help)\n";
    return 2;
  }
  if (!parsed.settings) {
    std::cout << parsed.help_text;
    return 0;
  }
  if (parsed.settings->policy.enabled) {
    try {
      check_dial_settings(*parsed.settings);  // what every dial would send (issue 14)
    } catch (const SettingsError& e) {
      std::cerr << "redial-runner: " << e.what() << "\n(see redial-runner --help)\n";
      return 2;
    }
  }
  if (parsed.check_only) {
    std::cout << "redial-runner: settings are valid\n";
    // Which tables were read: the package's /usr/share/redial/rules, or the source tree's.
    const std::string& dir = parsed.settings->policy.rules_dir;
    std::cout << "redial-runner: calling-rule tables in "
              << (dir.empty() ? redial::default_rules_dir() : dir) << "\n";
    return 0;
  }
  try {
    setup_logging(*parsed.settings);
  } catch (const std::exception& e) {
    std::cerr << "redial-runner: bad value for --log-file (REDIAL_LOG_FILE): " << e.what() << "\n";
    return 2;
  }
  return run_app(*parsed.settings);
}
