#include "bland/bland_dialer.h"

#include <spdlog/spdlog.h>

#include "bland/bland_call.h"
#include "bland/dial_limits.h"
#include "bland/request_template.h"
#include "core/errors.h"

namespace redial::bland {

using nlohmann::json;

namespace {

// Bland's error envelope: {"status":"error","message":"...","errors":[...]}.
std::string bland_message(const HttpReply& r) {
  if (!r.error.empty()) return r.error;
  auto j = json::parse(r.body, nullptr, false);
  std::string msg;
  if (j.is_object()) {
    if (auto it = j.find("message"); it != j.end() && it->is_string()) msg = it->get<std::string>();
    if (auto it = j.find("errors"); it != j.end() && !it->empty()) msg += " " + it->dump();
  }
  if (msg.empty()) msg = r.body.substr(0, 200);
  return "HTTP " + std::to_string(r.status) + ": " + msg;
}

}  // namespace

BlandDialer::BlandDialer(BlandDialerConfig config, const Clock& clock, Timers& loop,
                         HttpClient& http, BlandCounters& metrics, const OutcomeMapping& mapping)
    : config_(std::move(config)),
      clock_(clock),
      loop_(loop),
      http_(http),
      metrics_(metrics),
      mapping_(mapping),
      template_(json::parse(config_.call_template)) {}

void BlandDialer::attach(RedialQueue& queue, ResultApplier& applier,
                         std::function<void()> changed) {
  queue_ = &queue;
  applier_ = &applier;
  changed_ = std::move(changed);
}

std::vector<std::string> BlandDialer::auth_headers() const {
  return {"authorization: " + config_.api_key};
}

void BlandDialer::dial(const DialRequest& req) {
  if (std::string held = paused_reason(); !held.empty()) {  // ticks skip while paused
    fail_unmoved(req.dial_seq, "not sent: " + held);
    return;
  }
  // The dial limits and pacing were the tick's (core/dial_rate_limits.h): sent at once.
  dialing_.insert(req.dial_seq);
  post(Attempt{req.dial_seq, req.key, req.phone,
               build_call_body(template_, req, config_.webhook_url).dump()});
}

void BlandDialer::post(Attempt a) {
  if (std::string held = paused_reason(); !held.empty()) {  // a retry due during a pause
    fail_unmoved(a.dial_seq, "not sent: " + held);
    return;
  }
  ++a.tries;
  HttpCall call;
  call.method = "POST";
  call.url = config_.base_url + "/v1/calls";
  call.headers = auth_headers();
  call.body = a.body;
  call.timeout_ms = config_.http_timeout_ms;
  http_.send(call, [this, a](const HttpReply& reply) { on_reply(a, reply); });
}

void BlandDialer::on_reply(Attempt a, const HttpReply& r) {
  bool retrying = (r.status == 0 && !r.request_sent_unknown) || r.status >= 500;
  if (!retrying || a.tries > config_.dial_retries) dialing_.erase(a.dial_seq);
  if (r.status >= 200 && r.status < 300) {
    auto j = json::parse(r.body, nullptr, false);
    std::string call_id;
    if (j.is_object() && j.contains("call_id") && j["call_id"].is_string())
      call_id = j["call_id"].get<std::string>();
    bool error_status = j.is_object() && j.value("status", "") == "error";
    if (!call_id.empty() && !error_status) return on_accepted(a, call_id, r.elapsed_ms);
    ++metrics_.dials_failed;
    std::string why = "Bland answered without a call_id: " + bland_message(r);
    spdlog::error("Dial failed {}", json{{"key", a.key}, {"reason", why}}.dump());
    note_event("error", a.key, "", "dial failed: " + why);
    queue_->on_dial_failed(a.dial_seq, why);
    changed_();
    return;
  }
  if (r.status == 0 && r.request_sent_unknown) {
    spdlog::warn(
        "Dial outcome unknown; the call stays in flight until its webhook or the call "
        "time-out {}",
        json{{"key", a.key}, {"error", r.error}}.dump());
    return;
  }
  if (r.status == 429) return on_rate_limited(a, r);
  if (r.status == 0 || r.status >= 500) {
    retry_or_fail(std::move(a), bland_message(r), std::nullopt);
    return;
  }
  ++metrics_.dials_failed;
  std::string why = bland_message(r);
  if (r.status == 401 || r.status == 403) {
    stop_dialing(why);
    fail_unmoved(a.dial_seq, "Bland refused the API key: " + why);
    return;
  }
  spdlog::error("Dial refused by Bland {}", json{{"key", a.key}, {"reason", why}}.dump());
  note_event("error", a.key, "", "dial refused by Bland: " + why);
  queue_->on_dial_failed(a.dial_seq, why);
  changed_();
}

void BlandDialer::on_accepted(const Attempt& a, const std::string& call_id,
                              std::int64_t elapsed_ms) {
  ++metrics_.dials_accepted;
  plan_limit_streak_ = 0;
  spdlog::info("Dial accepted by Bland {}",
               json{{"key", a.key}, {"call_id", call_id}, {"ms", elapsed_ms}}.dump());
  note_event("dial", a.key, call_id, "dial accepted by Bland");
  queue_->on_dial_accepted(a.dial_seq, call_id);
  changed_();
  if (auto it = reconcile_when_accepted_.find(a.dial_seq); it != reconcile_when_accepted_.end()) {
    InFlightCall call{a.dial_seq, "", it->second, call_id, clock_.now_ms()};
    reconcile_when_accepted_.erase(it);
    const TimeMs wait = ReconcileSchedule::from_policy(queue_->policy()).delay_before_ms(1);
    loop_.add_timer(wait, [this, call] { lookup(call, 1); });
  }
}

// A 429: the per-number limit delays this lead; any other limit pauses all dialing. Neither is
// an attempt, and a plan limit leaves the lead where it was (it is dialed after the pause).
void BlandDialer::on_rate_limited(const Attempt& a, const HttpReply& r) {
  RateLimit limit = classify_429(r.body, a.phone);
  std::optional<TimeMs> retry_after =
      parse_retry_after_ms(r.header("retry-after"), clock_.now_ms());
  if (retry_after) retry_after = std::min<TimeMs>(*retry_after, kDayMs);
  std::string why = bland_message(r);
  if (limit.same_number) {
    ++metrics_.dials_same_number_limited;
    TimeMs wait = std::max<TimeMs>(retry_after.value_or(0), 10 * kSecondMs);
    spdlog::warn("Dial refused: the number was called moments ago; that lead waits {}",
                 json{{"key", a.key}, {"wait_ms", wait}, {"reason", why}}.dump());
    note_event("error", a.key, "", "dial refused, number called moments ago: " + why);
    queue_->on_dial_failed(a.dial_seq, why, wait);
    changed_();
    return;
  }
  pause_dialing(limit.reason, limit.code, retry_after, why);
  note_event("error", a.key, "", "dialing paused by Bland's plan limit: " + why);
  fail_unmoved(a.dial_seq, "dialing paused by Bland's plan limit: " + why);
}

void BlandDialer::pause_dialing(const std::string& reason, const std::string& code,
                                std::optional<TimeMs> retry_after, const std::string& message) {
  const TimeMs now = clock_.now_ms();
  if (!pause_reason_.empty() && !retry_after) {
    publish();  // a dial sent before the pause was refused too: the same pause
    return;
  }
  TimeMs wait = retry_after ? *retry_after
                            : plan_backoff_ms(++plan_limit_streak_, config_.plan_limit_backoff_ms,
                                              config_.plan_limit_backoff_max_ms);
  wait = std::max<TimeMs>(wait, kSecondMs);
  const bool extending = !pause_reason_.empty();
  if (extending && now + wait <= paused_until_ms_) return;
  loop_.cancel_timer(pause_timer_);
  paused_until_ms_ = now + wait;
  pause_timer_ = loop_.add_timer(wait, [this] {
    pause_timer_ = 0;
    end_pause();
  });
  if (!extending) {
    pause_reason_ = reason;
    pause_code_ = code;
    ++metrics_.dial_pauses[reason];
    spdlog::warn("Dialing paused by Bland's plan limit {}",
                 json{{"reason", reason},
                      {"code", code},
                      {"wait_ms", wait},
                      {"until", paused_until_ms_},
                      {"retry_after", retry_after.has_value()},
                      {"message", message}}
                     .dump());
  }
  publish();
}

void BlandDialer::end_pause() {
  if (pause_reason_.empty()) return;
  spdlog::info("Dialing resumed after the plan-limit pause {}",
               json{{"reason", pause_reason_}, {"code", pause_code_}}.dump());
  pause_reason_.clear();
  pause_code_.clear();
  paused_until_ms_ = 0;
  publish();
  if (on_resume_) on_resume_();
}

void BlandDialer::stop_dialing(const std::string& why) {
  if (stopped_.empty())
    spdlog::error(
        "Dialing stopped: Bland refused the API key; fix --bland-api-key (BLAND_API_KEY) or the "
        "account, then send SIGHUP or restart {}",
        json{{"reason", why}}.dump());
  stopped_ = why;
  publish();
}

bool BlandDialer::resume(const std::string& why) {
  if (stopped_.empty() && pause_reason_.empty()) return false;
  spdlog::info("Dialing resumed {}",
               json{{"by", why}, {"was_stopped", stopped_}, {"was_paused", pause_reason_}}.dump());
  stopped_.clear();
  loop_.cancel_timer(pause_timer_);
  pause_timer_ = 0;
  pause_reason_.clear();
  pause_code_.clear();
  paused_until_ms_ = 0;
  plan_limit_streak_ = 0;
  publish();
  if (on_resume_) on_resume_();
  return true;
}

std::string BlandDialer::paused_reason() const {
  if (!stopped_.empty()) return "Bland refused the API key (" + stopped_ + ")";
  // The pause ends by its (monotonic) timer, end_pause(), not by comparing wall times: a
  // wall-clock step neither lifts nor extends it. paused_until_ms_ is for display.
  if (!pause_reason_.empty())
    return "Bland's plan limit (" + pause_reason_ + (pause_code_.empty() ? "" : " " + pause_code_) +
           ") until " + std::to_string(paused_until_ms_);
  return "";
}

void BlandDialer::publish() {
  metrics_.dial_pause_reason = pause_reason_;
  metrics_.dial_paused_until_ms = paused_until_ms_;
  metrics_.dialing_stopped = stopped_;
}

void BlandDialer::note_event(const char* kind, const std::string& key, const std::string& call_id,
                             const std::string& detail) {
  metrics_.recent_events.push({clock_.now_ms(), kind, key, call_id, "", detail});
}

void BlandDialer::fail_unmoved(std::uint64_t dial_seq, const std::string& why) {
  dialing_.erase(dial_seq);
  reconcile_when_accepted_.erase(dial_seq);
  queue_->on_dial_failed(dial_seq, why);  // no retry time: the lead keeps its due time
  changed_();
}

void BlandDialer::retry_or_fail(Attempt a, const std::string& reason,
                                std::optional<TimeMs> retry_after) {
  if (a.tries > config_.dial_retries) {
    ++metrics_.dials_failed;
    spdlog::error("Dial failed after retries {}",
                  json{{"key", a.key}, {"tries", a.tries}, {"reason", reason}}.dump());
    note_event("error", a.key, "", "dial failed after retries: " + reason);
    queue_->on_dial_failed(a.dial_seq, reason, retry_after);
    changed_();
    return;
  }
  ++metrics_.dial_retries;
  TimeMs wait = config_.dial_backoff_ms << (a.tries - 1);
  spdlog::warn(
      "Dial retry scheduled {}",
      json{{"key", a.key}, {"try", a.tries}, {"wait_ms", wait}, {"reason", reason}}.dump());
  std::uint64_t seq = a.dial_seq;
  Timers::TimerId id = loop_.add_timer(wait, [this, seq] {
    auto it = waiting_.find(seq);
    if (it == waiting_.end()) return;
    Attempt next = std::move(it->second.second);
    waiting_.erase(it);
    post(std::move(next));
  });
  waiting_[seq] = {id, std::move(a)};
}

std::size_t BlandDialer::abandon_waiting(const std::string& reason) {
  std::size_t n = waiting_.size();
  auto list = std::move(waiting_);
  waiting_.clear();
  for (auto& [seq, entry] : list) {
    loop_.cancel_timer(entry.first);
    dialing_.erase(seq);
    reconcile_when_accepted_.erase(seq);
    queue_->on_dial_failed(seq, reason);
  }
  if (n > 0) changed_();
  return n;
}

bool BlandDialer::reconcile(const InFlightCall& call) {
  if (call.call_id.empty()) {
    if (!dialing_.count(call.dial_seq)) return false;  // no answer will come: release it
    // The dial request is still outstanding: the call may be starting right now.
    reconcile_when_accepted_[call.dial_seq] = call.key;
    spdlog::warn("Call time-out while its dial request is outstanding; looked up once accepted {}",
                 json{{"key", call.key}, {"dial_seq", call.dial_seq}}.dump());
    return true;
  }
  ++metrics_.reconciles;
  spdlog::warn("Reconciling a call without a result {}",
               json{{"key", call.key}, {"call_id", call.call_id}}.dump());
  lookup(call, 1);
  return true;
}

namespace {

// Bland's error states: the call is over and will not produce a result of its own.
bool is_error_state(const json& call) {
  static const char* kQueueErrors[] = {"pre_queue_error", "queue_error", "call_error",
                                       "complete_error"};
  std::string queue_status =
      call.value("queue_status", json()).is_string() ? call["queue_status"].get<std::string>() : "";
  for (const char* e : kQueueErrors)
    if (queue_status == e) return true;
  return call.value("status", json()).is_string() && call["status"].get<std::string>() == "error";
}

}  // namespace

void BlandDialer::lookup(InFlightCall call, int tries) {
  HttpCall get;
  get.url = config_.base_url + "/v1/calls/" + call.call_id;
  get.headers = auth_headers();
  get.timeout_ms = config_.http_timeout_ms;
  http_.send(get, [this, call, tries](const HttpReply& r) {
    auto again = [&](const std::string& why) {
      // The core's schedule: how many look-ups, and how far apart (core/reconcile_schedule.h).
      const ReconcileSchedule schedule = ReconcileSchedule::from_policy(queue_->policy());
      if (schedule.exhausted(tries)) {
        queue_->release_call(
            call.dial_seq, "reconcile gave up after " + std::to_string(tries) + " lookups: " + why);
        changed_();
        return;
      }
      TimeMs wait = schedule.delay_before_ms(tries + 1);
      loop_.add_timer(wait, [this, call, tries] { lookup(call, tries + 1); });
    };
    auto j = json::parse(r.body, nullptr, false);
    if (r.status == 401 || r.status == 403) {  // the call may exist: never released for this
      stop_dialing(bland_message(r));
      return again(bland_message(r));
    }
    bool unknown = r.status == 404 || (r.status >= 400 && r.status < 500 && r.status != 429);
    if (unknown) {
      std::string why = "Bland does not know call " + call.call_id + " (" + bland_message(r) + ")";
      spdlog::warn("Releasing call {}", json{{"key", call.key}, {"reason", why}}.dump());
      queue_->release_call(call.dial_seq, why);
      changed_();
      return;
    }
    if (r.status != 200 || !j.is_object()) return again(bland_message(r));
    if (!apply_looked_up(call, j, is_error_state(j))) again("call still in progress");
  });
}

// A call object from GET /v1/calls/{id}: ended -> applied like a webhook; an error state ->
// applied with the mapping's error outcome (an attempt: a number Bland keeps failing on stops at
// --max-attempts instead of being redialed for ever). False: still running (ask again).
bool BlandDialer::apply_looked_up(const InFlightCall& call, const json& j, bool error_state) {
  try {
    ParsedCall p = parse_call_object(
        j, mapping_, [this](std::string_view o) { return queue_->policy().is_known(o); },
        [this](const std::string& t, const std::string& f) {
          return queue_->calendar().parse_local(t, f);
        });
    if (error_state) {
      ++metrics_.reconcile_error_states;
      if (p.result.outcome == mapping_.fallback) p.result.outcome = mapping_.error;
      p.ended = true;
      spdlog::warn("Call ended in a Bland error state; applied with an error outcome {}",
                   json{{"key", call.key},
                        {"call_id", call.call_id},
                        {"queue_status", j.value("queue_status", json())},
                        {"status", j.value("status", json())},
                        {"error_message", j.value("error_message", json())},
                        {"outcome", p.result.outcome}}
                       .dump());
    }
    if (!p.ended) return false;
    if (p.result.call_id.empty()) p.result.call_id = call.call_id;
    if (!p.result.dial_seq) p.result.dial_seq = call.dial_seq;
    applier_->apply(std::move(p), "reconcile");
  } catch (const InputError& e) {
    spdlog::warn(
        "Releasing call {}",
        json{{"key", call.key}, {"reason", std::string("unusable call object: ") + e.what()}}
            .dump());
    queue_->release_call(call.dial_seq, std::string("unusable call object: ") + e.what());
  }
  changed_();
  return true;
}

}  // namespace redial::bland
