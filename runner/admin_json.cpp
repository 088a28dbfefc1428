#include "runner/admin_json.h"

#include "core/errors.h"
#include "core/lead_record.h"

namespace redial::runner {

HttpResponse json_ok(const nlohmann::json& body, bool needs_sync) {
  return HttpResponse{200, body.dump() + "\n", "application/json", needs_sync};
}

nlohmann::json record_json(const std::string& key, const LeadRecord& record) {
  std::string text;
  append_record_json(text, record);
  nlohmann::json j = nlohmann::json::parse(text);
  j["key"] = key;
  return j;
}

long number_arg(const HttpRequest& req, const char* name, long def, long lo, long hi) {
  if (!req.has_query(name)) return def;
  std::string v = req.query(name);
  std::size_t used = 0;
  long n = 0;
  try {
    n = std::stol(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || n < lo || n > hi)
    throw InputError(
        name, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

}  // namespace redial::runner
