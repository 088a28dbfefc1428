#include "runner/emulator/dial_script.h"

#include <stdexcept>

namespace redial::emulator {

using nlohmann::json;

namespace {

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
  bool known = s.kind == "accept" || bland_model::is_refusal_kind(s.kind) ||
               bland_model::is_error_state_kind(s.kind);
  if (!known) throw std::invalid_argument("dials: unknown kind '" + s.kind + "'");
  return s;
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

std::optional<runner::HttpResponse> dial_refusal(const DialStep& s, const std::string& phone) {
  auto r = bland_model::dial_refusal(s.kind, s.code, s.retry_after_s, phone);
  if (!r) return std::nullopt;
  runner::HttpResponse out{r->status, r->body, "application/json", false};
  if (r->retry_after_s) out.headers.emplace_back("Retry-After", std::to_string(*r->retry_after_s));
  return out;
}

}  // namespace redial::emulator
