// redial-sim: runs scenario files (or a seeded random scenario, or a runner's data directory)
// through the redial core in virtual time and checks every rule. See scenarios/README.md and
// docs/simulator.md.
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "sim/from_data.h"
#include "sim/html_report.h"
#include "sim/random_scenario.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/what_if.h"

namespace po = boost::program_options;
using namespace redial::sim;

namespace {

// --compare takes exactly two values, so that scenario files may follow it.
class TwoFiles : public po::typed_value<std::vector<std::string>> {
 public:
  TwoFiles() : po::typed_value<std::vector<std::string>>(nullptr) { multitoken(); }
  unsigned min_tokens() const override { return 2; }
  unsigned max_tokens() const override { return 2; }
};

po::options_description visible_options() {
  po::options_description opts("redial-sim [options] FILE...\n\nOptions");
  opts.add_options()("help,h", "show this help")("trace",
                                                 "print every event and queue decision in order")(
      "json", po::value<std::string>(), "write a machine-readable report to FILE (- for stdout)")(
      "verbose", "let the core log through spdlog's default logger")(
      "report", po::value<std::string>(),
      "write a self-contained HTML timeline of every run to FILE")(
      "report-lanes", po::value<std::size_t>()->default_value(200),
      "leads drawn per run in --report (leads with a violation first)")(
      "from-data", po::value<std::string>(),
      "replay a redial-runner data directory (month files and journal) as a scenario")(
      "config", po::value<std::string>(),
      "run under the settings of this runner config file (scenario files: instead of their own)")(
      "compare", new TwoFiles(),
      "A B: run every scenario under two runner config files and print them side by side")(
      "random", "run a random scenario generated from --seed instead of files")(
      "seed", po::value<std::vector<unsigned long long>>()->multitoken(),
      "seed(s) of --random (default 1)")("leads", po::value<int>()->default_value(1000),
                                         "leads of --random")(
      "days", po::value<int>()->default_value(1), "business days of --random")(
      "start", po::value<std::string>()->default_value("2026-03-07"),
      "first day of --random (YYYY-MM-DD)")("no-faults", "--random without injected faults")(
      "no-dial-seq", "--random with webhooks that do not name their dial");
  return opts;
}

// One invocation: the runs it makes, what they printed, and the reports at the end.
class SimCli {
 public:
  explicit SimCli(const po::variables_map& vm) : vm_(vm) {}

  // Reads --config / --compare. Throws with the message to print.
  void read_settings();
  void run_random();
  void run_from_data();
  void run_files(const std::vector<std::string>& files);
  // Writes --json and --report; false (message printed) when one cannot be written.
  bool write_reports();
  int exit_code() const;

 private:
  using Printer = std::function<void(const RunResult&)>;
  SimOptions options() const;
  // Runs the scenario `make` gives once per settings entry (once as written when none).
  void run_each(const std::string& file, const std::function<Scenario()>& make,
                const Printer& print);
  void compare(const std::vector<RunResult>& runs);

