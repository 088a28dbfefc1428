// The PostgreSQL schema, as numbered migrations (docs/scaling.md lists them). A migration is
// applied once, in one transaction, and recorded in schema_migrations; starting a runner on an
// up-to-date database changes nothing. Never edit a released migration: add the next one.
#include "pg/pg_schema.h"

namespace redial {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// All times are epoch milliseconds (BIGINT).
const Migration kMigrations[] = {
    {1, "leads, phone leases, call ids",
     R"sql(
CREATE TABLE leads (
  key        TEXT PRIMARY KEY,
  month      INTEGER NOT NULL,  -- the month file the record belongs to (202511)
  phone      TEXT NOT NULL,     -- normalized number; '!' || key when it is unusable
  status     TEXT NOT NULL,
  attempts   INTEGER NOT NULL,
  due_at     BIGINT,            -- next dial for an open lead; NULL when closed
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  record     TEXT NOT NULL      -- the record exactly as a month file writes it
);
CREATE INDEX leads_due ON leads (due_at, key) WHERE due_at IS NOT NULL;
CREATE INDEX leads_month ON leads (month);
-- One row per number being dialed or about to be: no two runners call one number at once.
CREATE TABLE phone_leases (
  phone       TEXT PRIMARY KEY,
  lead_key    TEXT NOT NULL,
  owner       TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  dial_seq    BIGINT,           -- NULL: claimed by a tick, not dialed yet
  call_id     TEXT,
  dialed_at   BIGINT
);
-- Every call id recorded: a second result with the same id is a duplicate, on any runner.
CREATE TABLE call_ids (
  call_id  TEXT PRIMARY KEY,
  lead_key TEXT NOT NULL,
  at       BIGINT NOT NULL
);
CREATE INDEX call_ids_lead ON call_ids (lead_key);
)sql"},
    // Which transaction last wrote each lead, so a runner can read the rows other runners changed
    // since it last looked (PgStore::changed_records). A transaction id, not a counter: a
    // counter's values commit out of order, a snapshot's xmin bounds every id not yet visible.
    {2, "leads.changed_xid",
     R"sql(
ALTER TABLE leads ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX leads_changed ON leads (changed_xid);
)sql"},
    // Every result rewrites its lead's row and inserts a call id: each index on them is one more
    // write per result. leads_month served only the hourly retention (a sequential scan is fine
    // there) and call_ids_lead no query at all (retention's anti-join reads call_ids whole).
    {3, "drop the indexes results do not need",
     R"sql(
DROP INDEX leads_month;
DROP INDEX call_ids_lead;
)sql"},
};

constexpr long kMigrationLock = 7291508;  // pg_advisory_xact_lock key of redial's migrations

}  // namespace

int migrate_pg_schema(pqxx::connection& conn) {
  int version = 0;
  for (const Migration& m : kMigrations) {
    pqxx::work w(conn);
    w.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    w.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
        "NULL, applied_at BIGINT NOT NULL)");
    auto done = w.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
    if (done.empty()) {
      w.exec(m.sql);
      w.exec_params(
          "INSERT INTO schema_migrations VALUES ($1, $2, "
          "(extract(epoch from clock_timestamp()) * 1000)::bigint)",
          m.version, std::string(m.name));
    }
    w.commit();
    version = m.version;
  }
  return version;
}

}  // namespace redial
