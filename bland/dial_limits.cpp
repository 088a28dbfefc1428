#include "bland/dial_limits.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <nlohmann/json.hpp>

namespace redial::bland {

using nlohmann::json;

namespace {

bool is_code(const std::string& s) {
  if (s.size() < 3 || s.size() > 64 || s.find('_') == std::string::npos) return false;
  if (!std::isupper(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isupper(c) || std::isdigit(c) || c == '_';
  });
}

std::string code_in(const json& v) {
  if (v.is_string()) return is_code(v.get<std::string>()) ? v.get<std::string>() : "";
  if (v.is_object()) {
    for (const char* k : {"code", "error_code", "error"})
      if (auto it = v.find(k); it != v.end())
        if (std::string c = code_in(*it); !c.empty()) return c;
  }
  if (v.is_array())
    for (const auto& e : v)
      if (std::string c = code_in(e); !c.empty()) return c;
  return "";
}

// CALL_... written inside a message ("... (CALL_RL_PLAN_CONCURRENCY)").
std::string code_in_text(const std::string& text) {
  auto at = text.find("CALL_");
  if (at == std::string::npos) return "";
  auto end = at;
  while (end < text.size() &&
         (std::isupper(static_cast<unsigned char>(text[end])) ||
          std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '_'))
    ++end;
  std::string c = text.substr(at, end - at);
  return is_code(c) ? c : "";
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string bland_error_code(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) return code_in_text(body);
  for (const char* k : {"code", "error_code", "error", "errors"})
    if (auto it = j.find(k); it != j.end())
      if (std::string c = code_in(*it); !c.empty()) return c;
  if (auto it = j.find("message"); it != j.end() && it->is_string())
    return code_in_text(it->get<std::string>());
  return "";
}

RateLimit classify_429(const std::string& body, const std::string& phone) {
  RateLimit r;
  r.code = bland_error_code(body);
  const std::string code = r.code;
  if (!code.empty()) {
    if (code.find("CONCURREN") != std::string::npos) {
      r.reason = "concurrency";
    } else if (code.find("MINUTE") != std::string::npos) {
      r.reason = "daily_minutes";
    } else if (code.find("PHONE") != std::string::npos ||
               code.find("NUMBER") != std::string::npos) {
      r.same_number = true;
    } else {
      r.reason = "rate";  // CALL_RL_PLAN_* per hour / per day, or any other named limit
    }
    return r;
  }
  // No code: the message may still say which limit it is.
  auto j = json::parse(body, nullptr, false);
  std::string message = j.is_object() && j.contains("message") && j["message"].is_string()
                            ? j["message"].get<std::string>()
                            : body;
  std::string m = lower(message);
  std::string digits;
  for (char c : phone)
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  if (m.find("concurren") != std::string::npos) {
    r.reason = "concurrency";
  } else if (m.find("daily minute") != std::string::npos) {
    r.reason = "daily_minutes";
  } else if (!phone.empty() &&
             (message.find(phone) != std::string::npos ||
              (digits.size() >= 10 && message.find(digits) != std::string::npos))) {
    r.same_number = true;  // the message names the number just dialed
  } else {
    r.reason = "unrecognized";
  }
  return r;
}

TimeMs plan_backoff_ms(int k, TimeMs first_ms, TimeMs max_ms) {
  assert(k >= 1 && first_ms > 0 && first_ms <= max_ms);
  TimeMs wait = first_ms;
  for (int i = 1; i < k && wait < max_ms; ++i) wait *= 2;
  return std::min(wait, max_ms);
}

}  // namespace redial::bland
