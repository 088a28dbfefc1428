#include "sim/html_report.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

#include "sim/timeline.h"

namespace redial::sim {

namespace {

constexpr int kLabelW = 230, kAxisW = 1000, kLaneH = 18, kAxisH = 22;

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Fixed colours for the outcomes the seed names; any other outcome gets one from its name.
std::string outcome_colour(const std::string& outcome) {
  static const std::map<std::string, std::string> fixed = {
      {"TRANSFERRED", "#1a9850"}, {"COMPLETED", "#1a9850"},      {"VOICEMAIL", "#4575b4"},
      {"NO_ANSWER", "#878787"},   {"BUSY", "#f46d43"},           {"FAILED", "#d73027"},
      {"CALLBACK", "#984ea3"},    {"NOT_INTERESTED", "#8c510a"}, {"DNC", "#000000"}};
  if (auto it = fixed.find(outcome); it != fixed.end()) return it->second;
  unsigned h = 0;
  for (char c : outcome) h = h * 31 + static_cast<unsigned char>(c);
  return "hsl(" + std::to_string(h % 360) + ",55%,45%)";
}

struct Axis {
  TimeMs begin, end;
  double x(TimeMs t) const {
    if (end <= begin) return kLabelW;
    double f = static_cast<double>(std::clamp(t, begin, end) - begin) / (end - begin);
    return kLabelW + f * kAxisW;
  }
};

const char* kStyle = R"(
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
table.index{border-collapse:collapse}table.index td,table.index th{border:1px solid #ccc;padding:3px 8px}
.pass{color:#1a9850;font-weight:bold}.fail{color:#d73027;font-weight:bold}
svg{display:block;margin:6px 0}svg text{font:11px system-ui,sans-serif}
.business{fill:#fff7d6}.window{fill:#d9f0d3}.hold{fill:#f4a582;opacity:.8}
.dial{fill:#222}.first-call{fill:none;stroke:#222}.release{stroke:#d73027;stroke-width:2}
.dnc,.stop{fill:#000}.dial-failed{fill:#d73027}.violation{stroke:#d73027;stroke-width:2}
.restart,.crash{stroke:#7b3294;stroke-dasharray:3 2}.clock_step{stroke:#e08214;stroke-dasharray:1 2}
.lane-bad text{fill:#d73027;font-weight:bold}.legend span{margin-right:14px}
.tick{stroke:#ddd}.bar{fill:#4575b4}
)";

void axis_svg(std::string& out, const Timeline& tl, const Axis& ax, int height) {
  for (const auto& [t, label] : tl.ticks) {
    out += "<line class=\"tick\" x1=\"" + num(ax.x(t)) + "\" x2=\"" + num(ax.x(t)) + "\" y1=\"" +
           std::to_string(kAxisH - 4) + "\" y2=\"" + std::to_string(height) + "\"/><text x=\"" +
           num(ax.x(t) + 2) + "\" y=\"12\">" + esc(label) + "</text>";
  }
}

void spans_svg(std::string& out, const std::vector<TimeSpan>& spans, const Axis& ax,
               const char* cls, int y, int h) {
  for (const TimeSpan& s : spans)
    out += "<rect class=\"" + std::string(cls) + "\" x=\"" + num(ax.x(s.begin)) + "\" y=\"" +
           std::to_string(y) + "\" width=\"" + num(std::max(0.5, ax.x(s.end) - ax.x(s.begin))) +
           "\" height=\"" + std::to_string(h) + "\"/>";
}

void mark_svg(std::string& out, const TimelineMark& m, const Axis& ax, int y) {
  const std::string cls = mark_kind_name(m.kind);
  const std::string x = num(ax.x(m.at)), mid = std::to_string(y + 8);
  const std::string title = "<title>" + esc(cls + ": " + m.text) + "</title>";
  switch (m.kind) {
    case MarkKind::kHold:
      out += "<rect class=\"hold\" data-rule=\"" + esc(m.outcome) + "\" x=\"" + x + "\" y=\"" +
             std::to_string(y + 5) + "\" width=\"" +
             num(std::max(1.0, ax.x(m.until) - ax.x(m.at))) + "\" height=\"6\">" + title +
             "</rect>";
      break;
    case MarkKind::kResult:
      out += "<circle class=\"result\" data-outcome=\"" + esc(m.outcome) + "\" fill=\"" +
             outcome_colour(m.outcome) + "\" cx=\"" + x + "\" cy=\"" + mid + "\" r=\"5\">" + title +
             "</circle>";
      break;
    case MarkKind::kFirstCall:
      out += "<circle class=\"first-call\" cx=\"" + x + "\" cy=\"" + mid + "\" r=\"4\">" + title +
             "</circle>";
      break;
    case MarkKind::kRelease:
      out += "<line class=\"release\" x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" +
             std::to_string(y + 1) + "\" y2=\"" + std::to_string(y + kLaneH - 5) + "\">" + title +
             "</line>";
      break;
    default:  // a dial, a do-not-call, a stop, a failed dial: a narrow bar
      out += "<rect class=\"" + cls + "\" x=\"" + num(ax.x(m.at) - 1) + "\" y=\"" +
             std::to_string(y + 1) + "\" width=\"2\" height=\"" + std::to_string(kLaneH - 6) +
             "\">" + title + "</rect>";
  }
}

void lanes_svg(std::string& out, const Timeline& tl, const std::vector<std::size_t>& shown) {
  const Axis ax{tl.begin, tl.end};
  const int height = kAxisH + static_cast<int>(shown.size()) * kLaneH + 4;
  out += "<svg class=\"lanes\" width=\"" + std::to_string(kLabelW + kAxisW + 10) + "\" height=\"" +
         std::to_string(height) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  spans_svg(out, tl.business_hours, ax, "business", kAxisH, height - kAxisH);
  axis_svg(out, tl, ax, height);
  for (std::size_t row = 0; row < shown.size(); ++row) {
    const TimelineLane& l = tl.lanes[shown[row]];
    const int y = kAxisH + static_cast<int>(row) * kLaneH;
    out += std::string("<g class=\"lane") + (l.violation ? " lane-bad" : "") + "\" data-key=\"" +
           esc(l.key) + "\"><text x=\"2\" y=\"" + std::to_string(y + 13) + "\">" + esc(l.key) +
           "<title>" + esc(l.key + " " + l.phone + " " + l.state + " " + l.zones) +
           "</title></text>";
    spans_svg(out, l.window, ax, "window", y + kLaneH - 5, 4);  // a band under the marks
    for (const TimelineMark& m : l.marks) mark_svg(out, m, ax, y);
    out += "</g>";
  }
  for (const RunMark& m : tl.run_marks)
    out += "<line class=\"" + esc(m.kind) + "\" x1=\"" + num(ax.x(m.at)) + "\" x2=\"" +
           num(ax.x(m.at)) + "\" y1=\"" + std::to_string(kAxisH) + "\" y2=\"" +
           std::to_string(height) + "\"><title>" + esc(m.kind + ": " + m.text) + "</title></line>";
  out += "</svg>\n";
}

// A bar chart of (label, value) pairs; long labels are written slanted under their bars.
void bars_svg(std::string& out, const std::string& title,
              const std::vector<std::pair<std::string, long long>>& bars,
              const std::vector<std::string>& colours = {}) {
  bool slanted = false;
  for (const auto& b : bars) slanted = slanted || b.first.size() > 4;
  slanted = slanted && bars.size() <= 30;
  const int w = 460, h = slanted ? 200 : 140, base = h - (slanted ? 80 : 18);
  long long top = 1;
  for (const auto& b : bars) top = std::max(top, b.second);
  const double x0 = slanted ? 70 : 30;  // room for the first slanted label
  const double bw =
      bars.empty() ? 0 : std::min(28.0, static_cast<double>(w - x0 - 30) / bars.size());
  out += "<svg class=\"chart\" width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) +
         "\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"0\" y=\"11\">" + esc(title) + " (max " +
         std::to_string(top) + ")</text>";
  const std::size_t label_every = slanted ? 1 : std::max<std::size_t>(1, bars.size() / 12);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double bh = static_cast<double>(bars[i].second) / top * (base - 18);
    const double x = x0 + i * bw;
    out += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(base - bh) + "\" width=\"" +
           num(std::max(1.0, bw - 1)) + "\" height=\"" + num(bh) + "\"" +
           (i < colours.size() ? " style=\"fill:" + colours[i] + "\"" : std::string()) +
           "><title>" + esc(bars[i].first + ": " + std::to_string(bars[i].second)) +
           "</title></rect>";
    if (i % label_every != 0) continue;
    const std::string lx = num(x + (slanted ? bw / 2 : 0)), ly = std::to_string(base + 12);
    out += "<text x=\"" + lx + "\" y=\"" + (slanted ? ly : std::to_string(h - 4)) + "\"" +
           (slanted ? " text-anchor=\"end\" transform=\"rotate(-40 " + lx + " " + ly + ")\""
                    : std::string()) +
           ">" + esc(bars[i].first) + "</text>";
  }
  out += "</svg>";
}

void charts(std::string& out, const RunResult& r, const Timeline& tl) {
  const TimeMs hour_ms = 3600 * 1000;
  const TimeMs bucket_ms = tl.end - tl.begin <= 7 * 24 * hour_ms ? hour_ms : 24 * hour_ms;
  std::vector<std::pair<std::string, long long>> per_bucket(
      static_cast<std::size_t>((tl.end - tl.begin) / bucket_ms + 1));
  for (std::size_t i = 0; i < per_bucket.size(); ++i)
    per_bucket[i].first =
        (bucket_ms == hour_ms ? "+" + std::to_string(i) + "h" : "day " + std::to_string(i + 1));
  for (TimeMs t : tl.dials)
    ++per_bucket[static_cast<std::size_t>((t - tl.begin) / bucket_ms)].second;
  std::map<int, long long> attempts;
  for (const auto& l : r.lead_results) ++attempts[l.attempts];
  std::vector<std::pair<std::string, long long>> by_attempts, by_outcome;
  for (const auto& [a, n] : attempts) by_attempts.push_back({std::to_string(a), n});
  std::vector<std::string> colours;
  for (const auto& [o, n] : tl.outcomes) {
    by_outcome.push_back({o, n});
    colours.push_back(outcome_colour(o));
  }
  out += "<div class=\"charts\" style=\"display:flex;gap:16px;flex-wrap:wrap\">";
  bars_svg(out, bucket_ms == hour_ms ? "dials per hour" : "dials per day", per_bucket);
  bars_svg(out, "leads by attempts", by_attempts);
  bars_svg(out, "results by outcome", by_outcome, colours);
  out += "</div>\n";
}

void run_section(std::string& out, const RunResult& r, std::size_t index,
                 const HtmlReportOptions& options) {
  out += "<section id=\"run-" + std::to_string(index) + "\"><h2>" + esc(r.name) +
         " <span class=\"" + (r.passed ? "pass\">PASS" : "fail\">FAIL") + "</span></h2><p>" +
         esc(r.file) + "</p>";
  if (!r.error.empty() || !r.timeline) {
    out += "<p class=\"fail\">" + esc(r.error.empty() ? "no timeline recorded" : r.error) +
           "</p></section>\n";
    return;
  }
  const Timeline& tl = *r.timeline;
  out += "<p>" + std::to_string(r.leads) + " leads, " + esc(r.span_text) + ", times in " +
         esc(tl.zone) + ". Totals:";
  for (const auto& [name, v] : r.totals)
    if (v != 0) out += " " + esc(name) + "=" + std::to_string(v);
  out += "</p>";
  for (const auto& d : r.diffs)
    out += "<p class=\"fail\">expected " + esc(d.field) + " = " + esc(d.expected) + ", got " +
           esc(d.actual) + "</p>";
  for (const auto& v : r.violations)
    out += "<p class=\"fail\">violation " + esc(v.rule) + ": " + esc(v.what) + "</p>";
  charts(out, r, tl);
  const std::vector<std::size_t> shown = pick_lanes(tl, options.max_lanes);
  out += "<p class=\"lanes-shown\">Showing " + std::to_string(shown.size()) + " of " +
         std::to_string(tl.lanes.size()) + " leads" +
         (shown.size() < tl.lanes.size()
              ? " (every lead with a violation, then evenly spaced in the order they appeared)"
              : std::string()) +
         ".</p>";
  lanes_svg(out, tl, shown);
  out += "</section>\n";
}

void comparison_table(std::string& out, const Comparison& c) {
  out += "<h3>What if: " + esc(c.title) +
         "</h3><table class=\"index compare\"><tr><th></th><th>A: " + esc(c.label_a) +
         "</th><th>B: " + esc(c.label_b) + "</th></tr>";
  for (const auto& row : c.rows)
    out += "<tr><td>" + esc(row.at(0)) + "</td><td>" + esc(row.at(1)) + "</td><td>" +
           esc(row.at(2)) + "</td></tr>";
  out += "</table>\n";
}

const char* kLegend =
    "<p class=\"legend\"><span>&#9646; dial</span><span>&#9675; first call (outside the "
    "queue)</span><span>&#9679; result, coloured by outcome</span><span style=\"color:#f4a582\">"
    "&#9644; hold (hover: its rule)</span><span style=\"color:#d73027\">| released / "
    "violation</span><span style=\"background:#d9f0d3\">lead's legal window</span><span "
    "style=\"background:#fff7d6\">business hours</span><span style=\"color:#7b3294\">: "
    "restart / crash</span></p>\n";

}  // namespace

std::vector<std::size_t> pick_lanes(const Timeline& tl, std::size_t max_lanes) {
  assert(max_lanes > 0);
  std::vector<std::size_t> shown, rest;
  for (std::size_t i = 0; i < tl.lanes.size(); ++i)
    (tl.lanes[i].violation && shown.size() < max_lanes ? shown : rest).push_back(i);
  const std::size_t room = max_lanes - shown.size();
  if (room > 0 && !rest.empty()) {
    const double step = std::max(1.0, static_cast<double>(rest.size()) / room);
    for (double at = 0; at < rest.size() && shown.size() < max_lanes; at += step)
      shown.push_back(rest[static_cast<std::size_t>(at)]);
  }
  std::sort(shown.begin(), shown.end());
  assert(shown.size() <= max_lanes && shown.size() <= tl.lanes.size());
  return shown;
}

std::string html_report(const std::vector<RunResult>& results, const HtmlReportOptions& options) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>redial-sim report</title><style>";
  out += kStyle;
  out +=
      "</style></head><body><h1>redial-sim report</h1>\n<table class=\"index\"><tr><th>run"
      "</th><th>result</th><th>leads</th><th>dials</th><th>violations</th></tr>\n";
  std::size_t passed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RunResult& r = results[i];
    passed += r.passed ? 1 : 0;
    auto dials = r.totals.find("redials");
    out += "<tr><td><a href=\"#run-" + std::to_string(i) + "\">" +
           esc(r.name.empty() ? r.file : r.name) + "</a></td><td class=\"" +
           (r.passed ? "pass\">PASS" : "fail\">FAIL") + "</td><td>" + std::to_string(r.leads) +
           "</td><td>" + std::to_string(dials == r.totals.end() ? 0 : dials->second) + "</td><td>" +
           std::to_string(r.violations.size()) + "</td></tr>\n";
  }
  out += "</table><p>" + std::to_string(passed) + " of " + std::to_string(results.size()) +
         " passed.</p>";
  for (const Comparison& c : options.comparisons) comparison_table(out, c);
  out += kLegend;
  for (std::size_t i = 0; i < results.size(); ++i) run_section(out, results[i], i, options);
  out += "</body></html>\n";
  return out;
}

void write_html_report(const std::string& path, const std::vector<RunResult>& results,
                       const HtmlReportOptions& options) {
  const std::string text = html_report(results, options);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(path + ": cannot write the HTML report");
  f << text;
  f.close();
  if (!f) throw std::runtime_error(path + ": writing the HTML report failed");
}

}  // namespace redial::sim
