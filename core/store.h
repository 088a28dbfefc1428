#pragma once
// Where the queue keeps its records. The queue sees only this interface: the month files with
// their journal (MonthStore), an in-memory fake for tests and the simulator (MemoryStore), and
// later a PostgreSQL store all fit under it.
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "core/business_calendar.h"
#include "core/dialer.h"
#include "core/lead_record.h"

namespace redial {

class SharedStore;

// The whole new state of one record (a post-image, so replaying it twice is harmless).
struct RecordPut {
  MonthId month;  // the month file the record lives in (its created_at month)
  std::string key;
  LeadRecord record;
};
// A dial is about to be placed; written and synced before the dialer is called, so a crash
// between dial and result never leads to a second call.
struct CallStarted {
  InFlightCall call;
};
// Bland accepted the dial and named the call.
struct CallAccepted {
  std::string phone;
  std::uint64_t dial_seq;
  std::string call_id;
};
// The call in flight to this phone is over: its result came, the dial failed, or it was released.
struct CallEnded {
  std::string phone;
  std::uint64_t dial_seq;
  std::string reason;
};
// A call id already recorded for a lead, carried across checkpoints so that a late duplicate
// webhook is still recognised after the journal is folded.
struct CallSeen {
  std::string key;
  std::string call_id;
  TimeMs at;
};
// An operator deleted the record (admin API): it is gone from the store; the journal keeps the
// deletion with its reason until the next checkpoint (the log keeps it for good).
struct RecordDeleted {
  MonthId month;
  std::string key;
  std::string reason;
  TimeMs at;
};
using Mutation =
    std::variant<RecordPut, CallStarted, CallAccepted, CallEnded, CallSeen, RecordDeleted>;

struct StoredRecord {
  MonthId month;
  std::string key;
  LeadRecord record;
};

struct StoreState {
  std::vector<StoredRecord> records;  // at most one per key: the latest
  std::vector<InFlightCall> in_flight;
  std::vector<CallSeen> seen;  // call ids recorded recently (each put's last_call_id, CallSeen)
};

// Read access to the queue's records for a checkpoint.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  virtual void for_each_in_month(
      MonthId month,
      const std::function<void(const std::string& key, const LeadRecord&)>& fn) const = 0;
  virtual std::vector<InFlightCall> in_flight_calls() const = 0;
  // Call ids recorded recently enough that a duplicate webhook may still come.
  virtual std::vector<CallSeen> recent_call_ids() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Everything durable. REQUIRES: called once, before any other call. Throws StoreError naming
  // the file and position of anything unreadable, and then has changed nothing.
  virtual StoreState load() = 0;
  // Queues a change. It is durable only after sync() returns.
  virtual void append(const Mutation& m) = 0;
  // Makes every appended change durable (group commit: one flush for all). Throws StoreError;
  // the caller must then acknowledge nothing and rebuild its memory (which is ahead of disk)
  // from a fresh store's load(); MonthStore leaves its files at the last good sync.
  virtual void sync() = 0;
  // True when the journal has grown enough that a checkpoint should fold it.
  virtual bool wants_checkpoint() const = 0;
  // Folds everything appended (and synced) into the snapshots. REQUIRES: sync() just returned.
  virtual void checkpoint(const RecordSource& source) = 0;
  // Retires these months (the queue checked them against the retention rules): the month files
  // keep a copy in expired/ (stamped now_ms), others delete them. Returns the months retired.
  virtual std::vector<MonthId> drop_months(const std::vector<MonthId>& months, TimeMs now_ms) = 0;
  // Deletes what was retired before `before_ms` (the grace period is over); returns what went.
  virtual std::vector<std::string> purge_retired(TimeMs before_ms) {
    (void)before_ms;
    return {};
  }
  // Not null for a store several runners share (core/shared_store.h); month files: null.
  virtual SharedStore* shared() { return nullptr; }
};

}  // namespace redial
