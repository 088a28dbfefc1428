#include "runner/admin_views.h"

#include <date/tz.h>

#include <algorithm>

#include "core/call_history.h"
#include "core/errors.h"
#include "core/phone.h"
#include "runner/admin_json.h"

namespace redial::runner {

using nlohmann::json;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

std::optional<HttpResponse> AdminViews::handle(const HttpRequest& req) const {
  if (req.method != "GET") return std::nullopt;
  const std::string& p = req.path;
  const std::string records = "/admin/records/", phones = "/admin/phones/";
  if (p.rfind(records, 0) == 0) {
    const std::string rest = p.substr(records.size());
    if (ends_with(rest, "/explain")) return explain(rest.substr(0, rest.size() - 8));
    if (ends_with(rest, "/timeline")) return timeline(rest.substr(0, rest.size() - 9));
    return std::nullopt;
  }
  if (p.rfind(phones, 0) == 0 && ends_with(p, "/calls"))
    return phone_calls(p.substr(phones.size(), p.size() - phones.size() - 6));
  if (p == "/admin/stats/daily") return daily(req);
  if (p == "/admin/recent") return recent(req);
  if (p == "/admin/upcoming") return upcoming(req);
  return std::nullopt;
}

std::string AdminViews::local_text(const date::time_zone* zone, TimeMs t) const {
  if (zone == nullptr) zone = date::locate_zone(queue_.policy().time_zone);
  const auto at = date::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t)));
  return date::format("%Y-%m-%d %H:%M %Z", date::make_zoned(zone, at)) + " (" +
         std::string(zone->name()) + ")";
}

json AdminViews::held_by_rule() const {
  std::map<std::string, int> held;
  queue_.for_each([&](const std::string&, const LeadRecord& r) {
    if (r.hold_reason && (r.status == LeadStatus::kPending || r.status == LeadStatus::kRescheduled))
      ++held[std::string(*r.hold_reason)];
  });
  return json(held);
}

HttpResponse AdminViews::phone_calls(const std::string& raw) const {
  std::string phone;
  const std::vector<PhoneCall> calls = calls_to_phone(queue_, raw, &phone);
  json out = json::array();
  for (const PhoneCall& c : calls)
    out.push_back(json{{"call_id", opt(c.call.call_id)},
                       {"key", c.key},
                       {"lead_id", c.lead_id},
                       {"attempt", c.call.attempt},
                       {"dialed_at", opt(c.call.dialed_at)},
                       {"outcome", opt(c.call.outcome)},
                       {"result_at", opt(c.call.result_at)},
                       {"in_flight", c.call.in_flight}});
  return json_ok(json{{"phone", dialable_phone(phone)}, {"calls", out}});
}

HttpResponse AdminViews::daily(const HttpRequest& req) const {
  const BusinessCalendar& cal = queue_.calendar();
  auto day_arg = [&](const char* name, LocalDay def) {
    if (!req.has_query(name)) return def;
    const std::string d = req.query(name);
    if (d.size() != 10) throw InputError(name, "expected YYYY-MM-DD");
    return cal.local_day(cal.parse_local(d + "T00:00:00", name));
  };
  const LocalDay today = cal.local_day(clock_.now_ms());
  const LocalDay to = day_arg("to", today);
  const LocalDay from = day_arg("from", to - 6);
  if (from > to) throw InputError("from", "must not be after to");
  if (to - from + 1 > 92) throw InputError("from", "at most 92 days from from to to");
  const DailyStats s = daily_stats(queue_, from, to);
  auto counts = [](const DayCounts& d) {
    json lists = json::object();
    for (const auto& [id, l] : d.by_list)
      lists[id] = json{{"calls", l.calls}, {"connects", l.connects}, {"transfers", l.transfers}};
    return json{{"calls", d.calls},           {"connects", d.connects},
                {"voicemails", d.voicemails}, {"transfers", d.transfers},
                {"by_outcome", d.by_outcome}, {"by_list", lists}};
  };
  json days = json::array();
  for (std::size_t i = 0; i < s.days.size(); ++i) {
    json d = counts(s.days[i]);
    const TimeMs noon = cal.start_of_day(from + static_cast<LocalDay>(i)) + 12 * kHourMs;
    d["date"] = cal.format_local(noon).substr(0, 10);
    days.push_back(std::move(d));
  }
  return json_ok(
      json{{"zone", cal.time_zone_name()}, {"days", days}, {"undated", counts(s.undated)}});
}

