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

  auto options = [&](const std::string& prefix) {
    SimOptions o;
    (void)prefix;
    if (vm.count("trace")) o.trace_out = stdout;
    if (vm.count("verbose")) o.logger = spdlog::default_logger();
    o.timeline = vm.count("report") > 0;
    return o;
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
      RunResult r;
      try {
        Scenario sc = make_random_scenario(ro);
        r = run_scenario(sc, options(""));
      } catch (const std::exception& e) {
        r.file = "random:" + std::to_string(seed);
        r.error = e.what();
      }
      print_random_result(stdout, r, seed);
      std::fflush(stdout);
      ok = ok && r.passed && r.error.empty();
      results.push_back(std::move(r));
    }
  }
  for (const auto& file : files) {
    RunResult r;
    try {
      Scenario sc = load_scenario(file);
      r = run_scenario(sc, options(file));
    } catch (const std::exception& e) {
      r.file = file;
      r.error = e.what();
    }
    print_result(stdout, r);
    std::fflush(stdout);
    ok = ok && r.passed && r.error.empty();
    results.push_back(std::move(r));
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
      HtmlReportOptions ho;
      ho.max_lanes = vm["report-lanes"].as<std::size_t>();
      write_html_report(vm["report"].as<std::string>(), results, ho);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redial-sim: %s\n", e.what());
      return 2;
    }
  }
  if (files.size() + (random ? 1 : 0) > 1) {
    std::size_t passed = 0;
    for (const auto& r : results) passed += r.passed ? 1 : 0;
    std::printf("%zu of %zu passed\n", passed, results.size());
  }
  return ok ? 0 : 1;
}
