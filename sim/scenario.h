#pragma once
// A scenario: the queue's configuration, the leads with their call outcomes, the injected faults
// and outside events, and what the run is expected to produce. Loaded from a JSON file (comments
// allowed; format in scenarios/README.md) or generated from a seed (random_scenario.h).
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/business_calendar.h"
#include "core/redial_policy.h"
#include "core/time.h"
#include "sim/time_text.h"

namespace redial::sim {

// A scenario file is unusable. what() is "FILE: FIELD: reason".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One call's result as the scenario dictates it.
struct OutcomeSpec {
  std::string outcome = "NO_ANSWER";
  std::optional<TimeMs> callback_at;       // CALL_BACK_SCHEDULED and friends
  std::optional<TimeMs> call_ms;           // overrides the lead's call length
  std::optional<TimeMs> webhook_delay_ms;  // overrides the lead's webhook delay
};

struct LeadSpec {
  std::string lead_id, phone_number, list_id, first_name, last_name, state;
  std::optional<TimeMs> first_call_at;  // the initial call, made outside the queue
  std::optional<TimeMs> enqueue_at;     // extension: put in the queue for a first dial instead
  std::optional<TimeMs> dial_at;        // with enqueue_at: no first dial before this (admin API)
  std::vector<OutcomeSpec> outcomes;    // call N gets outcomes[N-1]; NO_ANSWER after the end
  TimeMs call_ms = 40 * kSecondMs;
  TimeMs webhook_delay_ms = 3 * kSecondMs;
};

enum class EventType {
  kRestart,
  kDuplicateWebhook,
  kDelayWebhook,
  kLoseWebhook,
  kWebhook,
  kDialError,
  kDialTimeout,
  kSlowDialResponse,
  kSyncFailure,
  kStopLead,
  kClockStep,       // issue 15: the queue's wall clock is stepped (monotonic time goes on)
  kForgetCall,      // issue 21: Bland answers 404 when the call is looked up
  kDialErrorState,  // issue 21: Bland accepts the dial and the call ends in an error state
};

// When a restart happens: at a time, or around one call's webhook or dial.
enum class RestartPoint { kAt, kBeforeAck, kAfterAck, kInDial };

struct EventSpec {
  EventType type = EventType::kRestart;
  std::string where;  // "events[3]", for messages
  std::optional<TimeMs> at;
  std::string lead_id;
  int call = 0;  // 1 = the first call
  // webhook
  std::string phone_number, call_id;
  OutcomeSpec outcome;
  // dial faults
  int http_status = 0;
  std::string refusal_kind;  // dial_error "kind" (bland_model/refusals.h), "" : from http_status
  std::string code;          // dial_error "code": Bland's error code, "" : the kind's own
  std::string error_state;   // dial_error_state "kind"
  std::optional<TimeMs> retry_after_ms;
  int times = 1;
  // delays: delay_webhook extra delay, slow_dial_response delay, duplicate_webhook offset
  TimeMs delay_ms = 0;
  // clock_step: signed, the wall clock's jump
  TimeMs step_ms = 0;
  // restart
  RestartPoint point = RestartPoint::kAt;
  TimeMs downtime_ms = 0;
};

struct LeadExpect {
  std::optional<int> attempts;
  std::optional<std::string> status;  // a status name, or "absent" for no record
  std::optional<std::vector<TimeMs>> dials_at;
  std::optional<std::vector<std::string>> outcomes;
  std::optional<std::string> last_outcome;
  std::optional<TimeMs> next_redial_at;
  std::optional<int> calls;
};

struct Expectations {
  std::map<std::string, LeadExpect> leads;  // by lead_id
  std::map<std::string, long long> totals;  // names in kTotalNames
  std::optional<long long> violations;      // default 0
};

// Totals a scenario may expect (see scenarios/README.md).
extern const std::vector<std::string> kTotalNames;

struct SimDefaults {
  TimeMs call_ms = 40 * kSecondMs;
  TimeMs webhook_delay_ms = 3 * kSecondMs;
  TimeMs dial_response_ms = 1 * kSecondMs;   // Bland's answer to the dial request
  TimeMs webhook_retry_ms = 60 * kSecondMs;  // an unacknowledged webhook is sent again after this
  // The webhook of a queue dial names the dial (dial_seq in Bland's metadata, as the runner
  // sends it); false: it does not, and the queue must match results to dials without it.
  bool webhook_dial_seq = true;
};

// The simulated store (a MemoryStore).
struct StoreOptions {
  // Fold the journal into a snapshot at the first sync after this many durable mutations (the
  // MemoryStore's knob); small values exercise checkpoints.
  std::optional<std::size_t> checkpoint_after_mutations;
};

struct Scenario {
  std::string file;  // path, or "random:SEED"
  std::string name;
  std::uint64_t seed = 0;
  RedialPolicy policy;
  TimeMs start = 0;
  std::optional<TimeMs> end;
  std::optional<TimeText> time;
  SimDefaults defaults;
  StoreOptions store;
  std::vector<LeadSpec> leads;
  std::vector<EventSpec> events;
  // The do-not-call file's lines (numbers in any format); the queue gets them as a DncList.
  std::vector<std::string> dnc;
  Expectations expect;
};

// Loads and checks a scenario file. Throws ScenarioError naming the file and the field.
Scenario load_scenario(const std::string& path);
// The same from text (file is only used in messages).
Scenario parse_scenario(const std::string& text, const std::string& file);

const char* event_type_name(EventType t);

}  // namespace redial::sim
