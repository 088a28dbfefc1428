#pragma once
// Typed access to a scenario's JSON with errors that name the file and the field
// ("scenarios/x.json: leads[0].first_call_at: ...").
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.h"
#include "sim/scenario.h"

namespace redial::sim {

class JsonReader {
 public:
  using json = nlohmann::json;
  explicit JsonReader(std::string file) : file_(std::move(file)) {}

  // Throws ScenarioError "FILE: FIELD: reason".
  [[noreturn]] void fail(const std::string& field, const std::string& reason) const;
  // Refuses keys not in `allowed` (plus the free-text "note" and "description").
  void check_keys(const json& obj, const std::string& path,
                  std::initializer_list<const char*> allowed) const;

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  std::string str(const json& v, const std::string& path) const;
  long long integer(const json& v, const std::string& path) const;
  double number(const json& v, const std::string& path) const;
  bool boolean(const json& v, const std::string& path) const;
  // A duration given as a number of `unit_ms` or as a string like "30s", "5m".
  TimeMs duration(const json& v, TimeMs unit_ms, const std::string& path) const;
  std::vector<std::string> strings(const json& v, const std::string& path) const;
  // A scenario time (see TimeText).
  TimeMs time(const TimeText& tt, const json& v, const std::string& path) const;
  int positive_int(const json& v, const std::string& path, long long min = 1) const;

 protected:
  std::string file_;
};

}  // namespace redial::sim
