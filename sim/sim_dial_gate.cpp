#include "sim/sim_dial_gate.h"

#include <cassert>

#include "sim/simulation.h"

namespace redial::sim {

void SimDialGate::dial(const DialRequest& request) {
  assert(target_ != nullptr);  // the queue only dials while its process is up
  SimLead& lead = sim_.dial_started(request);
  const std::string seq = std::to_string(request.dial_seq);
  if (crashed_) {
    ++lost_;
    sim_.trace("dial_lost", request.key, "the process died before sending dial #" + seq);
    return;
  }
  auto crash = crashes_.find({lead.spec.lead_id, lead.calls + 1});
  if (crash != crashes_.end()) {
    const TimeMs downtime_ms = crash->second;
    crashes_.erase(crash);
    ++lost_;
    crashed_ = true;
    sim_.trace("dial_lost", request.key,
               "the process dies after writing dial #" + seq + " and before sending it");
    sim_.crash_after_event(downtime_ms, "inside a tick, while dialing " + request.key);
    return;
  }
  target_->dial(request);
}

bool SimDialGate::reconcile(const InFlightCall& call) {
  assert(target_ != nullptr);
  return target_->reconcile(call);
}

std::string SimDialGate::paused_reason() const {
  return target_ != nullptr ? target_->paused_reason() : std::string();
}

}  // namespace redial::sim
