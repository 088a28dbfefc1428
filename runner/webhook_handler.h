#pragma once
// POST /webhooks/bland-callback: Bland's post-call webhook.
//   401 signature missing or wrong (when a secret is set), or, without a secret, the URL's
//       ?token= missing or wrong (checked before anything else; nothing changes)
//   400 {"error": ...} for a body it cannot use: nothing in the store changes
//   200 only after the result is durable (the response waits for the loop's group commit)
#include <functional>
#include <optional>

#include "core/redial_queue.h"
#include "runner/http_server.h"
#include "runner/metrics.h"
#include "runner/outcome_mapping.h"
#include "runner/result_applier.h"
#include "runner/settings.h"

namespace redial::runner {

class WebhookHandler {
 public:
  WebhookHandler(const Settings& settings, RedialQueue& queue, ResultApplier& applier,
                 const OutcomeMapping& mapping, Metrics& metrics)
      : settings_(settings),
        queue_(queue),
        applier_(applier),
        mapping_(mapping),
        metrics_(metrics) {}

  HttpResponse handle(const HttpRequest& request);
  // What can be refused from the headers alone, before the body is read: without a secret, a
  // missing or wrong ?token=; with one, a missing X-Webhook-Signature. Counted like handle().
  std::optional<HttpResponse> early_reject(const HttpRequest& request);

 private:
  const Settings& settings_;
  RedialQueue& queue_;
  ResultApplier& applier_;
  const OutcomeMapping& mapping_;
  Metrics& metrics_;
};

}  // namespace redial::runner
