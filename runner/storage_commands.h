#pragma once
// redial-runner's storage subcommands (docs/storage.md):
//   redial-runner check DATA_DIR [settings...]   reads everything, changes nothing; exit 0 clean,
//                                                1 when anything is wrong, 2 usage/unreadable dir
//   redial-runner recover DATA_DIR               sets damaged journal lines aside, then exits
namespace redial::runner {

// argv[first] is the data directory; the rest are settings (for --extra-outcomes & co).
int run_check_command(int argc, char** argv, int first);
int run_recover_command(int argc, char** argv, int first);

}  // namespace redial::runner
