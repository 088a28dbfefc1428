#include "bland/outcome_mapping.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace redial::bland {
namespace {

using nlohmann::json;

// "metadata.outcome" -> call["metadata"]["outcome"] when that is a non-empty string.
std::string string_at(const json& call, const std::string& dotted) {
  const json* cur = &call;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? dotted.npos : dot - start);
    if (!cur->is_object()) return "";
    auto it = cur->find(part);
    if (it == cur->end()) return "";
    cur = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur->is_string() ? cur->get<std::string>() : "";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::map<std::string, std::string> table(const json& j, const std::string& key, bool upper_keys) {
  if (!j.is_object()) throw std::invalid_argument(key + ": must be an object of strings");
  std::map<std::string, std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string())
      throw std::invalid_argument(key + "." + it.key() + ": must be a string");
    out[upper_keys ? upper(it.key()) : lower(it.key())] = upper(it.value().get<std::string>());
  }
  return out;
}

std::string text(const json& j, const std::string& key) {
  if (!j.is_string()) throw std::invalid_argument(key + ": must be a string");
  return upper(j.get<std::string>());
}

}  // namespace

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

OutcomeMapping load_outcome_mapping(const json& overrides) {
  OutcomeMapping m;
  if (!overrides.is_object()) throw std::invalid_argument("outcome mapping: must be an object");
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "explicit_fields") {
      if (!v.is_array()) throw std::invalid_argument(k + ": must be an array of strings");
      m.explicit_fields.clear();
      for (const auto& f : v) {
        if (!f.is_string()) throw std::invalid_argument(k + ": must be an array of strings");
        m.explicit_fields.push_back(f.get<std::string>());
      }
    } else if (k == "disposition_tags") {
      m.disposition_tags = table(v, k, true);
    } else if (k == "answered_by") {
      m.answered_by = table(v, k, false);
    } else if (k == "status") {
      m.status = table(v, k, false);
    } else if (k == "bad_number_patterns") {
      if (!v.is_array()) throw std::invalid_argument(k + ": must be an array of strings");
      m.bad_number_patterns.clear();
      for (const auto& f : v) {
        if (!f.is_string() || f.get<std::string>().empty())
          throw std::invalid_argument(k + ": must be an array of non-empty strings");
        m.bad_number_patterns.push_back(lower(f.get<std::string>()));
      }
    } else if (k == "transfer_failed") {
      m.transfer_failed = text(v, k);
    } else if (k == "bad_number") {
      m.bad_number = text(v, k);
    } else if (k == "transferred") {
      m.transferred = text(v, k);
    } else if (k == "error") {
      m.error = text(v, k);
    } else if (k == "human") {
      m.human = text(v, k);
    } else if (k == "fallback") {
      m.fallback = text(v, k);
    } else {
      throw std::invalid_argument(k + ": unknown key in the outcome mapping");
    }
  }
  return m;
}

bool transfer_evidence(const json& call) {
  if (upper(string_at(call, "warm_transfer_call.state")) == "MERGED") return true;
  return !string_at(call, "transferred_to").empty() && !string_at(call, "transferred_at").empty();
}

MappedOutcome map_outcome(const json& call, const OutcomeMapping& m, const KnownOutcome& is_known) {
  // A transfer claimed by a tag or an explicit outcome counts only with Bland's evidence.
  auto claimed = [&](std::string outcome, const std::string& rule) -> MappedOutcome {
    if (outcome == m.transferred && !transfer_evidence(call))
      return {m.transfer_failed, rule + " without transfer evidence", rule};
    return {std::move(outcome), rule, ""};
  };
  for (const auto& field : m.explicit_fields) {
    std::string v = string_at(call, field);
    if (!v.empty()) return claimed(upper(v), field);
  }
  std::string tag = upper(string_at(call, "disposition_tag"));
  if (!tag.empty()) {
    if (auto it = m.disposition_tags.find(tag); it != m.disposition_tags.end())
      return claimed(it->second, "disposition_tag");
    if (is_known && is_known(tag)) return claimed(tag, "disposition_tag");
  }
  if (transfer_evidence(call)) return {m.transferred, "transfer_evidence", ""};
  if (!string_at(call, "transferred_to").empty())
    return {m.transfer_failed, "transferred_to without transferred_at", "transferred_to"};
  // Only a transfer that reports a state was begun (an empty object says nothing).
  if (!string_at(call, "warm_transfer_call.state").empty())
    return {m.transfer_failed, "warm_transfer_call not MERGED", "warm_transfer_call"};
  std::string error = lower(string_at(call, "error_message"));
  for (const auto& pattern : m.bad_number_patterns)
    if (!error.empty() && error.find(pattern) != std::string::npos)
      return {m.bad_number, "error_message (bad number)", ""};
  std::string answered = lower(string_at(call, "answered_by"));
  if (auto it = m.answered_by.find(answered); !answered.empty() && it != m.answered_by.end())
    return {it->second, "answered_by", ""};
  std::string status = lower(string_at(call, "status"));
  if (auto it = m.status.find(status); !status.empty() && it != m.status.end())
    return {it->second, "status", ""};
  if (!error.empty()) return {m.error, "error_message", ""};
  if (answered == "human") return {m.human, "answered_by", ""};
  return {m.fallback, "fallback", ""};
}

}  // namespace redial::bland
