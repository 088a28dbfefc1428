#include "pg/pg_store.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <pqxx/pqxx>
#include <random>

#include "core/errors.h"
#include "core/phone.h"
#include "core/seed_format.h"
#include "pg/pg_schema.h"
#include "pg/pg_statements.h"

namespace redial {

struct PgStore::Db {
  explicit Db(const std::string& url) : conn(url) {}
  pqxx::connection conn;
  std::unique_ptr<pqxx::work> txn;  // open between the first change and sync()
  std::set<std::string> locked;     // leads this transaction locked (lock_lead or a write)
  std::set<std::string> stubs;      // leads it created as placeholders, not yet written
  std::size_t key_locks = 0;        // advisory locks it holds (one per lead it created)
  // Writes of leads this transaction holds, by key: one multi-row upsert before the commit (or
  // before a statement that reads those rows). Array literals, one per column (kPutMany).
  std::map<std::string, std::array<std::string, 9>> puts;
  pqxx::work& work() {
    if (!txn) txn = std::make_unique<pqxx::work>(conn);
    return *txn;
  }
  void end() {
    txn.reset();  // rolls back unless committed
    locked.clear();
    stubs.clear();
    key_locks = 0;
    puts.clear();
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

// Appends one element to a PostgreSQL array literal: quoted, with '\\' and '"' escaped (pqxx 6
// writes no arrays); an empty value is NULL when null_if_empty.
void append_array_element(std::string& out, const std::string& v, bool null_if_empty) {
  out += out.size() > 1 ? "," : "";
  if (null_if_empty && v.empty()) {
    out += "NULL";
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  out += '"';
}

constexpr std::size_t kMaxKeyLocks = 1000;  // see lock_lead

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
    pg::prepare_statements(db_->conn);
  } catch (const std::exception& e) {
    throw StoreError("PostgreSQL " + redact_pg_url(options_.url) + ": " + e.what());
  }
}

PgStore::~PgStore() = default;

void PgStore::fail(const std::string& what, const std::exception& e) {
  if (db_) db_->end();  // rolls back
  undialed_.clear();
  claimed_xid_.clear();
  // Changes appended before this one were rolled back with it: the next sync must fail too, so
  // that no answer waiting for it is acknowledged.
  if (what != "commit") rolled_back_ = what + ": " + e.what();  // a failed commit throws itself
  throw StoreError("PostgreSQL " + redact_pg_url(options_.url) + ": " + what + ": " + e.what());
}

StoreState PgStore::load() {
  StoreState state;
  try {
    pqxx::read_transaction r(db_->conn);
    // First the horizon, then the rows: a row committed in between is read twice, never missed.
    seen_xmin_ = r.exec_prepared(pg::kSnapshotXmin)[0][0].as<std::string>();
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
    if (const auto* put = std::get_if<RecordPut>(&m)) {
      write_record(*put);
    } else if (const auto* started = std::get_if<CallStarted>(&m)) {
      const InFlightCall& c = started->call;
      auto r = db_->work().exec_prepared(pg::kCallStarted, c.phone, options_.owner,
                                         static_cast<std::int64_t>(c.dial_seq), c.dialed_at,
                                         options_.lease_ms, c.key);
      // Never dial without the lease: the tick's sync fails and nothing is dialed.
      if (r.affected_rows() == 0)
        throw StoreError("the lease on number " + c.phone + " was lost before the dial");
      undialed_.erase(c.phone);
    } else if (const auto* accepted = std::get_if<CallAccepted>(&m)) {
      db_->work().exec_prepared(pg::kCallAccepted, accepted->phone, options_.owner,
                                accepted->call_id, static_cast<std::int64_t>(accepted->dial_seq));
    } else if (const auto* ended = std::get_if<CallEnded>(&m)) {
      db_->work().exec_prepared(pg::kCallEnded, ended->phone, options_.owner,
                                static_cast<std::int64_t>(ended->dial_seq));
    } else if (const auto* deleted = std::get_if<RecordDeleted>(&m)) {
      // The queue locked the row first (lock_lead); a buffered write of it must not come back.
      db_->puts.erase(deleted->key);
      db_->stubs.erase(deleted->key);
      db_->work().exec_prepared(pg::kDeleteLead, deleted->key);
    }
    // CallSeen: the call_ids table holds every recorded call id (record_call_id).
  } catch (const StoreError& e) {
    fail("append", e);
  } catch (const std::exception& e) {
    fail("append", e);
  }
}

void PgStore::write_record(const RecordPut& put) {
  std::string json;
  append_record_json(json, put.record);
  const auto due = due_at(put.record);
  const std::string phone = lease_phone(put.key, put.record);
  const std::string status(status_name(put.record.status));
  Db& d = db();
  pqxx::work& w = d.work();
  auto claimed = claimed_xid_.find(put.key);
  if (!d.locked.count(put.key) && claimed != claimed_xid_.end()) {
    // A tick's change to a lead it claimed: the claim's read must still be the row's newest.
    auto r = w.exec_prepared(pg::kPutClaimed, put.key, put.month, phone, status,
                             put.record.attempts, due.has_value(), due.value_or(0),
                             put.record.created_at, put.record.updated_at, json, claimed->second);
    if (r.affected_rows() == 0)
      throw StoreError("lead " + put.key +
                       " was changed by another runner after this tick claimed it; the tick is "
                       "undone and the store reloaded");
    claimed_xid_.erase(claimed);
  } else if (d.locked.count(put.key)) {
    // Held by this transaction: no one else writes it before the commit; written with the rest.
    d.puts[put.key] = {put.key,
                       std::to_string(put.month),
                       phone,
                       status,
                       std::to_string(put.record.attempts),
                       due ? std::to_string(*due) : std::string(),
                       std::to_string(put.record.created_at),
                       std::to_string(put.record.updated_at),
                       std::move(json)};
  } else {
    w.exec_prepared(pg::kPut, put.key, put.month, phone, status, put.record.attempts,
                    due.has_value(), due.value_or(0), put.record.created_at, put.record.updated_at,
                    json);
  }
  d.locked.insert(put.key);
  d.stubs.erase(put.key);
}

void PgStore::flush_puts() {
  Db& d = db();
  if (d.puts.empty()) return;
  std::array<std::string, 9> columns;
  for (auto& c : columns) c = "{";
  for (const auto& [key, row] : d.puts)  // key order
    for (std::size_t i = 0; i < columns.size(); ++i)
      append_array_element(columns[i], row[i], i == 5);
  for (auto& c : columns) c += "}";
  d.puts.clear();
  d.work().exec_prepared(pg::kPutMany, columns[0], columns[1], columns[2], columns[3], columns[4],
                         columns[5], columns[6], columns[7], columns[8]);
}

void PgStore::sync() {
  claimed_xid_.clear();  // a tick's claimed reads count until its sync
  if (!rolled_back_.empty()) {
    const std::string why = std::move(rolled_back_);
    rolled_back_.clear();
    throw StoreError("PostgreSQL " + redact_pg_url(options_.url) +
                     ": the transaction was rolled back (" + why +
                     "); nothing since the last "
                     "commit is durable");
  }
  if (!db_->txn) return;
  try {
    // Placeholders of leads that were locked but never written (a duplicate, a stop of an
    // unknown lead) are not committed.
    flush_puts();
    for (const std::string& key : db_->stubs) db_->txn->exec_prepared(pg::kDropStub, key);
    db_->txn->commit();
    db_->end();
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
    flush_puts();
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
  try {
    pqxx::work& w = db_->work();
    // This runner is alive: its calls keep their numbers.
    w.exec_prepared(pg::kRenewLeases, options_.owner, q.now + options_.lease_ms);
    for (const auto& row : w.exec_prepared(pg::kLiveDials, options_.owner))
      out.live_dial_seqs.push_back(row[0].as<std::uint64_t>());
    std::size_t limit = q.limit;
    if (q.max_calls_in_flight > 0)
      limit = std::min(limit, q.max_calls_in_flight > out.live_dial_seqs.size()
                                  ? q.max_calls_in_flight - out.live_dial_seqs.size()
                                  : 0);
    auto due = w.exec_prepared(pg::kDueLeads, q.now, q.max_attempts, q.window_start,
                               static_cast<std::int64_t>(limit));
    // Leases taken in number order: two claiming runners never wait on each other in a cycle.
    std::vector<int> order(static_cast<std::size_t>(due.size()));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      return due[a][2].as<std::string>() < due[b][2].as<std::string>();
    });
    std::vector<bool> leased(order.size(), false);
    for (int i : order)
      leased[static_cast<std::size_t>(i)] =
          !w.exec_prepared(pg::kTakeLease, due[i][2].as<std::string>(), due[i][0].as<std::string>(),
                           options_.owner, q.now + options_.lease_ms, q.now)
               .empty();
    for (int i = 0; i < static_cast<int>(order.size()); ++i) {
      if (!leased[static_cast<std::size_t>(i)]) continue;
      const auto row = due[i];
      const std::string key = row[0].as<std::string>();
      out.records.push_back(
          parse_stored_record(key, row[1].as<MonthId>(), row[3].as<std::string>()));
      undialed_.insert(row[2].as<std::string>());
      claimed_xid_[key] = row[4].as<std::string>();
    }
    db_->txn->commit();
    db_->end();
  } catch (const std::exception& e) {
    fail("claim", e);
  }
  return out;
}

void PgStore::release_undialed() {
  try {
    for (const std::string& phone : undialed_)
      db_->work().exec_prepared(pg::kReleaseLease, phone, options_.owner);
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
    std::string xmin = r.exec_prepared(pg::kSnapshotXmin)[0][0].as<std::string>();
    for (const auto& row : r.exec_prepared(pg::kChangedSince, seen_xmin_))
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

// Locks the lead's row (or creates its placeholder) before reading it, so no other runner can
// create or change the lead until this transaction ends (pg_statements.cpp). Never waits while
// this transaction holds anything: when the row is busy it commits first (the changes so far
// are complete results; their answers still wait for the loop's commit).
std::optional<StoredRecord> PgStore::lock_lead(const std::string& key) {
  try {
    Db& d = db();
    if (d.stubs.count(key)) return std::nullopt;  // created by this transaction, not written
    if (d.puts.count(key)) flush_puts();          // read below: the row must be as written
    // Advisory locks share the server's lock table (about max_locks_per_transaction x
    // max_connections entries): a bulk enqueue of new leads commits every kMaxKeyLocks.
    if (d.key_locks >= kMaxKeyLocks) sync();
    const bool held_nothing = !d.txn;
    auto r = d.work().exec_prepared(pg::kTryLockLead, key);
    if (r[0][0].is_null() && !r[0][2].as<bool>()) {
      if (!held_nothing) sync();  // (at most this key's advisory lock is held otherwise)
      d.work().exec_prepared(pg::kWaitKey, key);
      r = d.work().exec_prepared(pg::kLockLead, key);
    }
    d.locked.insert(key);
    if (r[0][2].as<bool>()) {
      d.stubs.insert(key);
      ++d.key_locks;
      return std::nullopt;
    }
    if (r[0][0].is_null()) return std::nullopt;  // deleted meanwhile (another's retention)
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
    auto r = db_->work().exec_prepared(pg::kRecordCallId, call_id, key, at, phone);
    if (!r[0][0].as<bool>()) return Recorded::kDuplicate;
    return r[0][1].as<bool>() ? Recorded::kEndedCall : Recorded::kOutsideCall;
  } catch (const std::exception& e) {
    fail("call id", e);
  }
}

}  // namespace redial
