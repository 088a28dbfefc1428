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
        views_(clock, queue, metrics) {}

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
};

}  // namespace redial::runner
