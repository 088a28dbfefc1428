#pragma once
// The queue's Dialer for Bland AI: POST {base}/v1/calls through the non-blocking HttpClient.
//   2xx with call_id        -> RedialQueue::on_dial_accepted
//   429, 5xx, connect error -> retried with exponential back-off (dial_retries times), then
//                              on_dial_failed (never an attempt)
//   other 4xx / error body  -> logged with Bland's message, on_dial_failed
//   time-out after sending  -> the call may exist: it stays in flight until a webhook or the
//                              call time-out's reconcile settles it (never a blind second dial)
// Per-hour and per-day limits hold dials back (on_dial_failed with a retry time).
// reconcile(): GET {base}/v1/calls/{id}; ended -> applied like a webhook; 404 -> release_call.
// A call whose dial request is still outstanding is not released: it is looked up once Bland
// has named it (a slow dial must never free the phone for a second call).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/dialer.h"
#include "core/redial_queue.h"
#include "runner/event_loop.h"
#include "runner/http_client.h"
#include "runner/metrics.h"
#include "runner/outcome_mapping.h"
#include "runner/result_applier.h"
#include "runner/settings.h"

namespace redial::runner {

class BlandDialer final : public Dialer {
 public:
  BlandDialer(const Settings& settings, const Clock& clock, EventLoop& loop, HttpClient& http,
              Metrics& metrics, const OutcomeMapping& mapping);

  // REQUIRES: called before the queue ticks. `changed` is called after every queue mutation.
  void attach(RedialQueue& queue, ResultApplier& applier, std::function<void()> changed);

  void dial(const DialRequest& request) override;
  bool reconcile(const InFlightCall& call) override;

  // Dials waiting for a retry are failed now (shutdown). Returns how many.
  std::size_t abandon_waiting(const std::string& reason);
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Attempt {
    std::uint64_t dial_seq;
    std::string key;
    std::string body;
    int tries = 0;
  };
  void post(Attempt a);
  void on_reply(Attempt a, const HttpReply& reply);
  void retry_or_fail(Attempt a, const std::string& reason, std::optional<TimeMs> retry_after);
  void lookup(InFlightCall call, int tries);
  std::optional<TimeMs> rate_limited(TimeMs now);
  std::vector<std::string> auth_headers() const;

  const Settings& settings_;
  const Clock& clock_;
  EventLoop& loop_;
  HttpClient& http_;
  Metrics& metrics_;
  const OutcomeMapping& mapping_;
  nlohmann::json template_;
  RedialQueue* queue_ = nullptr;
  ResultApplier* applier_ = nullptr;
  std::function<void()> changed_;
  std::deque<TimeMs> dial_times_;  // dials sent in the last 24 h, monotonic ms (rate limits)
  std::map<std::uint64_t, std::pair<EventLoop::TimerId, Attempt>> waiting_;  // by dial_seq
  // Dials whose POST is outstanding or waiting for a retry: the queue will hear about them.
  std::set<std::uint64_t> dialing_;
  // Dials the queue asked to reconcile before Bland named the call: looked up once accepted.
  std::map<std::uint64_t, std::string> reconcile_when_accepted_;  // dial_seq -> key
};

}  // namespace redial::runner
