#include "pg/store_migration.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "core/errors.h"
#include "core/month_store.h"
#include "pg/pg_store.h"

namespace redial {
namespace {

// The records being copied, as a month-file checkpoint reads them.
class LoadedRecords final : public RecordSource {
 public:
  explicit LoadedRecords(StoreState& state) : state_(state) {
    std::sort(state_.records.begin(), state_.records.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
  }
  void for_each_in_month(
      MonthId month,
      const std::function<void(const std::string&, const LeadRecord&)>& fn) const override {
    for (const auto& r : state_.records)
      if (r.month == month) fn(r.key, r.record);
  }
  std::vector<InFlightCall> in_flight_calls() const override { return {}; }
  std::vector<CallSeen> recent_call_ids() const override { return state_.seen; }

 private:
  StoreState& state_;
};

bool is_pg_url(const std::string& s) {
  return s.rfind("postgres://", 0) == 0 || s.rfind("postgresql://", 0) == 0;
}

std::unique_ptr<Store> open_store(const std::string& where) {
  if (is_pg_url(where)) return std::make_unique<PgStore>(PgStoreOptions{where, "migrate", 0});
  return std::make_unique<MonthStore>(MonthStoreOptions{where});
}

}  // namespace

MigrationSummary copy_store_records(Store& from, Store& to) {
  StoreState state = from.load();
  StoreState existing = to.load();
  if (!existing.records.empty())
    throw StoreError("the destination already holds " + std::to_string(existing.records.size()) +
                     " records; migrate only into an empty store");
  MigrationSummary summary;
  for (const auto& r : state.records) to.append(RecordPut{r.month, r.key, r.record});
  summary.records = state.records.size();
  if (auto* pg = dynamic_cast<PgStore*>(&to)) {
    for (const auto& seen : state.seen)
      if (pg->record_call_id(seen.call_id, seen.key, "", seen.at) !=
          SharedStore::Recorded::kDuplicate)
        ++summary.call_ids;
    for (const auto& r : state.records)
      if (r.record.last_call_id &&
          pg->record_call_id(*r.record.last_call_id, r.key, "", r.record.updated_at) !=
              SharedStore::Recorded::kDuplicate)
        ++summary.call_ids;
  } else {
    summary.call_ids = state.seen.size();
  }
  to.sync();
  LoadedRecords source(state);
  to.checkpoint(source);  // month files: one snapshot per month, as the runner writes them
  return summary;
}

int run_migrate_command(int argc, char** argv, int first_arg) {
  std::string from, to;
  for (int i = first_arg; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--from" || a == "--to") && i + 1 < argc) {
      (a == "--from" ? from : to) = argv[++i];
    } else {
      std::cerr << "redial-runner migrate: unknown argument '" << a << "'\n";
      from.clear();
      break;
    }
  }
  if (from.empty() || to.empty() || is_pg_url(from) == is_pg_url(to)) {
    std::cerr << "usage: redial-runner migrate --from DATA_DIR --to postgres://...\n"
                 "       redial-runner migrate --from postgres://... --to DATA_DIR\n"
                 "Stop every runner first; the destination must be empty (docs/scaling.md).\n";
    return 2;
  }
  try {
    auto source = open_store(from);
    auto destination = open_store(to);
    MigrationSummary s = copy_store_records(*source, *destination);
    std::cout << "redial-runner migrate: copied " << s.records << " records and " << s.call_ids
              << " call ids from " << redact_pg_url(from) << " to " << redact_pg_url(to) << "\n";
    return 0;
  } catch (const StoreError& e) {
    std::cerr << "redial-runner migrate: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace redial
