#include "runner/bland_dialer.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "runner/bland_call.h"
#include "runner/request_template.h"

namespace redial::runner {

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

BlandDialer::BlandDialer(const Settings& settings, const Clock& clock, EventLoop& loop,
                         HttpClient& http, Metrics& metrics, const OutcomeMapping& mapping)
    : settings_(settings),
      clock_(clock),
      loop_(loop),
      http_(http),
      metrics_(metrics),
      mapping_(mapping),
      template_(json::parse(settings.call_template)) {}

void BlandDialer::attach(RedialQueue& queue, ResultApplier& applier,
                         std::function<void()> changed) {
  queue_ = &queue;
  applier_ = &applier;
  changed_ = std::move(changed);
}

std::vector<std::string> BlandDialer::auth_headers() const {
  return {"authorization: " + settings_.bland_api_key};
}

std::optional<TimeMs> BlandDialer::rate_limited(TimeMs now) {
  while (!dial_times_.empty() && dial_times_.front() <= now - kDayMs) dial_times_.pop_front();
  if (settings_.max_calls_per_day > 0 &&
      dial_times_.size() >= static_cast<std::size_t>(settings_.max_calls_per_day))
    return dial_times_.front() + kDayMs;
  if (settings_.max_calls_per_hour > 0) {
    std::size_t in_hour = 0;
    for (auto it = dial_times_.rbegin(); it != dial_times_.rend() && *it > now - kHourMs; ++it)
      ++in_hour;
    if (in_hour >= static_cast<std::size_t>(settings_.max_calls_per_hour))
      return *(dial_times_.end() - static_cast<std::ptrdiff_t>(in_hour)) + kHourMs;
  }
  return std::nullopt;
}

void BlandDialer::dial(const DialRequest& req) {
  // The limits count elapsed time: monotonic, so a wall-clock step neither lifts nor extends them.
  TimeMs now = clock_.mono_ms();
  if (auto until = rate_limited(now)) {
    ++metrics_.dials_rate_limited;
    spdlog::warn("Dial held back by the call limits {}",
                 json{{"key", req.key}, {"until", clock_.now_ms() + (*until - now)}}.dump());
    queue_->on_dial_failed(req.dial_seq, "call rate limit reached", *until - now);
    changed_();
    return;
  }
  dial_times_.push_back(now);
  dialing_.insert(req.dial_seq);
  Attempt a{req.dial_seq, req.key, build_call_body(template_, req, settings_.webhook_url()).dump()};
  post(std::move(a));
}

void BlandDialer::post(Attempt a) {
  ++a.tries;
  HttpCall call;
  call.method = "POST";
  call.url = settings_.bland_base_url + "/v1/calls";
  call.headers = auth_headers();
  call.body = a.body;
  call.timeout_ms = settings_.http_timeout_ms;
  http_.send(call, [this, a](const HttpReply& reply) { on_reply(a, reply); });
}

void BlandDialer::on_reply(Attempt a, const HttpReply& r) {
  bool retrying = (r.status == 0 && !r.request_sent_unknown) || r.status == 429 || r.status >= 500;
  if (!retrying || a.tries > settings_.dial_retries) dialing_.erase(a.dial_seq);
  if (r.status >= 200 && r.status < 300) {
    auto j = json::parse(r.body, nullptr, false);
    std::string call_id;
    if (j.is_object() && j.contains("call_id") && j["call_id"].is_string())
      call_id = j["call_id"].get<std::string>();
    bool error_status = j.is_object() && j.value("status", "") == "error";
    if (!call_id.empty() && !error_status) {
      ++metrics_.dials_accepted;
      spdlog::info("Dial accepted by Bland {}",
                   json{{"key", a.key}, {"call_id", call_id}, {"ms", r.elapsed_ms}}.dump());
      queue_->on_dial_accepted(a.dial_seq, call_id);
      changed_();
      if (auto it = reconcile_when_accepted_.find(a.dial_seq);
          it != reconcile_when_accepted_.end()) {
        InFlightCall call{a.dial_seq, "", it->second, call_id, clock_.now_ms()};
        reconcile_when_accepted_.erase(it);
        loop_.add_timer(settings_.policy.call_timeout_ms, [this, call] { lookup(call, 1); });
      }
      return;
    }
    ++metrics_.dials_failed;
    std::string why = "Bland answered without a call_id: " + bland_message(r);
    spdlog::error("Dial failed {}", json{{"key", a.key}, {"reason", why}}.dump());
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
  if (r.status == 0 || r.status == 429 || r.status >= 500) {
    std::optional<TimeMs> after;
    if (r.status == 429) after = 10 * kSecondMs;  // Bland: one call per number per 10 s
    retry_or_fail(std::move(a), bland_message(r), after);
    return;
  }
  ++metrics_.dials_failed;
  std::string why = bland_message(r);
  spdlog::error("Dial refused by Bland {}", json{{"key", a.key}, {"reason", why}}.dump());
  queue_->on_dial_failed(a.dial_seq, why);
  changed_();
}

void BlandDialer::retry_or_fail(Attempt a, const std::string& reason,
                                std::optional<TimeMs> retry_after) {
  if (a.tries > settings_.dial_retries) {
    ++metrics_.dials_failed;
    spdlog::error("Dial failed after retries {}",
                  json{{"key", a.key}, {"tries", a.tries}, {"reason", reason}}.dump());
    queue_->on_dial_failed(a.dial_seq, reason, retry_after);
    changed_();
    return;
  }
  ++metrics_.dial_retries;
  TimeMs wait = settings_.dial_backoff_ms << (a.tries - 1);
  spdlog::warn(
      "Dial retry scheduled {}",
      json{{"key", a.key}, {"try", a.tries}, {"wait_ms", wait}, {"reason", reason}}.dump());
  std::uint64_t seq = a.dial_seq;
  EventLoop::TimerId id = loop_.add_timer(wait, [this, seq] {
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

void BlandDialer::lookup(InFlightCall call, int tries) {
  HttpCall get;
  get.url = settings_.bland_base_url + "/v1/calls/" + call.call_id;
  get.headers = auth_headers();
  get.timeout_ms = settings_.http_timeout_ms;
  http_.send(get, [this, call, tries](const HttpReply& r) {
    auto again = [&](const std::string& why) {
      if (tries >= 10) {
        queue_->release_call(call.dial_seq, "reconcile gave up after 10 lookups: " + why);
        changed_();
        return;
      }
      TimeMs wait = std::min<TimeMs>(settings_.policy.call_timeout_ms, 60 * kSecondMs);
      loop_.add_timer(wait, [this, call, tries] { lookup(call, tries + 1); });
    };
    auto j = json::parse(r.body, nullptr, false);
    bool unknown = r.status == 404 ||
                   (r.status >= 400 && r.status < 500 && r.status != 429 && r.status != 401);
    if (unknown) {
      std::string why = "Bland does not know call " + call.call_id + " (" + bland_message(r) + ")";
      spdlog::warn("Releasing call {}", json{{"key", call.key}, {"reason", why}}.dump());
      queue_->release_call(call.dial_seq, why);
      changed_();
      return;
    }
    if (r.status != 200 || !j.is_object()) return again(bland_message(r));
    try {
      ParsedCall p = parse_call_object(
          j, mapping_, [this](std::string_view o) { return queue_->policy().is_known(o); },
          [this](const std::string& t, const std::string& f) {
            return queue_->calendar().parse_local(t, f);
          });
      if (!p.ended) return again("call still in progress");
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
  });
}

}  // namespace redial::runner
