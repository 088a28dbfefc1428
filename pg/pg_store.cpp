#include "pg/pg_store.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <random>

#include "core/errors.h"
#include "core/phone.h"
#include "core/seed_format.h"
#include "pg/pg_schema.h"

namespace redial {

struct PgStore::Db {
  explicit Db(const std::string& url) : conn(url) {}
  pqxx::connection conn;
  std::unique_ptr<pqxx::work> txn;  // open between the first change and sync()
  pqxx::work& work() {
    if (!txn) txn = std::make_unique<pqxx::work>(conn);
    return *txn;
  }
};

namespace {

// When the lead is next dialable by status (the core adds the attempts and window checks).
std::optional<TimeMs> due_at(const LeadRecord& r) {
  if (r.status == LeadStatus::kPending) return r.next_redial_timestamp;
  if (r.status == LeadStatus::kRescheduled)
    return std::max(r.next_redial_timestamp, r.scheduled_callback_time.value_or(0));
  return std::nullopt;
}

// The number leases are taken on; an unusable one gets a lease of its own per lead.
std::string lease_phone(const std::string& key, const LeadRecord& r) {
  try {
    return normalize_phone(r.phone_number);
  } catch (const InputError&) {
    return "!" + key;
  }
}

std::string default_owner() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  char tag[9];
  snprintf(tag, sizeof tag, "%08x", rd());
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + tag;
}

}  // namespace

std::string redact_pg_url(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

StoredRecord parse_stored_record(const std::string& key, MonthId month, const std::string& text) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj))
    throw StoreError("leads." + key + ": record is not a JSON object");
  try {
    return StoredRecord{month, key, parse_record(obj)};
  } catch (const InputError& e) {
    throw StoreError("leads." + key + ": " + e.what());
  }
}

PgStore::PgStore(PgStoreOptions options) : options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = default_owner();
  try {
    db_ = std::make_unique<Db>(options_.url);
    migrate_pg_schema(db_->conn);
  } catch (const std::exception& e) {
    throw StoreError("PostgreSQL " + redact_pg_url(options_.url) + ": " + e.what());
  }
}

PgStore::~PgStore() = default;

void PgStore::fail(const std::string& what, const std::exception& e) {
  if (db_) db_->txn.reset();  // rolls back
  undialed_.clear();
  throw StoreError("PostgreSQL " + redact_pg_url(options_.url) + ": " + what + ": " + e.what());
}

StoreState PgStore::load() {
  StoreState state;
  try {
    pqxx::read_transaction r(db_->conn);
    // First the horizon, then the rows: a row committed in between is read twice, never missed.
    seen_xmin_ =
        r.exec("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")[0][0].as<std::string>();
    for (const auto& row : r.exec("SELECT key, month, record FROM leads"))
      state.records.push_back(parse_stored_record(row[0].as<std::string>(), row[1].as<MonthId>(),
                                                  row[2].as<std::string>()));
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    fail("load", e);
  }
  // Calls in flight and recent call ids are the database's business (leases, call_ids).
  return state;
}

