#pragma once
// The queue's records in PostgreSQL, shared by several runners (docs/scaling.md). Each runner
// keeps a cache in memory (RedialQueue; admin reads refresh it with changed_records()); the
// database decides who dials which number (leases) and which call ids were recorded (a UNIQUE
// key). Mutations are written in an open
// transaction as they are appended; sync() commits it, so a result is acknowledged only after
// its COMMIT returned.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/shared_store.h"
#include "core/store.h"

namespace redial {

struct PgStoreOptions {
  std::string url;      // postgres://user:password@host:port/database
  std::string owner;    // names this runner in leases; empty: host:pid:random
  TimeMs lease_ms = 0;  // a lease not renewed for this long expires (a dead runner's calls)
};

// Reads a record as the leads table holds it (a month file's record JSON). Throws StoreError
// naming the key.
StoredRecord parse_stored_record(const std::string& key, MonthId month, const std::string& text);

// The URL with any password replaced by "***", for messages and logs.
std::string redact_pg_url(const std::string& url);

class PgStore final : public Store, public SharedStore {
 public:
  // Connects and applies the schema migrations (pg_schema.cpp). Throws StoreError naming the
  // (redacted) URL when the database cannot be reached or migrated.
  explicit PgStore(PgStoreOptions options);
  ~PgStore() override;

  StoreState load() override;
  void append(const Mutation& m) override;
  void sync() override;
  bool wants_checkpoint() const override { return false; }
  void checkpoint(const RecordSource&) override {}  // every change is in the database already
  std::vector<MonthId> drop_months(const std::vector<MonthId>& months, TimeMs now_ms) override;
  SharedStore* shared() override { return this; }

  ClaimResult claim_due(const ClaimQuery& q) override;
  void release_undialed() override;
  std::optional<StoredRecord> lock_lead(const std::string& key) override;
  std::vector<StoredRecord> changed_records() override;
  Recorded record_call_id(const std::string& call_id, const std::string& key,
                          const std::string& phone, TimeMs at) override;

  const std::string& owner() const { return options_.owner; }

 private:
  struct Db;  // the connection and the open transaction (pqxx stays out of this header)
  Db& db() { return *db_; }
  [[noreturn]] void fail(const std::string& what, const std::exception& e);
  void write_record(const RecordPut& put);
  void flush_puts();  // the transaction's buffered lead writes, as one statement

  PgStoreOptions options_;
  std::unique_ptr<Db> db_;
  std::set<std::string> undialed_;  // phones leased by the last claim_due and not dialed yet
  std::string seen_xmin_ = "0";     // changed_records(): rows written by ids below it were read
  // The leads the last claim_due read, with the changed_xid it read (until the tick's sync).
  std::map<std::string, std::string> claimed_xid_;
  std::string rolled_back_;  // why the open transaction was rolled back; the next sync throws
};

}  // namespace redial
