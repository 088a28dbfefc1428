#include "runner/admin_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/phone.h"
#include "runner/admin_json.h"
#include "runner/hmac.h"
#include "runner/tick_json.h"

namespace redial::runner {

using nlohmann::json;

namespace {

std::string text_field(const json& lead, const char* key, bool required) {
  auto it = lead.find(key);
  if (it == lead.end() || it->is_null()) {
    if (required) throw InputError(key, "missing");
    return "";
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  throw InputError(key, "must be a string");
}

}  // namespace

std::optional<HttpResponse> AdminApi::refuse_unauthorized(const HttpRequest& req) {
  std::string why;
  if (!settings_.admin_token.empty()) {
    std::string given = req.header("authorization");
    if (given.empty()) {
      why = "admin API needs the header authorization: Bearer <token>";
    } else if (!constant_time_equals(given, "Bearer " + settings_.admin_token)) {
      why = "wrong admin token (authorization: Bearer <token>)";
    }
  } else if (!req.from_loopback) {
    why = "admin API without --admin-token (REDIAL_ADMIN_TOKEN) serves loopback clients only";
  }
  if (why.empty()) return std::nullopt;
  count("admin_unauthorized");
  spdlog::warn("Admin request rejected {}",
               json{{"method", req.method}, {"path", req.path}, {"reason", why}}.dump());
  HttpResponse r = json_error(401, why);
  return r;
}

HttpResponse AdminApi::handle(const HttpRequest& req) {
  if (auto refused = refuse_unauthorized(req)) return *refused;
  const std::string& p = req.path;
  const std::string records = "/admin/records";
  try {
    if (auto view = views_.handle(req)) return *view;  // runner/admin_views.cpp
    if (auto r = handle_action(req)) return *r;
    if (req.method == "GET" && p == records) return list_records(req);
    if (p.rfind(records + "/", 0) == 0) {
      std::string rest = p.substr(records.size() + 1);
      const std::string stop_suffix = "/stop";
      if (req.method == "POST" && rest.size() > stop_suffix.size() &&
          rest.compare(rest.size() - stop_suffix.size(), stop_suffix.size(), stop_suffix) == 0)
        return stop(rest.substr(0, rest.size() - stop_suffix.size()), req);
      if (req.method == "GET" && rest.find('/') == std::string::npos) return get_record(rest);
    }
    if (req.method == "GET" && p == "/admin/stats") return stats();
    if (req.method == "POST" && p == "/admin/leads") return add_leads(req);
    if (req.method == "POST" && p == "/admin/tick") return tick();
    if (req.method == "POST" && p == "/admin/backup") return backup();
    if (req.method == "POST" && p == "/admin/dnc/reload") return reload_dnc();
  } catch (const InputError& e) {
    return json_error(400, e.what());
  }
  return json_error(404, "no such admin endpoint: " + req.method + " " + p);
}

HttpResponse AdminApi::list_records(const HttpRequest& req) const {
  std::string status = req.query("status");
  if (!status.empty()) (void)parse_status(status);  // InputError for a bad name
  std::string list_id = req.query("list_id");
  std::optional<LocalDay> day;
  if (req.has_query("date")) {
    std::string d = req.query("date");
    if (d.size() != 10) throw InputError("date", "expected YYYY-MM-DD");
    day = queue_.calendar().local_day(queue_.calendar().parse_local(d + "T00:00:00", "date"));
  }
  long offset = number_arg(req, "offset", 0, 0, 1L << 40);
  long limit = number_arg(req, "limit", 100, 1, 10000);

  std::vector<std::pair<std::string, const LeadRecord*>> hits;
  queue_.for_each([&](const std::string& key, const LeadRecord& r) {
    if (!status.empty() && status_name(r.status) != status) return;
    if (!list_id.empty() && r.list_id != list_id) return;
    if (day && queue_.calendar().local_day(r.created_at) != *day) return;
    hits.emplace_back(key, &r);
  });
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return a.second->created_at != b.second->created_at
               ? a.second->created_at < b.second->created_at
               : a.first < b.first;
  });
  json items = json::array();
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < hits.size() && items.size() < static_cast<std::size_t>(limit); ++i)
    items.push_back(record_json(hits[i].first, *hits[i].second));
  return json_ok(
      json{{"total", hits.size()}, {"offset", offset}, {"limit", limit}, {"records", items}});
}

