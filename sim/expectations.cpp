#include "sim/expectations.h"

#include <algorithm>

namespace redial::sim {

namespace {

std::string list_text(const std::vector<std::string>& items) {
  std::string s = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += items[i];
  }
  return s + "]";
}

std::string times_text(const TimeText& tt, const std::vector<TimeMs>& ts) {
  std::vector<std::string> items;
  for (TimeMs t : ts) items.push_back(tt.brief(t));
  return list_text(items);
}

}  // namespace

std::vector<FieldDiff> compare_expectations(
    const Scenario& sc, const std::function<ActualLead(const std::string& lead_id)>& actual,
    const std::map<std::string, long long>& totals, std::size_t violations) {
  std::vector<FieldDiff> out;
  const TimeText& tt = *sc.time;
  auto check = [&](const std::string& field, const std::string& exp, const std::string& act) {
    if (exp != act) out.push_back(FieldDiff{field, exp, act});
  };
  for (const auto& [lead_id, x] : sc.expect.leads) {
    ActualLead a = actual(lead_id);
    std::string p = "leads." + lead_id + ".";
    const LeadRecord& r = a.record;
    if (x.status) {
      check(p + "status", *x.status,
            a.exists ? std::string(status_name(r.status)) : std::string("absent"));
    }
    if (x.attempts) {
      check(p + "attempts", std::to_string(*x.attempts),
            a.exists ? std::to_string(r.attempts) : "absent");
    }
    if (x.outcomes) {
      check(p + "outcomes", list_text(*x.outcomes), a.exists ? list_text(r.outcomes) : "absent");
    }
    if (x.last_outcome) {
      check(p + "last_outcome", *x.last_outcome,
            a.exists ? r.last_outcome.value_or("null") : "absent");
    }
    if (x.next_redial_at) {
      check(p + "next_redial_at", tt.brief(*x.next_redial_at),
            a.exists ? tt.brief(r.next_redial_timestamp) : "absent");
    }
    if (x.dials_at) check(p + "dials_at", times_text(tt, *x.dials_at), times_text(tt, a.dials_at));
    if (x.calls) check(p + "calls", std::to_string(*x.calls), std::to_string(a.calls));
  }
  for (const auto& [name, value] : sc.expect.totals) {
    auto it = totals.find(name);
    check("totals." + name, std::to_string(value),
          it == totals.end() ? "?" : std::to_string(it->second));
  }
  long long want = sc.expect.violations.value_or(0);
  if (sc.expect.violations) {
    check("violations", std::to_string(want), std::to_string(violations));
  }
  return out;
}

std::string format_diffs(const std::vector<FieldDiff>& diffs, const std::string& indent) {
  std::size_t wf = 5, we = 8;
  for (const auto& d : diffs) {
    wf = std::max(wf, d.field.size());
    we = std::max(we, d.expected.size());
  }
  we = std::min<std::size_t>(we, 60);
  auto pad = [](std::string s, std::size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  std::string out = indent + pad("field", wf) + "  " + pad("expected", we) + "  actual\n";
  for (const auto& d : diffs) {
    out += indent + pad(d.field, wf) + "  " + pad(d.expected, we) + "  " + d.actual + "\n";
  }
  return out;
}

}  // namespace redial::sim
