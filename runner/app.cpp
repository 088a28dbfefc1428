#include "runner/app.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/month_store.h"
#include "core/redial_queue.h"
#include "runner/admin_api.h"
#include "runner/bland_dialer.h"
#include "runner/event_loop.h"
#include "runner/hmac.h"
#include "runner/http_client.h"
#include "runner/http_server.h"
#include "runner/logging.h"
#include "runner/metrics.h"
#include "runner/result_applier.h"
#include "runner/signals.h"
#include "runner/webhook_handler.h"

namespace redial::runner {
namespace {

class App {
 public:
  App(const Settings& s, std::shared_ptr<spdlog::logger> log)
      : settings_(s),
        log_(std::move(log)),
        http_(loop_),
        mapping_(load_outcome_mapping(nlohmann::json::parse(s.outcome_mapping))),
        store_(MonthStoreOptions{s.data_dir, 64ull << 20, s.fsync}),
        dialer_(s, clock_, loop_, http_, metrics_, mapping_),
        queue_(s.policy, clock_, store_, dialer_, log_),
        applier_(queue_, metrics_),
        webhook_(s, queue_, applier_, mapping_, metrics_),
        admin_(
            s, clock_, queue_, [this] { return run_tick(); }, &metrics_) {
    dialer_.attach(queue_, applier_, [this] { dirty_ = true; });
    queue_.load();
    auto dropped = queue_.enforce_retention();
    if (!dropped.empty()) spdlog::info("Retention deleted {} month file(s)", dropped.size());
    HttpLimits limits{s.max_body_bytes, s.max_header_bytes, s.max_connections,
                      s.max_connections_per_ip, s.request_timeout_ms};
    server_ = std::make_unique<HttpServer>(
        loop_, s.listen_address, s.port, [this](const HttpRequest& r) { return route(r); }, limits,
        [this](const char* kind) { metrics_.reject(kind); });
    loop_.watch(signals_.fd(), POLLIN, [this](int, short) { on_signals(); });
    schedule_retention();
  }

  int run() {
    std::string base = "http://" + settings_.listen_address + ":" + std::to_string(server_->port());
    // The token is a credential: logged only as where to find it.
    std::string hook = settings_.webhook_url();
    if (auto at = hook.find("token="); at != std::string::npos)
      hook =
          hook.substr(0, at) + "token=<" +
          (settings_.webhook_token.empty() ? "" : "see --webhook-token or DATA_DIR/webhook.token") +
          ">";
    spdlog::info(
        "redial-runner listening {}",
        nlohmann::json{
            {"address", base},
            {"admin", base + "/admin/stats"},
            {"webhook", hook},
            {"webhook_auth",
             settings_.webhook_secret.empty() ? "token in the URL" : "X-Webhook-Signature"},
            {"admin_auth", settings_.admin_token.empty() ? "loopback only" : "bearer token"}}
            .dump());
    spdlog::info("Starting redial queue processor {}",
                 nlohmann::json{{"interval_ms", settings_.policy.process_interval_ms},
                                {"enabled", settings_.policy.enabled}}
                     .dump());
    while (!stopping_) {
      if (clock_.now_ms() >= queue_.next_tick_at()) run_tick();
      if (!commit()) return 1;
      loop_.run_once(wait_ms());
      server_->run();  // MHD's epoll is edge-triggered: let it finish resumed connections
      if (!commit()) return 1;
    }
    return shutdown();
  }

 private:
  HttpResponse route(const HttpRequest& r) {
    if (r.path == "/webhooks/bland-callback") {
      if (r.method != "POST") return json_error(405, "use POST");
      return webhook_.handle(r);
    }
    if (r.path.rfind("/admin/", 0) == 0) return admin_.handle(r);
    if (r.method == "GET" && r.path == "/healthz")
      return HttpResponse{200, "{\"status\":\"ok\"}\n", "application/json", false};
    if (r.method == "GET" && r.path == "/metrics")
      return HttpResponse{200, metrics_.render(queue_), "text/plain; version=0.0.4", false};
    return json_error(404, "not found: " + r.method + " " + r.path);
  }

