// redial-sim --config / --compare (issue 18): settings files read as the runner reads them, and
// the figures of two runs of scenario 02 under two settings. The expected figures come from the
// scenario's worked comments and the max-attempts rule, not from the code under test.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "sim/html_report.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "sim/what_if.h"

using namespace redial;
using namespace redial::sim;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                     "/redial-what-if-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    read_settings_file(path);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

RunResult run_under(const Scenario& sc, const std::string& settings_text, const std::string& name) {
  const std::string path = write_temp(name, settings_text);
  SimOptions o;
  o.timeline = true;
  RunResult r = run_scenario(with_settings(sc, read_settings_file(path), name), o);
  std::remove(path.c_str());
  REQUIRE(r.error.empty());
  return r;
}

}  // namespace

TEST_CASE("a settings file keeps the policy settings and leaves the runner's own out") {
  const std::string path = write_temp(
      "ok.conf",
      "# production\nmax-attempts = 3\nbland-api-key = sk-test\nbusiness-hours-end = 18:00\n");
  SettingValues v = read_settings_file(path);
  CHECK(v.size() == 2);
  CHECK(v.at("max-attempts") == "3");
  CHECK(v.at("business-hours-end") == "18:00");
  CHECK(v.count("bland-api-key") == 0);
  std::remove(path.c_str());
}

TEST_CASE("an environment file (the package's redial.env) is read as its settings") {
  const std::string path =
      write_temp("redial.env",
                 "# /etc/redial/redial.env\nREDIAL_MAX_ATTEMPTS=4\nBLAND_API_KEY=sk-test\n"
                 "#REDIAL_MIN_WAIT=5\nREDIAL_PROGRESSIVE_INTERVALS=1s,1s,2s\n");
  SettingValues v = read_settings_file(path);
  CHECK(v.size() == 2);
  CHECK(v.at("max-attempts") == "4");
  CHECK(v.at("progressive-intervals") == "1s,1s,2s");
  const std::string unknown = write_temp("unknown.env", "REDIAL_MAX_ATTEMPT=4\n");
  CHECK_THAT(error_of(unknown), Catch::Contains(unknown) && Catch::Contains("REDIAL_MAX_ATTEMPT"));
  std::remove(path.c_str());
  std::remove(unknown.c_str());
}

TEST_CASE("a bad settings file is refused naming the file and the setting") {
  const std::string unknown = write_temp("unknown.conf", "max-attempt = 3\n");
  const std::string bad = write_temp("bad.conf", "max-attempts = three\n");
  CHECK_THAT(error_of(unknown), Catch::Contains(unknown) && Catch::Contains("max-attempt"));
  CHECK_THAT(error_of(bad), Catch::Contains(bad) && Catch::Contains("max-attempts"));
  CHECK_THAT(error_of("/nonexistent/x.conf"), Catch::Contains("/nonexistent/x.conf"));
  std::remove(unknown.c_str());
  std::remove(bad.c_str());
}

TEST_CASE("two settings on one scenario: the figures --compare prints") {
  const Scenario sc =
      load_scenario(REDIAL_SOURCE_DIR "/scenarios/02-progressive-to-max-attempts.json");
  // A: the defaults, which the file itself uses: its worked comments give 13 dials, early at
  // max attempts after 8 calls on the day, late pending with 7.
  const WhatIfFigures a = figures_of(run_under(sc, "", "defaults.conf"));
  // B: max 3 attempts: each lead's first call and two redials, then max_attempts.
  const WhatIfFigures b = figures_of(run_under(sc, "max-attempts = 3\n", "three.conf"));
  CHECK(a.dials == 13);
  CHECK(a.attempts == 15);
  CHECK(a.max_attempts == 1);
  CHECK(a.calls_per_lead_day_max == 8);
  CHECK(b.dials == 4);
  CHECK(b.attempts == 6);
  CHECK(b.max_attempts == 2);
  CHECK(b.calls_per_lead_day_max == 3);
  CHECK(a.outside_business_hours == 0);
  CHECK(b.outside_business_hours == 0);
  CHECK(a.violations == 0);
  CHECK(b.violations == 0);
  // The report carries the same rows as a table.
  HtmlReportOptions ho;
  ho.comparisons.push_back({sc.file, "defaults.conf", "three.conf", compare_rows(a, b)});
  const std::string html = html_report({}, ho);
  CHECK_THAT(html, Catch::Contains("<th>A: defaults.conf</th><th>B: three.conf</th>") &&
                       Catch::Contains("<tr><td>dials</td><td>13</td><td>4</td></tr>"));
  const std::string table = compare_text(compare_rows(a, b), "A", "B");
  CHECK_THAT(table, Catch::Contains("dials") && Catch::Contains("13") &&
                        Catch::Contains("dials outside business hours (must be 0)"));
}
