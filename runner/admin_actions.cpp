// The admin API's operator actions (issue 16): pause, resume and delete a lead, the queue's
// run-time switch, do-not-call numbers added by hand. Routed from AdminApi::handle.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/errors.h"
#include "core/phone.h"
#include "runner/admin_api.h"
#include "runner/admin_json.h"

namespace redial::runner {

using nlohmann::json;

namespace {

// The body as a JSON object; an empty body is an empty object.
json body_object(const HttpRequest& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) throw InputError("body", "not valid JSON");
  if (!body.is_object()) throw InputError("body", "expected a JSON object");
  return body;
}

// A string field; "" when absent or null.
std::string optional_string(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return "";
  if (!it->is_string()) throw InputError(name, "must be a string");
  return it->get<std::string>();
}

std::string normalized(const std::string& phone, const char* field) {
  try {
    return normalize_phone(phone);
  } catch (const InputError& e) {
    const std::string why = e.what();  // "phone_number: ..."
    throw InputError(field, why.substr(std::min(why.size(), e.field().size() + 2)));
  }
}

// "+15550100001" for a 10-digit (North American) number, else "+<digits>".
std::string display_phone(const std::string& normalized_phone) {
  return (normalized_phone.size() == 10 ? "+1" : "+") + normalized_phone;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void AdminApi::load_state() {
  state_.load();
  queue_.set_queue_switch(state_.queue_switch());
  apply_admin_dnc();
  if (!state_.queue_switch().enabled)
    spdlog::warn(
        "Redial queue switched off through the admin API; no dials until POST "
        "/admin/queue {{\"enabled\": true}} {}",
        queue_json().dump());
}

void AdminApi::apply_admin_dnc() {
  std::unordered_set<std::string> phones;
  for (const auto& [phone, entry] : state_.dnc()) phones.insert(phone);
  queue_.set_admin_dnc(std::move(phones));
}

std::optional<HttpResponse> AdminApi::handle_action(const HttpRequest& req) {
  const std::string& p = req.path;
  const std::string records = "/admin/records/";
  if (p.rfind(records, 0) == 0) {
    const std::string rest = p.substr(records.size());
    if (req.method == "POST" && ends_with(rest, "/pause"))
      return pause(rest.substr(0, rest.size() - 6), req);
    if (req.method == "POST" && ends_with(rest, "/resume"))
      return resume(rest.substr(0, rest.size() - 7));
    if (req.method == "DELETE" && !rest.empty() && rest.find('/') == std::string::npos)
      return remove(rest, req);
  }
  if (p == "/admin/queue" && req.method == "GET") return json_ok(queue_json());
  if (p == "/admin/queue" && req.method == "POST") return set_queue(req);
  if (p == "/admin/dnc" && req.method == "GET") return list_dnc();
  if (p == "/admin/dnc" && req.method == "POST") return add_dnc(req);
  const std::string dnc = "/admin/dnc/";
  if (req.method == "DELETE" && p.rfind(dnc, 0) == 0 && p.size() > dnc.size())
    return remove_dnc(p.substr(dnc.size()));
  if (p == "/admin/config" && req.method == "GET") return json_ok(config_json());
  return std::nullopt;
}

HttpResponse AdminApi::lead_action_answer(const std::string& key, const LeadAction& a) {
  if (a.kind == LeadAction::Kind::kUnknownKey) return json_error(404, "no record with key " + key);
  if (a.kind == LeadAction::Kind::kConflict) return json_error(409, key + ": " + a.why);
  return json_ok(record_json(key, *queue_.find(key)), true);
}

HttpResponse AdminApi::pause(const std::string& key, const HttpRequest& req) {
  const std::string reason = optional_string(body_object(req), "reason");
  // Kept in the record through the process-wide name table (hold_reason): short and few.
  if (reason.size() > 200) throw InputError("reason", "at most 200 characters");
  LeadAction a = queue_.pause_lead(key, reason);
  if (a.kind == LeadAction::Kind::kDone)
    spdlog::info("Lead paused through the admin API {}",
                 json{{"key", key}, {"reason", reason}}.dump());
  return lead_action_answer(key, a);
}

HttpResponse AdminApi::resume(const std::string& key) {
  LeadAction a = queue_.resume_lead(key);
  if (a.kind == LeadAction::Kind::kDone)
    spdlog::info("Lead resumed through the admin API {}", json{{"key", key}}.dump());
  return lead_action_answer(key, a);
}

HttpResponse AdminApi::remove(const std::string& key, const HttpRequest& req) {
  const std::string reason = optional_string(body_object(req), "reason");
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError("reason", "required: say why the lead is deleted (kept in the journal)");
  LeadAction a = queue_.delete_lead(key, reason);
  if (a.kind == LeadAction::Kind::kUnknownKey) return json_error(404, "no record with key " + key);
  if (a.kind == LeadAction::Kind::kConflict) return json_error(409, key + ": " + a.why);
  spdlog::warn("Lead deleted through the admin API {}",
               json{{"key", key}, {"reason", reason}}.dump());
  return json_ok(json{{"deleted", key}, {"reason", reason}}, true);
}

json AdminApi::queue_json() const {
  const QueueSwitch& s = queue_.queue_switch();
  return json{{"enabled", s.enabled},
              {"reason", s.reason ? json(*s.reason) : json(nullptr)},
              {"changed_at", s.changed_at ? json(*s.changed_at) : json(nullptr)}};
}

HttpResponse AdminApi::set_queue(const HttpRequest& req) {
  const json body = body_object(req);
  auto it = body.find("enabled");
  if (it == body.end() || !it->is_boolean()) throw InputError("enabled", "required: true or false");
  const std::string reason = optional_string(body, "reason");
  QueueSwitch s{it->get<bool>(), std::nullopt, clock_.now_ms()};
  if (!reason.empty()) s.reason = reason;
  try {
    state_.save_switch(s);
  } catch (const StoreError& e) {
    spdlog::error("Queue switch not changed: {}", e.what());
    return json_error(500, std::string(e.what()) + " (the queue switch is unchanged)");
  }
  queue_.set_queue_switch(s);
  spdlog::info("Redial queue switched through the admin API {}", queue_json().dump());
  return json_ok(queue_json());
}

HttpResponse AdminApi::list_dnc() const {
  json numbers = json::array();
  for (const auto& [phone, e] : state_.dnc())
    numbers.push_back(
        json{{"phone", display_phone(phone)}, {"reason", e.reason}, {"added_at", e.added_at}});
  json files = json::array();
  if (!queue_.policy().dnc_file.empty()) files.push_back(queue_.policy().dnc_file);
  return json_ok(json{{"numbers", numbers}, {"files", files}, {"stored_in", state_.dnc_path()}});
}

HttpResponse AdminApi::add_dnc(const HttpRequest& req) {
  const json body = body_object(req);
  auto it = body.find("phone");
  if (it == body.end() || !it->is_string()) throw InputError("phone", "required: a phone number");
  const std::string phone = normalized(it->get<std::string>(), "phone");
  AdminDncEntry entry{optional_string(body, "reason"), clock_.now_ms()};
  try {
    state_.add_dnc(phone, entry);
  } catch (const StoreError& e) {
    spdlog::error("Do-not-call number not added: {}", e.what());
    return json_error(500, std::string(e.what()) + " (the number was not added)");
  }
  apply_admin_dnc();
  const std::size_t marked = queue_.apply_dnc_number(phone,
                                                     "added to the do-not-call list "
                                                     "through the admin API");
  spdlog::info(
      "Do-not-call number added through the admin API {}",
      json{{"phone", display_phone(phone)}, {"reason", entry.reason}, {"leads", marked}}.dump());
  return json_ok(json{{"phone", display_phone(phone)},
                      {"reason", entry.reason},
                      {"added_at", entry.added_at},
                      {"leads_marked", marked}},
                 true);
}

HttpResponse AdminApi::remove_dnc(const std::string& raw_phone) {
  const std::string phone = normalized(raw_phone, "phone");
  bool removed = false;
  try {
    removed = state_.remove_dnc(phone);
  } catch (const StoreError& e) {
    spdlog::error("Do-not-call number not removed: {}", e.what());
    return json_error(500, std::string(e.what()) + " (the number stays on the list)");
  }
  if (!removed)
    return json_error(404, display_phone(phone) +
                               " is not on the admin do-not-call list (numbers in the file list "
                               "are removed from the file, then POST /admin/dnc/reload)");
  apply_admin_dnc();
  spdlog::info("Do-not-call number removed through the admin API {}",
               json{{"phone", display_phone(phone)}}.dump());
  return json_ok(json{{"removed", display_phone(phone)}});
}

}  // namespace redial::runner
