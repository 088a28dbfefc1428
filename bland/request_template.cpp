#include "bland/request_template.h"

#include <stdexcept>

namespace redial::bland {

using nlohmann::json;

namespace {
json object_member(const json& tmpl, const char* key) {
  auto it = tmpl.find(key);
  if (it == tmpl.end() || it->is_null()) return json::object();
  if (!it->is_object())
    throw std::invalid_argument(std::string("call template: ") + key + " must be a JSON object");
  return *it;
}
}  // namespace

json build_call_body(const json& tmpl, const DialRequest& req, const std::string& webhook_url) {
  if (!tmpl.is_object()) throw std::invalid_argument("call template: must be a JSON object");
  json body = tmpl;
  const LeadRecord& lead = req.lead;
  body["phone_number"] = req.phone;

  json data = object_member(tmpl, "request_data");
  data["lead_id"] = lead.lead_id;
  data["phone_number"] = lead.phone_number;
  data["list_id"] = lead.list_id;
  data["first_name"] = lead.first_name;
  data["last_name"] = lead.last_name;
  data["state"] = lead.state;
  data["attempt_number"] = req.attempt_number;
  body["request_data"] = std::move(data);

  json meta = object_member(tmpl, "metadata");
  meta["lead_id"] = lead.lead_id;
  meta["phone_number"] = lead.phone_number;
  meta["list_id"] = lead.list_id;
  meta["state"] = lead.state;  // the lead's own state (Bland's `variables.state` is a guess)
  meta["lead_key"] = req.key;
  meta["dial_seq"] = req.dial_seq;
  body["metadata"] = std::move(meta);

  if (!webhook_url.empty()) body["webhook"] = webhook_url;
  return body;
}

}  // namespace redial::bland
