#include "runner/app.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bland/bland_dialer.h"
#include "bland/result_applier.h"
#include "core/errors.h"
#include "core/file_system.h"
#include "core/month_store.h"
#include "core/redial_queue.h"
#include "pg/pg_store.h"
#include "runner/admin_api.h"
#include "runner/dashboard.h"
#include "runner/event_loop.h"
#include "runner/hmac.h"
#include "runner/http_client.h"
#include "runner/http_server.h"
#include "runner/logging.h"
#include "runner/metrics.h"
#include "runner/signals.h"
#include "runner/test_clock.h"
#include "runner/webhook_handler.h"

namespace redial::runner {
namespace {

// App::run's result when a store write failed: the memory is ahead of the disk, so the process
// drops this App and builds a new one from the files (the last good snapshot and journal).
constexpr int kReloadStore = -1;

// A wall clock that moved this much more or less than the monotonic clock between two loop
// iterations (at most ~1 s apart) was stepped; NTP's slewing stays far below it.
constexpr std::int64_t kWallStepThresholdMs = 5000;

// Month files in data_dir (the default), or PostgreSQL for several runners (docs/scaling.md).
// The month files' load-time checks use the clock and the policy's outcome names.
std::unique_ptr<Store> make_store(const Settings& s, FileSystem& fs, const Clock& clock) {
  if (!s.store.empty()) return std::make_unique<PgStore>(PgStoreOptions{s.store, "", s.lease_ms});
  MonthStoreOptions o{.dir = s.data_dir, .fsync = s.fsync, .fs = &fs};
  o.clock = &clock;
  o.is_known_outcome = [p = s.policy](std::string_view name) { return p.is_known(name); };
  return std::make_unique<MonthStore>(std::move(o));
}

// How long a failed App keeps answering 503 before the reload: nothing at a first fault, then
// doubling up to 2 s while faults repeat within 5 s, so a disk that stays broken does not spin
// the process (and senders keep getting 503s, not refused connections).
struct ReloadPacing {
  std::int64_t last_fault_ms = -1000000, backoff_ms = 0;
  std::int64_t next(std::int64_t now) {
    backoff_ms = now - last_fault_ms < 5000 ? std::min<std::int64_t>(2000, backoff_ms * 2 + 50) : 0;
    last_fault_ms = now;
    return backoff_ms;
  }
};

// The dialer's part of the settings (bland/bland_dialer.h).
bland::BlandDialerConfig dialer_config(const Settings& s) {
  bland::BlandDialerConfig c;
  c.base_url = s.bland_base_url;
  c.api_key = s.bland_api_key;
  c.webhook_url = s.webhook_url();
  c.call_template = s.call_template;
  c.dial_retries = s.dial_retries;
  c.dial_backoff_ms = s.dial_backoff_ms;
  c.http_timeout_ms = s.http_timeout_ms;
  c.plan_limit_backoff_ms = s.plan_limit_backoff_ms;
  c.plan_limit_backoff_max_ms = s.plan_limit_backoff_max_ms;
  return c;
}

class App {
 public:
  // test_clock: REDIAL_TEST_CLOCK's virtual time (runner/test_clock.h), else nullptr.
  App(const Settings& s, std::shared_ptr<spdlog::logger> log, FileSystem& fs, ReloadPacing& pacing,
      ManualClock* test_clock)
      : settings_(s),
        pacing_(pacing),
        log_(std::move(log)),
        test_clock_(test_clock),
        clock_(test_clock ? static_cast<const Clock&>(*test_clock) : system_clock_),
        loop_(test_clock),
        http_(loop_),
        mapping_(bland::load_outcome_mapping(nlohmann::json::parse(s.outcome_mapping))),
        store_(make_store(s, fs, clock_)),
        dialer_(dialer_config(s), clock_, loop_, http_, metrics_, mapping_),
        queue_(s.policy, clock_, *store_, dialer_, log_),
        applier_(queue_, metrics_),
        webhook_(s, queue_, applier_, mapping_, metrics_),
        admin_(
            s, clock_, queue_, [this] { return run_tick(); }, &metrics_) {
    dialer_.attach(queue_, applier_, [this] { dirty_ = true; });
    // A pause or stop lifted: tick at once rather than at the next interval (issue 14).
    dialer_.set_on_resume([this] { tick_now_ = true; });
    // Test-only (docs/scaling.md): REDIAL_TEST_KILL_AT_DIAL=1 makes the runner SIGKILL itself at
    // its first dial, after the tick committed its claim and call leases and before any request
    // reaches Bland (runner/tests/pg_lease_test.py: a runner killed mid-tick).
    const char* kill = std::getenv("REDIAL_TEST_KILL_AT_DIAL");
    const bool kill_at_dial = kill && *kill;
    if (kill_at_dial)
      spdlog::warn("REDIAL_TEST_KILL_AT_DIAL is set: the first dial kills the runner (tests only)");
    // Calling-rule holds are decided in the core's tick: they reach GET /admin/recent from here.
    queue_.set_event_listener([this, kill_at_dial](const QueueEvent& e) {
      if (kill_at_dial && e.kind == "dial") std::raise(SIGKILL);
      if (e.kind == "hold") metrics_.recent_events.push({e.at, "hold", e.key, "", "", e.detail});
    });
    queue_.load();
    admin_.load_state();
    record_load_report();
    metrics_.record_retention(queue_.enforce_retention());
    HttpLimits limits{s.max_body_bytes,         s.max_header_bytes,   s.max_connections,
                      s.max_connections_per_ip, s.request_timeout_ms, s.header_timeout_ms,
                      s.body_timeout_ms};
    server_ = std::make_unique<HttpServer>(
        loop_, s.listen_address, s.port, [this](const HttpRequest& r) { return route(r); }, limits,
        [this](const char* kind) { metrics_.reject(kind); });
    // The webhook's credential is checked before its body is read (issue 15: slow clients).
    server_->set_early_check([this](const HttpRequest& r) -> std::optional<HttpResponse> {
      if (r.path != "/webhooks/bland-callback" || r.method != "POST") return std::nullopt;
      return webhook_.early_reject(r);
    });
    loop_.watch(signals_.fd(), POLLIN, [this](int, short) { on_signals(); });
    if (test_clock_)
      test_api_ =
          std::make_unique<TestClockApi>(*test_clock_, loop_, [this] { return test_state(); });
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
            {"store",
             settings_.store.empty() ? settings_.data_dir : redact_pg_url(settings_.store)},
            {"webhook_auth",
             settings_.webhook_secret.empty() ? "token in the URL" : "X-Webhook-Signature"},
            {"admin_auth", settings_.admin_token.empty() ? "loopback only" : "bearer token"}}
            .dump());
    spdlog::info("Starting redial queue processor {}",
                 nlohmann::json{{"interval_ms", settings_.policy.process_interval_ms},
                                {"enabled", settings_.policy.enabled}}
                     .dump());
    while (!stopping_) {
      note_wall_step();
      if (!loop_.timers_held() && (tick_now_ || queue_.next_tick_in_ms() == 0)) {
        tick_now_ = false;
        try {
          run_tick();
        } catch (const StoreError&) {
          // run_tick logged it; nothing was dialed (the tick syncs before it dials).
        }
      }
      if (!commit()) return drain_after_store_fault();
      loop_.run_once(wait_ms());
      server_->run();  // MHD's epoll is edge-triggered: let it finish resumed connections
      if (!commit()) return drain_after_store_fault();
    }
    return shutdown();
  }

