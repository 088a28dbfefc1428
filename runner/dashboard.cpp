#include "runner/dashboard.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace redial::runner {
namespace {

// Scripts and styles only from the runner itself (no inline script or style, no CDN); data only
// from its admin API; the page cannot be framed by another site.
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

HttpResponse page(int status, std::string body, std::string_view content_type) {
  HttpResponse r{status, std::move(body), std::string(content_type), false};
  r.headers = {{"Cache-Control", "no-store"},
               {"Content-Security-Policy", kCsp},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"}};
  return r;
}

}  // namespace

const DashboardAsset* find_dashboard_asset(std::string_view name) {
  for (std::size_t i = 0; i < kDashboardAssetCount; ++i)
    if (kDashboardAssets[i].name == name) return &kDashboardAssets[i];
  return nullptr;
}

std::string_view dashboard_content_type(std::string_view name) {
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".css")) return "text/css; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(name, ".json")) return "application/json";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  if (ends_with(name, ".png")) return "image/png";
  return "application/octet-stream";
}

std::optional<HttpResponse> serve_dashboard(const HttpRequest& req, const Settings& settings,
                                            Metrics* metrics) {
  const std::string_view prefix = "/ui/";
  const bool root = req.path == "/";
  if (!root && req.path.rfind(prefix, 0) != 0) return std::nullopt;
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = page(405, json_error(405, "use GET").body, "application/json");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const bool token = !settings.admin_token.empty();
  if (!token && !req.from_loopback) {
    if (metrics != nullptr) metrics->reject("admin_unauthorized");
    const char* why =
        "dashboard without --admin-token (REDIAL_ADMIN_TOKEN) serves loopback clients only";
    spdlog::warn(
        "Admin request rejected {}",
        nlohmann::json{{"method", req.method}, {"path", req.path}, {"reason", why}}.dump());
    return page(401, json_error(401, why).body, "application/json");
  }
  std::string_view name =
      root ? std::string_view("index.html") : std::string_view(req.path).substr(prefix.size());
  // How the page authenticates; no queue data (the scripts ask the admin API for that).
  if (name == "session.json")
    return page(200, nlohmann::json{{"auth", token ? "bearer" : "loopback"}}.dump() + "\n",
                "application/json");
  const DashboardAsset* asset = find_dashboard_asset(name);
  if (asset == nullptr)
    return page(404, json_error(404, "no dashboard file " + req.path).body, "application/json");
  return page(200, std::string(asset->body), dashboard_content_type(name));
}

}  // namespace redial::runner
