#pragma once
// The admin API's read-only views for operators and the dashboard (issue 16, docs/runner.md):
//   GET /admin/phones/{phone}/calls       every kept call to a number, newest first
//   GET /admin/stats/daily?from=&to=      calls, connects, voicemails, transfers by day
//   GET /admin/records/{key}/explain      each rule's verdict now and when it allows a dial
//   GET /admin/records/{key}/timeline     what the record and the recent events keep, oldest first
//   GET /admin/recent?limit=50            recent results, dials, errors and holds (in memory)
//   GET /admin/upcoming?limit=20          open leads by due time
// Served behind AdminApi's authentication (AdminApi::handle routes here).
#include <nlohmann/json.hpp>
#include <optional>

#include "core/clock.h"
#include "core/redial_queue.h"
#include "runner/http_server.h"
#include "runner/metrics.h"

namespace redial::runner {

class AdminViews {
 public:
  AdminViews(const Clock& clock, const RedialQueue& queue, const Metrics* metrics)
      : clock_(clock), queue_(queue), metrics_(metrics) {}

  // nullopt: not one of the views' requests. Throws InputError for a bad argument (400).
  std::optional<HttpResponse> handle(const HttpRequest& req) const;
  // Open leads held by a calling rule, by rule (GET /admin/stats "held_by_rule").
  nlohmann::json held_by_rule() const;

 private:
  HttpResponse phone_calls(const std::string& phone) const;
  HttpResponse daily(const HttpRequest& req) const;
  HttpResponse explain(const std::string& key) const;
  HttpResponse timeline(const std::string& key) const;
  HttpResponse recent(const HttpRequest& req) const;
  HttpResponse upcoming(const HttpRequest& req) const;
  std::string why(const LeadExplanation& e) const;
  // "2026-03-08 08:00 EDT (America/New_York)"; the business zone when zone is null.
  std::string local_text(const date::time_zone* zone, TimeMs t) const;

  const Clock& clock_;
  const RedialQueue& queue_;
  const Metrics* metrics_;
};

}  // namespace redial::runner