  std::uint16_t port() const { return server_->port(); }

 private:
  HttpResponse route(const HttpRequest& r) {
    if (test_api_)
      if (auto answer = test_api_->handle(r)) return *answer;
    if (store_failed_ && r.path != "/healthz" && r.path != "/metrics")
      return json_error(503, "the store could not be written and is being reloaded; try again");
    if (r.path == "/webhooks/bland-callback") {
      if (r.method != "POST") return json_error(405, "use POST");
      return webhook_.handle(r);
    }
    const bool admin = r.path.rfind("/admin/", 0) == 0;
    if (r.method == "GET" && (admin || r.path == "/metrics")) {
      // A PostgreSQL store: other runners' changes first, so every runner shows the database.
      try {
        queue_.refresh_from_store();
      } catch (const StoreError& e) {
        on_store_fault(e);
        return json_error(503, std::string("the store could not be read; try again: ") + e.what());
      }
    }
    if (admin) {
      try {
        return admin_.handle(r);
      } catch (const StoreError& e) {  // an admin tick or backup could not sync
        on_store_fault(e);
        return json_error(503,
                          std::string("the store could not be written; try again: ") + e.what());
      }
    }
    // The dashboard (issue 16): / and /ui/*, authenticated like /admin/* (runner/dashboard.h).
    if (auto dashboard = serve_dashboard(r, settings_, &metrics_)) return *dashboard;
    if (r.method == "GET" && r.path == "/healthz") return healthz();
    if (r.method == "GET" && r.path == "/metrics")
      return HttpResponse{200, metrics_.render(queue_), "text/plain; version=0.0.4", false};
    return json_error(404, "not found: " + r.method + " " + r.path);
  }

