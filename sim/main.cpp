// redial-sim: runs scenario files (or a seeded random scenario) through the redial core in
// virtual time and checks every rule. See scenarios/README.md and docs/simulator.md.
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "sim/html_report.h"
#include "sim/random_scenario.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/what_if.h"

namespace po = boost::program_options;
using namespace redial::sim;

int main(int argc, char** argv) {
  po::options_description opts("redial-sim [options] FILE...\n\nOptions");
  opts.add_options()("help,h", "show this help")("trace",
                                                 "print every event and queue decision in order")(
      "json", po::value<std::string>(), "write a machine-readable report to FILE (- for stdout)")(
      "verbose", "let the core log through spdlog's default logger")(
      "report", po::value<std::string>(),
      "write a self-contained HTML timeline of every run to FILE")(
      "report-lanes", po::value<std::size_t>()->default_value(200),
      "leads drawn per run in --report (leads with a violation first)")(
      "config", po::value<std::string>(),
      "run every scenario under the settings of this runner config file instead of its own")(
      "compare", po::value<std::vector<std::string>>()->multitoken(),
      "A B: run every scenario under two runner config files and print them side by side")(
      "random", "run a random scenario generated from --seed instead of files")(
      "seed", po::value<std::vector<unsigned long long>>()->multitoken(),
      "seed(s) of --random (default 1)")("leads", po::value<int>()->default_value(1000),
                                         "leads of --random")(
      "days", po::value<int>()->default_value(1), "business days of --random")(
      "start", po::value<std::string>()->default_value("2026-03-07"),
      "first day of --random (YYYY-MM-DD)")("no-faults", "--random without injected faults")(
      "no-dial-seq", "--random with webhooks that do not name their dial");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "scenario files");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redial-sim: %s\n%s", e.what(),
                 "usage: redial-sim [--trace] [--json FILE] FILE...\n"
                 "       redial-sim --random --seed N [--leads N] [--days N]\n");
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  bool random = vm.count("random") > 0;
  std::vector<std::string> files;
  if (vm.count("file")) files = vm["file"].as<std::vector<std::string>>();
  if (!random && files.empty()) {
    std::fprintf(stderr, "redial-sim: no scenario files (or use --random); see --help\n");
    return 2;
  }
  if (vm["report-lanes"].as<std::size_t>() == 0) {
    std::fprintf(stderr, "redial-sim: --report-lanes: must be at least 1\n");
    return 2;
  }
  if (!vm.count("verbose")) spdlog::set_level(spdlog::level::off);
  // (label, settings): one entry per run of each scenario; none: the scenario's own config.
  std::vector<std::pair<std::string, SettingValues>> settings;
  try {
    if (vm.count("config") && vm.count("compare"))
      throw std::runtime_error("--config and --compare: give one of them");
    if (vm.count("config")) {
      const std::string f = vm["config"].as<std::string>();
      settings.push_back({f, read_settings_file(f)});
    }
    if (vm.count("compare")) {
      const auto ab = vm["compare"].as<std::vector<std::string>>();
      if (ab.size() != 2) throw std::runtime_error("--compare: needs two settings files, A and B");
      for (const auto& f : ab) settings.push_back({f, read_settings_file(f)});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redial-sim: %s\n", e.what());
    return 2;
  }
  const bool comparing = settings.size() == 2;

  auto options = [&](const std::string& prefix) {
    SimOptions o;
    (void)prefix;
    if (vm.count("trace")) o.trace_out = stdout;
    if (vm.count("verbose")) o.logger = spdlog::default_logger();
    o.timeline = vm.count("report") > 0 || comparing;
    return o;
  };

  HtmlReportOptions report_options;
  // Runs one scenario once per settings entry (once as written when there are none).
  auto run_each = [&](const Scenario& sc, const std::string& file) {
    std::vector<RunResult> runs;
    for (std::size_t i = 0; i < std::max<std::size_t>(1, settings.size()); ++i) {
      RunResult r;
      try {
        r = settings.empty() ? run_scenario(sc, options(file))
                             : run_scenario(with_settings(sc, settings[i].second, settings[i].first),
                                            options(file));
      } catch (const std::exception& e) {
        r.file = file;
        r.error = e.what();
      }
      runs.push_back(std::move(r));
    }
    return runs;
  };
  // Prints --compare's table for the two runs of one scenario and keeps it for the report.
  auto compare = [&](const std::vector<RunResult>& runs) {
    if (!comparing || runs.size() != 2 || !runs[0].timeline || !runs[1].timeline) return;
    Comparison c{runs[0].file, settings[0].first, settings[1].first,
                 compare_rows(figures_of(runs[0]), figures_of(runs[1]))};
    std::printf("compare %s\n%s", c.title.c_str(), compare_text(c.rows, c.label_a, c.label_b).c_str());
    report_options.comparisons.push_back(std::move(c));
  };
  std::vector<RunResult> results;
  bool ok = true;
  if (random) {
    std::vector<unsigned long long> seeds{1};
    if (vm.count("seed")) seeds = vm["seed"].as<std::vector<unsigned long long>>();
    for (unsigned long long seed : seeds) {
      RandomOptions ro;
      ro.seed = seed;
      ro.leads = vm["leads"].as<int>();
      ro.days = vm["days"].as<int>();
      ro.start_date = vm["start"].as<std::string>();
      ro.faults = vm.count("no-faults") == 0;
      ro.webhook_dial_seq = vm.count("no-dial-seq") == 0;
      std::vector<RunResult> runs;
      try {
        runs = run_each(make_random_scenario(ro), "random:" + std::to_string(seed));
      } catch (const std::exception& e) {
        runs.resize(1);
        runs[0].file = "random:" + std::to_string(seed);
        runs[0].error = e.what();
      }
      for (const RunResult& r : runs) {
        print_random_result(stdout, r, seed);
        ok = ok && r.passed && r.error.empty();
      }
      compare(runs);
      std::fflush(stdout);
      for (RunResult& r : runs) results.push_back(std::move(r));
    }
  }
  for (const auto& file : files) {
    std::vector<RunResult> runs;
    try {
      runs = run_each(load_scenario(file), file);
    } catch (const std::exception& e) {
      runs.resize(1);
      runs[0].file = file;
      runs[0].error = e.what();
    }
    for (const RunResult& r : runs) {
      print_result(stdout, r);
      ok = ok && r.passed && r.error.empty();
    }
    compare(runs);
    std::fflush(stdout);
    for (RunResult& r : runs) results.push_back(std::move(r));
  }
  if (vm.count("json")) {
    try {
      write_json_report(vm["json"].as<std::string>(), results);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redial-sim: %s\n", e.what());
      return 2;
    }
  }
  if (vm.count("report")) {
    try {
      report_options.max_lanes = vm["report-lanes"].as<std::size_t>();
      write_html_report(vm["report"].as<std::string>(), results, report_options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redial-sim: %s\n", e.what());
      return 2;
    }
  }
  if (results.size() > 1) {
    std::size_t passed = 0;
    for (const auto& r : results) passed += r.passed ? 1 : 0;
    std::printf("%zu of %zu passed\n", passed, results.size());
  }
  return ok ? 0 : 1;
}
