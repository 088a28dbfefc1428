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
#include <functional>
#include <nlohmann/json.hpp>

#include "core/redial_queue.h"
#include "runner/http_server.h"
#include "runner/settings.h"

namespace redial::runner {

class AdminApi {
 public:
  AdminApi(const Settings& settings, const Clock& clock, RedialQueue& queue,
           std::function<TickSummary()> run_tick)
      : settings_(settings), clock_(clock), queue_(queue), run_tick_(std::move(run_tick)) {}

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
  HttpResponse add_leads(const HttpRequest& req);
  HttpResponse tick();
  HttpResponse backup();
  HttpResponse reload_dnc();

  const Settings& settings_;
  const Clock& clock_;
  RedialQueue& queue_;
  std::function<TickSummary()> run_tick_;
};

}  // namespace redial::runner