void PgStore::append(const Mutation& m) {
  try {
    pqxx::work& w = db_->work();
    if (const auto* put = std::get_if<RecordPut>(&m)) {
      std::string json;
      append_record_json(json, put->record);
      const auto due = due_at(put->record);
      w.exec_params(
          "INSERT INTO leads (key, month, phone, status, attempts, due_at, created_at, updated_at,"
          " record) VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $7::bigint END, $8, $9, $10)"
          " ON CONFLICT (key) DO UPDATE SET month = EXCLUDED.month, phone = EXCLUDED.phone,"
          " status = EXCLUDED.status, attempts = EXCLUDED.attempts, due_at = EXCLUDED.due_at,"
          " created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,"
          " record = EXCLUDED.record, changed_xid = pg_current_xact_id()",
          put->key, put->month, lease_phone(put->key, put->record),
          std::string(status_name(put->record.status)), put->record.attempts, due.has_value(),
          due.value_or(0), put->record.created_at, put->record.updated_at, json);
    } else if (const auto* started = std::get_if<CallStarted>(&m)) {
      const InFlightCall& c = started->call;
      auto r = w.exec_params(
          "UPDATE phone_leases SET dial_seq = $3, dialed_at = $4, lease_until = $4::bigint + "
          "$5::bigint,"
          " lead_key = $6 WHERE phone = $1 AND owner = $2",
          c.phone, options_.owner, static_cast<std::int64_t>(c.dial_seq), c.dialed_at,
          options_.lease_ms, c.key);
      // Never dial without the lease: the tick's sync fails and nothing is dialed.
      if (r.affected_rows() == 0)
        throw StoreError("the lease on number " + c.phone + " was lost before the dial");
      undialed_.erase(c.phone);
    } else if (const auto* accepted = std::get_if<CallAccepted>(&m)) {
      w.exec_params(
          "UPDATE phone_leases SET call_id = $3 WHERE phone = $1 AND owner = $2 AND dial_seq = $4",
          accepted->phone, options_.owner, accepted->call_id,
          static_cast<std::int64_t>(accepted->dial_seq));
    } else if (const auto* ended = std::get_if<CallEnded>(&m)) {
      w.exec_params("DELETE FROM phone_leases WHERE phone = $1 AND owner = $2 AND dial_seq = $3",
                    ended->phone, options_.owner, static_cast<std::int64_t>(ended->dial_seq));
    }
    // CallSeen: the call_ids table holds every recorded call id (record_call_id).
  } catch (const StoreError& e) {
    fail("append", e);
  } catch (const std::exception& e) {
    fail("append", e);
  }
}

void PgStore::sync() {
  if (!db_->txn) return;
  try {
    db_->txn->commit();
    db_->txn.reset();
  } catch (const std::exception& e) {
    fail("commit", e);
  }
}

// No expired/ copy here (docs/scaling.md): the rows go at once, but only for the months the
// queue chose under the same clock and per-record rules as the month files.
std::vector<MonthId> PgStore::drop_months(const std::vector<MonthId>& months, TimeMs) {
  std::vector<MonthId> dropped;
  if (months.empty()) return dropped;
  try {
    pqxx::work& w = db_->work();
    std::string list;
    for (MonthId m : months) list += (list.empty() ? "" : ",") + std::to_string(m);
    auto r = w.exec("WITH gone AS (DELETE FROM leads WHERE month IN (" + list +
                    ") RETURNING month)"
                    " SELECT DISTINCT month FROM gone ORDER BY month");
    for (const auto& row : r) dropped.push_back(row[0].as<MonthId>());
    if (!dropped.empty())
      w.exec(
          "DELETE FROM call_ids c WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.key = "
          "c.lead_key)");
  } catch (const std::exception& e) {
    fail("retention", e);
  }
  return dropped;
}

ClaimResult PgStore::claim_due(const ClaimQuery& q) {
  sync();  // the claim commits at once; earlier changes go first
  ClaimResult out;
  std::vector<StoredRecord>& claimed = out.records;
  try {
    pqxx::work& w = db_->work();
    // This runner is alive: its calls keep their numbers.
    w.exec_params(
        "UPDATE phone_leases SET lease_until = $2 WHERE owner = $1 AND dial_seq IS NOT NULL",
        options_.owner, q.now + options_.lease_ms);
    for (const auto& row : w.exec_params(
             "SELECT dial_seq FROM phone_leases WHERE owner = $1 AND dial_seq IS NOT NULL",
             options_.owner))
      out.live_dial_seqs.push_back(row[0].as<std::uint64_t>());
    std::size_t limit = q.limit;
    if (q.max_calls_in_flight > 0)
      limit = std::min(limit, q.max_calls_in_flight > out.live_dial_seqs.size()
                                  ? q.max_calls_in_flight - out.live_dial_seqs.size()
                                  : 0);
    auto due = w.exec_params(
        "SELECT key, month, phone, record FROM leads l WHERE due_at <= $1 AND attempts < $2"
        " AND (status = 'rescheduled' OR created_at >= $3) AND NOT EXISTS (SELECT 1 FROM"
        " phone_leases p WHERE p.phone = l.phone AND p.lease_until > $1)"
        " ORDER BY due_at, key LIMIT $4 FOR UPDATE SKIP LOCKED",
        q.now, q.max_attempts, q.window_start, static_cast<std::int64_t>(limit));
    // Leases taken in number order: two claiming runners never wait on each other in a cycle.
    std::vector<std::size_t> order(due.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return due[static_cast<int>(a)][2].as<std::string>() <
             due[static_cast<int>(b)][2].as<std::string>();
    });
    std::vector<bool> leased(due.size(), false);
    for (std::size_t i : order) {
      const auto row = due[static_cast<int>(i)];
      auto got = w.exec_params(
          "INSERT INTO phone_leases (phone, lead_key, owner, lease_until) VALUES ($1, $2, $3, $4)"
          " ON CONFLICT (phone) DO UPDATE SET lead_key = EXCLUDED.lead_key, owner ="
          " EXCLUDED.owner, lease_until = EXCLUDED.lease_until, dial_seq = NULL, call_id = NULL,"
          " dialed_at = NULL WHERE phone_leases.lease_until <= $5 RETURNING phone",
          row[2].as<std::string>(), row[0].as<std::string>(), options_.owner,
          q.now + options_.lease_ms, q.now);
      leased[i] = !got.empty();
    }
    for (std::size_t i = 0; i < leased.size(); ++i) {
      if (!leased[i]) continue;
      const auto row = due[static_cast<int>(i)];
      claimed.push_back(parse_stored_record(row[0].as<std::string>(), row[1].as<MonthId>(),
                                            row[3].as<std::string>()));
      undialed_.insert(row[2].as<std::string>());
    }
    db_->txn->commit();
    db_->txn.reset();
  } catch (const std::exception& e) {
    fail("claim", e);
  }
  return out;
}