  // Degraded (still 200: webhooks are taken and the queue serves) while Bland refuses the API
  // key (issue 14) or retention refuses to act on a suspect clock (issue 15). `problems` lists
  // each; `reason` joins them for a one-line alert.
  HttpResponse healthz() const {
    std::vector<std::string> problems;
    if (!metrics_.storage.retention_refused.empty())
      problems.push_back("retention refused: " + metrics_.storage.retention_refused);
    if (!metrics_.dialing_stopped.empty())
      problems.push_back("dialing stopped: Bland refused the API key (" + metrics_.dialing_stopped +
                         "); send SIGHUP or restart after fixing it");
    if (problems.empty())
      return HttpResponse{200, "{\"status\":\"ok\"}\n", "application/json", false};
    std::string reason;
    for (const std::string& p : problems) reason += (reason.empty() ? "" : "; ") + p;
    nlohmann::json body{{"status", "degraded"}, {"problems", problems}, {"reason", reason}};
    return HttpResponse{200, body.dump() + "\n", "application/json", false};
  }

  // The month store logged each set-aside and problem file when it found it; count them here.
  void record_load_report() {
    auto* months = dynamic_cast<MonthStore*>(store_.get());
    if (months == nullptr) return;
    Metrics::Storage& s = metrics_.storage;
    for (const SetAside& a : months->load_report().set_aside) {
      ++s.set_asides;
      s.set_aside_bytes += a.bytes;
      s.set_aside_entries += a.entries;
      s.set_aside_paths.push_back(a.path);
    }
    for (const MonthFileProblems& p : months->load_report().month_problems) {
      ++s.month_files_with_problems;
      s.month_records_with_problems += p.bad_records;
    }
  }

  TickSummary run_tick() {
    TickSummary t;
    try {
      t = queue_.tick();
    } catch (const StoreError& e) {
      on_store_fault(e);
      throw;
    }
    metrics_.record_tick(t);
    dirty_ = true;
    return t;
  }

  // The test clock's state (GET /test/clock): the next timer or tick, and the work not finished.
  TestClockState test_state() {
    TestClockState s;
    s.next_event_ms = clock_.now_ms() + queue_.next_tick_in_ms();
    if (auto t = next_timer_wall_ms(clock_, loop_))
      s.next_event_ms = std::min(*s.next_event_ms, *t);
    const bool held = loop_.timers_held();
    s.busy = static_cast<long>(http_.in_flight() + server_->deferred_count()) + (dirty_ ? 1 : 0) +
             (!held && (tick_now_ || queue_.next_tick_in_ms() == 0) ? 1 : 0) +
             (loop_.timers_due() ? 1 : 0);
    return s;
  }

  std::int64_t wait_ms() const {
    std::int64_t wait = queue_.next_tick_in_ms();
    // A virtual tick is not waited for in real time: a request moves the test clock to it.
    if (test_clock_ && wait > 0) wait = 1000;
    std::int64_t mhd = server_->timeout_ms();
    if (mhd >= 0) wait = std::min(wait, mhd);
    return std::min<std::int64_t>(wait, 1000);
  }

  // Timers run on the monotonic clock; a wall-clock step only needs saying (business hours and
  // the dates on disk follow the wall: docs/reliability.md, "Wall-clock steps").
  void note_wall_step() {
    if (auto step = wall_steps_.observe(clock_)) {
      ++metrics_.wall_clock_steps;
      spdlog::warn("Wall clock stepped {}",
                   nlohmann::json{{"step_ms", *step},
                                  {"direction", *step < 0 ? "back" : "forward"},
                                  {"now", clock_.now_ms()}}
                       .dump());
    }
  }

