#pragma once
// A store several queues (runners on different machines) share: PostgreSQL. The database is
// the authority for who may dial which number and for which call ids were recorded; the core's
// rules (policy, calling rules, caps, calls in flight) stay in RedialQueue.
//
// How RedialQueue uses it when Store::shared() is not null (docs/scaling.md):
//   tick:         claim_due() leases the numbers of due leads and returns their current
//                 records; the queue applies its rules to those leads only, appends CallStarted
//                 for the ones it dials (which turns the lease into a call lease) and calls
//                 release_undialed() for the rest, before the sync that precedes any dial.
//   apply_result: lock_lead() (row lock until the next sync, current record), then
//                 record_call_id() (false: a duplicate, recorded by any runner).
//   enqueue/stop: lock_lead() first, so a stale copy never overwrites a newer record.
//   admin reads and /metrics: RedialQueue::refresh_from_store() installs changed_records().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store.h"

namespace redial {

struct ClaimQuery {
  TimeMs now = 0;
  TimeMs window_start = 0;  // leads created before this are out of the ready window
  int max_attempts = 0;     // leads with this many attempts are never due
  std::size_t limit = 0;    // claim at most this many leads
  // When > 0: claim at most this many minus this runner's calls still in flight (their leases
  // are counted in the claim's transaction, so calls another runner ended free their places).
  std::size_t max_calls_in_flight = 0;
};

struct ClaimResult {
  std::vector<StoredRecord> records;  // the claimed leads, due first
  // This runner's calls that still hold their number's lease; a call of this runner missing
  // here ended elsewhere (another runner applied its result).
  std::vector<std::uint64_t> live_dial_seqs;
};

class SharedStore {
 public:
  virtual ~SharedStore() = default;
  // Leases the numbers of up to `limit` due leads (earliest due first) that no runner holds a
  // lease on, and returns those leads' current records. Renews this runner's call leases.
  // Commits before returning, so other runners see the leases at once.
  virtual ClaimResult claim_due(const ClaimQuery& q) = 0;
  // Gives back the leases of the last claim_due that no CallStarted turned into a call lease.
  virtual void release_undialed() = 0;
  // Locks the lead's row until the next sync; returns its current record (nullopt: none).
  // A lead that does not exist is locked too (no other runner can create it until the sync),
  // so the record the caller writes is built on the newest one. May commit this runner's
  // earlier changes first (a sync) rather than wait for a lock while holding others.
  virtual std::optional<StoredRecord> lock_lead(const std::string& key) = 0;
  // Commits this runner's changes (a sync), then returns the records that any runner changed
  // since the previous call (the first call: since load()); a record may come back again.
  virtual std::vector<StoredRecord> changed_records() = 0;
  // Records that a result with this call id was applied to the lead, and ends the lease on the
  // number of the call it names (whichever runner dialed it).
  enum class Recorded {
    kDuplicate,    // any runner recorded this call id before; nothing changed
    kEndedCall,    // new; it ended a call a runner placed (counted for caps at its dial)
    kOutsideCall,  // new; no runner's call matched (a call placed outside the queue)
  };
  virtual Recorded record_call_id(const std::string& call_id, const std::string& key,
                                  const std::string& phone, TimeMs at) = 0;
};

}  // namespace redial
