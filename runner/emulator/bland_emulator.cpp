// bland-emulator: a stand-in for Bland AI's API on loopback, for end-to-end tests and the demo.
//   POST /v1/calls        Bland's request and response shapes, its error envelope, 401 for a
//                         wrong API key, 400 without phone_number, 429 for a number called
//                         twice within --same-number-window
//   GET  /v1/calls/{id}   the call object (running until its webhook time, then ended); 404
//                         for an unknown call or one scripted "forgotten"
//   GET  /emulator/calls  every call placed, with its outcome and webhook deliveries (tests)
// After --webhook-delay, each call's scripted outcome is posted to the request's `webhook`,
// signed with X-Webhook-Signature when --webhook-secret is set; duplicates and losses optional.
// The script's "dials" (emulator/dial_script.h) refuse chosen POSTs as Bland does (plan-limit
// and per-number 429s with Retry-After, 401, 403) or end calls in Bland's error states.
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "bland_model/call_objects.h"
#include "core/errors.h"
#include "core/redial_policy.h"
#include "runner/emulator/dial_script.h"
#include "runner/event_loop.h"
#include "runner/hmac.h"
#include "runner/http_client.h"
#include "runner/http_server.h"
#include "runner/signals.h"
#include "runner/test_clock.h"

namespace po = boost::program_options;
using nlohmann::json;
using namespace redial;
using namespace redial::runner;

