#include <catch2/catch.hpp>

#include "core/errors.h"
#include "core/redial_policy.h"

using namespace redial;

TEST_CASE("progressive waits: the k-th value after the k-th result, at least 2 minutes") {
  RedialPolicy p;
  CHECK(p.wait_after_result_ms(1) == 2 * kMinuteMs);
  CHECK(p.wait_after_result_ms(2) == 2 * kMinuteMs);
  CHECK(p.wait_after_result_ms(3) == 5 * kMinuteMs);
  CHECK(p.wait_after_result_ms(4) == 10 * kMinuteMs);
  CHECK(p.wait_after_result_ms(5) == 30 * kMinuteMs);
  CHECK(p.wait_after_result_ms(6) == 60 * kMinuteMs);
  CHECK(p.wait_after_result_ms(7) == 120 * kMinuteMs);
  CHECK(p.wait_after_result_ms(8) == 120 * kMinuteMs);  // the last value repeats
  CHECK(p.wait_after_result_ms(20) == 120 * kMinuteMs);
}

TEST_CASE("interval settings: plain numbers are minutes, units are accepted") {
  CHECK(parse_interval_list("0,0,5,10,30,60,120", "REDIAL_PROGRESSIVE_INTERVALS") ==
        std::vector<TimeMs>{0, 0, 5 * kMinuteMs, 10 * kMinuteMs, 30 * kMinuteMs, 60 * kMinuteMs,
                            120 * kMinuteMs});
  CHECK(parse_interval_list("30s, 5m,2h", "x") ==
        std::vector<TimeMs>{30 * kSecondMs, 5 * kMinuteMs, 2 * kHourMs});
  CHECK(parse_duration_ms("5", kMinuteMs, "REDIAL_PROCESS_INTERVAL") == 5 * kMinuteMs);
  CHECK(parse_duration_ms("1.5h", kMinuteMs, "x") == 90 * kMinuteMs);
}

TEST_CASE("a bad interval names the setting and the item") {
  try {
    parse_interval_list("0,0,five,10", "REDIAL_PROGRESSIVE_INTERVALS");
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(e.setting() == "REDIAL_PROGRESSIVE_INTERVALS");
    CHECK_THAT(e.what(), Catch::Contains("item 3") && Catch::Contains("five"));
  }
  CHECK_THROWS_WITH(parse_duration_ms("5 parsecs", kMinuteMs, "REDIAL_PROCESS_INTERVAL"),
                    Catch::Contains("REDIAL_PROCESS_INTERVAL") && Catch::Contains("parsecs"));
}

TEST_CASE("policy validation names the first bad setting") {
  RedialPolicy p;
  p.max_attempts = 0;
  CHECK_THROWS_WITH(p.validate(), Catch::StartsWith("max_attempts"));
  p = RedialPolicy{};
  p.success_outcomes = {"transferred"};
  CHECK_THROWS_WITH(p.validate(), Catch::StartsWith("success_outcomes"));
  p = RedialPolicy{};
  p.business_open_s = 17 * 3600;
  p.business_close_s = 9 * 3600;
  CHECK_THROWS_WITH(p.validate(), Catch::StartsWith("business_hours"));
  CHECK_NOTHROW(RedialPolicy{}.validate());
}