HttpResponse AdminApi::get_record(const std::string& key) const {
  const LeadRecord* r = queue_.find(key);
  if (r == nullptr) return json_error(404, "no record with key " + key);
  json j = record_json(key, *r);
  j["in_flight"] = nullptr;
  try {
    if (const InFlightCall* c = queue_.in_flight_for_phone(normalize_phone(r->phone_number)))
      j["in_flight"] = json{{"call_id", c->call_id}, {"dialed_at", c->dialed_at}};
  } catch (const InputError&) {
  }
  return json_ok(j);
}

HttpResponse AdminApi::stop(const std::string& key, const HttpRequest& req) {
  std::string reason = "stopped through the admin API";
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_object() && body.contains("reason") && body["reason"].is_string())
    reason = body["reason"].get<std::string>();
  if (!queue_.stop_lead(key, reason)) return json_error(404, "no record with key " + key);
  spdlog::info("Lead stopped through the admin API {}",
               json{{"key", key}, {"reason", reason}}.dump());
  const LeadRecord* r = queue_.find(key);
  return json_ok(record_json(key, *r), true);
}

// Dialing state (issue 14): a plan-limit pause and its end, or a stop after 401/403.
json AdminApi::dialing_json() const {
  if (metrics_ == nullptr) return json{{"state", "unknown"}};
  if (!metrics_->dialing_stopped.empty())
    return json{{"state", "stopped"}, {"reason", metrics_->dialing_stopped}};
  if (!metrics_->dial_pause_reason.empty())
    return json{{"state", "paused"},
                {"reason", metrics_->dial_pause_reason},
                {"until", metrics_->dial_paused_until_ms}};
  return json{{"state", "dialing"}};
}

// What start-up set aside or found wrong in the files, and how retention went (docs/storage.md).
nlohmann::json AdminApi::storage_json() const {
  if (metrics_ == nullptr) return nullptr;
  const Metrics::Storage& s = metrics_->storage;
  return json{{"journal_set_aside",
               {{"files", s.set_aside_paths},
                {"bytes", s.set_aside_bytes},
                {"entries", s.set_aside_entries}}},
              {"month_files_with_problems", s.month_files_with_problems},
              {"month_records_with_problems", s.month_records_with_problems},
              {"retention",
               {{"refused", s.retention_refused},
                {"refusals", s.retention_refusals},
                {"months_retired", s.months_retired},
                {"records_retired", s.records_retired},
                {"expired_files_deleted", s.expired_files_deleted}}}};
}

HttpResponse AdminApi::stats() const {
  StatusCounts c = queue_.counts();
  json calls = json::array();
  for (const InFlightCall& f : queue_.in_flight_calls())
    calls.push_back(json{{"key", f.key}, {"call_id", f.call_id}, {"dialed_at", f.dialed_at}});
  return json_ok(json{{"total", queue_.size()},
                      {"by_status",
                       {{"pending", c.pending},
                        {"rescheduled", c.rescheduled},
                        {"completed", c.completed},
                        {"max_attempts", c.max_attempts},
                        {"dnc", c.dnc},
                        {"paused", c.paused}}},
                      {"queue", queue_json()},
                      {"in_flight", calls},
                      {"dialing", dialing_json()},
                      {"last_tick", tick_json(queue_.last_tick())},
                      {"next_tick_at", queue_.next_tick_at()},
                      {"held_by_rule", views_.held_by_rule()},
                      {"now", clock_.now_ms()},
                      {"storage", storage_json()}});
}

