#pragma once
// The redial queue: the seed's addOrUpdateLead and processQueue, with calls in flight tracked
// in the core (the seed's CallStateManager) and every change journaled through the Store.
//
// Threading: one owner. The runner drives it from its single event loop, the simulator from its
// event loop; nothing here locks.
#include <cassert>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/business_calendar.h"
#include "core/call_id_hashes.h"
#include "core/call_result.h"
#include "core/calling_rules.h"
#include "core/clock.h"
#include "core/dial_rate_limits.h"
#include "core/dialer.h"
#include "core/dnc_list.h"
#include "core/in_flight_register.h"
#include "core/lead_explanation.h"
#include "core/lead_record.h"
#include "core/redial_policy.h"
#include "core/result_decision.h"
#include "core/store.h"

namespace spdlog {
class logger;
}

namespace redial {

enum class ApplyKind {
  kCreated,    // a new record (attempts 1)
  kUpdated,    // an existing record got one more result
  kDuplicate,  // this call_id was already recorded: nothing changed
};

struct ApplyResult {
  ApplyKind kind;
  std::string key;
  LeadStatus status;  // the record's status afterwards
  int attempts;       // the record's attempts afterwards
};

struct TickSummary {
  TimeMs at = 0;
  bool ran = false;            // false: a global check stopped it (see skipped_reason)
  std::string skipped_reason;  // "disabled", "outside business hours"
  int total_ready = 0;
  int calls_made = 0;
  int skipped = 0;         // ready leads not dialed: call in flight, concurrency limit, re-checks
  int held = 0;            // ready leads a calling rule held back (moved to when it allows)
  int dnc = 0;             // ready leads found on a do-not-call list (never dialed)
  int errors = 0;          // dials the dialer refused at once
  int calls_released = 0;  // calls in flight given up after call_timeout_ms
  // Ready leads left where they are (also counted in held) because a dial limit per hour or per
  // day was reached, or for the next pacing slot; limit_rule names the rule ("" if none).
  int rate_limited = 0;
  int paced = 0;
  std::string limit_rule;
};

struct ReadyLead {
  std::string key;
  TimeMs due_at;  // next_redial_timestamp, or the callback time for a rescheduled lead
};

struct StatusCounts {
  std::size_t pending = 0, rescheduled = 0, completed = 0, max_attempts = 0, dnc = 0, paused = 0;
};

// The answer to an operator's action on a lead (pause, resume, delete).
struct LeadAction {
  enum class Kind { kDone, kUnknownKey, kConflict };
  Kind kind = Kind::kDone;
  std::string why;  // kConflict: what in the lead's state forbids the action
};

// The run-time switch of the whole queue (admin API): off, no tick dials; results still apply.
struct QueueSwitch {
  bool enabled = true;
  std::optional<std::string> reason;
  std::optional<TimeMs> changed_at;
};

// Why a decision was taken, for the simulator's trace and the logs.
struct QueueEvent {
  TimeMs at;
  std::string kind;  // "result", "duplicate", "dial", "skip", "dial_failed", "released", ...
  std::string key;
  std::string detail;
  TimeMs until_ms = 0;  // "hold": the instant its rule allows a call (the text's local time can
                        // be ambiguous in a DST fall-back hour); else 0
};

// What one retention run did (RedialQueue::enforce_retention).
struct RetentionReport {
  std::string refused;              // not empty: why nothing was done (the clock looks wrong)
  std::vector<MonthId> retired;     // months moved aside (month files) or deleted (PostgreSQL)
  std::size_t records = 0;          // records those months held
  std::vector<MonthId> kept;        // past the period by name, kept: a record in them is recent
  std::vector<std::string> purged;  // retired files deleted after the grace period
};

class RedialQueue final : private RecordSource {
 public:
  // REQUIRES: clock, store and dialer outlive the queue. Validates the policy (ConfigError).
  RedialQueue(RedialPolicy policy, const Clock& clock, Store& store, Dialer& dialer,
              std::shared_ptr<spdlog::logger> logger = nullptr);
  ~RedialQueue() override;

