#include "sim/report.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace redial::sim {

namespace {

long long total(const RunResult& r, const char* name) {
  auto it = r.totals.find(name);
  return it == r.totals.end() ? 0 : it->second;
}

void print_violations(std::FILE* out, const RunResult& r, std::size_t limit) {
  std::size_t n = 0;
  for (const auto& v : r.violations) {
    if (n++ == limit) {
      std::fprintf(out, "    ... %zu more violations\n", r.violations.size() - limit);
      break;
    }
    std::fprintf(out, "    VIOLATION %s: %s [during %s]\n", v.rule.c_str(), v.what.c_str(),
                 v.event.c_str());
  }
}

}  // namespace

void print_result(std::FILE* out, const RunResult& r) {
  if (!r.error.empty()) {
    // Scenario errors already start with the file name.
    if (r.error.compare(0, r.file.size(), r.file) == 0) {
      std::fprintf(out, "ERROR %s\n", r.error.c_str());
    } else {
      std::fprintf(out, "ERROR %s: %s\n", r.file.c_str(), r.error.c_str());
    }
    return;
  }
  std::fprintf(out, "%s  %s  [%s]  leads=%zu calls=%lld redials=%lld span=%s wall=%.1fms\n",
               r.passed ? "PASS" : "FAIL", r.file.c_str(), r.name.c_str(), r.leads,
               total(r, "calls"), total(r, "redials"), r.span_text.c_str(), r.wall_ms);
  if (!r.diffs.empty()) std::fputs(format_diffs(r.diffs, "    ").c_str(), out);
  if (!r.violations.empty()) print_violations(out, r, 20);
}

void print_random_result(std::FILE* out, const RunResult& r, std::uint64_t seed) {
  if (!r.error.empty()) {
    std::fprintf(out, "ERROR seed=%llu: %s\n", static_cast<unsigned long long>(seed),
                 r.error.c_str());
    return;
  }
  std::fprintf(out,
               "%s  seed=%llu hash=%s  leads=%zu calls=%lld redials=%lld results=%lld "
               "duplicates=%lld dial_errors=%lld restarts=%lld rejected=%lld released=%lld "
               "completed=%lld max_attempts=%lld pending=%lld rescheduled=%lld dnc=%lld held=%lld "
               "dnc_skips=%lld outside_overlaps=%lld events=%llu "
               "trace_lines=%llu checks=%zu violations=%zu span=%s wall=%.0fms\n",
               r.passed ? "PASS" : "FAIL", static_cast<unsigned long long>(seed),
               hex64(r.trace_hash).c_str(), r.leads, total(r, "calls"), total(r, "redials"),
               total(r, "results"), total(r, "duplicates"), total(r, "dial_errors"),
               total(r, "restarts"), total(r, "rejected"), total(r, "released"),
               total(r, "completed"), total(r, "max_attempts"), total(r, "pending"),
               total(r, "rescheduled"), total(r, "dnc"), total(r, "held"), total(r, "dnc_skips"),
               total(r, "outside_overlaps"), static_cast<unsigned long long>(r.events),
               static_cast<unsigned long long>(r.trace_lines), r.invariant_checks,
               r.violations.size(), r.span_text.c_str(), r.wall_ms);
  if (!r.violations.empty()) print_violations(out, r, 20);
}

void write_json_report(const std::string& path, const std::vector<RunResult>& results) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json j;
    j["file"] = r.file;
    j["name"] = r.name;
    j["passed"] = r.passed;
    if (!r.error.empty()) j["error"] = r.error;
    j["leads"] = r.leads;
    j["totals"] = r.totals;
    j["span"] = r.span_text;
    j["virtual_ms"] = r.last_event - r.start;
    j["wall_ms"] = r.wall_ms;
    j["events"] = r.events;
    j["trace_lines"] = r.trace_lines;
    j["trace_hash"] = hex64(r.trace_hash);
    j["invariant_checks"] = r.invariant_checks;
    nlohmann::json diffs = nlohmann::json::array();
    for (const auto& d : r.diffs)
      diffs.push_back({{"field", d.field}, {"expected", d.expected}, {"actual", d.actual}});
    j["diffs"] = diffs;
    j["start_ms"] = r.start;
    j["last_event_ms"] = r.last_event;
    j["stop_at_ms"] = r.stop_at;
    nlohmann::json leads = nlohmann::json::object();
    for (const RunResult::Lead& l : r.lead_results)
      leads[l.lead_id] = {{"exists", l.exists},
                          {"attempts", l.attempts},
                          {"calls", l.calls},
                          {"status", l.status},
                          {"dials_at_ms", l.dials_at}};
    j["lead_results"] = leads;
    nlohmann::json vs = nlohmann::json::array();
    for (const auto& v : r.violations)
      vs.push_back({{"at_ms", v.at}, {"event", v.event}, {"rule", v.rule}, {"what", v.what}});
    j["violations"] = vs;
    all.push_back(std::move(j));
  }
  nlohmann::json doc = {{"scenarios", all}};
  std::string text = doc.dump(2) + "\n";
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(path + ": cannot write the JSON report");
  f << text;
}

}  // namespace redial::sim
