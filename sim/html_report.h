#pragma once
// redial-sim --report: one self-contained HTML file (inline SVG and CSS, no script, no
// network) with an index of the runs and, per run, summary charts and a lane per lead.
#include <string>
#include <vector>

#include "sim/simulation.h"

namespace redial::sim {

// Two runs of one scenario under two settings files (redial-sim --compare), as rows of
// (figure, A, B) (sim/what_if.h).
struct Comparison {
  std::string title, label_a, label_b;
  std::vector<std::vector<std::string>> rows;
};

struct HtmlReportOptions {
  std::size_t max_lanes = 200;  // per run; leads with a violation first, then evenly sampled
  std::vector<Comparison> comparisons;  // drawn as tables after the index
};

// The report as text. REQUIRES: every result that ran (error empty) has its timeline.
std::string html_report(const std::vector<RunResult>& results, const HtmlReportOptions& options);
// Writes it to `path` (a report, not data: no fsync). Throws std::runtime_error naming it.
void write_html_report(const std::string& path, const std::vector<RunResult>& results,
                       const HtmlReportOptions& options);

// The lanes a run shows, by index into timeline.lanes: each lane with a violation, then every
// k-th of the rest, so at most max_lanes. REQUIRES: max_lanes > 0.
std::vector<std::size_t> pick_lanes(const Timeline& timeline, std::size_t max_lanes);

}  // namespace redial::sim
