#include <catch2/catch.hpp>

#include "bland/dial_limits.h"
#include "runner/http_client.h"

using namespace redial;
using namespace redial::runner;
using namespace redial::bland;

TEST_CASE("Bland's error code is found wherever the body puts it", "[dial_limits]") {
  CHECK(bland_error_code(R"({"status":"error","code":"CALL_RL_PLAN_CONCURRENCY"})") ==
        "CALL_RL_PLAN_CONCURRENCY");
  CHECK(bland_error_code(R"({"error_code":"CALL_RL_PLAN_DAILY_MINUTES"})") ==
        "CALL_RL_PLAN_DAILY_MINUTES");
  CHECK(bland_error_code(R"({"errors":[{"error":"CALL_RL_PLAN_CONCURRENCY","message":"x"}]})") ==
        "CALL_RL_PLAN_CONCURRENCY");
  CHECK(bland_error_code(R"({"errors":["CALL_RL_PLAN_DAILY_MINUTES"]})") ==
        "CALL_RL_PLAN_DAILY_MINUTES");
  CHECK(bland_error_code(R"({"error":{"code":"CALL_RL_PLAN_HOURLY"}})") == "CALL_RL_PLAN_HOURLY");
  CHECK(bland_error_code(R"({"message":"Refused (CALL_RL_PLAN_CONCURRENCY)."})") ==
        "CALL_RL_PLAN_CONCURRENCY");
  // Text that is not a code is not taken for one.
  CHECK(
      bland_error_code(R"({"status":"error","message":"Too many requests","errors":["slow down"]})")
          .empty());
  CHECK(bland_error_code("not json").empty());
}

TEST_CASE("a 429 is classed as the per-number limit or a plan limit", "[dial_limits]") {
  const std::string phone = "+15550100001";
  RateLimit c = classify_429(R"({"errors":[{"error":"CALL_RL_PLAN_CONCURRENCY"}]})", phone);
  CHECK_FALSE(c.same_number);
  CHECK(c.reason == "concurrency");
  CHECK(c.code == "CALL_RL_PLAN_CONCURRENCY");
  c = classify_429(R"({"code":"CALL_RL_PLAN_DAILY_MINUTES"})", phone);
  CHECK(c.reason == "daily_minutes");
  c = classify_429(R"({"code":"CALL_RL_PLAN_HOURLY_CALLS"})", phone);
  CHECK((!c.same_number && c.reason == "rate"));
  c = classify_429(R"({"code":"CALL_RL_SAME_PHONE_NUMBER"})", phone);
  CHECK(c.same_number);
  // No code: a message naming the number just dialed is the per-number limit.
  c = classify_429(R"({"message":"Rate limit exceeded: +15550100001 was called 3 s ago"})", phone);
  CHECK(c.same_number);
  c = classify_429(R"({"message":"Concurrency limit reached"})", phone);
  CHECK((!c.same_number && c.reason == "concurrency"));
  // Nothing recognisable: a pause (safe), never the per-number retry loop.
  c = classify_429(R"({"message":"Too many requests"})", phone);
  CHECK((!c.same_number && c.reason == "unrecognized" && c.code.empty()));
  c = classify_429("", phone);
  CHECK((!c.same_number && c.reason == "unrecognized"));
  // Another number in the message is not this dial's limit.
  c = classify_429(R"({"message":"+15550100999 was called 3 s ago"})", phone);
  CHECK_FALSE(c.same_number);
}

TEST_CASE("plan-limit pauses without Retry-After grow to a cap", "[dial_limits]") {
  CHECK(plan_backoff_ms(1, 30 * kSecondMs, 15 * kMinuteMs) == 30 * kSecondMs);
  CHECK(plan_backoff_ms(2, 30 * kSecondMs, 15 * kMinuteMs) == 60 * kSecondMs);
  CHECK(plan_backoff_ms(3, 30 * kSecondMs, 15 * kMinuteMs) == 120 * kSecondMs);
  CHECK(plan_backoff_ms(6, 30 * kSecondMs, 15 * kMinuteMs) == 15 * kMinuteMs);
  CHECK(plan_backoff_ms(1000, 30 * kSecondMs, 15 * kMinuteMs) == 15 * kMinuteMs);
}

TEST_CASE("Retry-After is read as seconds or an HTTP date", "[dial_limits]") {
  const std::int64_t now = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
  CHECK(parse_retry_after_ms("", now) == std::nullopt);
  CHECK(parse_retry_after_ms("7", now) == 7000);
  CHECK(parse_retry_after_ms("0", now) == 0);
  CHECK(parse_retry_after_ms("Tue, 14 Nov 2023 22:14:20 GMT", now) == 60000);
  CHECK(parse_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0);  // past: no wait
  CHECK(parse_retry_after_ms("soon", now) == std::nullopt);
  CHECK(parse_retry_after_ms("-5", now) == std::nullopt);
  CHECK(parse_retry_after_ms("99999999999", now) == std::nullopt);
}
