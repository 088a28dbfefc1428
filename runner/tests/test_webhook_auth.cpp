// Webhook credentials without a secret (the URL token) and the security settings (issue 6).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "runner/hmac.h"
#include "runner/settings.h"

using namespace redial::runner;
namespace fs = std::filesystem;

namespace {

Settings parse_env(std::map<std::string, std::string> env, std::vector<std::string> args = {}) {
  env["BLAND_API_KEY"] = "key";
  ParseOutcome out =
      parse_settings(args, [env](const std::string& n) -> std::optional<std::string> {
        auto it = env.find(n);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  REQUIRE(out.settings.has_value());
  return *out.settings;
}

std::string settings_error(std::vector<std::string> args) {
  try {
    (void)parse_env({}, args);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "";
}

fs::path fresh_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("redial-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST_CASE("constant-time comparison is plain equality", "[auth]") {
  CHECK(constant_time_equals("abc", "abc"));
  CHECK(constant_time_equals("", ""));
  CHECK_FALSE(constant_time_equals("abc", "abd"));
  CHECK_FALSE(constant_time_equals("abc", "ab"));
  CHECK_FALSE(constant_time_equals("", "a"));
}

TEST_CASE("random tokens are hex, of the asked length, and differ", "[auth]") {
  std::string a = random_token_hex(32), b = random_token_hex(32);
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
  CHECK(valid_webhook_token(a));
}

TEST_CASE("the webhook URL carries the token only when no secret is set", "[auth]") {
  Settings s = parse_env({{"REDIAL_WEBHOOK_TOKEN", "abcdefghijklmnop"}});
  CHECK(s.webhook_url() == "http://127.0.0.1:8080/webhooks/bland-callback?token=abcdefghijklmnop");
  s.public_webhook_url = "https://x.example/hook?src=bland";
  CHECK(s.webhook_url() == "https://x.example/hook?src=bland&token=abcdefghijklmnop");
  s.webhook_secret = "s3cret";
  CHECK(s.webhook_url() == "https://x.example/hook?src=bland");
}

TEST_CASE("a webhook token must be long and URL-safe", "[auth]") {
  CHECK(settings_error({"--webhook-token", "short"}).find("--webhook-token") != std::string::npos);
  CHECK(settings_error({"--webhook-token", "0123456789abcdef&x=1"}).find("A-Z a-z 0-9") !=
        std::string::npos);
  CHECK(settings_error({"--webhook-token", "0123456789abcdef-_"}).empty());
}

TEST_CASE("security limits have defaults and are validated", "[auth]") {
  Settings d = parse_env({});
  CHECK(d.max_body_bytes == 1048576);
  CHECK(d.max_header_bytes == 8192);
  CHECK(d.max_connections == 512);  // issue 15: the per-address limit well below the total
  CHECK(d.max_connections_per_ip == 32);
  CHECK(d.request_timeout_ms == 30000);
  CHECK(d.header_timeout_ms == 5000);  // both shorter than the request time-out
  CHECK(d.body_timeout_ms == 10000);
  CHECK(d.max_leads_per_request == 1000);
  Settings s = parse_env({{"REDIAL_MAX_BODY_BYTES", "4096"}, {"REDIAL_REQUEST_TIMEOUT", "2s"}},
                         {"--max-leads-per-request", "5", "--max-connections-per-ip", "3"});
  CHECK(s.max_body_bytes == 4096);
  CHECK(s.request_timeout_ms == 2000);
  CHECK(s.max_leads_per_request == 5);
  CHECK(s.max_connections_per_ip == 3);
  CHECK(settings_error({"--request-timeout", "500ms"}).find("--request-timeout") !=
        std::string::npos);
  CHECK(settings_error({"--max-body-bytes", "10"}).find("--max-body-bytes") != std::string::npos);
  CHECK(settings_error({"--header-timeout", "0"}).find("--header-timeout") != std::string::npos);
  CHECK(settings_error({"--body-timeout", "2d"}).find("--body-timeout") != std::string::npos);
  CHECK(settings_error({"--max-connections", "10", "--max-connections-per-ip", "11"})
            .find("--max-connections-per-ip") != std::string::npos);
  CHECK(parse_env({{"REDIAL_HEADER_TIMEOUT", "2s"}}).header_timeout_ms == 2000);
  CHECK(settings_error({"--max-leads-per-request", "0"}).find("--max-leads-per-request") !=
        std::string::npos);
}

TEST_CASE("without a secret the webhook token is created once in the data dir and kept", "[auth]") {
  fs::path dir = fresh_dir("token");
  Settings s = parse_env({{"REDIAL_DATA_DIR", dir.string()}});
  REQUIRE(s.webhook_token.empty());
  resolve_webhook_token(s);
  CHECK(s.webhook_token.size() == 64);
  fs::path file = dir / "webhook.token";
  REQUIRE(fs::exists(file));
  CHECK((fs::status(file).permissions() & fs::perms::others_read) == fs::perms::none);
  Settings again = parse_env({{"REDIAL_DATA_DIR", dir.string()}});
  resolve_webhook_token(again);
  CHECK(again.webhook_token == s.webhook_token);  // a restart keeps the URLs of calls in flight
  fs::remove_all(dir);
}

TEST_CASE("an explicit token or a secret means no token file", "[auth]") {
  fs::path dir = fresh_dir("notoken");
  Settings with_token =
      parse_env({{"REDIAL_DATA_DIR", dir.string()}, {"REDIAL_WEBHOOK_TOKEN", "tttttttttttttttt"}});
  resolve_webhook_token(with_token);
  CHECK(with_token.webhook_token == "tttttttttttttttt");
  Settings with_secret =
      parse_env({{"REDIAL_DATA_DIR", dir.string()}, {"BLAND_WEBHOOK_SECRET", "s3cret"}});
  resolve_webhook_token(with_secret);
  CHECK(with_secret.webhook_token.empty());
  CHECK_FALSE(fs::exists(dir / "webhook.token"));
}

TEST_CASE("a damaged token file stops start-up naming the file", "[auth]") {
  fs::path dir = fresh_dir("badtoken");
  fs::create_directories(dir);
  std::ofstream(dir / "webhook.token") << "not a token!\n";
  Settings s = parse_env({{"REDIAL_DATA_DIR", dir.string()}});
  CHECK_THROWS_WITH(resolve_webhook_token(s), Catch::Contains("webhook.token"));
  fs::remove_all(dir);
}