  const po::variables_map& vm_;
  // (label, settings): --config gives one, --compare two.
  std::vector<std::pair<std::string, redial::SettingValues>> settings_;
  bool comparing_ = false;
  HtmlReportOptions report_options_;
  std::vector<RunResult> results_;
  bool ok_ = true;
};

void SimCli::read_settings() {
  if (vm_.count("config") && vm_.count("compare"))
    throw std::runtime_error("--config and --compare: give one of them");
  if (vm_.count("config")) {
    const std::string f = vm_["config"].as<std::string>();
    settings_.push_back({f, read_settings_file(f)});
  }
  if (vm_.count("compare"))
    for (const auto& f : vm_["compare"].as<std::vector<std::string>>())
      settings_.push_back({f, read_settings_file(f)});
  comparing_ = settings_.size() == 2;
}

SimOptions SimCli::options() const {
  SimOptions o;
  if (vm_.count("trace")) o.trace_out = stdout;
  if (vm_.count("verbose")) o.logger = spdlog::default_logger();
  o.timeline = vm_.count("report") > 0 || comparing_;
  return o;
}

void SimCli::run_each(const std::string& file, const std::function<Scenario()>& make,
                      const Printer& print) {
  std::vector<RunResult> runs;
  try {
    const Scenario sc = make();
    for (std::size_t i = 0; i < std::max<std::size_t>(1, settings_.size()); ++i) {
      RunResult r;
      try {
        r = settings_.empty()
                ? run_scenario(sc, options())
                : run_scenario(with_settings(sc, settings_[i].second, settings_[i].first),
                               options());
      } catch (const std::exception& e) {
        r.file = file;
        r.error = e.what();
      }
      runs.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    runs.resize(1);
    runs[0].file = file;
    runs[0].error = e.what();
  }
  for (const RunResult& r : runs) {
    print(r);
    ok_ = ok_ && r.passed && r.error.empty();
  }
  compare(runs);
  std::fflush(stdout);
  for (RunResult& r : runs) results_.push_back(std::move(r));
}

// Prints --compare's table for the two runs of one scenario and keeps it for the report.
void SimCli::compare(const std::vector<RunResult>& runs) {
  if (!comparing_ || runs.size() != 2 || !runs[0].timeline || !runs[1].timeline) return;
  Comparison c{runs[0].file, settings_[0].first, settings_[1].first,
               compare_rows(figures_of(runs[0]), figures_of(runs[1]))};
  std::printf("compare %s\n%s", c.title.c_str(),
              compare_text(c.rows, c.label_a, c.label_b).c_str());
  report_options_.comparisons.push_back(std::move(c));
}

void SimCli::run_random() {
  std::vector<unsigned long long> seeds{1};
  if (vm_.count("seed")) seeds = vm_["seed"].as<std::vector<unsigned long long>>();
  for (unsigned long long seed : seeds) {
    RandomOptions ro;
    ro.seed = seed;
    ro.leads = vm_["leads"].as<int>();
    ro.days = vm_["days"].as<int>();
    ro.start_date = vm_["start"].as<std::string>();
    ro.faults = vm_.count("no-faults") == 0;
    ro.webhook_dial_seq = vm_.count("no-dial-seq") == 0;
    run_each(
        "random:" + std::to_string(seed), [&] { return make_random_scenario(ro); },
        [&](const RunResult& r) { print_random_result(stdout, r, seed); });
  }
}

void SimCli::run_from_data() {
  const std::string dir = vm_["from-data"].as<std::string>();
  // Under --config the replay is built with those settings and keeps the recorded ends as its
  // expectations; --compare runs it under two other settings, judged by the invariants alone.
  const bool own = settings_.size() == 1;
  const redial::SettingValues values = own ? settings_[0].second : redial::SettingValues{};
  const std::string label = own ? settings_[0].first : "the defaults";
  const auto saved = settings_;
  if (own) settings_.clear();
  run_each(
      dir, [&] { return scenario_from_data(dir, values, label); },
      [](const RunResult& r) { print_result(stdout, r); });
  settings_ = saved;
}

void SimCli::run_files(const std::vector<std::string>& files) {
  for (const auto& file : files)
    run_each(
        file, [&] { return load_scenario(file); },
        [](const RunResult& r) { print_result(stdout, r); });
}

bool SimCli::write_reports() {
  try {
    if (vm_.count("json")) write_json_report(vm_["json"].as<std::string>(), results_);
    if (vm_.count("report")) {
      report_options_.max_lanes = vm_["report-lanes"].as<std::size_t>();
      write_html_report(vm_["report"].as<std::string>(), results_, report_options_);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redial-sim: %s\n", e.what());
    return false;
  }
  return true;
}

int SimCli::exit_code() const {
  if (results_.size() > 1) {
    std::size_t passed = 0;
    for (const auto& r : results_) passed += r.passed ? 1 : 0;
    std::printf("%zu of %zu passed\n", passed, results_.size());
  }
  return ok_ ? 0 : 1;
}

// Parses the command line into vm; a non-negative return is the exit code to stop with.
int parse_command_line(int argc, char** argv, po::variables_map& vm) {
  po::options_description opts = visible_options();
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "scenario files");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("file", -1);
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redial-sim: %s\n%s", e.what(),
                 "usage: redial-sim [--trace] [--json FILE] [--report FILE] FILE...\n"
                 "       redial-sim --random --seed N [--leads N] [--days N]\n"
                 "       redial-sim --from-data DIR [--config FILE | --compare A B]\n");
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  const bool any_input = vm.count("random") || vm.count("file") || vm.count("from-data");
  if (!any_input) {
    std::fprintf(stderr,
                 "redial-sim: no scenario files (or use --random or --from-data); see --help\n");
    return 2;
  }
  if (vm["report-lanes"].as<std::size_t>() == 0) {
    std::fprintf(stderr, "redial-sim: --report-lanes: must be at least 1\n");
    return 2;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  po::variables_map vm;
  if (int rc = parse_command_line(argc, argv, vm); rc >= 0) return rc;
  if (!vm.count("verbose")) spdlog::set_level(spdlog::level::off);
  SimCli cli(vm);
  try {
    cli.read_settings();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redial-sim: %s\n", e.what());
    return 2;
  }
  if (vm.count("random")) cli.run_random();
  if (vm.count("from-data")) cli.run_from_data();
  if (vm.count("file")) cli.run_files(vm["file"].as<std::vector<std::string>>());
  if (!cli.write_reports()) return 2;
  return cli.exit_code();
}
