#pragma once
// Runs one scenario in virtual time: the world (leads, calls, Bland's webhooks, the process that
// crashes and restarts) around one RedialQueue on a ManualClock and a MemoryStore.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bland/bland_dialer.h"
#include "bland/counters.h"
#include "bland/outcome_mapping.h"
#include "bland/result_applier.h"
#include "bland/webhook_intake.h"
#include "core/calling_rules.h"
#include "core/clock.h"
#include "core/dnc_list.h"
#include "core/memory_store.h"
#include "core/redial_queue.h"
#include "sim/event_queue.h"
#include "sim/expectations.h"
#include "sim/invariants.h"
#include "sim/scenario.h"
#include "sim/sim_bland.h"
#include "sim/sim_dial_gate.h"
#include "sim/trace.h"

namespace spdlog {
class logger;
}

namespace redial::sim {

struct Timeline;
class TimelineRecorder;

struct RunResult {
  std::string file, name;
  bool passed = false;
  std::string error;  // the run could not be carried out (bad scenario, store error)
  std::size_t leads = 0;
  std::map<std::string, long long> totals;  // kTotalNames
  TimeMs start = 0, last_event = 0;
  std::string span_text;  // "14:00 .. 17:55 (3h55m)"
  double wall_ms = 0;
  std::uint64_t events = 0;
  std::uint64_t trace_lines = 0;
  std::uint64_t trace_hash = 0;
  std::size_t invariant_checks = 0;
  std::vector<Violation> violations;
  std::vector<FieldDiff> diffs;
  // Per lead at the end, for redial-sim --json (the differential test compares them).
  struct Lead {
    std::string lead_id;
    bool exists = false;  // the queue has a record
    int attempts = 0, calls = 0;
    std::string status;
    std::vector<TimeMs> dials_at;
  };
  std::vector<Lead> lead_results;
  TimeMs stop_at = 0;                        // the last instant the run would have simulated
  std::shared_ptr<const Timeline> timeline;  // with SimOptions::timeline (redial-sim --report)
};

struct SimOptions {
  std::FILE* trace_out = nullptr;          // --trace
  std::shared_ptr<spdlog::logger> logger;  // nullptr: a silent logger
  bool timeline = false;                   // record RunResult::timeline (--report)
};

// What the simulator knows about one lead of the world.
struct SimLead {
  LeadSpec spec;
  std::string key;               // lead key in the queue
  std::string phone;             // normalized
  int calls = 0;                 // calls that really happened (first call and connected redials)
  std::vector<TimeMs> dials_at;  // every dial the queue started
  struct WebhookPlan {
    TimeMs extra_delay_ms = 0;
    bool lost = false;
    std::vector<TimeMs> duplicate_offsets_ms;  // copies, after the original
  };
  std::map<int, WebhookPlan> webhooks;     // by call number
  std::map<int, std::uint64_t> dial_seqs;  // by call number, for calls the queue dialed
  // Restarts tied to this lead's webhooks, by call number.
  std::map<int, EventSpec> restart_before_ack, restart_after_ack;
};

class Simulation {
 public:
  Simulation(const Scenario& scenario, SimOptions options);
  ~Simulation();
  RunResult run();

  // ---- for SimDialGate and SimBland ----
  TimeMs now() const { return clock_.now_ms(); }
  const Scenario& scenario() const { return sc_; }
  // until_ms: a hold's end, for the timeline (0: none).
  void trace(const std::string& kind, const std::string& key, const std::string& detail,
             TimeMs until_ms = 0);
  // Records a dial the queue started and checks it; returns the lead (made up if unknown).
  SimLead& dial_started(const DialRequest& r);
  // Bland placed the call a dial asked for (`request_body`: the POST body; `error_state`: "" or
  // the Bland error state it ends in, with no webhook). Returns its call id.
  std::string connect(SimLead& lead, TimeMs at, std::uint64_t dial_seq,
                      const std::string& request_body, const std::string& error_state);
  // The lead with queue key `key` (made up if the world does not know it).
  SimLead& lead_by_key(const std::string& key);
  const SimLead* find_lead_by_key(const std::string& key) const;
  // Runs `fn` at `t` only if the same process incarnation is still up then (the answer to a
  // request, a timer: they die with the process that made them).
  void at_same_process(TimeMs t, const std::string& label, std::function<void()> fn);
  // Crashes the process right after the current event.
  void crash_after_event(TimeMs downtime_ms, const std::string& why);

