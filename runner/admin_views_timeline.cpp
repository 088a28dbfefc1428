// GET /admin/records/{key}/timeline: a lead's history from what its record keeps (creation, its
// calls as core/call_history.h reconstructs them, its current hold, how it was closed) and the
// runner's recent events for it (holds and dial errors since the start; in memory only).
#include <date/tz.h>

#include <algorithm>

#include "core/call_history.h"
#include "core/errors.h"
#include "core/phone.h"
#include "runner/admin_json.h"
#include "runner/admin_views.h"

namespace redial::runner {

using nlohmann::json;

namespace {

struct Event {
  std::optional<TimeMs> at;
  TimeMs order_at;  // `at`, or the previous event's for an undated one (keeps it in place)
  json body;
};

}  // namespace

HttpResponse AdminViews::timeline(const std::string& key) const {
  const LeadRecord* r = queue_.find(key);
  if (r == nullptr) return json_error(404, "no record with key " + key);
  const date::time_zone* lead_zone = date::locate_zone(queue_.policy().time_zone);
  const InFlightCall* flight = nullptr;
  try {
    const std::string phone = normalize_phone(r->phone_number);
    lead_zone = queue_.calling_rules().locate(phone, r->state).zones.front();
    flight = queue_.in_flight_for_phone(phone);
    if (flight && flight->key != key) flight = nullptr;
  } catch (const InputError&) {
  }
  std::vector<Event> events;
  auto add = [&](std::optional<TimeMs> at, json body) {
    const TimeMs order = at ? *at : (events.empty() ? r->created_at : events.back().order_at);
    events.push_back({at, order, std::move(body)});
  };
  add(r->created_at, json{{"kind", "created"}, {"detail", "lead created"}});
  for (const KeptCall& c : kept_calls(*r, flight)) {
    json dial{{"kind", "dial"},
              {"detail", "attempt " + std::to_string(c.attempt) +
                             (c.dialed_at ? "" : " (dial time not kept)")}};
    if (c.call_id && (c.in_flight || c.dialed_at)) dial["call_id"] = *c.call_id;
    add(c.dialed_at, std::move(dial));
    if (!c.outcome) continue;
    json result{{"kind", "result"}, {"outcome", *c.outcome}, {"detail", *c.outcome}};
    if (c.call_id) result["call_id"] = *c.call_id;
    if (!c.result_at) result["detail"] = *c.outcome + " (result time not kept)";
    add(c.result_at ? c.result_at : c.dialed_at, std::move(result));
  }
  // The ring's holds and errors for this lead (dials and results come from the record).
  std::vector<RecentEvent> ring;
  if (metrics_ != nullptr) ring = metrics_->recent_events.newest(EventRing::kCapacity, key);
  bool hold_in_ring = false;
  for (const RecentEvent& e : ring) {
    if (e.kind != "hold" && e.kind != "error") continue;
    hold_in_ring = hold_in_ring || (e.kind == "hold" && e.at == r->updated_at);
    json j{{"kind", e.kind}, {"detail", e.detail}};
    if (e.kind == "hold") j["rule"] = e.detail.substr(0, e.detail.find(' '));
    add(e.at, std::move(j));
  }
  const bool open = r->status == LeadStatus::kPending || r->status == LeadStatus::kRescheduled;
  if (open && r->hold_reason && !hold_in_ring)
    add(r->updated_at, json{{"kind", "hold"},
                            {"rule", std::string(*r->hold_reason)},
                            {"detail", std::string(*r->hold_reason) + " until " +
                                           local_text(lead_zone, r->next_redial_timestamp)}});
  // A closed lead whose last result did not close it was stopped (admin) or put on do-not-call.
  const std::string last = r->last_outcome ? std::string(*r->last_outcome) : "";
  const RedialPolicy& pol = queue_.policy();
  const bool closed_by_result =
      !last.empty() && (pol.is_success(last) || pol.is_stop(last) ||
                        pol.rule_for(last).kind == OutcomeRule::Kind::kNever ||
                        pol.rule_for(last).kind == OutcomeRule::Kind::kDnc);
  if (r->status == LeadStatus::kCompleted && !closed_by_result)
    add(r->updated_at, json{{"kind", "stop"},
                            {"detail",
                             "completed without a closing result "
                             "(stopped through the admin API)"}});
  if (r->status == LeadStatus::kDnc && !closed_by_result)
    add(r->updated_at, json{{"kind", "dnc"}, {"detail", "number on a do-not-call list"}});
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.order_at < b.order_at; });
  json out = json::array();
  for (Event& e : events) {
    e.body["at"] = e.at ? json(*e.at) : json(nullptr);
    e.body["at_lead_local"] = e.at ? json(local_text(lead_zone, *e.at)) : json(nullptr);
    e.body["at_business_local"] = e.at ? json(local_text(nullptr, *e.at)) : json(nullptr);
    out.push_back(std::move(e.body));
  }
  return json_ok(json{{"key", key},
                      {"lead_zone", std::string(lead_zone->name())},
                      {"business_zone", pol.time_zone},
                      {"events", out}});
}

}  // namespace redial::runner
