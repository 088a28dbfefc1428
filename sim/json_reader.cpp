#include "sim/json_reader.h"

#include <cmath>

#include "core/redial_policy.h"

namespace redial::sim {

void JsonReader::fail(const std::string& field, const std::string& reason) const {
  throw ScenarioError(file_ + ": " + field + ": " + reason);
}

void JsonReader::check_keys(const json& obj, const std::string& path,
                            std::initializer_list<const char*> allowed) const {
  if (!obj.is_object()) fail(path, "expected an object");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = it.key() == "note" || it.key() == "description";
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) fail(join(path, it.key()), "unknown field");
  }
}

std::string JsonReader::str(const json& v, const std::string& path) const {
  if (!v.is_string()) fail(path, "expected a string, got " + v.dump());
  return v.get<std::string>();
}
long long JsonReader::integer(const json& v, const std::string& path) const {
  if (!v.is_number_integer()) fail(path, "expected an integer, got " + v.dump());
  return v.get<long long>();
}
double JsonReader::number(const json& v, const std::string& path) const {
  if (!v.is_number()) fail(path, "expected a number, got " + v.dump());
  return v.get<double>();
}
bool JsonReader::boolean(const json& v, const std::string& path) const {
  if (!v.is_boolean()) fail(path, "expected true or false, got " + v.dump());
  return v.get<bool>();
}
TimeMs JsonReader::duration(const json& v, TimeMs unit_ms, const std::string& path) const {
  if (v.is_number()) {
    double x = v.get<double>();
    if (x < 0) fail(path, "must not be negative");
    return static_cast<TimeMs>(std::llround(x * static_cast<double>(unit_ms)));
  }
  if (v.is_string()) {
    try {
      return parse_duration_ms(v.get<std::string>(), unit_ms, path);
    } catch (const std::exception& e) {
      std::string reason = e.what();  // "PATH: reason": the path is added once, below
      if (reason.rfind(path + ": ", 0) == 0) reason.erase(0, path.size() + 2);
      fail(path, reason);
    }
  }
  fail(path, "expected a number or a duration like \"30s\", got " + v.dump());
}
std::vector<std::string> JsonReader::strings(const json& v, const std::string& path) const {
  if (!v.is_array()) fail(path, "expected an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(str(v[i], index(path, i)));
  return out;
}
TimeMs JsonReader::time(const TimeText& tt, const json& v, const std::string& path) const {
  std::string text = str(v, path);
  try {
    return tt.parse(text);
  } catch (const std::exception& e) {
    fail(path, "expected \"HH:MM[:SS]\" or \"YYYY-MM-DDTHH:MM[:SS]\", got \"" + text + "\" (" +
                   e.what() + ")");
  }
}
int JsonReader::positive_int(const json& v, const std::string& path, long long min) const {
  long long x = integer(v, path);
  if (x < min) fail(path, "must be at least " + std::to_string(min));
  return static_cast<int>(x);
}

}  // namespace redial::sim
