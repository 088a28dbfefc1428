#pragma once
// The queue's only way to place a call. The runner's dialer posts to Bland's API; the
// simulator's schedules virtual events.
#include <cstdint>
#include <string>

#include "core/lead_record.h"
#include "core/time.h"

namespace redial {

struct DialRequest {
  std::uint64_t dial_seq;  // names this dial in RedialQueue::on_dial_accepted/on_dial_failed
  std::string key;         // lead key
  std::string phone;       // E.164, e.g. "+15551234567"
  LeadRecord lead;         // the record as it was when dialed
  int attempt_number;      // lead.attempts + 1: the result of this call will be attempt N
};

// A call that has been dialed and has no result yet. Keyed by normalized phone: one per phone.
struct InFlightCall {
  std::uint64_t dial_seq = 0;
  std::string phone;    // normalized digits
  std::string key;      // lead key
  std::string call_id;  // empty until the dial is accepted
  TimeMs dialed_at = 0;
  bool operator==(const InFlightCall&) const = default;
};

class Dialer {
 public:
  virtual ~Dialer() = default;
  // Starts a call. Must not block on the network. The dialer later reports the answer through
  // RedialQueue::on_dial_accepted or on_dial_failed (it may do so from inside dial()).
  virtual void dial(const DialRequest& request) = 0;
  // A call has had no result for call_timeout_ms. Return true if the dialer will settle it
  // (RedialQueue::apply_result or release_call later); false releases it now. The queue asks
  // once per call: after true, settling it is the dialer's job, however long it takes.
  virtual bool reconcile(const InFlightCall& call) {
    (void)call;
    return false;
  }
  // Non-empty while the dialer cannot place calls (e.g. Bland's plan limit paused dialing, or
  // Bland refused the API key): ticks then dial nothing and leave every lead where it is.
  virtual std::string paused_reason() const { return {}; }
};

}  // namespace redial