void PgStore::release_undialed() {
  try {
    for (const std::string& phone : undialed_)
      db_->work().exec_params(
          "DELETE FROM phone_leases WHERE phone = $1 AND owner = $2 AND dial_seq IS NULL", phone,
          options_.owner);
    undialed_.clear();
  } catch (const std::exception& e) {
    fail("release", e);
  }
}

std::vector<StoredRecord> PgStore::changed_records() {
  sync();  // nothing of this runner's stays uncommitted: the rows read are at least as new
  std::vector<StoredRecord> changed;
  try {
    pqxx::read_transaction r(db_->conn);
    // Every transaction this statement's snapshot does not see has an id >= its xmin; rows
    // written by ids below seen_xmin_ were visible to the previous read.
    std::string xmin =
        r.exec("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")[0][0].as<std::string>();
    for (const auto& row :
         r.exec_params("SELECT key, month, record FROM leads WHERE changed_xid >= $1::text::xid8",
                       seen_xmin_))
      changed.push_back(parse_stored_record(row[0].as<std::string>(), row[1].as<MonthId>(),
                                            row[2].as<std::string>()));
    r.commit();
    seen_xmin_ = xmin;
  } catch (const StoreError& e) {
    fail("refresh", e);
  } catch (const std::exception& e) {
    fail("refresh", e);
  }
  return changed;
}

std::optional<StoredRecord> PgStore::lock_lead(const std::string& key) {
  try {
    auto r =
        db_->work().exec_params("SELECT month, record FROM leads WHERE key = $1 FOR UPDATE", key);
    if (r.empty()) return std::nullopt;
    return parse_stored_record(key, r[0][0].as<MonthId>(), r[0][1].as<std::string>());
  } catch (const StoreError& e) {
    fail("lock", e);
  } catch (const std::exception& e) {
    fail("lock", e);
  }
}

SharedStore::Recorded PgStore::record_call_id(const std::string& call_id, const std::string& key,
                                              const std::string& phone, TimeMs at) {
  try {
    pqxx::work& w = db_->work();
    auto r = w.exec_params(
        "INSERT INTO call_ids (call_id, lead_key, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        call_id, key, at);
    if (r.affected_rows() == 0) return Recorded::kDuplicate;
    // The call's number is free again, whichever runner dialed it (a claimed, not yet dialed
    // lease is another tick's and stays).
    auto ended = w.exec_params(
        "DELETE FROM phone_leases WHERE phone = $1 AND dial_seq IS NOT NULL AND (call_id = $2 OR"
        " (call_id IS NULL AND lead_key = $3))",
        phone, call_id, key);
    return ended.affected_rows() > 0 ? Recorded::kEndedCall : Recorded::kOutsideCall;
  } catch (const std::exception& e) {
    fail("call id", e);
  }
}

}  // namespace redial
