// The dashboard's files, compiled into the runner (issue 16): served at / and /ui/*, with the
// admin API's authentication, a strict Content-Security-Policy and no caching.
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "runner/dashboard.h"

using namespace redial::runner;

namespace {

HttpRequest get(const std::string& path, bool loopback = true) {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.from_loopback = loopback;
  return r;
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

}  // namespace

TEST_CASE("dashboard: the page and its scripts are compiled in, with their content types") {
  Settings s;
  auto page = serve_dashboard(get("/"), s);
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->content_type == "text/html; charset=utf-8");
  CHECK(page->body.find("<title>") != std::string::npos);
  CHECK(header(*page, "Cache-Control") == "no-store");
  std::string csp = header(*page, "Content-Security-Policy");
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(header(*page, "X-Content-Type-Options") == "nosniff");

  auto js = serve_dashboard(get("/ui/app.js"), s);
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->content_type == "text/javascript; charset=utf-8");
  CHECK(js->body == std::string(find_dashboard_asset("app.js")->body));
  auto css = serve_dashboard(get("/ui/app.css"), s);
  REQUIRE(css);
  CHECK(css->content_type == "text/css; charset=utf-8");
  CHECK(header(*css, "Cache-Control") == "no-store");
}

TEST_CASE("dashboard: every script the page loads is one of its files, none inline") {
  std::string html(find_dashboard_asset("index.html")->body);
  std::regex script(R"(<script([^>]*)>([^<]*)</script>)");
  int scripts = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), script), end; it != end; ++it) {
    ++scripts;
    std::smatch src;
    std::string attrs = (*it)[1];
    REQUIRE(std::regex_search(attrs, src, std::regex(R"re(src="/ui/([^"]+)")re")));
    CHECK(find_dashboard_asset(src[1].str()) != nullptr);
    CHECK((*it)[2].str().empty());
  }
  CHECK(scripts >= 1);
  // No inline event handlers (onclick=...) or javascript: URLs: the CSP would refuse them.
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)")));
  CHECK(html.find("javascript:") == std::string::npos);
  CHECK(html.find("http://") == std::string::npos);  // nothing from elsewhere
  CHECK(html.find("https://") == std::string::npos);
}

TEST_CASE("dashboard: loopback only without an admin token, anyone with one") {
  Settings s;
  auto far = serve_dashboard(get("/", false), s);
  REQUIRE(far);
  CHECK(far->status == 401);
  CHECK(far->body.find("loopback clients only") != std::string::npos);
  CHECK(far->body.find("<title>") == std::string::npos);
  auto session = serve_dashboard(get("/ui/session.json"), s);
  REQUIRE(session);
  CHECK(session->body == "{\"auth\":\"loopback\"}\n");

  // With a token the page carries no data: it asks for the token and sends it to /admin/*.
  s.admin_token = "secret-token-0123456789";
  auto page = serve_dashboard(get("/", false), s);
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find(s.admin_token) == std::string::npos);
  session = serve_dashboard(get("/ui/session.json", false), s);
  REQUIRE(session);
  CHECK(session->body == "{\"auth\":\"bearer\"}\n");
}

TEST_CASE("dashboard: other paths, unknown files and other methods") {
  Settings s;
  CHECK_FALSE(serve_dashboard(get("/admin/stats"), s));
  CHECK_FALSE(serve_dashboard(get("/healthz"), s));
  CHECK_FALSE(serve_dashboard(get("/uix"), s));
  auto missing = serve_dashboard(get("/ui/nope.js"), s);
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body.find("/ui/nope.js") != std::string::npos);
  CHECK(serve_dashboard(get("/ui/../CMakeLists.txt"), s)->status == 404);
  HttpRequest post = get("/");
  post.method = "POST";
  auto refused = serve_dashboard(post, s);
  REQUIRE(refused);
  CHECK(refused->status == 405);
}