 private:
  // Counters, in the order of kTotalNames (sim/scenario.cpp).
  enum Total : std::size_t {
    kCalls,
    kRedials,
    kResults,
    kDuplicates,
    kDialErrors,
    kRestarts,
    kRejected,
    kReleased,
    kSkipped,
    kPending,
    kRescheduled,
    kCompleted,
    kMaxAttempts,
    kRecords,
    kWebhooksLost,
    kOutsideOverlaps,
    kDnc,
    kHeld,
    kDncSkips,
    kTotalCount
  };
  struct Webhook {
    std::size_t lead;  // index in leads_
    int call = 0;      // call number; 0 for a webhook event from the scenario
    std::string call_id;
    OutcomeSpec outcome;
    bool copy = false;                      // a duplicate sent on purpose
    std::optional<std::uint64_t> dial_seq;  // the queue's dial this call came from
  };

  void at(TimeMs t, std::string label, std::function<void()> fn, bool background = false);
  void setup();
  // Runs `fn` now if the process is up, else retries after webhook_retry_seconds (an outside
  // request to a process that is down fails and is sent again).
  void run_when_up(const std::string& label, std::function<void()> fn);
  std::size_t lead_index(const std::string& lead_id, const std::string& phone);
  const OutcomeSpec& outcome_of(const SimLead& l, int call) const;
  struct PlaceHow {
    const char* how = "";
    std::optional<std::uint64_t> dial_seq;  // the queue's dial (none: a call outside the queue)
    std::string request_body;               // the dial's POST body
    std::string error_state;                // "" or the Bland error state the call ends in
  };
  void place_call(std::size_t li, int call, TimeMs at, const PlaceHow& how);
  void schedule_webhook(const Webhook& w, TimeMs at);
  void deliver(const Webhook& w_in);
  void schedule_tick(TimeMs at);
  void do_tick();
  void crash(TimeMs downtime_ms, const std::string& why);
  // The queue's wall clock jumps by step_ms (either way); monotonic time does not. Pending events
  // keep their distance in real time, so they move with the wall clock; the next tick is asked
  // of the queue, as the runner's loop does.
  void step_wall_clock(TimeMs step_ms, const std::string& where);
  void come_up(bool tick);
  // Loads the calling-rule tables and the do-not-call list once; every queue shares them.
  void load_rules();
  void make_queue();
  // Syncs the queue if the Bland-facing code changed it (the runner's group commit, once per
  // pass of its loop; here once per event).
  void commit_if_dirty();
  bool drained() const;
  void flush_violations();
  void collect(RunResult& r);
  std::map<std::string, long long> totals() const;
  std::string fmt(TimeMs t) const { return sc_.time->brief(t); }
  std::string record_text(const std::string& key) const;

  const Scenario& sc_;
  SimOptions opt_;
  ManualClock clock_;
  MemoryStore store_;
  SimBland bland_;
  SimTimers timers_;
  SimDialGate gate_;
  bland::OutcomeMapping mapping_;  // the runner's default mapping
  std::unique_ptr<RedialQueue> queue_;
  // The production Bland-facing code of one process incarnation (rebuilt at every restart).
  struct Process {
    bland::BlandCounters counters;
    std::unique_ptr<bland::BlandDialer> dialer;
    std::unique_ptr<bland::ResultApplier> applier;
    std::unique_ptr<bland::WebhookIntake> intake;
  };
  std::unique_ptr<Process> proc_;
  bool dirty_ = false;  // the Bland-facing code changed the queue since the last sync
  std::shared_ptr<const CallingRules> rules_;
  std::shared_ptr<const DncList> dnc_list_;
  InvariantChecker checker_;
  EventQueue events_;
  Trace trace_;
  std::unique_ptr<TimelineRecorder> timeline_;  // --report
  std::shared_ptr<spdlog::logger> logger_;

  std::vector<SimLead> leads_;
  std::unordered_map<std::string, std::size_t> by_lead_id_, by_key_;
  bool up_ = false;
  std::uint64_t epoch_ = 0;     // process incarnation
  std::uint64_t tick_gen_ = 0;  // tick schedule; a restart starts a new one
  std::string event_label_;
  std::string last_tick_note_;
  TimeMs trace_time_cache_ = -1;
  std::string trace_time_text_;
  std::optional<TimeMs> pending_crash_;
  std::string pending_crash_why_;
  std::array<long long, kTotalCount> n_{};  // counters, kTotalNames
  std::uint64_t events_run_ = 0;
  std::size_t violations_traced_ = 0;
  TimeMs last_event_ = 0;
  TimeMs stop_at_ = 0;  // the run's end, on the (stepped) wall clock
};

RunResult run_scenario(const Scenario& scenario, SimOptions options);

}  // namespace redial::sim
