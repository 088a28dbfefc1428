#include "sim/sim_dialer.h"

#include "core/redial_queue.h"
#include "sim/simulation.h"

namespace redial::sim {

void SimDialer::add_fault(const std::string& lead_id, int call, DialFault fault) {
  faults_[{lead_id, call}].push_back(fault);
}

void SimDialer::dial(const DialRequest& request) {
  ++dials_;
  SimLead& lead = sim_.dial_started(request);
  const std::string key = request.key;
  const std::uint64_t seq = request.dial_seq;
  if (crashed_) {
    ++failed_;
    sim_.trace("dial_lost", key, "the process died before sending dial #" + std::to_string(seq));
    return;
  }
  const int call = lead.calls + 1;  // the call this dial would be
  std::optional<DialFault> fault;
  if (auto it = faults_.find({lead.spec.lead_id, call});
      it != faults_.end() && !it->second.empty()) {
    fault = it->second.front();
    it->second.pop_front();
  }
  const TimeMs now = sim_.now();
  const TimeMs response_ms = sim_.scenario().defaults.dial_response_ms;
  const std::string label = "answer to dial #" + std::to_string(seq);
  if (fault && fault->kind == DialFault::kCrash) {
    ++failed_;
    crashed_ = true;
    sim_.trace(
        "dial_lost", key,
        "the process dies after writing dial #" + std::to_string(seq) + " and before sending it");
    sim_.crash_after_event(fault->downtime_ms, "inside a tick, while dialing " + key);
    return;
  }
  if (fault && fault->kind == DialFault::kHttpError) {
    ++failed_;
    const int status = fault->http_status;
    const std::optional<TimeMs> retry = fault->retry_after_ms;
    sim_.trace("dial_error", key,
               "dial #" + std::to_string(seq) + " will fail with HTTP " + std::to_string(status) +
                   (retry ? ", retry after " + std::to_string(*retry / 1000) + "s" : ""));
    sim_.at_same_process(now + response_ms, label, [this, key, seq, status, retry](RedialQueue& q) {
      sim_.trace("dial_failed", key,
                 "HTTP " + std::to_string(status) + " for dial #" + std::to_string(seq));
      q.on_dial_failed(seq, "HTTP " + std::to_string(status), retry);
    });
    return;
  }
  if (fault && fault->kind == DialFault::kTimeout) {
    ++failed_;
    sim_.trace("dial_timeout", key,
               "dial #" + std::to_string(seq) + " gets no answer at all; no call is made");
    return;
  }
  const std::string call_id = sim_.connect(lead, now, seq);
  const TimeMs delay = fault ? fault->delay_ms : response_ms;
  sim_.at_same_process(now + delay, label, [this, key, seq, call_id](RedialQueue& q) {
    sim_.trace("dial_accepted", key, "dial #" + std::to_string(seq) + " is call " + call_id);
    q.on_dial_accepted(seq, call_id);
  });
}

bool SimDialer::reconcile(const InFlightCall& call) {
  sim_.trace("reconcile", call.key,
             "no result for dial #" + std::to_string(call.dial_seq) +
                 (call.call_id.empty() ? "" : " (" + call.call_id + ")") +
                 "; the simulated dialer cannot settle it");
  return false;
}

}  // namespace redial::sim