  TickSummary run_tick() {
    TickSummary t = queue_.tick();
    metrics_.record_tick(t);
    dirty_ = true;
    return t;
  }

  std::int64_t wait_ms() const {
    std::int64_t wait = std::max<std::int64_t>(0, queue_.next_tick_at() - clock_.now_ms());
    std::int64_t mhd = server_->timeout_ms();
    if (mhd >= 0) wait = std::min(wait, mhd);
    return std::min<std::int64_t>(wait, 1000);
  }

  // Group commit: one sync for every change of the iteration, then the waiting answers.
  bool commit() {
    while (dirty_ || server_->deferred_count() > 0) {
      dirty_ = false;
      auto t0 = std::chrono::steady_clock::now();
      try {
        queue_.sync();
      } catch (const StoreError& e) {
        spdlog::critical("Store sync failed, stopping without acknowledging: {}", e.what());
        server_->release_deferred(false);
        return false;
      }
      metrics_.record_sync(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      server_->release_deferred(true);  // may take new requests, hence the loop
    }
    return true;
  }

  void on_signals() {
    while (int sig = signals_.next()) {
      if (sig == SIGHUP) {
        reopen_log(*log_, settings_);
      } else {
        spdlog::info("Signal {} received: shutting down", sig);
        stopping_ = true;
      }
    }
  }

  void schedule_retention() {
    loop_.add_timer(kHourMs, [this] {
      auto dropped = queue_.enforce_retention();
      if (!dropped.empty()) spdlog::info("Retention deleted {} month file(s)", dropped.size());
      schedule_retention();
    });
  }

  int shutdown() {
    server_->stop_accepting();
    spdlog::debug("Draining {{\"requests\":{},\"outbound\":{}}}", server_->active_requests(),
                  http_.in_flight());
    auto deadline = EventLoop::steady_ms() + settings_.http_timeout_ms + 5000;
    while ((server_->active_requests() > 0 || http_.in_flight() > 0) &&
           EventLoop::steady_ms() < deadline) {
      loop_.run_once(std::min<std::int64_t>(100, std::max<std::int64_t>(0, wait_ms())));
      server_->run();
      if (!commit()) return 1;
    }
    if (std::size_t n = dialer_.abandon_waiting("runner shutting down"))
      spdlog::info("Dials waiting for a retry given up at shutdown: {}", n);
    if (!commit()) return 1;
    try {
      queue_.checkpoint();
    } catch (const StoreError& e) {
      spdlog::critical("Checkpoint at shutdown failed (the journal keeps everything): {}",
                       e.what());
      return 1;
    }
    spdlog::info("redial-runner stopped cleanly {}",
                 nlohmann::json{{"records", queue_.size()}}.dump());
    return 0;
  }

  const Settings& settings_;
  std::shared_ptr<spdlog::logger> log_;
  SystemClock clock_;
  EventLoop loop_;
  SignalPipe signals_;
  HttpClient http_;
  Metrics metrics_;
  OutcomeMapping mapping_;
  MonthStore store_;
  BlandDialer dialer_;
  RedialQueue queue_;
  ResultApplier applier_;
  WebhookHandler webhook_;
  AdminApi admin_;
  std::unique_ptr<HttpServer> server_;  // last: destroyed first
  bool dirty_ = false;
  bool stopping_ = false;
};

}  // namespace

int run_app(const Settings& given) {
  auto log = spdlog::default_logger();
  try {
    Settings settings = given;
    resolve_webhook_token(settings);
    App app(settings, log);
    return app.run();
  } catch (const StoreError& e) {
    spdlog::critical("Cannot start: {}", e.what());
  } catch (const ConfigError& e) {
    spdlog::critical("Cannot start: bad setting {}", e.what());
  } catch (const std::runtime_error& e) {
    spdlog::critical("Cannot start: {}", e.what());
  }
  return 1;
}

}  // namespace redial::runner
