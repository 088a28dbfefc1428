// Simulation::load_rules: the calling-rule tables and do-not-call list, once per scenario.
// Simulation::setup: turns a scenario into the world's plans (webhook faults, dial faults,
// restart hooks) and its first events (first calls, enqueues, timed faults).
#include <algorithm>

#include "core/errors.h"
#include "core/phone.h"
#include "sim/simulation.h"

namespace redial::sim {

void Simulation::load_rules() {
  try {
    rules_ = CallingRules::from_policy(sc_.policy);
    std::string lines;
    for (const auto& n : sc_.dnc) lines += n + "\n";
    if (!sc_.dnc.empty()) dnc_list_ = std::make_shared<const DncList>(DncList::parse(lines, "dnc"));
  } catch (const ConfigError& e) {
    throw ScenarioError(sc_.file + ": calling rules: " + e.what());
  }
  checker_.set_calling_rules(rules_, sc_.dnc);
}

void Simulation::setup() {
  leads_.reserve(sc_.leads.size() + 8);
  for (const LeadSpec& spec : sc_.leads) {
    std::size_t i = lead_index(spec.lead_id, spec.phone_number);
    leads_[i].spec = spec;
  }
  for (const EventSpec& e : sc_.events) {
    if (e.type == EventType::kWebhook) lead_index(e.lead_id, e.phone_number);
  }
  auto lead_of = [&](const EventSpec& e) -> SimLead& { return leads_[by_lead_id_.at(e.lead_id)]; };
  for (const EventSpec& e : sc_.events) {
    std::string label = std::string(event_type_name(e.type)) + " (" + e.where + ")";
    switch (e.type) {
      case EventType::kRestart:
        if (e.point == RestartPoint::kAt) {
          at(*e.at, label,
             [this, e] { crash(e.downtime_ms, "scenario restart (" + e.where + ")"); });
        } else if (e.point == RestartPoint::kInDial) {
          gate_.add_crash(e.lead_id, e.call, e.downtime_ms);
        } else if (e.point == RestartPoint::kBeforeAck) {
          lead_of(e).restart_before_ack[e.call] = e;
        } else {
          lead_of(e).restart_after_ack[e.call] = e;
        }
        break;
      case EventType::kDuplicateWebhook: {
        SimLead& l = lead_of(e);
        if (e.at) {
          std::size_t li = by_lead_id_.at(e.lead_id);
          Webhook w{li,
                    e.call,
                    l.spec.lead_id + "-c" + std::to_string(e.call),
                    outcome_of(l, e.call),
                    true,
                    std::nullopt};
          for (int k = 0; k < e.times; ++k) schedule_webhook(w, *e.at + e.delay_ms * k);
        } else {
          for (int k = 0; k < e.times; ++k)
            l.webhooks[e.call].duplicate_offsets_ms.push_back(e.delay_ms * (k + 1));
        }
        break;
      }
      case EventType::kDelayWebhook:
        lead_of(e).webhooks[e.call].extra_delay_ms += e.delay_ms;
        break;
      case EventType::kLoseWebhook:
        lead_of(e).webhooks[e.call].lost = true;
        break;
      case EventType::kWebhook: {
        std::size_t li = lead_index(e.lead_id, e.phone_number);
        schedule_webhook(Webhook{li, 0, e.call_id, e.outcome, false, std::nullopt}, *e.at);
        break;
      }
      case EventType::kDialError:
      case EventType::kDialTimeout:
      case EventType::kSlowDialResponse: {
        DialFault f;
        f.kind = e.type == EventType::kDialError     ? DialFault::kHttpError
                 : e.type == EventType::kDialTimeout ? DialFault::kTimeout
                                                     : DialFault::kSlowResponse;
        f.http_status = e.http_status;
        f.refusal_kind = e.refusal_kind;
        f.code = e.code;
        f.retry_after_ms = e.retry_after_ms;
        f.delay_ms = e.delay_ms;
        for (int k = 0; k < e.times; ++k) bland_.add_fault(e.lead_id, e.call, f);
        break;
      }
      case EventType::kDialErrorState: {
        DialFault f;
        f.kind = DialFault::kErrorState;
        f.error_state = e.error_state;
        bland_.add_fault(e.lead_id, e.call, f);
        break;
      }
      case EventType::kForgetCall:
        bland_.forget_call(e.lead_id, e.call);
        break;
      case EventType::kSyncFailure:
        at(*e.at, label, [this] {
          store_.fail_next_sync();
          trace("fault", "", "the next store sync fails");
        });
        break;
      case EventType::kClockStep:
        at(*e.at, label, [this, e] { step_wall_clock(e.step_ms, e.where); });
        break;
      case EventType::kStopLead: {
        std::size_t li = by_lead_id_.at(e.lead_id);
        at(*e.at, label, [this, li, label] {
          run_when_up(label, [this, li] {
            const std::string& key = leads_[li].key;
            bool ok = queue_->stop_lead(key, "scenario stop_lead");
            if (ok) {
              queue_->sync();
              checker_.on_stop(key);
            }
            trace("stop_lead", key, ok ? record_text(key) : "no such record");
          });
        });
        break;
      }
    }
  }
  for (std::size_t i = 0; i < leads_.size(); ++i) {
    const LeadSpec& spec = leads_[i].spec;
    if (spec.first_call_at) {
      at(*spec.first_call_at, "first call of " + spec.lead_id, [this, i] {
        PlaceHow how;
        how.how = "first call (outside the queue)";
        place_call(i, 1, now(), how);
      });
    }
    if (spec.enqueue_at) {
      at(*spec.enqueue_at, "enqueue " + spec.lead_id, [this, i] {
        run_when_up("enqueue " + leads_[i].spec.lead_id, [this, i] {
          const LeadSpec& s = leads_[i].spec;
          LeadInput in{s.lead_id, s.phone_number, s.list_id, s.first_name, s.last_name, s.state};
          std::string key = queue_->enqueue(in, std::max(now(), s.dial_at.value_or(0)));
          queue_->sync();
          trace("enqueue", key, record_text(key));
        });
      });
    }
  }
}

}  // namespace redial::sim
