#include "core/call_history.h"

#include <algorithm>
#include <cassert>

#include "core/errors.h"
#include "core/phone.h"
#include "core/redial_queue.h"

namespace redial {

std::vector<KeptCall> kept_calls(const LeadRecord& r, const InFlightCall* flight) {
  std::vector<TimeMs> dials = r.recent_call_times;
  std::sort(dials.begin(), dials.end());
  // The call in flight was counted at its dial: its time is the latest.
  if (flight != nullptr && !dials.empty()) dials.pop_back();
  const int n = static_cast<int>(r.outcomes.size());
  const int d = static_cast<int>(dials.size());
  const bool matched = d <= n;
  std::vector<KeptCall> out;
  for (int i = 0; i < n; ++i) {
    KeptCall c;
    c.attempt = i + 1;
    c.outcome = r.outcomes[static_cast<std::size_t>(i)];
    if (matched && i >= n - d) c.dialed_at = dials[static_cast<std::size_t>(i - (n - d))];
    if (i == n - 1) {
      c.call_id = r.last_call_id;
      c.result_at = r.last_call_timestamp;
    }
    out.push_back(std::move(c));
  }
  if (flight != nullptr) {
    KeptCall c;
    c.attempt = n + 1;
    if (!flight->call_id.empty()) c.call_id = flight->call_id;
    c.dialed_at = flight->dialed_at;
    c.in_flight = true;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<PhoneCall> calls_to_phone(const RedialQueue& queue, std::string_view raw_phone,
                                      std::string* normalized) {
  std::string phone;
  try {
    phone = normalize_phone(raw_phone);
  } catch (const InputError& e) {
    throw InputError("phone", e.what());
  }
  if (normalized) *normalized = phone;
  const InFlightCall* flight = queue.in_flight_for_phone(phone);
  // Each record's calls newest first, records by their latest known time.
  std::vector<std::pair<TimeMs, std::vector<PhoneCall>>> groups;
  queue.for_each([&](const std::string& key, const LeadRecord& r) {
    try {
      if (normalize_phone(r.phone_number) != phone) return;
    } catch (const InputError&) {
      return;
    }
    const InFlightCall* mine = flight && flight->key == key ? flight : nullptr;
    std::vector<PhoneCall> calls;
    TimeMs latest = r.created_at;
    for (KeptCall& c : kept_calls(r, mine)) {
      latest = std::max({latest, c.dialed_at.value_or(0), c.result_at.value_or(0)});
      calls.push_back({key, r.lead_id, std::move(c)});
    }
    if (calls.empty()) return;  // queued, never called
    std::reverse(calls.begin(), calls.end());
    groups.emplace_back(latest, std::move(calls));
  });
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second[0].key < b.second[0].key;  // groups are never empty; keys are unique
  });
  std::vector<PhoneCall> out;
  for (auto& g : groups)
    for (auto& c : g.second) out.push_back(std::move(c));
  return out;
}

bool is_connect(std::string_view o) {
  static const char* const kHuman[] = {"ANSWERED",       "TRANSFERRED",         "TRANSFER_FAILED",
                                       "NOT_INTERESTED", "CALL_BACK_SCHEDULED", "HUNG_UP",
                                       "DNC_REQUESTED",  "DO_NOT_CONTACT"};
  return std::any_of(std::begin(kHuman), std::end(kHuman), [&](const char* h) { return o == h; });
}

namespace {

void count_result(DayCounts& day, const std::string& list_id, const std::string& outcome) {
  ++day.by_outcome[outcome];
  const bool connect = is_connect(outcome), transfer = outcome == "TRANSFERRED";
  day.connects += connect;
  day.voicemails += outcome == "VOICEMAIL";
  day.transfers += transfer;
  ListCounts& list = day.by_list[list_id];
  list.connects += connect;
  list.transfers += transfer;
}

}  // namespace

DailyStats daily_stats(const RedialQueue& queue, LocalDay from, LocalDay to) {
  assert(from <= to);  // REQUIRES: from <= to (the admin API refuses it first)
  DailyStats s;
  s.from = from;
  s.days.resize(static_cast<std::size_t>(to - from + 1));
  const BusinessCalendar& cal = queue.calendar();
  auto day_of = [&](TimeMs t) -> DayCounts* {
    LocalDay d = cal.local_day(t);
    return d < from || d > to ? nullptr : &s.days[static_cast<std::size_t>(d - from)];
  };
  queue.for_each([&](const std::string& key, const LeadRecord& r) {
    // Dials: every kept dial time; results whose dial time aged out were calls too (undated).
    for (TimeMs t : r.recent_call_times)
      if (DayCounts* day = day_of(t)) {
        ++day->calls;
        ++day->by_list[r.list_id].calls;
      }
    const InFlightCall* flight = nullptr;
    if (!r.recent_call_times.empty()) {  // a call in flight was counted at its dial
      try {
        flight = queue.in_flight_for_phone(normalize_phone(r.phone_number));
        if (flight && flight->key != key) flight = nullptr;
      } catch (const InputError&) {
      }
    }
    const std::vector<KeptCall> calls = kept_calls(r, flight);
    const auto undated = static_cast<int>(
        std::count_if(calls.begin(), calls.end(), [](const KeptCall& c) { return !c.dialed_at; }));
    // Results without a dial time are calls whose dial aged out of the record, unless the
    // record has more dial times than results (then every call's dial is counted above).
    if (static_cast<std::size_t>(r.recent_call_times.size()) <=
        r.outcomes.size() + (flight != nullptr)) {
      s.undated.calls += undated;
      s.undated.by_list[r.list_id].calls += undated;
    }
    for (const KeptCall& c : calls) {
      if (!c.outcome) continue;
      const std::optional<TimeMs> at = c.result_at ? c.result_at : c.dialed_at;
      if (!at) {
        count_result(s.undated, r.list_id, *c.outcome);
      } else if (DayCounts* day = day_of(*at)) {
        count_result(*day, r.list_id, *c.outcome);
      }
    }
  });
  return s;
}

}  // namespace redial
