#pragma once
// The operators' dashboard (issue 16): static HTML/CSS/JS from runner/dashboard/, compiled into
// the binary at build time (runner/embed_dashboard.cmake), served at / and /ui/*. The page itself
// carries no queue data: its scripts read the admin API with the same authentication as any
// other admin client. Hence the page is served to anyone when --admin-token is set (the token is
// asked for in a form), and to loopback clients only without one, like /admin/*.
#include <cstddef>
#include <optional>
#include <string_view>

#include "runner/http_server.h"
#include "runner/metrics.h"
#include "runner/settings.h"

namespace redial::runner {

struct DashboardAsset {
  std::string_view name;  // file name in runner/dashboard/, e.g. "app.js"
  std::string_view body;
};

// Generated at build time (dashboard_assets.cpp in the build dir).
extern const DashboardAsset kDashboardAssets[];
extern const std::size_t kDashboardAssetCount;

// The asset named `name`, or nullptr.
const DashboardAsset* find_dashboard_asset(std::string_view name);

// "text/javascript; charset=utf-8" and so on, by the name's extension.
std::string_view dashboard_content_type(std::string_view name);

// The answer to a request for / or /ui/..., or nullopt for any other path. A refused request is
// counted in `metrics` (when given) as admin_unauthorized, like the admin API's.
std::optional<HttpResponse> serve_dashboard(const HttpRequest& request, const Settings& settings,
                                            Metrics* metrics = nullptr);

}  // namespace redial::runner
