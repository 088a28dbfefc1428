#include "bland_model/refusals.h"

#include <cassert>
#include <cmath>

namespace redial::bland_model {

using nlohmann::json;

std::string error_body(const std::string& message, const std::string& code) {
  json err{{"message", message}};
  if (!code.empty()) err["code"] = code;
  json body{{"status", "error"}, {"message", message}, {"errors", json::array({err})}};
  return body.dump() + "\n";
}

bool is_refusal_kind(const std::string& kind) {
  return kind == "plan_concurrency" || kind == "plan_daily_minutes" || kind == "plan_rate" ||
         kind == "rate_limited" || kind == "same_number" || kind == "unauthorized" ||
         kind == "forbidden" || kind == "server_error";
}

bool is_error_state_kind(const std::string& kind) {
  return kind == "pre_queue_error" || kind == "queue_error" || kind == "call_error" ||
         kind == "complete_error" || kind == "status_error";
}

namespace {

BlandReply reply(int status, const std::string& message, const std::string& code,
                 std::optional<double> retry_after_s) {
  BlandReply r{status, error_body(message, code), std::nullopt};
  if (retry_after_s) r.retry_after_s = static_cast<long long>(std::ceil(*retry_after_s));
  return r;
}

}  // namespace

std::optional<BlandReply> dial_refusal(const std::string& kind, const std::string& code_in,
                                       std::optional<double> retry_after_s,
                                       const std::string& phone) {
  auto code = [&code_in](const char* dflt) {
    return code_in.empty() ? std::string(dflt) : code_in;
  };
  if (kind == "plan_concurrency")
    return reply(429, "Concurrent call limit of your plan reached (emulated)",
                 code("CALL_RL_PLAN_CONCURRENCY"), retry_after_s);
  if (kind == "plan_daily_minutes")
    return reply(429, "Daily call minutes of your plan used up (emulated)",
                 code("CALL_RL_PLAN_DAILY_MINUTES"), retry_after_s);
  if (kind == "plan_rate")  // CALL_RL_PLAN_HOURLY_CALLS is an assumed name (bland-api-notes.md)
    return reply(429, "Calls per hour of your plan reached (emulated)",
                 code("CALL_RL_PLAN_HOURLY_CALLS"), retry_after_s);
  if (kind == "rate_limited") return reply(429, "Too many requests", code_in, retry_after_s);
  if (kind == "same_number")
    return reply(429, "Rate limit exceeded: " + phone + " was called less than 10 seconds ago",
                 code_in, retry_after_s);
  if (kind == "unauthorized")
    return reply(401, "Invalid or missing API key (authorization)", code_in, std::nullopt);
  if (kind == "forbidden")
    return reply(403, "This API key may not place calls (emulated)", code_in, std::nullopt);
  if (kind == "server_error")
    return reply(503, "Service temporarily unavailable (emulated)", code_in, retry_after_s);
  return std::nullopt;
}

json error_state_object(json c, const std::string& kind) {
  assert(is_error_state_kind(kind));
  c["completed"] = false;
  c["error_message"] = "Emulated Bland error state: " + kind;
  if (kind == "status_error") {
    c["status"] = "error";
    c["queue_status"] = nullptr;
  } else {
    c["status"] = nullptr;
    c["queue_status"] = kind;
  }
  return c;
}

}  // namespace redial::bland_model
