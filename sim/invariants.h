#pragma once
// The rules every run must keep, whatever the scenario expects. The checker keeps its own model
// of what the outside world knows (acknowledged results, calls really in progress) and checks the
// queue against it at every dial, every webhook and every restart, plus a full scan at the end.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/calling_rules.h"
#include "core/dialer.h"
#include "core/lead_record.h"
#include "core/redial_policy.h"
#include "core/redial_queue.h"

namespace date {
class time_zone;
}

namespace redial::sim {

struct Violation {
  TimeMs at = 0;
  std::string event;  // the event being processed, e.g. "tick", "webhook 12345-c2"
  std::string rule;   // short name of the rule broken
  std::string what;
};

class InvariantChecker {
 public:
  explicit InvariantChecker(const RedialPolicy& policy);

  // The calling-rule tables (only their data is used: which zones and state rules apply to a
  // lead) and the scenario's do-not-call numbers (as written; normalized here).
  void set_calling_rules(std::shared_ptr<const CallingRules> rules,
                         const std::vector<std::string>& dnc_numbers);

  // A call is really in progress on `phone` (normalized) from `start` until `until`. `by_queue`:
  // the queue dialed it (false: a call made outside the queue, which the queue only learns of
  // from its result; it counts towards caps and the call gap once that result is acknowledged).
  void call_started(const std::string& phone, const std::string& key, const std::string& call_id,
                    TimeMs start, TimeMs until, bool by_queue);

  // The queue asks for a dial. `current` is the queue's record now. Returns the id of a call made
  // outside the queue that is in progress on the same phone ("" if none): not a violation, since
  // the queue cannot see such calls, but worth a note.
  std::string on_dial(TimeMs now, const std::string& event, const DialRequest& r,
                      const LeadRecord* current);
  // apply_result returned; called before the ack. `before_attempts`: -1 if no record before.
  void on_applied(TimeMs now, const std::string& event, const std::string& call_id,
                  const ApplyResult& res, int before_attempts);
  // The result was made durable and acknowledged to the sender.
  void on_ack(TimeMs now, const std::string& event, const std::string& key,
              const std::string& call_id, const ApplyResult& res, const LeadRecord& rec,
              std::optional<TimeMs> callback_at);
  // stop_lead was made durable.
  void on_stop(const std::string& key);
  // The queue was rebuilt from the store after a crash: nothing acknowledged may be missing.
  void after_reload(TimeMs now, const std::string& event, const RedialQueue& q);
  // The queue's own bookkeeping agrees with itself (RedialQueue::consistency_error: status
  // counts, ready index, calls in flight, concurrency limit). O(records): the simulator calls it
  // after every tick and reload, and after every result while the queue is small.
  void queue_consistent(TimeMs now, const std::string& event, const RedialQueue& q);
  // Full scan at the end of the run.
  void final_scan(TimeMs now, const RedialQueue& q);

  const std::vector<Violation>& violations() const { return violations_; }
  std::size_t checks() const { return checks_; }

 private:
  struct Acked {
    int attempts = 0;
    std::vector<std::string> outcomes;
    std::string last_call_id;
    TimeMs result_at = 0;
    std::optional<TimeMs> callback_at;
    bool completed = false;  // a success or stop outcome, or stop_lead, was acknowledged
    bool never = false;      // a result whose outcome rule is "never" was acknowledged
  };
  struct OutsideCall {
    std::string phone, key;
    TimeMs start = 0;
  };
  struct Busy {
    std::string call_id;
    TimeMs until = 0;
    bool by_queue = true;
  };

  TimeMs wait_after(const std::vector<std::string>& outcomes) const;
  bool open_at(TimeMs t) const;
  // Calling rules at the dial instant (do not call, legal window, caps, call gap).
  void check_calling_rules(TimeMs now, const std::string& event, const DialRequest& r,
                           const std::string& phone);
  void note_call(const std::string& phone, const std::string& key, TimeMs start);
  // Dial rate limits at the dial instant: no hour (day) holds more calls than
  // max_calls_per_hour (_day), this dial included; two queue calls are at least the pacing gap
  // apart (so no minute or second holds more than dials_per_minute / dials_per_second).
  void check_dial_limits(TimeMs now, const std::string& event, const DialRequest& r);
  void violate(TimeMs at, const std::string& event, const char* rule, std::string what);

  RedialPolicy policy_;
  const date::time_zone* zone_;
  // Hash maps: looked up several times per event. The only walk (after_reload) reports in key
  // order, so a run's trace does not depend on the hash order.
  std::unordered_map<std::string, Acked> acked_;                   // by lead key
  std::unordered_map<std::string, std::vector<std::string>> ids_;  // acknowledged call ids
  std::unordered_map<std::string, Busy> busy_;                     // by normalized phone
  std::shared_ptr<const CallingRules> rules_;
  std::unordered_set<std::string> dnc_;  // normalized: the list and dnc outcomes
  std::unordered_map<std::string, std::vector<TimeMs>> calls_by_phone_, calls_by_lead_;  // starts
  std::unordered_map<std::string, OutsideCall> outside_;  // by call id, until acknowledged
  // Every call the queue knows of (its own from their start, outside ones once acknowledged),
  // sorted; and the start of the queue's latest call (pacing).
  std::vector<TimeMs> all_calls_;
  std::optional<TimeMs> last_queue_call_;
  std::vector<Violation> violations_;
  std::size_t checks_ = 0;
};

}  // namespace redial::sim
