#include "sim/what_if.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cassert>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "sim/timeline.h"

namespace redial::sim {

namespace po = boost::program_options;

namespace {

// A NAME=value line of an environment file (the package's /etc/redial/redial.env) as the
// `name = value` line the runner's --config reader takes; other lines pass as they are.
std::string config_line_of(const std::string& line) {
  const std::size_t eq = line.find('=');
  if (eq == std::string::npos || eq == 0) return line;
  const std::string key = line.substr(0, eq);
  if (key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos)
    return line;
  for (const SettingSpec& s : settings_schema())
    if (key == s.env) return std::string(s.name) + " = " + line.substr(eq + 1);
  return line;  // an unknown NAME is refused by the reader, named
}

}  // namespace

SettingValues read_settings_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw ScenarioError(path + ": cannot read the settings file");
  std::stringstream in;
  for (std::string line; std::getline(file, line);) in << config_line_of(line) << "\n";
  // The runner's own reader of --config files (runner/settings.cpp), so the same files work.
  po::options_description desc;
  for (const SettingSpec& s : settings_schema())
    desc.add_options()(s.name, po::value<std::string>());
  po::parsed_options parsed(&desc);
  try {
    parsed = po::parse_config_file(in, desc, /*allow_unregistered=*/false);
  } catch (const po::error& e) {
    throw ScenarioError(path + ": " + e.what());
  }
  SettingValues values;
  for (const po::option& o : parsed.options) {
    const SettingSpec* spec = find_setting(o.string_key);
    assert(spec != nullptr);                                // registered above
    if (spec->set == nullptr || o.value.empty()) continue;  // runner only
    try {
      check_setting_value(*spec, o.value.front());
    } catch (const std::exception& e) {
      throw ScenarioError(path + ": " + e.what());
    }
    values[o.string_key] = o.value.front();
  }
  return values;
}

Scenario with_settings(const Scenario& sc, const SettingValues& values, const std::string& label) {
  assert(sc.time.has_value());
  Scenario out = sc;
  try {
    apply_policy_settings(values, out.policy);
    out.policy.validate();
  } catch (const ConfigError& e) {
    throw ScenarioError(label + ": " + e.what());
  }
  BusinessCalendar cal(out.policy.time_zone, out.policy.business_open_s,
                       out.policy.business_close_s, out.policy.business_weekdays);
  int y = 0;
  unsigned m = 0, d = 0;
  std::sscanf(sc.time->start_date().c_str(), "%d-%u-%u", &y, &m, &d);
  out.time.emplace(cal, y, m, d);
  out.expect = Expectations{};
  out.name = sc.name + " [" + label + "]";
  return out;
}

WhatIfFigures figures_of(const RunResult& r) {
  assert(r.timeline != nullptr);
  const Timeline& tl = *r.timeline;
  WhatIfFigures f;
  auto total = [&](const char* name) {
    auto it = r.totals.find(name);
    return it == r.totals.end() ? 0LL : it->second;
  };
  f.dials = total("redials");
  f.completed = total("completed");
  f.max_attempts = total("max_attempts");
  for (const auto& l : r.lead_results) f.attempts += l.attempts;
  long long calls = 0;
  for (int n : tl.calls_per_lead_day) {
    calls += n;
    f.calls_per_lead_day_max = std::max(f.calls_per_lead_day_max, n);
  }
  if (!tl.calls_per_lead_day.empty())
    f.calls_per_lead_day_mean = static_cast<double>(calls) / tl.calls_per_lead_day.size();
  f.outside_business_hours = tl.dials_outside_business_hours;
  for (const auto& lane : tl.lanes)
    for (const auto& m : lane.marks)
      if (m.kind == MarkKind::kHold) ++f.holds_by_rule[m.outcome];
  f.violations = static_cast<long long>(r.violations.size());
  return f;
}

std::vector<std::vector<std::string>> compare_rows(const WhatIfFigures& a, const WhatIfFigures& b) {
  auto n = [](long long v) { return std::to_string(v); };
  auto d2 = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return std::string(buf);
  };
  std::vector<std::vector<std::string>> rows = {
      {"dials", n(a.dials), n(b.dials)},
      {"attempts (all leads)", n(a.attempts), n(b.attempts)},
      {"completed", n(a.completed), n(b.completed)},
      {"leads at max attempts", n(a.max_attempts), n(b.max_attempts)},
      {"calls per lead per day, mean", d2(a.calls_per_lead_day_mean),
       d2(b.calls_per_lead_day_mean)},
      {"calls per lead per day, max", n(a.calls_per_lead_day_max), n(b.calls_per_lead_day_max)},
      {"dials outside business hours (must be 0)", n(a.outside_business_hours),
       n(b.outside_business_hours)},
      {"invariant violations", n(a.violations), n(b.violations)}};
  std::map<std::string, std::pair<long long, long long>> holds;
  for (const auto& [rule, c] : a.holds_by_rule) holds[rule].first = c;
  for (const auto& [rule, c] : b.holds_by_rule) holds[rule].second = c;
  for (const auto& [rule, c] : holds) rows.push_back({"holds: " + rule, n(c.first), n(c.second)});
  return rows;
}

std::string compare_text(const std::vector<std::vector<std::string>>& rows,
                         const std::string& label_a, const std::string& label_b) {
  std::vector<std::vector<std::string>> all = {{"", label_a, label_b}};
  all.insert(all.end(), rows.begin(), rows.end());
  std::size_t w[3] = {0, 0, 0};
  for (const auto& row : all)
    for (std::size_t i = 0; i < 3; ++i) w[i] = std::max(w[i], row.at(i).size());
  std::string out;
  for (const auto& row : all) {
    out += "    " + row[0] + std::string(w[0] - row[0].size() + 2, ' ');
    out += std::string(w[1] - row[1].size(), ' ') + row[1] + "  ";
    out += std::string(w[2] - row[2].size(), ' ') + row[2] + "\n";
  }
  return out;
}

}  // namespace redial::sim
