#include "runner/webhook_handler.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "runner/hmac.h"

namespace redial::runner {

using nlohmann::json;

std::optional<HttpResponse> WebhookHandler::early_reject(const HttpRequest& req) {
  if (!settings_.webhook_secret.empty()) {
    if (!req.header("X-Webhook-Signature").empty()) return std::nullopt;
  } else if (settings_.webhook_token.empty() ||
             constant_time_equals(req.query("token"), settings_.webhook_token)) {
    return std::nullopt;
  }
  return authenticate(req);  // refuses with the usual answer, log line and counts
}

// A response with status 0 means "authenticated".
HttpResponse WebhookHandler::authenticate(const HttpRequest& req) {
  if (!settings_.webhook_secret.empty()) {
    std::string sig = req.header("X-Webhook-Signature");
    if (sig.empty() || !signature_matches(settings_.webhook_secret, req.body, sig)) {
      ++metrics_.webhooks_rejected;
      metrics_.reject("webhook_signature");
      spdlog::warn("Webhook rejected: {} X-Webhook-Signature", sig.empty() ? "missing" : "wrong");
      return json_error(401, sig.empty() ? "missing X-Webhook-Signature"
                                         : "X-Webhook-Signature does not match the body");
    }
  } else if (!settings_.webhook_token.empty()) {
    // No secret: the token in the URL the runner gave Bland is the credential.
    std::string token = req.query("token");
    if (!constant_time_equals(token, settings_.webhook_token)) {
      ++metrics_.webhooks_rejected;
      metrics_.reject("webhook_token");
      spdlog::warn("Webhook rejected: {} token in the URL", token.empty() ? "no" : "wrong");
      return json_error(401, token.empty() ? "missing token in the webhook URL (?token=)"
                                           : "wrong token in the webhook URL");
    }
  }
  return HttpResponse{0, ""};
}

HttpResponse WebhookHandler::answer(const ApplyResult& a) {
  json out{{"ok", true},
           {"key", a.key},
           {"result", a.kind == ApplyKind::kCreated   ? "created"
                      : a.kind == ApplyKind::kUpdated ? "updated"
                                                      : "duplicate"},
           {"attempts", a.attempts},
           {"status", std::string(status_name(a.status))}};
  return HttpResponse{200, out.dump() + "\n", "application/json", true};
}

HttpResponse WebhookHandler::ignored(const std::string& call_id, const std::string& why) {
  ++metrics_.webhooks_ignored[why];
  spdlog::info("Webhook ignored: not a call result {}",
               json{{"call_id", call_id}, {"why", why}}.dump());
  json out{{"ok", true}, {"result", "ignored"}, {"why", why}};
  return HttpResponse{200, out.dump() + "\n", "application/json", false};
}

HttpResponse WebhookHandler::handle(const HttpRequest& req) {
  if (HttpResponse denied = authenticate(req); denied.status != 0) return denied;
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    ++metrics_.webhooks_rejected;
    spdlog::warn("Webhook rejected: body is not JSON ({} bytes)", req.body.size());
    return json_error(400, "body is not valid JSON");
  }
  bland::IntakeResult in = intake_.take(body);
  switch (in.kind) {
    case bland::IntakeResult::kApplied:
      return answer(in.applied);
    case bland::IntakeResult::kIgnored:
      return ignored(in.call_id, in.why);
    case bland::IntakeResult::kRejected:
      break;
  }
  ++metrics_.webhooks_rejected;
  spdlog::warn("Webhook rejected: {}", in.error);
  return json_error(400, in.error);
}

}  // namespace redial::runner
