#include "runner/emulator/dial_script.h"

#include <cmath>
#include <stdexcept>

namespace redial::emulator {

using nlohmann::json;

namespace {

const char* const kKinds[] = {
    "accept",      "plan_concurrency", "plan_daily_minutes", "plan_rate",       "rate_limited",
    "same_number", "unauthorized",     "forbidden",          "pre_queue_error", "queue_error",
    "call_error",  "complete_error",   "status_error"};

DialStep step_of(const json& v) {
  DialStep s;
  if (v.is_string()) {
    s.kind = v.get<std::string>();
  } else if (v.is_object() && v.contains("kind") && v["kind"].is_string()) {
    s.kind = v["kind"].get<std::string>();
    if (v.contains("retry_after")) {
      if (!v["retry_after"].is_number() || v["retry_after"].get<double>() < 0)
        throw std::invalid_argument("dials: retry_after must be a number of seconds >= 0");
      s.retry_after_s = v["retry_after"].get<double>();
    }
    if (v.contains("code")) s.code = v["code"].is_string() ? v["code"].get<std::string>() : "";
  } else {
    throw std::invalid_argument("dials: each entry is a kind or {\"kind\": ..., ...}");
  }
  bool known = false;
  for (const char* k : kKinds) known = known || s.kind == k;
  if (!known) throw std::invalid_argument("dials: unknown kind '" + s.kind + "'");
  return s;
}

runner::HttpResponse error_reply(int status, const std::string& message, const std::string& code,
                                 const std::optional<double>& retry_after_s) {
  json err{{"message", message}};
  if (!code.empty()) err["code"] = code;
  json body{{"status", "error"}, {"message", message}, {"errors", json::array({err})}};
  runner::HttpResponse r{status, body.dump() + "\n", "application/json", false};
  if (retry_after_s)
    r.headers.emplace_back("Retry-After",
                           std::to_string(static_cast<long long>(std::ceil(*retry_after_s))));
  return r;
}

}  // namespace

DialScript::DialScript(const json& script) {
  if (!script.is_object() || !script.contains("dials")) return;
  const json& dials = script["dials"];
  if (!dials.is_object()) throw std::invalid_argument("dials: expected {\"*\"|lead_id: [...]}");
  for (auto it = dials.begin(); it != dials.end(); ++it) {
    if (!it.value().is_array()) throw std::invalid_argument("dials: each list must be an array");
    for (const auto& v : it.value()) steps_[it.key()].push_back(step_of(v));
  }
}

DialStep DialScript::next(const std::string& lead_id) {
  auto take = [this](const std::string& who) -> std::optional<DialStep> {
    auto it = steps_.find(who);
    if (it == steps_.end()) return std::nullopt;
    std::size_t n = used_[who]++;
    if (n >= it->second.size()) return std::nullopt;
    return it->second[n];
  };
  std::optional<DialStep> global = take("*");
  std::optional<DialStep> own = take(lead_id);
  if (global && global->kind != "accept") return *global;
  return own.value_or(DialStep{});
}

bool is_error_state_kind(const std::string& kind) {
  return kind == "pre_queue_error" || kind == "queue_error" || kind == "call_error" ||
         kind == "complete_error" || kind == "status_error";
}

std::optional<runner::HttpResponse> dial_refusal(const DialStep& s, const std::string& phone) {
  auto code = [&s](const char* dflt) { return s.code.empty() ? std::string(dflt) : s.code; };
  if (s.kind == "plan_concurrency")
    return error_reply(429, "Concurrent call limit of your plan reached (emulated)",
                       code("CALL_RL_PLAN_CONCURRENCY"), s.retry_after_s);
  if (s.kind == "plan_daily_minutes")
    return error_reply(429, "Daily call minutes of your plan used up (emulated)",
                       code("CALL_RL_PLAN_DAILY_MINUTES"), s.retry_after_s);
  if (s.kind == "plan_rate")
    return error_reply(429, "Calls per hour of your plan reached (emulated)",
                       code("CALL_RL_PLAN_HOURLY_CALLS"), s.retry_after_s);
  if (s.kind == "rate_limited")
    return error_reply(429, "Too many requests", s.code, s.retry_after_s);
  if (s.kind == "same_number")
    return error_reply(429,
                       "Rate limit exceeded: " + phone + " was called less than 10 seconds ago",
                       s.code, s.retry_after_s);
  if (s.kind == "unauthorized")
    return error_reply(401, "Invalid or missing API key (authorization)", s.code, std::nullopt);
  if (s.kind == "forbidden")
    return error_reply(403, "This API key may not place calls (emulated)", s.code, std::nullopt);
  return std::nullopt;
}

json error_state_object(json c, const std::string& kind) {
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

}  // namespace redial::emulator
