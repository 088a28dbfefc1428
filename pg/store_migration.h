#pragma once
// Moving a queue between month files and PostgreSQL (redial-runner migrate; docs/scaling.md).
#include <cstddef>
#include <string>

#include "core/store.h"

namespace redial {

struct MigrationSummary {
  std::size_t records = 0;
  std::size_t call_ids = 0;  // recent call ids carried over for duplicate detection
};

// Copies every record of `from` into `to`, and the call ids `from` remembers. Loads both stores
// (REQUIRES: neither loaded yet). Throws StoreError when `to` already holds records, and names
// the store that failed. Month files come out as the runner writes them: one file per month,
// records sorted by key. Calls in flight are not carried over: stop the runner and let its calls
// end first.
MigrationSummary copy_store_records(Store& from, Store& to);

// `redial-runner migrate --from SOURCE --to DESTINATION`: each a data directory of month files
// or a postgres:// URL. Returns the process exit code (0 done, 1 failed, 2 bad arguments).
int run_migrate_command(int argc, char** argv, int first_arg);

}  // namespace redial
