#pragma once
// The simulator's Dialer: instead of posting to Bland's API it schedules virtual events. A dial
// that connects places a call in the simulated world (call end after call_seconds, webhook after
// webhook_delay_seconds) and answers on_dial_accepted after dial_response_seconds. Injected
// faults replace that: an HTTP error (on_dial_failed, with retry-after for a 429), no answer at
// all (the queue's call_timeout must release it), a slow answer (the webhook comes first), or a
// crash of the process after the queue wrote the dial and before the request went out.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/dialer.h"
#include "core/time.h"

namespace redial::sim {

class Simulation;

struct DialFault {
  enum Kind { kHttpError, kTimeout, kSlowResponse, kCrash } kind = kHttpError;
  int http_status = 0;
  std::optional<TimeMs> retry_after_ms;
  TimeMs delay_ms = 0;     // kSlowResponse: when Bland answers
  TimeMs downtime_ms = 0;  // kCrash
};

class SimDialer final : public Dialer {
 public:
  explicit SimDialer(Simulation& sim) : sim_(sim) {}

  // The next dial for call `call` (1 = first call) of `lead_id` gets `fault`; faults for one call
  // are used in the order added, one per dial.
  void add_fault(const std::string& lead_id, int call, DialFault fault);

  void dial(const DialRequest& request) override;
  bool reconcile(const InFlightCall& call) override;

  // The process restarted: dials are sent again.
  void process_restarted() { crashed_ = false; }

  std::uint64_t dials() const { return dials_; }
  std::uint64_t failed_dials() const { return failed_; }

 private:
  Simulation& sim_;
  std::map<std::pair<std::string, int>, std::deque<DialFault>> faults_;
  bool crashed_ = false;  // the process died inside this tick: later dials never leave it
  std::uint64_t dials_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace redial::sim