HttpResponse AdminApi::add_leads(const HttpRequest& req) {
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) throw InputError("body", "not valid JSON");
  json list = body.is_array() ? body : json::array({body});
  if (list.empty()) throw InputError("body", "no lead given");
  if (list.size() > static_cast<std::size_t>(settings_.max_leads_per_request)) {
    count("too_many_leads");
    spdlog::warn(
        "Admin request rejected {}",
        json{{"path", req.path}, {"reason", "too many leads"}, {"leads", list.size()}}.dump());
    return json_error(413, std::to_string(list.size()) + " leads in one request; at most " +
                               std::to_string(settings_.max_leads_per_request) +
                               " (--max-leads-per-request): split the list");
  }
  std::vector<std::pair<LeadInput, TimeMs>> leads;
  TimeMs now = clock_.now_ms();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& l = list[i];
    try {
      if (!l.is_object()) throw InputError("lead", "must be a JSON object");
      LeadInput in{text_field(l, "lead_id", true),    text_field(l, "phone_number", true),
                   text_field(l, "list_id", false),   text_field(l, "first_name", false),
                   text_field(l, "last_name", false), text_field(l, "state", false)};
      (void)make_lead_key(in.lead_id, in.phone_number);  // validates before anything changes
      TimeMs at = now;
      if (auto it = l.find("dial_at"); it != l.end() && !it->is_null()) {
        if (it->is_number_integer()) {
          at = it->get<TimeMs>();
        } else if (it->is_string()) {
          at = queue_.calendar().parse_local(it->get<std::string>(), "dial_at");
        } else {
          throw InputError("dial_at", "expected epoch ms or YYYY-MM-DDTHH:MM[:SS]");
        }
      }
      leads.emplace_back(std::move(in), at);
    } catch (const InputError& e) {
      throw InputError("leads[" + std::to_string(i) + "]", e.what());
    }
  }
  json keys = json::array();
  for (const auto& [lead, at] : leads) keys.push_back(queue_.enqueue(lead, at));
  spdlog::info("Leads queued through the admin API {}", json{{"count", keys.size()}}.dump());
  return json_ok(json{{"queued", keys.size()}, {"keys", keys}}, true);
}

json AdminApi::copy_store(const std::string& data_dir, const std::string& backup_dir, TimeMs now) {
  namespace fs = std::filesystem;
  std::time_t secs = static_cast<std::time_t>(now / 1000);
  char name[32];
  std::strftime(name, sizeof name, "%Y%m%dT%H%M%SZ", std::gmtime(&secs));
  fs::path target = fs::path(backup_dir) / name;
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) throw std::runtime_error(target.string() + ": cannot create: " + ec.message());
  json files = json::array();
  for (const auto& entry : fs::directory_iterator(data_dir)) {
    std::string f = entry.path().filename().string();
    bool month = f.rfind("redial-queue_", 0) == 0 && f.size() > 5 &&
                 f.compare(f.size() - 5, 5, ".json") == 0;
    if (!month && f != "redial-queue.journal") continue;
    fs::copy_file(entry.path(), target / f, fs::copy_options::overwrite_existing, ec);
    if (ec) throw std::runtime_error(f + ": cannot copy: " + ec.message());
    files.push_back(f);
  }
  return json{{"path", target.string()}, {"files", files}};
}

HttpResponse AdminApi::backup() {
  if (settings_.backup_dir.empty())
    return json_error(409, "backups need --backup-dir (REDIAL_BACKUP_DIR)");
  if (!settings_.store.empty())
    return json_error(409,
                      "the store is PostgreSQL (--store): back it up with pg_dump, or export it "
                      "to month files with redial-runner migrate (docs/scaling.md)");
  queue_.checkpoint();
  try {
    json out = copy_store(settings_.data_dir, settings_.backup_dir, clock_.now_ms());
    spdlog::info("Backup written {}", out.dump());
    return json_ok(out);
  } catch (const std::runtime_error& e) {
    spdlog::error("Backup failed: {}", e.what());
    return json_error(500, e.what());
  }
}

HttpResponse AdminApi::reload_dnc() {
  try {
    std::size_t n = queue_.reload_dnc();
    return json_ok(json{{"reloaded", !queue_.policy().dnc_file.empty()},
                        {"file", queue_.policy().dnc_file},
                        {"numbers", n}});
  } catch (const ConfigError& e) {
    spdlog::error("Do-not-call file not reloaded; the previous list stays in force: {}", e.what());
    return json_error(422, std::string(e.what()) + " (the previous list stays in force)");
  }
}

HttpResponse AdminApi::tick() { return json_ok(tick_json(run_tick_()), true); }

}  // namespace redial::runner
