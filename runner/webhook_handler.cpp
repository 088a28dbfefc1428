#include "runner/webhook_handler.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "runner/bland_call.h"
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
  return handle(req);  // refuses with the usual answer, log line and counts; reads no body
}

HttpResponse WebhookHandler::handle(const HttpRequest& req) {
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
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    ++metrics_.webhooks_rejected;
    spdlog::warn("Webhook rejected: body is not JSON ({} bytes)", req.body.size());
    return json_error(400, "body is not valid JSON");
  }
  try {
    ParsedCall call = parse_call_object(
        body, mapping_, [this](std::string_view o) { return queue_.policy().is_known(o); },
        [this](const std::string& t, const std::string& f) {
          return queue_.calendar().parse_local(t, f);
        });
    ApplyResult a = applier_.apply(std::move(call), "webhook");
    json out{{"ok", true},
             {"key", a.key},
             {"result", a.kind == ApplyKind::kCreated   ? "created"
                        : a.kind == ApplyKind::kUpdated ? "updated"
                                                        : "duplicate"},
             {"attempts", a.attempts},
             {"status", std::string(status_name(a.status))}};
    return HttpResponse{200, out.dump() + "\n", "application/json", true};
  } catch (const InputError& e) {
    ++metrics_.webhooks_rejected;
    spdlog::warn("Webhook rejected: {}", e.what());
    return json_error(400, e.what());
  }
}

}  // namespace redial::runner