HttpResponse AdminViews::explain(const std::string& key) const {
  const std::optional<LeadExplanation> e = queue_.explain(key);
  if (!e) return json_error(404, "no record with key " + key);
  json verdicts = json::array();
  for (const LeadVerdict& v : e->verdicts)
    verdicts.push_back(
        json{{"rule", v.rule},
             {"allows_now", v.allows_now},
             {"detail", v.detail},
             {"next_allowed_at", opt(v.next_allowed_at)},
             {"next_allowed_local",
              v.next_allowed_at ? json(local_text(v.zone, *v.next_allowed_at)) : json(nullptr)}});
  return json_ok(json{{"key", key},
                      {"now", e->now},
                      {"status", std::string(status_name(e->status))},
                      {"can_dial_now", e->can_dial_now},
                      {"verdicts", verdicts},
                      {"next_dial_at", opt(e->next_dial_at)},
                      {"next_dial_local",
                       e->next_dial_at ? json(local_text(e->lead_zone, *e->next_dial_at)) : json()},
                      {"next_tick_at", queue_.next_tick_at()},
                      {"lead_zone", std::string(e->lead_zone->name())},
                      {"lead_zone_assumed", e->zone_assumed},
                      {"why", why(*e)}});
}

std::string AdminViews::why(const LeadExplanation& e) const {
  const TimeMs tick = std::max(queue_.next_tick_at(), e.now);
  if (e.can_dial_now)
    return "Every rule allows a call now: the next tick (" + local_text(nullptr, tick) +
           ") dials it.";
  // A lead held by a rule is also not due yet: name the rule, not the schedule it set.
  auto blocking = std::find_if(e.verdicts.begin(), e.verdicts.end(), [](const LeadVerdict& v) {
    return !v.allows_now && v.rule != "schedule";
  });
  if (blocking == e.verdicts.end())
    blocking = std::find_if(e.verdicts.begin(), e.verdicts.end(),
                            [](const LeadVerdict& v) { return !v.allows_now; });
  std::string s = "Not dialed now: " + blocking->rule + " (" + blocking->detail + ")";
  if (blocking->next_allowed_at)
    s += " allows a call from " + local_text(blocking->zone, *blocking->next_allowed_at);
  if (e.next_dial_at) {
    s += "; every rule allows one from " + local_text(e.lead_zone, *e.next_dial_at);
    if (e.lead_zone != date::locate_zone(queue_.policy().time_zone))
      s += " = " + local_text(nullptr, *e.next_dial_at);
    s += ", dialed at the first tick from then.";
  } else if (e.status == LeadStatus::kPaused) {
    s += "; it is dialed again only once an operator resumes it.";
  } else if (e.status != LeadStatus::kPending && e.status != LeadStatus::kRescheduled) {
    s += "; it is never dialed again.";
  } else {
    s += "; no instant is known when every rule allows a call.";
  }
  return s;
}

HttpResponse AdminViews::recent(const HttpRequest& req) const {
  const long limit = number_arg(req, "limit", 50, 1, static_cast<long>(EventRing::kCapacity));
  json events = json::array();
  if (metrics_ != nullptr)
    for (const RecentEvent& e : metrics_->recent_events.newest(static_cast<std::size_t>(limit))) {
      json j{{"at", e.at}, {"kind", e.kind}, {"detail", e.detail}};
      if (!e.key.empty()) j["key"] = e.key;
      if (!e.call_id.empty()) j["call_id"] = e.call_id;
      if (!e.outcome.empty()) j["outcome"] = e.outcome;
      events.push_back(std::move(j));
    }
  return json_ok(json{{"events", events}});
}

HttpResponse AdminViews::upcoming(const HttpRequest& req) const {
  const long limit = number_arg(req, "limit", 20, 1, 1000);
  struct Due {
    TimeMs at;
    const std::string* key;
    const LeadRecord* rec;
  };
  std::vector<Due> due;
  const int max_attempts = queue_.policy().max_attempts;
  queue_.for_each([&](const std::string& key, const LeadRecord& r) {
    if (r.attempts >= max_attempts) return;
    if (r.status == LeadStatus::kPending)
      due.push_back({r.next_redial_timestamp, &key, &r});
    else if (r.status == LeadStatus::kRescheduled)
      due.push_back(
          {std::max(r.next_redial_timestamp, r.scheduled_callback_time.value_or(0)), &key, &r});
  });
  const std::size_t n = std::min(due.size(), static_cast<std::size_t>(limit));
  std::partial_sort(
      due.begin(), due.begin() + static_cast<std::ptrdiff_t>(n), due.end(),
      [](const Due& a, const Due& b) { return a.at != b.at ? a.at < b.at : *a.key < *b.key; });
  json leads = json::array();
  for (std::size_t i = 0; i < n; ++i) {
    const LeadRecord& r = *due[i].rec;
    leads.push_back(
        json{{"key", *due[i].key},
             {"lead_id", r.lead_id},
             {"phone_number", r.phone_number},
             {"status", std::string(status_name(r.status))},
             {"next_redial_timestamp", r.next_redial_timestamp},
             {"due_at", due[i].at},
             {"hold_reason", r.hold_reason ? json(std::string(*r.hold_reason)) : json(nullptr)}});
  }
  return json_ok(json{{"leads", leads}, {"total_open", due.size()}});
}

}  // namespace redial::runner
