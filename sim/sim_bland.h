#pragma once
// The simulator's Bland (issue 21): the production dialer (bland/bland_dialer.h) talks to it
// through the same HttpClient interface the runner's curl client implements, in virtual time.
//   POST /v1/calls     a scenario fault for this lead's next call, if any (HTTP error with
//                      Bland's error body, no answer until the request times out, a slow
//                      answer, a call that ends in an error state); else Bland's own rule: the
//                      same number dialed within 10 s is refused (429); else the call is placed
//                      in the simulated world and {"status":"success","call_id"} answered.
//   GET /v1/calls/{id} the call as Bland would report it: running, ended (the scenario's
//                      outcome), an error state, or 404 for a call Bland forgot.
// Shapes come from bland_model/ (the emulator's model too), so both fakes agree. Answers go
// through the simulation's event queue and die with the process that asked (at_same_process).
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "bland/bland_dialer.h"
#include "bland/http_client.h"
#include "bland/timers.h"
#include "core/time.h"
#include "sim/scenario.h"

namespace redial::sim {

class Simulation;

// A fault for one POST /v1/calls (retries of a dial consume the next one).
struct DialFault {
  enum Kind { kHttpError, kTimeout, kSlowResponse, kErrorState } kind = kHttpError;
  int http_status = 0;
  std::string refusal_kind;  // bland_model/refusals.h kind ("" : from http_status)
  std::string code;          // overrides the kind's error code
  std::optional<TimeMs> retry_after_ms;
  TimeMs delay_ms = 0;      // kSlowResponse: when Bland answers
  std::string error_state;  // kErrorState: queue_error, call_error ...
};

// A call Bland knows.
struct PlacedCall {
  std::string request_body;  // the POST body ("": a call placed outside the queue)
  std::string lead_key;
  OutcomeSpec outcome;
  TimeMs created_ms = 0, end_ms = 0;
  std::string error_state;  // "" or the error state it ends in
  bool forgotten = false;   // GET answers 404
};

// The dialer's settings in the simulator: the schema's defaults (core/settings_schema.h), as a
// runner started without flags has them.
bland::BlandDialerConfig sim_dialer_config();

class SimBland final : public bland::HttpClient {
 public:
  explicit SimBland(Simulation& sim) : sim_(sim) {}

  void add_fault(const std::string& lead_id, int call, DialFault fault);
  // Bland forgets call `call` of the lead once it is placed: GET /v1/calls/{id} answers 404.
  void forget_call(const std::string& lead_id, int call) { to_forget_.insert({lead_id, call}); }
  // Registers a call Bland placed: call number `call` of `lead_id` (a queue dial, or a call
  // placed outside the queue).
  void register_call(const std::string& call_id, const std::string& lead_id, int call,
                     PlacedCall placed);

  void send(const bland::HttpCall& call, Done done) override;

  // The post-call webhook body of `call_id` (with `outcome`): Bland's ended call object, its
  // metadata as given at dial time. A call Bland does not know gets metadata from `lead`.
  nlohmann::json webhook_body(const std::string& call_id, const LeadSpec& lead,
                              const OutcomeSpec& outcome) const;

  std::uint64_t refused_posts() const { return refused_posts_; }

 private:
  void post_call(const bland::HttpCall& call, Done done);
  void get_call(const std::string& call_id, Done done);
  std::optional<DialFault> next_fault(const std::string& lead_id, int call);
  void answer(TimeMs delay_ms, const std::string& label, Done done, bland::HttpReply reply);
  void refuse(const DialFault& f, const std::string& key, const std::string& phone,
              const std::string& label, Done done);
  nlohmann::json call_object(const std::string& call_id, const PlacedCall& c) const;
  nlohmann::json request_of(const PlacedCall& c, const LeadSpec* lead) const;

  Simulation& sim_;
  std::map<std::pair<std::string, int>, std::deque<DialFault>> faults_;
  std::set<std::pair<std::string, int>> to_forget_;
  std::unordered_map<std::string, PlacedCall> calls_;         // by call id
  std::unordered_map<std::string, TimeMs> last_accepted_ms_;  // by phone: the 10-s rule
  std::uint64_t refused_posts_ = 0;
};

// Timers on the simulation's event queue; like every answer, they die with the process.
class SimTimers final : public bland::Timers {
 public:
  explicit SimTimers(Simulation& sim) : sim_(sim) {}
  TimerId add_timer(std::int64_t delay_ms, std::function<void()> cb) override;
  void cancel_timer(TimerId id) override { pending_.erase(id); }

 private:
  Simulation& sim_;
  TimerId next_id_ = 0;
  std::set<TimerId> pending_;
};

}  // namespace redial::sim