  // Loads records and calls in flight from the store, and the calling-rule tables and
  // do-not-call file the policy names unless set before. Throws ConfigError for a bad table.
  // REQUIRES: called once, first.
  void load();
  // REQUIRES: before load(). Lets several queues (simulator restarts) share loaded tables.
  void set_calling_rules(std::shared_ptr<const CallingRules> rules) {
    assert(!loaded_);
    rules_ = std::move(rules);
  }
  void set_dnc_list(std::shared_ptr<const DncList> list) { dnc_list_ = std::move(list); }
  // Re-reads the policy's dnc_file. On ConfigError the previous list stays in force.
  std::size_t reload_dnc();
  const CallingRules& calling_rules() const { return *rules_; }
  // True when the number is on the do-not-call file or was put on the internal list by an
  // outcome. REQUIRES: normalized phone.
  bool is_do_not_call(const std::string& normalized_phone) const;

  // The seed's addOrUpdateLead. Throws InputError (nothing changed) for a missing call_id, an
  // unknown outcome, a bad phone or lead id. Durable only after sync().
  ApplyResult apply_result(const CallResult& result);

  // Puts a lead in the queue for a first dial at `dial_at` (attempts 0). An existing pending
  // record is left as it is; a completed or max_attempts one is not reopened. Returns the key.
  std::string enqueue(const LeadInput& lead, TimeMs dial_at);

  // The seed's processQueue: global checks, ready selection, per-lead checks, dials, summary.
  // Syncs the store before dialing.
  TickSummary tick();

  // Leads that tick() would consider now (the four filters and business hours), due first.
  std::vector<ReadyLead> ready(TimeMs now) const;

  // The dialer's answers. Unknown or stale dial_seqs are ignored (logged).
  void on_dial_accepted(std::uint64_t dial_seq, const std::string& call_id);
  // retry_after_ms: when the lead may be dialed again (e.g. a 429's wait); nullopt: next tick.
  void on_dial_failed(std::uint64_t dial_seq, const std::string& reason,
                      std::optional<TimeMs> retry_after_ms = std::nullopt);
  // Gives up a call in flight (the dialer could not settle it). Returns false if none matched.
  bool release_call(std::uint64_t dial_seq, const std::string& reason);

  // Completes a lead now (admin "stop" / do-not-call). Returns false for an unknown key.
  bool stop_lead(const std::string& key, const std::string& reason);

  // Operator actions (redial_queue_admin.cpp), journaled like every change (durable after
  // sync()). pause: an open lead gets status paused (kConflict for any other); a call in flight
  // is not cancelled and its result still applies. resume: back to the status it was paused
  // from, due at the later of now and its next_redial_timestamp. delete: the record leaves the
  // store, its reason kept in the journal and the log (kConflict while a call is in flight).
  LeadAction pause_lead(const std::string& key, const std::string& reason);
  LeadAction resume_lead(const std::string& key);
  LeadAction delete_lead(const std::string& key, const std::string& reason);
  // The run-time switch (the runner persists it); the policy's `enabled` still applies too.
  void set_queue_switch(QueueSwitch s);
  const QueueSwitch& queue_switch() const { return queue_switch_; }
  // Numbers an operator put on the do-not-call list (normalized), checked beside the file's.
  void set_admin_dnc(std::unordered_set<std::string> phones) { admin_dnc_ = std::move(phones); }
  // Marks every open or paused lead with this number do-not-call now; returns how many.
  // REQUIRES: normalized phone.
  std::size_t apply_dnc_number(const std::string& normalized_phone, const std::string& why);

  // Makes every change durable; then folds the journal if the store asks for it.
  void sync();
  // Shared store only (no-op with month files): commits this runner's changes, then puts in
  // memory the records any runner changed since the last refresh, so reads (admin, metrics)
  // show the database's current state. Never called inside a tick.
  void refresh_from_store();
  // Folds the journal into the snapshots now (shutdown, admin).
  void checkpoint();
  // Retires months past the retention period by name *and* by every record's own time, in the
  // store (month files: moved to expired/) and in memory; deletes what was retired more than
  // retention_grace_days ago. Refuses (changes nothing, logs an error) when the clock disagrees
  // with the records (docs/storage.md, "Retention"). retention_days 0: does nothing.
  RetentionReport enforce_retention();

  // When the next tick is due: the last tick plus the process interval (now if none ran).
  // Counted on the monotonic clock, so a wall-clock step neither stalls nor bursts the ticks;
  // next_tick_at() is the same instant in wall time (for display).
  TimeMs next_tick_in_ms() const;
  TimeMs next_tick_at() const;

