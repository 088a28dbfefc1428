#pragma once
// The queue's Dialer in the simulator (issue 21): a thin gate in front of the production dialer
// (bland/bland_dialer.h), which the simulation rebuilds at every restart. It records each dial
// the queue asks for (Simulation::dial_started: traces, invariants) and injects the one fault
// that is not Bland's: the process dying after the queue wrote the dial and before the request
// went out. Everything else (retries, back-off, 429s, reconcile) is the production code's.
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "core/dialer.h"
#include "core/time.h"

namespace redial::sim {

class Simulation;

class SimDialGate final : public Dialer {
 public:
  explicit SimDialGate(Simulation& sim) : sim_(sim) {}

  // The dial for call `call` (1 = first call) of `lead_id` crashes the process; it comes back
  // after `downtime_ms`.
  void add_crash(const std::string& lead_id, int call, TimeMs downtime_ms) {
    crashes_[{lead_id, call}] = downtime_ms;
  }
  // The dialer of the current process incarnation (nullptr while it is down).
  void set_target(Dialer* target) { target_ = target; }
  // The process restarted: dials are sent again.
  void process_restarted() { crashed_ = false; }

  void dial(const DialRequest& request) override;
  bool reconcile(const InFlightCall& call) override;
  std::string paused_reason() const override;

  // Dials that never left the process (it died first).
  std::uint64_t lost_dials() const { return lost_; }

 private:
  Simulation& sim_;
  Dialer* target_ = nullptr;
  std::map<std::pair<std::string, int>, TimeMs> crashes_;
  bool crashed_ = false;  // the process died inside this tick: later dials never leave it
  std::uint64_t lost_ = 0;
};

}  // namespace redial::sim
