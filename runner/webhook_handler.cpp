#include "runner/webhook_handler.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "bland/bland_call.h"
#include "core/errors.h"
#include "core/phone.h"
#include "runner/hmac.h"

namespace redial::runner {

using nlohmann::json;

bool WebhookHandler::template_sets_webhook_events(const std::string& call_template) {
  auto t = json::parse(call_template, nullptr, false);
  if (!t.is_object()) return false;
  auto it = t.find("webhook_events");
  return it != t.end() && it->is_array() && !it->empty();
}

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
  try {
    auto is_known = [this](std::string_view o) { return queue_.policy().is_known(o); };
    ParsedCall call = bland::parse_call_object(body, mapping_, is_known,
                                               [this](const std::string& t, const std::string& f) {
                                                 return queue_.calendar().parse_local(t, f);
                                               });
    // An inbound call is never an attempt nor a new lead, whatever it carries.
    const std::string why = bland::not_a_result(body, webhook_events_, mapping_);
    if (why == "inbound") return ignored(call.result.call_id, why);
    if (!why.empty() || !is_known(call.result.outcome)) {
      // A later body of a call already recorded (analysis, resend) is a duplicate, whatever its
      // shape; anything else that is not a final result changes nothing.
      CallResult r = call.result;
      const LeadRecord* known = applier_.resolve(r);
      if (known != nullptr &&
          applier_.recorded(make_lead_key(r.lead_id, r.phone_number), r.call_id))
        return answer(applier_.duplicate(r, "webhook"));
      if (!why.empty()) return ignored(call.result.call_id, why);
    }
    return answer(applier_.apply(std::move(call), "webhook"));
  } catch (const InputError& e) {
    ++metrics_.webhooks_rejected;
    spdlog::warn("Webhook rejected: {}", e.what());
    return json_error(400, e.what());
  }
}

}  // namespace redial::runner
