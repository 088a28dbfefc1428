#pragma once
// The queue's Dialer for Bland AI: POST {base}/v1/calls through the non-blocking HttpClient.
//   2xx with call_id        -> RedialQueue::on_dial_accepted
//   5xx, connect error      -> retried with exponential back-off (dial_retries times), then
//                              on_dial_failed (never an attempt)
//   429 same number         -> on_dial_failed: that lead waits 10 s (or Retry-After)
//   429 plan limit          -> all dialing pauses for Retry-After (or a growing back-off): ticks
//                              dial nothing, the dial is failed without moving its lead
//   401 / 403               -> dialing stops until resume() (SIGHUP) or a restart; /healthz
//                              reports degraded
//   other 4xx / error body  -> logged with Bland's message, on_dial_failed
//   time-out after sending  -> the call may exist: it stays in flight until a webhook or the
//                              call time-out's reconcile settles it (never a blind second dial)
// Per-hour and per-day dial limits and pacing are the core's (core/dial_rate_limits.h): the tick
// asks for no more dials than they allow, and every dial asked for is sent at once.
// reconcile(): GET {base}/v1/calls/{id}; ended -> applied like a webhook; Bland's error states
// (queue_status *_error, status "error") -> applied with an error outcome; 404 -> release_call.
// A call whose dial request is still outstanding is not released: it is looked up once Bland
// has named it (a slow dial must never free the phone for a second call).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "bland/counters.h"
#include "bland/http_client.h"
#include "bland/outcome_mapping.h"
#include "bland/result_applier.h"
#include "bland/timers.h"
#include "core/dialer.h"
#include "core/reconcile_schedule.h"
#include "core/redial_queue.h"

namespace redial::bland {

// What the dialer needs from the runner's settings (or a scenario): built by the owner.
struct BlandDialerConfig {
  std::string base_url = "https://api.bland.ai";  // Bland's API, without /v1
  std::string api_key;                            // sent as the authorization header
  std::string webhook_url;                        // the call body's `webhook` ("": none)
  std::string call_template = "{}";               // JSON text of the request template
  int dial_retries = 3;                           // extra tries after a 5xx / transport error
  TimeMs dial_backoff_ms = 2 * kSecondMs;         // first retry wait; doubles each retry
  TimeMs http_timeout_ms = 15 * kSecondMs;        // one request to Bland
  TimeMs plan_limit_backoff_ms = 30 * kSecondMs;  // first pause after a plan-limit 429
  TimeMs plan_limit_backoff_max_ms = 15 * kMinuteMs;
};

class BlandDialer final : public Dialer {
 public:
  // Throws nlohmann::json::parse_error when config.call_template is not JSON.
  BlandDialer(BlandDialerConfig config, const Clock& clock, Timers& timers, HttpClient& http,
              BlandCounters& metrics, const OutcomeMapping& mapping);

  // REQUIRES: called before the queue ticks. `changed` is called after every queue mutation.
  void attach(RedialQueue& queue, ResultApplier& applier, std::function<void()> changed);

  void dial(const DialRequest& request) override;
  bool reconcile(const InFlightCall& call) override;
  // Non-empty during a plan-limit pause or after Bland refused the key.
  std::string paused_reason() const override;

  // Called when a pause ends or a stop is lifted, so the owner can tick at once.
  void set_on_resume(std::function<void()> on_resume) { on_resume_ = std::move(on_resume); }
  // Lifts a pause or a stop now (SIGHUP). Returns false if dialing was not held.
  bool resume(const std::string& why);
  // Dials waiting for a retry are failed now (shutdown). Returns how many.
  std::size_t abandon_waiting(const std::string& reason);
  std::size_t waiting() const { return waiting_.size(); }

 private:
  // Puts a dial or a dial error in the recent events (GET /admin/recent).
  void note_event(const char* kind, const std::string& key, const std::string& call_id,
                  const std::string& detail);
  struct Attempt {
    std::uint64_t dial_seq;
    std::string key;
    std::string phone;
    std::string body;
    int tries = 0;
  };
  void post(Attempt a);
  void on_reply(Attempt a, const HttpReply& reply);
  void on_accepted(const Attempt& a, const std::string& call_id, std::int64_t elapsed_ms);
  void on_rate_limited(const Attempt& a, const HttpReply& reply);
  void pause_dialing(const std::string& reason, const std::string& code,
                     std::optional<TimeMs> retry_after, const std::string& message);
  void stop_dialing(const std::string& why);
  void end_pause();
  void publish();
  void fail_unmoved(std::uint64_t dial_seq, const std::string& why);
  bool apply_looked_up(const InFlightCall& call, const nlohmann::json& object, bool error_state);
  void retry_or_fail(Attempt a, const std::string& reason, std::optional<TimeMs> retry_after);
  void lookup(InFlightCall call, int tries);
  std::vector<std::string> auth_headers() const;

  const BlandDialerConfig config_;
  const Clock& clock_;
  Timers& loop_;
  HttpClient& http_;
  BlandCounters& metrics_;
  const OutcomeMapping& mapping_;
  nlohmann::json template_;
  RedialQueue* queue_ = nullptr;
  ResultApplier* applier_ = nullptr;
  std::function<void()> changed_;
  std::map<std::uint64_t, std::pair<Timers::TimerId, Attempt>> waiting_;  // by dial_seq
  // Dials whose POST is outstanding or waiting for a retry: the queue will hear about them.
  std::set<std::uint64_t> dialing_;
  // Dials the queue asked to reconcile before Bland named the call: looked up once accepted.
  std::map<std::uint64_t, std::string> reconcile_when_accepted_;  // dial_seq -> key
  // A plan-limit pause ("" reason: none) and a stop by 401/403 ("": none).
  std::string pause_reason_, pause_code_;
  TimeMs paused_until_ms_ = 0;
  Timers::TimerId pause_timer_ = 0;
  int plan_limit_streak_ = 0;  // plan-limit pauses since the last accepted dial
  std::string stopped_;
  std::function<void()> on_resume_;
};

}  // namespace redial::bland
