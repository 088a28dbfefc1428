#pragma once
// POST /webhooks/bland-callback: Bland's post-call webhook.
//   401 signature missing or wrong (when a secret is set), or, without a secret, the URL's
//       ?token= missing or wrong (checked before anything else; nothing changes)
//   400 {"error": ...} for a body it cannot use (not JSON, no call_id, no way to know the lead, an
//       unknown outcome, a bad phone): nothing in the store changes
//   200 {"result":"ignored","why":...} for a body that is not a call's final result (inbound
//       call, non-final status, another event kind): nothing changes, counted by why
//   200 "duplicate" for a later body of a call already recorded (Bland's analysis webhook, a
//       resend), with or without metadata: nothing changes
//   200 only after the result is durable (the response waits for the loop's group commit)
#include <functional>
#include <optional>

#include "bland/outcome_mapping.h"
#include "bland/result_applier.h"
#include "bland/webhook_intake.h"
#include "core/redial_queue.h"
#include "runner/http_server.h"
#include "runner/metrics.h"
#include "runner/settings.h"

namespace redial::runner {

using bland::OutcomeMapping;
using bland::ParsedCall;
using bland::ResultApplier;

class WebhookHandler {
 public:
  WebhookHandler(const Settings& settings, RedialQueue& queue, ResultApplier& applier,
                 const OutcomeMapping& mapping, Metrics& metrics)
      : settings_(settings),
        queue_(queue),
        applier_(applier),
        mapping_(mapping),
        metrics_(metrics),
        intake_(queue, applier, mapping,
                bland::template_sets_webhook_events(settings.call_template)) {}

  HttpResponse handle(const HttpRequest& request);
  // What can be refused from the headers alone, before the body is read: without a secret, a
  // missing or wrong ?token=; with one, a missing X-Webhook-Signature. Counted like handle().
  std::optional<HttpResponse> early_reject(const HttpRequest& request);

 private:
  HttpResponse authenticate(const HttpRequest& req);
  HttpResponse answer(const ApplyResult& a);
  HttpResponse ignored(const std::string& call_id, const std::string& why);

  const Settings& settings_;
  RedialQueue& queue_;
  ResultApplier& applier_;
  const OutcomeMapping& mapping_;
  Metrics& metrics_;
  bland::WebhookIntake intake_;  // the decision, shared with the simulator
};

}  // namespace redial::runner