namespace {

struct Options {
  std::string address = "127.0.0.1";
  int port = 8090;
  std::string api_key;
  std::string secret;
  TimeMs delay_ms = 1000;
  TimeMs window_ms = 10000;
  double duplicate_rate = 0;
  double loss_rate = 0;
  std::uint64_t seed = 1;
  int fail_dials = 0;
  TimeMs dial_latency_ms = 0;  // answer POST /v1/calls this late (a slow Bland)
  std::string default_outcome = "NO_ANSWER";
  TimeMs analysis_delay_ms = 45000;  // the "analysis" kind's second body, after the result
};

struct Call {
  std::string id;
  json request;
  std::string lead_id;
  std::string phone;
  std::string outcome;
  std::int64_t dialed_at = 0;  // epoch ms
  std::int64_t ends_at = 0;    // epoch ms: the webhook time
  std::string created_at;
  bool lost = false;
  bool forgotten = false;  // GET /v1/calls/{id} answers 404
  bool duplicated = false;
  std::vector<json> deliveries;        // {"status": 200, "error": "", "at": ms}
  std::string extra;                   // "", "status_events" or "analysis" (script kind)
  std::vector<json> extra_deliveries;  // the other bodies: {"kind", "status", "body", ...}
  std::string error_state;             // a Bland error state scripted in "dials" (no webhook)
  std::optional<TimeMs> callback_ms;   // scripted scheduled_callback_time (metadata)
};

std::string iso_time(TimeMs t_ms) {
  std::time_t t = static_cast<std::time_t>(t_ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

HttpResponse bland_error(int status, const std::string& message) {
  json j{{"status", "error"}, {"message", message}, {"errors", json::array({message})}};
  return HttpResponse{status, j.dump() + "\n", "application/json", false};
}

class Emulator {
 public:
  // test_clock: REDIAL_TEST_CLOCK's virtual time (runner/test_clock.h), else nullptr.
  Emulator(Options o, bland_model::OutcomeScript script, emulator::DialScript dials,
           ManualClock* test_clock)
      : opt_(std::move(o)),
        script_(std::move(script)),
        dials_(std::move(dials)),
        clock_(test_clock ? static_cast<const Clock&>(*test_clock) : system_clock_),
        loop_(test_clock),
        http_(loop_),
        rng_(opt_.seed) {
    server_ = std::make_unique<HttpServer>(loop_, opt_.address, opt_.port,
                                           [this](const HttpRequest& r) { return route(r); });
    loop_.watch(signals_.fd(), POLLIN, [this](int, short) {
      while (int s = signals_.next())
        if (s != SIGHUP) stop_ = true;
    });
    if (test_clock)
      test_api_ = std::make_unique<TestClockApi>(*test_clock, loop_, [this] {
        return TestClockState{next_timer_wall_ms(clock_, loop_),
                              static_cast<long>(http_.in_flight()) + (loop_.timers_due() ? 1 : 0)};
      });
  }

  int run() {
    spdlog::info("bland-emulator listening on http://{}:{}", opt_.address, server_->port());
    while (!stop_) {
      std::int64_t t = server_->timeout_ms();
      loop_.run_once(t < 0 ? 500 : std::min<std::int64_t>(t, 500));
      server_->run();
    }
    spdlog::info("bland-emulator stopped after {} calls", calls_.size());
    return 0;
  }

 private:
  HttpResponse route(const HttpRequest& r) {
    if (test_api_)
      if (auto answer = test_api_->handle(r)) return *answer;
    if (r.method == "POST" && r.path == "/v1/calls") return create(r);
    if (r.method == "GET" && r.path.rfind("/v1/calls/", 0) == 0) return get(r);
    if (r.method == "GET" && r.path == "/emulator/calls") return list();
    if (r.method == "GET" && r.path == "/healthz")
      return HttpResponse{200, "{\"status\":\"ok\"}\n"};
    return bland_error(404, "Not found: " + r.method + " " + r.path);
  }

  bool authorized(const HttpRequest& r) const {
    std::string key = r.header("authorization");
    return !key.empty() && (opt_.api_key.empty() || key == opt_.api_key);
  }

  HttpResponse create(const HttpRequest& r) {
    if (!authorized(r)) return bland_error(401, "Invalid or missing API key (authorization)");
    auto body = json::parse(r.body, nullptr, false);
    if (!body.is_object()) return bland_error(400, "Invalid JSON body");
    if (!body.contains("phone_number") || !body["phone_number"].is_string() ||
        body["phone_number"].get<std::string>().empty())
      return bland_error(400, "Missing required parameter: phone_number");
    if (fail_left_ > 0) {
      --fail_left_;
      return bland_error(503, "Service temporarily unavailable (emulated)");
    }
    std::string phone = body["phone_number"].get<std::string>();
    std::int64_t now = clock_.now_ms();
    emulator::DialStep dial_step = dials_.next(lead_of(body, phone));
    if (auto refusal = emulator::dial_refusal(dial_step, phone)) {
      // dial_seq (the runner's metadata) tells a dial's retries from a new dial.
      const json meta = body.value("metadata", json::object());
      refused_.push_back(
          json{{"lead_id", lead_of(body, phone)},
               {"phone_number", phone},
               {"kind", dial_step.kind},
               {"status", refusal->status},
               {"dial_seq", meta.is_object() ? meta.value("dial_seq", json()) : json()},
               {"at", now}});
      spdlog::info("dial to {} refused by script: {} (HTTP {})", phone, dial_step.kind,
                   refusal->status);
      return *refusal;
    }
    auto last = last_by_phone_.find(phone);
    if (last != last_by_phone_.end() && now - last->second < opt_.window_ms)
      return bland_error(429, "Rate limit exceeded: " + phone + " was called less than " +
                                  std::to_string(opt_.window_ms / 1000) + " seconds ago");
    last_by_phone_[phone] = now;

    Call c;
    c.id = "emu-" + std::to_string(++seq_) + "-" + std::to_string(rng_() % 1000000);
    c.request = body;
    c.phone = phone;
    json meta = body.value("metadata", json::object());
    if (meta.contains("lead_id") && meta["lead_id"].is_string())
      c.lead_id = meta["lead_id"].get<std::string>();
    bland_model::OutcomeScript::Step step = script_.next(c.lead_id.empty() ? phone : c.lead_id);
    c.outcome = step.outcome;
    c.dialed_at = now;
    const TimeMs delay_ms = step.delay_ms.value_or(opt_.delay_ms);
    c.ends_at = now + delay_ms;
    c.callback_ms = step.callback_ms;
    c.created_at = iso_time(now);
    std::uniform_real_distribution<double> u(0, 1);
    c.forgotten = step.webhook == "forgotten";
    if (bland_model::is_error_state_kind(dial_step.kind)) c.error_state = dial_step.kind;
    c.lost = step.webhook == "lost" || c.forgotten || !c.error_state.empty() ||
             (step.webhook.empty() && u(rng_) < opt_.loss_rate);
    c.duplicated = step.webhook == "duplicate" ||
                   (!c.lost && step.webhook.empty() && u(rng_) < opt_.duplicate_rate);
    std::string id = c.id;
    std::string webhook = body.value("webhook", "");
    spdlog::info("call {} to {} (lead {}): outcome {} in {} ms{}{}", id, phone, c.lead_id,
                 c.outcome, delay_ms, c.lost ? ", webhook LOST" : "",
                 c.duplicated ? ", webhook DUPLICATED" : "");
    if (step.webhook == "status_events" || step.webhook == "analysis") c.extra = step.webhook;
    calls_[id] = std::move(c);
    order_.push_back(id);
    if (!webhook.empty()) schedule_extra_bodies(id, webhook);
    if (!webhook.empty() && !calls_[id].lost) {
      loop_.add_timer(delay_ms, [this, id, webhook] { deliver(id, webhook, 1); });
      if (calls_[id].duplicated)
        loop_.add_timer(delay_ms + 300, [this, id, webhook] { deliver(id, webhook, 1); });
    }
    json ok{{"status", "success"},
            {"message", "Call successfully queued."},
            {"call_id", id},
            {"batch_id", nullptr}};
    HttpResponse resp{200, ok.dump() + "\n"};
    if (opt_.dial_latency_ms > 0) {
      // Held (connection suspended) and released by a timer: every held answer goes together.
      resp.needs_sync = true;
      loop_.add_timer(opt_.dial_latency_ms, [this] { server_->release_deferred(true); });
    }
    return resp;
  }

  json object_of(const Call& c) const {
    if (!c.error_state.empty())
      return bland_model::error_state_object(
          bland_model::running_call_object(c.id, c.request, c.created_at), c.error_state);
    if (clock_.now_ms() < c.ends_at)
      return bland_model::running_call_object(c.id, c.request, c.created_at);
    return ended_object(c);
  }

  // The ended call object, with a scripted callback time in its metadata.
  static json ended_object(const Call& c) {
    json o = bland_model::ended_call_object(c.id, c.request, c.outcome, c.created_at);
    if (c.callback_ms) o["metadata"]["scheduled_callback_time"] = *c.callback_ms;
    return o;
  }

  void deliver(const std::string& id, const std::string& url, int attempt) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    std::string body = ended_object(it->second).dump();
    HttpCall call;
    call.method = "POST";
    call.url = url;
    call.body = body;
    call.timeout_ms = 10000;
    if (!opt_.secret.empty())
      call.headers.push_back("X-Webhook-Signature: " + hmac_sha256_hex(opt_.secret, body));
    std::int64_t sent_at = clock_.now_ms();
    http_.send(call, [this, id, url, attempt, sent_at](const HttpReply& r) {
      auto it = calls_.find(id);
      if (it == calls_.end()) return;
      it->second.deliveries.push_back(json{{"status", r.status},
                                           {"error", r.error},
                                           {"sent_at", sent_at},
                                           {"at", clock_.now_ms()},
                                           {"attempt", attempt}});
      spdlog::info("webhook for {} -> HTTP {} {}", id, r.status, r.error);
      if ((r.status < 200 || r.status >= 300) && r.status != 400 && r.status != 401 && attempt < 3)
        loop_.add_timer(1000, [this, id, url, attempt] { deliver(id, url, attempt + 1); });
    });
  }

  // Bland's other posts for a call (script kinds "status_events" and "analysis"), kept apart
  // from the result's deliveries.
  void schedule_extra_bodies(const std::string& id, const std::string& url) {
    const Call& c = calls_.at(id);
    if (c.extra == "status_events") {
      for (const char* qs : {"queued", "started"}) {
        TimeMs at = std::string(qs) == "queued" ? opt_.delay_ms / 4 : opt_.delay_ms / 2;
        loop_.add_timer(at, [this, id, url, qs] {
          const Call& c = calls_.at(id);
          send_extra(id, url, qs,
                     bland_model::status_event_object(c.id, c.request, c.created_at, qs));
        });
      }
    } else if (c.extra == "analysis") {
      loop_.add_timer(opt_.delay_ms + opt_.analysis_delay_ms, [this, id, url] {
        const Call& c = calls_.at(id);
        send_extra(id, url, "analysis",
                   bland_model::analysis_object(c.id, c.request, c.outcome, c.created_at));
      });
    }
  }

  void send_extra(const std::string& id, const std::string& url, const std::string& kind,
                  const json& object) {
    std::string body = object.dump();
    HttpCall call;
    call.method = "POST";
    call.url = url;
    call.body = body;
    call.timeout_ms = 10000;
    if (!opt_.secret.empty())
      call.headers.push_back("X-Webhook-Signature: " + hmac_sha256_hex(opt_.secret, body));
    http_.send(call, [this, id, kind, object](const HttpReply& r) {
      auto it = calls_.find(id);
      if (it == calls_.end()) return;
      it->second.extra_deliveries.push_back(json{{"kind", kind},
                                                 {"status", r.status},
                                                 {"error", r.error},
                                                 {"response", r.body},
                                                 {"at", clock_.now_ms()},
                                                 {"body", object}});
      spdlog::info("{} body for {} -> HTTP {} {}", kind, id, r.status, r.error);
    });
  }

  HttpResponse get(const HttpRequest& r) {
    if (!authorized(r)) return bland_error(401, "Invalid or missing API key (authorization)");
    std::string id = r.path.substr(std::string("/v1/calls/").size());
    auto it = calls_.find(id);
    if (it == calls_.end() || it->second.forgotten)
      return bland_error(404, "Call not found: " + id);
    return HttpResponse{200, object_of(it->second).dump() + "\n"};
  }

  HttpResponse list() const {
    json out = json::array();
    for (const auto& id : order_) {
      const Call& c = calls_.at(id);
      out.push_back(json{{"call_id", c.id},
                         {"phone_number", c.phone},
                         {"lead_id", c.lead_id},
                         {"outcome", c.outcome},
                         {"dialed_at", c.dialed_at},
                         {"ends_at", c.ends_at},
                         {"lost", c.lost},
                         {"forgotten", c.forgotten},
                         {"duplicated", c.duplicated},
                         {"error_state", c.error_state},
                         {"request", c.request},
                         {"webhook_body", ended_object(c)},
                         {"deliveries", c.deliveries},
                         {"extra_deliveries", c.extra_deliveries}});
    }
    return HttpResponse{200, json{{"calls", out}, {"refused", refused_}}.dump() + "\n"};
  }

  // The lead a POST /v1/calls is for (metadata.lead_id), else its phone.
  static std::string lead_of(const json& body, const std::string& phone) {
    json meta = body.value("metadata", json::object());
    if (meta.is_object() && meta.contains("lead_id") && meta["lead_id"].is_string())
      return meta["lead_id"].get<std::string>();
    return phone;
  }

  Options opt_;
  bland_model::OutcomeScript script_;
  emulator::DialScript dials_;
  std::vector<json> refused_;  // dials the "dials" script refused
  SystemClock system_clock_;
  const Clock& clock_;
  EventLoop loop_;
  SignalPipe signals_;
  CurlHttpClient http_;
  std::mt19937_64 rng_;
  std::map<std::string, Call> calls_;
  std::vector<std::string> order_;
  std::map<std::string, std::int64_t> last_by_phone_;
  std::uint64_t seq_ = 0;
  int fail_left_ = 0;
  bool stop_ = false;
  std::unique_ptr<TestClockApi> test_api_;  // with a test clock only
  std::unique_ptr<HttpServer> server_;

 public:
  void set_fail_dials(int n) { fail_left_ = n; }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string script_file, delay, window, latency, analysis_delay;
  po::options_description desc("bland-emulator options");
  desc.add_options()("help,h", "Print this help")(
      "listen-address", po::value(&o.address)->default_value("127.0.0.1"), "Listen address")(
      "port", po::value(&o.port)->default_value(8090), "Port (0 = any, logged)")(
      "api-key", po::value(&o.api_key)->default_value(""),
      "Required authorization header value (empty: any non-empty key)")(
      "script", po::value(&script_file)->default_value(""),
      "Outcome script: {\"leads\": {\"<lead_id>\": [\"VOICEMAIL\", ...]}} or a scenario file")(
      "default-outcome", po::value(&o.default_outcome)->default_value("NO_ANSWER"),
      "Outcome once a lead's list is used up, or for unscripted leads")(
      "webhook-delay", po::value(&delay)->default_value("1s"),
      "Time from dial to webhook (plain number = seconds)")(
      "webhook-secret", po::value(&o.secret)->default_value(""),
      "Sign webhooks with HMAC-SHA256 (X-Webhook-Signature)")(
      "same-number-window", po::value(&window)->default_value("10s"),
      "A second call to one number within this gets 429")(
      "duplicate-rate", po::value(&o.duplicate_rate)->default_value(0.0),
      "Fraction of webhooks sent twice")("loss-rate", po::value(&o.loss_rate)->default_value(0.0),
                                         "Fraction of webhooks never sent")(
      "seed", po::value(&o.seed)->default_value(1), "Random seed (call ids, losses, duplicates)")(
      "fail-dials", po::value(&o.fail_dials)->default_value(0),
      "Answer the first N POST /v1/calls with 503")(
      "dial-latency", po::value(&latency)->default_value("0"),
      "Answer POST /v1/calls this late (plain number = seconds)")(
      "analysis-delay", po::value(&analysis_delay)->default_value("45s"),
      "Script kind \"analysis\": the second body this long after the result (Bland: 30-60 s)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    o.delay_ms = parse_duration_ms(delay, kSecondMs, "webhook-delay");
    o.window_ms = parse_duration_ms(window, kSecondMs, "same-number-window");
    o.dial_latency_ms = parse_duration_ms(latency, kSecondMs, "dial-latency");
    o.analysis_delay_ms = parse_duration_ms(analysis_delay, kSecondMs, "analysis-delay");
  } catch (const std::exception& e) {
    std::cerr << "bland-emulator: " << e.what() << "\n";
    return 2;
  }
  spdlog::set_pattern("%H:%M:%S.%e [emulator] %v");
  try {
    bland_model::OutcomeScript script(json{{"leads", json::object()}}, o.default_outcome);
    emulator::DialScript dials;
    if (!script_file.empty()) {
      std::ifstream in(script_file);
      if (!in) throw std::invalid_argument("cannot read " + script_file);
      json j = json::parse(in, nullptr, true, true);
      script = bland_model::OutcomeScript(j, o.default_outcome);
      dials = emulator::DialScript(j);
    }
    std::unique_ptr<ManualClock> test_clock = test_clock_from_environment("bland-emulator");
    Emulator emu(o, std::move(script), std::move(dials), test_clock.get());
    emu.set_fail_dials(o.fail_dials);
    return emu.run();
  } catch (const std::exception& e) {
    std::cerr << "bland-emulator: " << e.what() << "\n";
    return 1;
  }
}