  // Group commit: one sync for every change of the iteration, then the waiting answers.
  // False after a store fault: every waiting request got 503, and the App must be reloaded.
  bool commit() {
    if (store_failed_) {
      server_->release_deferred(false);
      return false;
    }
    while (dirty_ || server_->deferred_count() > 0) {
      dirty_ = false;
      auto t0 = std::chrono::steady_clock::now();
      try {
        queue_.sync();
      } catch (const StoreError& e) {
        on_store_fault(e);
        server_->release_deferred(false);  // 503: the sender retries; nothing was acknowledged
        return false;
      }
      metrics_.record_sync(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      server_->release_deferred(true);  // may take new requests, hence the loop
    }
    return true;
  }

  // The store cut its journal back to the last synced line; the memory holds changes that are
  // not on disk and must never be acknowledged or built upon.
  void on_store_fault(const StoreError& e) {
    if (!store_failed_)
      spdlog::critical("Store write failed: answering 503 and reloading from disk: {}", e.what());
    store_failed_ = true;
  }

  // Lets the 503 answers go out (new requests get 503 too, for the back-off), then asks for a
  // reload. Outbound calls still running are dropped: like after a crash, their dials are
  // journaled, so the reloaded queue keeps them in flight and never dials those phones twice.
  int drain_after_store_fault() {
    auto now = EventLoop::steady_ms();
    auto until = now + pacing_.next(now), deadline = until + 1000;
    while ((server_->active_requests() > 0 || EventLoop::steady_ms() < until) &&
           EventLoop::steady_ms() < deadline && !stopping_) {
      server_->release_deferred(false);
      loop_.run_once(20);
      server_->run();
    }
    return stopping_ ? 1 : kReloadStore;
  }

  void on_signals() {
    while (int sig = signals_.next()) {
      if (sig == SIGHUP) {
        reopen_log(*log_, settings_);
        reload_dnc();
        dialer_.resume("SIGHUP");  // after a 401/403 or during a plan-limit pause
      } else {
        spdlog::info("Signal {} received: shutting down", sig);
        stopping_ = true;
      }
    }
  }

  // A bad do-not-call file is refused whole; the previous list stays in force.
  void reload_dnc() {
    try {
      queue_.reload_dnc();
    } catch (const ConfigError& e) {
      spdlog::error("Do-not-call file not reloaded; the previous list stays in force: {}",
                    e.what());
    }
  }

  void schedule_retention() {
    loop_.add_timer(kHourMs, [this] {
      try {
        metrics_.record_retention(queue_.enforce_retention());
      } catch (const StoreError& e) {
        on_store_fault(e);
      }
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
  ReloadPacing& pacing_;
  std::shared_ptr<spdlog::logger> log_;
  ManualClock* test_clock_;  // REDIAL_TEST_CLOCK (tests only), else nullptr
  SystemClock system_clock_;
  const Clock& clock_;
  WallStepDetector wall_steps_{kWallStepThresholdMs};
  EventLoop loop_;
  SignalPipe signals_;
  CurlHttpClient http_;
  Metrics metrics_;
  bland::OutcomeMapping mapping_;
  std::unique_ptr<Store> store_;
  bland::BlandDialer dialer_;
  RedialQueue queue_;
  bland::ResultApplier applier_;
  WebhookHandler webhook_;
  AdminApi admin_;
  std::unique_ptr<TestClockApi> test_api_;  // with test_clock_ only
  std::unique_ptr<HttpServer> server_;      // last: destroyed first
  bool dirty_ = false;
  bool tick_now_ = false;  // the dialer resumed: tick without waiting for the interval
  bool stopping_ = false;
  bool store_failed_ = false;
};

}  // namespace

// Test-only (docs/reliability.md): REDIAL_TEST_FAULTS_FILE names a file whose contents
// ("fsync", "enospc", "short-write", "rename", optionally ":N"; missing or "none": no fault) make
// the store's file operations fail, so end-to-end tests can show the answers to a disk fault.
static std::unique_ptr<FaultyFileSystem> test_faults_from_environment() {
  const char* path = std::getenv("REDIAL_TEST_FAULTS_FILE");
  if (path == nullptr || *path == '\0') return nullptr;
  auto faults = std::make_unique<FaultyFileSystem>(default_file_system());
  faults->set_control_file(path);
  spdlog::warn("Disk fault injection is on (REDIAL_TEST_FAULTS_FILE={}): for tests only", path);
  return faults;
}

int run_app(const Settings& given) {
  auto log = spdlog::default_logger();
  auto faults = test_faults_from_environment();
  FileSystem& fs = faults ? *faults : default_file_system();
  Settings current = given;
  ReloadPacing pacing;
  try {
    // One clock for every App a store reload builds: virtual time goes on, never back.
    std::unique_ptr<ManualClock> test_clock = test_clock_from_environment("redial-runner");
    resolve_webhook_token(current);
    if (!current.store.empty()) {
      // An unreachable database is a bad setting: say so once, before anything starts.
      try {
        PgStore probe(PgStoreOptions{current.store, "", current.lease_ms});
      } catch (const StoreError& e) {
        spdlog::critical("Cannot start: bad setting --store (REDIAL_STORE): {}", e.what());
        return 2;
      }
    }
    for (;;) {
      int port = 0;
      {
        App app(current, log, fs, pacing, test_clock.get());
        int rc = app.run();
        if (rc != kReloadStore) return rc;
        port = app.port();
      }
      current.port = port;  // keep it: it may have been chosen at random (--port 0)
      spdlog::warn("Reloading the store from {} after a write failure", current.data_dir);
    }
  } catch (const StoreError& e) {
    spdlog::critical("Cannot start: {}", e.what());
  } catch (const ConfigError& e) {
    spdlog::critical("Cannot start: bad setting {}", e.what());
  } catch (const std::invalid_argument& e) {  // REDIAL_TEST_CLOCK
    spdlog::critical("Cannot start: bad setting {}", e.what());
  } catch (const std::runtime_error& e) {
    spdlog::critical("Cannot start: {}", e.what());
  }
  return 1;
}

}  // namespace redial::runner
