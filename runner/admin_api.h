#pragma once
// The admin API (JSON), for operators, a browser or Retool:
//   GET  /admin/records?status=&list_id=&date=YYYY-MM-DD&offset=0&limit=100
//   GET  /admin/records/{key}
//   POST /admin/records/{key}/stop      {"reason": "..."} optional: completes the lead
//   GET  /admin/stats                   counts by status, calls in flight, last tick
//   POST /admin/leads                   one lead object or an array: queued for a first dial
//   POST /admin/tick                    runs a tick now
//   POST /admin/backup                  folds the journal, then copies the store (consistent:
//                                       nothing else runs in the loop meanwhile)
//   POST /admin/records/{key}/pause     {"reason": "..."} optional: status paused, never dialed
//   POST /admin/records/{key}/resume    back to the status it was paused from (409 if not paused)
//   DELETE /admin/records/{key}         {"reason": "..."} required: the record leaves the store;
//                                       the deletion and its reason are journaled and logged
//   GET  /admin/queue                   {"enabled", "reason", "changed_at"}: the run-time switch
//   POST /admin/queue                   {"enabled": false, "reason": "..."}: no tick dials while
//                                       off; persisted in DATA_DIR/queue-switch.json
//   GET  /admin/dnc                     numbers added here, and the do-not-call file list
//   POST /admin/dnc                     {"phone", "reason"}: added (DATA_DIR/dnc-admin.json) and
//                                       applied at once to every open or paused lead with it
//   DELETE /admin/dnc/{phone}           removes a number added here (any accepted format)
//   GET  /admin/config                  effective settings; credentials shown as "***"
// (admin_actions.cpp, admin_config.cpp; 409: the action does not fit the lead's state.)
// Changes are answered only after they are durable.
//
// Authentication: with --admin-token, every request needs "authorization: Bearer <token>"
// (compared in constant time). Without one, only loopback clients (127.0.0.0/8, ::1) are served.
// Anything else gets 401 with a JSON reason, is logged and counted (admin_unauthorized), and
// changes nothing. POST /admin/leads takes at most --max-leads-per-request leads (else 413).
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/redial_queue.h"
#include "runner/admin_state.h"
#include "runner/admin_views.h"
#include "runner/http_server.h"
#include "runner/metrics.h"
#include "runner/settings.h"

namespace redial::runner {

class AdminApi {
 public:
  AdminApi(const Settings& settings, const Clock& clock, RedialQueue& queue,
           std::function<TickSummary()> run_tick, Metrics* metrics = nullptr)
      : settings_(settings),
        clock_(clock),
        queue_(queue),
        run_tick_(std::move(run_tick)),
        metrics_(metrics),
        views_(clock, queue, metrics),
        state_(settings.data_dir, settings.fsync) {}

  // Reads what operators changed at run time (queue switch, do-not-call numbers: admin_state.h)
  // and applies it to the queue. Throws ConfigError for an unreadable file. REQUIRES: after
  // queue.load().
  void load_state();

  // Copies the store into a new directory under `backup_dir`; returns that directory and the
  // files. Throws std::runtime_error. REQUIRES: queue.checkpoint() just returned.
  static nlohmann::json copy_store(const std::string& data_dir, const std::string& backup_dir,
                                   TimeMs now);

  // Requests whose path starts with /admin/.
  HttpResponse handle(const HttpRequest& request);

 private:
  HttpResponse list_records(const HttpRequest& req) const;
  HttpResponse get_record(const std::string& key) const;
  HttpResponse stop(const std::string& key, const HttpRequest& req);
  HttpResponse stats() const;
  nlohmann::json dialing_json() const;
  nlohmann::json storage_json() const;
  HttpResponse add_leads(const HttpRequest& req);
  HttpResponse tick();
  HttpResponse backup();
  HttpResponse reload_dnc();
  // admin_actions.cpp: nullopt when the request is not one of its endpoints.
  std::optional<HttpResponse> handle_action(const HttpRequest& req);
  HttpResponse lead_action_answer(const std::string& key, const LeadAction& a);
  HttpResponse pause(const std::string& key, const HttpRequest& req);
  HttpResponse resume(const std::string& key);
  HttpResponse remove(const std::string& key, const HttpRequest& req);
  nlohmann::json queue_json() const;
  HttpResponse set_queue(const HttpRequest& req);
  HttpResponse list_dnc() const;
  HttpResponse add_dnc(const HttpRequest& req);
  HttpResponse remove_dnc(const std::string& raw_phone);
  void apply_admin_dnc();
  nlohmann::json config_json() const;  // admin_config.cpp
  // nullopt when the request may go on; else the 401 to send.
  std::optional<HttpResponse> refuse_unauthorized(const HttpRequest& req);
  void count(const char* kind) {
    if (metrics_ != nullptr) metrics_->reject(kind);
  }

  const Settings& settings_;
  const Clock& clock_;
  RedialQueue& queue_;
  std::function<TickSummary()> run_tick_;
  Metrics* metrics_;
  AdminViews views_;  // the read-only views (runner/admin_views.cpp)
  AdminState state_;
};

}  // namespace redial::runner
