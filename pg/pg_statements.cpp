// PgStore's statements. Leads are created and changed under a row lock (docs/scaling.md, "No
// lost result"): a transaction that does not hold a lead's row yet takes it with kTryLockLead,
// which locks the existing row or inserts a placeholder ('stub') for a new lead, without waiting.
// Only when that fails (another transaction holds the row, or is creating it) does the store
// commit what it holds and wait, holding nothing, in kWaitKey + kLockLead: a transaction that
// waits holds no lead, so two runners never wait on each other in a cycle. Every creation of a
// lead row holds the key's advisory lock (7291509, hashtext(key)) until its commit,
// so kTryLockLead's insert never waits on another transaction's uncommitted insert, and after
// kWaitKey every creation of the key has committed and is visible to kLockLead.
#include "pg/pg_statements.h"

namespace redial::pg {

void prepare_statements(pqxx::connection& conn) {
  // $1 key, $2 month, $3 phone, $4 status, $5 attempts, $6 open?, $7 due_at, $8 created_at,
  // $9 updated_at, $10 record. The row is this transaction's (locked or created) already.
  conn.prepare(
      kPut,
      "INSERT INTO leads (key, month, phone, status, attempts, due_at, created_at,"
      " updated_at, record) VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $7::bigint END,"
      " $8, $9, $10) ON CONFLICT (key) DO UPDATE SET month = EXCLUDED.month, phone ="
      " EXCLUDED.phone, status = EXCLUDED.status, attempts = EXCLUDED.attempts, due_at ="
      " EXCLUDED.due_at, created_at = EXCLUDED.created_at, updated_at ="
      " EXCLUDED.updated_at, record = EXCLUDED.record, changed_xid = pg_current_xact_id()");
  // The same for many rows at once: one array per column (text literals), in key order; a NULL
  // due_at is a closed lead. The rows are this transaction's, locked or created.
  conn.prepare(
      kPutMany,
      "INSERT INTO leads (key, month, phone, status, attempts, due_at, created_at,"
      " updated_at, record) SELECT * FROM unnest($1::text[], $2::integer[], $3::text[],"
      " $4::text[], $5::integer[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[])"
      " ON CONFLICT (key) DO UPDATE SET month = EXCLUDED.month, phone = EXCLUDED.phone,"
      " status = EXCLUDED.status, attempts = EXCLUDED.attempts, due_at ="
      " EXCLUDED.due_at, created_at = EXCLUDED.created_at, updated_at ="
      " EXCLUDED.updated_at, record = EXCLUDED.record, changed_xid = pg_current_xact_id()");
  // A tick's change to a lead it claimed (read at the claim, not locked since): written only if
  // no other transaction wrote the row since ($11: the changed_xid the claim read).
  conn.prepare(kPutClaimed,
               "UPDATE leads SET month = $2, phone = $3, status = $4, attempts = $5, due_at = CASE"
               " WHEN $6 THEN $7::bigint END, created_at = $8, updated_at = $9, record = $10,"
               " changed_xid = pg_current_xact_id() WHERE key = $1 AND changed_xid ="
               " $11::text::xid8");
  // Returns (month, record) of the locked row, or (NULL, NULL, true) when a placeholder was
  // created, or (NULL, NULL, false) when another transaction holds the row or is creating it.
  conn.prepare(kTryLockLead,
               "WITH locked AS (SELECT month, record FROM leads WHERE key = $1 FOR UPDATE SKIP"
               " LOCKED), created AS (INSERT INTO leads (key, month, phone, status, attempts,"
               " created_at, updated_at, record) SELECT $1, 0, '!' || $1, 'stub', 0, 0, 0, ''"
               " WHERE CASE WHEN EXISTS (SELECT 1 FROM leads WHERE key = $1) THEN false ELSE"
               " pg_try_advisory_xact_lock(7291509, hashtext($1)) END ON CONFLICT DO NOTHING"
               " RETURNING key) SELECT (SELECT month FROM locked), (SELECT record FROM locked),"
               " EXISTS (SELECT 1 FROM created)");
  conn.prepare(kWaitKey, "SELECT pg_advisory_xact_lock(7291509, hashtext($1))");
  // After kWaitKey (a new snapshot): the row is there and is locked (waiting for its holder), or
  // it is not and a placeholder is inserted (no one else can be inserting it).
  conn.prepare(kLockLead,
               "WITH locked AS (SELECT month, record FROM leads WHERE key = $1 FOR UPDATE),"
               " created AS (INSERT INTO leads (key, month, phone, status, attempts, created_at,"
               " updated_at, record) SELECT $1, 0, '!' || $1, 'stub', 0, 0, 0, '' WHERE NOT"
               " EXISTS (SELECT 1 FROM leads WHERE key = $1) ON CONFLICT DO NOTHING RETURNING"
               " key) SELECT (SELECT month FROM locked), (SELECT record FROM locked), EXISTS"
               " (SELECT 1 FROM created)");
  conn.prepare(kDropStub, "DELETE FROM leads WHERE key = $1 AND status = 'stub'");
  conn.prepare(kDeleteLead, "DELETE FROM leads WHERE key = $1");
  // $1 call id, $2 lead key, $3 at, $4 phone. New: (true, whether it ended a runner's call);
  // a duplicate: (false, false). The call's number is free again, whichever runner dialed it
  // (a claimed, not yet dialed lease is another tick's and stays).
  conn.prepare(kRecordCallId,
               "WITH ins AS (INSERT INTO call_ids (call_id, lead_key, at) VALUES ($1, $2, $3) ON"
               " CONFLICT DO NOTHING RETURNING call_id), ended AS (DELETE FROM phone_leases WHERE"
               " phone = $4 AND dial_seq IS NOT NULL AND (call_id = $1 OR (call_id IS NULL AND"
               " lead_key = $2)) AND EXISTS (SELECT 1 FROM ins) RETURNING 1) SELECT EXISTS"
               " (SELECT 1 FROM ins), EXISTS (SELECT 1 FROM ended)");
  conn.prepare(kCallStarted,
               "UPDATE phone_leases SET dial_seq = $3, dialed_at = $4, lease_until = $4::bigint +"
               " $5::bigint, lead_key = $6 WHERE phone = $1 AND owner = $2");
  conn.prepare(kCallAccepted,
               "UPDATE phone_leases SET call_id = $3 WHERE phone = $1 AND owner = $2 AND dial_seq"
               " = $4");
  conn.prepare(kCallEnded,
               "DELETE FROM phone_leases WHERE phone = $1 AND owner = $2 AND dial_seq = $3");
  conn.prepare(
      kRenewLeases,
      "UPDATE phone_leases SET lease_until = $2 WHERE owner = $1 AND dial_seq IS NOT NULL");
  conn.prepare(kLiveDials,
               "SELECT dial_seq FROM phone_leases WHERE owner = $1 AND dial_seq IS NOT NULL");
  conn.prepare(kDueLeads,
               "SELECT key, month, phone, record, changed_xid::text FROM leads l WHERE due_at <= $1"
               " AND attempts < $2 AND (status = 'rescheduled' OR created_at >= $3) AND NOT EXISTS"
               " (SELECT 1 FROM phone_leases p WHERE p.phone = l.phone AND p.lease_until > $1)"
               " ORDER BY due_at, key LIMIT $4 FOR UPDATE SKIP LOCKED");
  conn.prepare(kTakeLease,
               "INSERT INTO phone_leases (phone, lead_key, owner, lease_until) VALUES ($1, $2, $3,"
               " $4) ON CONFLICT (phone) DO UPDATE SET lead_key = EXCLUDED.lead_key, owner ="
               " EXCLUDED.owner, lease_until = EXCLUDED.lease_until, dial_seq = NULL, call_id ="
               " NULL, dialed_at = NULL WHERE phone_leases.lease_until <= $5 RETURNING phone");
  conn.prepare(kReleaseLease,
               "DELETE FROM phone_leases WHERE phone = $1 AND owner = $2 AND dial_seq IS NULL");
  conn.prepare(kChangedSince,
               "SELECT key, month, record FROM leads WHERE changed_xid >= $1::text::xid8");
  conn.prepare(kSnapshotXmin, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
}

}  // namespace redial::pg