  const LeadRecord* find(const std::string& key) const;
  // Every check the tick would apply to the lead now, and when each allows a dial
  // (core/redial_queue_explain.cpp). nullopt for an unknown key.
  std::optional<LeadExplanation> explain(const std::string& key) const;
  std::size_t size() const { return records_.size(); }
  const StatusCounts& counts() const { return counts_; }
  std::vector<InFlightCall> in_flight_calls() const override;
  std::vector<CallSeen> recent_call_ids() const override;
  const InFlightCall* in_flight_for_phone(const std::string& normalized_phone) const;
  const TickSummary& last_tick() const { return last_tick_; }
  std::uint64_t dial_failures() const { return dial_failures_; }
  const RedialPolicy& policy() const { return policy_; }
  const BusinessCalendar& calendar() const { return calendar_; }
  // Visits every record (any order).
  void for_each(const std::function<void(const std::string&, const LeadRecord&)>& fn) const;

  // The queue's own bookkeeping agrees with itself: status counts equal a recount, the maps of
  // calls in flight agree with each other, the ready index holds exactly the records with a due
  // time that are indexed, and no more calls are in flight than max_concurrent_calls allows.
  // Empty when consistent, else what disagrees (core/redial_queue_check.cpp). O(records).
  std::string consistency_error() const;
  // Test-only hook: damages the bookkeeping on purpose (a status count off by one), so a test
  // can show consistency_error() sees it.
  void corrupt_counts_for_test() { ++counts_.pending; }

  // Observer for decisions (simulator trace); default none.
  void set_event_listener(std::function<void(const QueueEvent&)> listener) {
    listener_ = std::move(listener);
  }

 private:
  // Members ordered for size: one Slot per lead.
  struct Slot {
    LeadRecord record;
    TimeMs indexed_due = -1;      // position in ready_index_, -1 when not indexed
    CallIdHashes call_id_hashes;  // call ids recorded since load, for duplicates
    MonthId month = 0;
    std::optional<LeadStatus> counted_as;  // the status counts_ holds this record under
  };
  using SlotMap = std::unordered_map<std::string, Slot>;
  // Index entries point at the record's map entry (stable: the map is node-based), so a scan
  // reaches key and record without a hash lookup.
  using IndexEntry = std::pair<TimeMs, SlotMap::value_type*>;
  // Ties on the due time are broken by key, so runs replay identically.
  struct DueOrder {
    bool operator()(const IndexEntry& a, const IndexEntry& b) const {
      return a.first != b.first ? a.first < b.first : a.second->first < b.second->first;
    }
  };
  using ReadyIndex = std::set<IndexEntry, DueOrder>;

  void for_each_in_month(
      MonthId month,
      const std::function<void(const std::string&, const LeadRecord&)>& fn) const override;

  // Journals the slot's record and reindexes it. REQUIRES: it points into records_.
  void put(SlotMap::iterator it);
  void reindex(SlotMap::iterator it);
  std::optional<TimeMs> due_time(const LeadRecord& r) const;
  // The first instant of the ready window on the local day `today` (the minimum when it is off).
  TimeMs window_start(LocalDay today) const;
  bool in_ready_window(const LeadRecord& r, TimeMs window_start) const;
  void end_call(const std::string& phone, const std::string& reason);
  // Counts a call to the lead and its number at `at` (caps, gaps); forget_call undoes it for a
  // dial that was refused before it became a call.
  void note_call(LeadRecord& rec, const std::string& phone, TimeMs at);
  void forget_call(LeadRecord& rec, const std::string& phone);
  std::span<const TimeMs> phone_calls(const std::string& phone, TimeMs now);
  // Marks an open lead do-not-call (status dnc) and journals it.
  void mark_dnc(SlotMap::iterator it, const std::string& phone, const std::string& why);
  void expire_calls(TimeMs now, TickSummary& summary);
  // A dial limit stopped the tick at rest.front(): counts, logs and traces the leads left.
  void note_rate_hold(const DialHold& hold, std::span<const std::string* const> rest,
                      TickSummary& summary);
  // How long ago (monotonic ms) the call was dialed.
  TimeMs call_age_ms(const InFlightCall& call);
  void remember_call_id(Slot& slot, std::uint64_t id_hash);
  // Shared store only (redial_queue_shared.cpp): puts a record read from the store in memory,
  // replacing the copy there; forgets a record the store no longer has; locks the lead's row
  // and brings its memory copy up to date.
  SlotMap::iterator refresh(StoredRecord&& fresh);
  void forget(const std::string& key);
  void lock_and_refresh(const std::string& key);
  // Claims due leads from the shared store and returns their keys, due first.
  std::vector<const std::string*> claim_due(TimeMs now, TimeMs window_start);
  void emit(TimeMs at, const char* kind, const std::string& key, std::string detail,
            TimeMs until_ms = 0);
  // load()'s parts: the records (indexed, counted, their numbers' calls), the call ids seen,
  // the calls in flight.
  void load_records(std::vector<StoredRecord>& records, TimeMs now);
  void load_seen(std::vector<CallSeen>& seen, TimeMs now);
  void load_in_flight(std::vector<InFlightCall>& calls);
  // apply_result()'s parts (core/redial_queue.cpp).
  std::optional<ApplyResult> shared_duplicate(const CallResult& r, const std::string& key,
                                              const std::string& phone, TimeMs now,
                                              bool& ended_a_runners_call);
  std::optional<ApplyResult> local_duplicate(const CallResult& r, const Slot& slot,
                                             const std::string& key, const std::string& phone,
                                             TimeMs now);
  bool result_ends_flight(const CallResult& r, const std::string& key,
                          const std::string& phone) const;
  void log_applied(const CallResult& r, const std::string& key, const LeadRecord& rec, bool created,
                   ResultKind kind, TimeMs now);
  // tick()'s phases (core/redial_queue_tick.cpp).
  std::string global_skip_reason(TimeMs now) const;
  std::vector<const std::string*> select_due(TimeMs now);
  std::vector<DialRequest> check_leads(const std::vector<const std::string*>& due, TimeMs now,
                                       TickSummary& summary);
  std::optional<std::string> check_lead(SlotMap::iterator it, TimeMs now, TickSummary& summary);
  void push_back_busy(SlotMap::iterator it, TimeMs now);
  bool hold_by_rules(SlotMap::iterator it, const std::string& phone, TimeMs now);
  DialRequest start_call(SlotMap::iterator it, const std::string& phone, TimeMs now);
  void commit_calls(const std::vector<DialRequest>& to_dial);
  void place_calls(const std::vector<DialRequest>& to_dial, TimeMs now, TickSummary& summary);
  void finish_tick(const TickSummary& summary, TimeMs now);
  // Takes the record out of the ready index (it stays counted).
  void unindex(SlotMap::iterator it);
  // Takes the record out of the index and the counts, then out of the map.
  void erase_record(SlotMap::iterator it);
  // explain()'s parts (core/redial_queue_explain.cpp).
  void explain_state(LeadExplanation& e, const LeadRecord& rec) const;
  // enforce_retention()'s part that retires months and drops their records from memory.
  void retire_months(RetentionReport& report, const std::vector<MonthId>& retire, TimeMs now);
  // explain()'s parts (core/redial_queue_explain.cpp).
  void explain_dialing(LeadExplanation& e, const LeadRecord& rec) const;
  CallHistory history_of(const LeadRecord& rec, const std::string& phone) const;
  std::string rule_detail(const RuleVerdict& v, const LeadLocation& where) const;
  std::optional<TimeMs> combined_next(const LeadRecord& rec, TimeMs from) const;

  RedialPolicy policy_;
  DialRateLimiter rate_limits_;  // per hour / per day limits and pacing (the tick asks it)
  BusinessCalendar calendar_;
  const Clock& clock_;
  Store& store_;
  Dialer& dialer_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void(const QueueEvent&)> listener_;

  SlotMap records_;
  StatusCounts counts_;
  ReadyIndex ready_index_;
  InFlightRegister in_flight_;
  std::deque<CallSeen> recent_;  // results applied, oldest first, for recent_call_ids()
  std::uint64_t next_dial_seq_ = 1;
  TickSummary last_tick_;
  std::optional<TimeMs> last_tick_mono_ms_;  // clock_.mono_ms() at the last tick
  bool ticking_ = false;
  bool loaded_ = false;                    // load() ran (set_calling_rules must come before it)
  TickSummary* active_summary_ = nullptr;  // the tick in progress, for dial failures inside it
  std::uint64_t dial_failures_ = 0;
  std::shared_ptr<const CallingRules> rules_;
  std::shared_ptr<const DncList> dnc_list_;
  std::unordered_set<std::string> dnc_phones_;  // numbers put on the list by outcomes
  std::unordered_set<std::string> admin_dnc_;   // numbers put on the list by an operator
  QueueSwitch queue_switch_;
  // Calls to each number in the last 24 h, oldest first (from records' recent_call_times).
  std::unordered_map<std::string, std::vector<TimeMs>> calls_by_phone_;
};

}  // namespace redial
